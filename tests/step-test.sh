#!/bin/sh
# tests/step-test.sh: `tlssim step` from a pipe, against golden
# transcripts. Each case feeds step commands on the standard input to
# `tlssim step OPTIONS SCENARIO`, run in $top_srcdir (so that file names
# are relative), and compares stdout and stderr together, then "[exit N]",
# with tests/step/NAME.out. No golden may hold a host address.
#
# To regenerate the goldens after a deliberate change of the output (the
# narration of each step, lines starting with "  | ", is one), run
#     STEP_REGEN=1 make check TESTS=tests/step-test.sh
# in the build directory, and read the diff before committing it.
#
# Then the session from a terminal, under script(1)'s pseudo-terminal: the
# prompt, and with libedit the history (the up arrow brings back `next`).
# Bad command lines and bad scenarios exit 2; --help lists the commands.
. "${top_srcdir:?}/tests/testlib.sh"
test_begin step
golden=$top_srcdir/tests/step

# case NAME 'OPTIONS SCENARIO' 'COMMANDS' (printf escapes: \n)
case_() {
	name=$1
	# shellcheck disable=SC2086
	(cd "$top_srcdir" && printf "$3" | $TLSSIM step --color=never $2) \
		>"$tmp/$name.out" 2>&1
	echo "[exit $?]" >>"$tmp/$name.out"
	# a long number, but not a peeked word of bytes (shown as |text|)
	grep -E '0x0*[1-9a-f][0-9a-f]{8,}' "$tmp/$name.out" |
		grep -Ev '0x[0-9a-f]{16} \|.{8}\|$' >"$tmp/hosts"
	if [ -s "$tmp/hosts" ]; then
		fail "$name: a host address in the output"
		head -n 5 "$tmp/hosts"
	fi
	if [ -n "${STEP_REGEN:-}" ]; then
		cp "$tmp/$name.out" "$golden/$name.out"
		echo "regenerated tests/step/$name.out"
	elif ! diff -u "$golden/$name.out" "$tmp/$name.out"; then
		fail "$name: the transcript differs from tests/step/$name.out"
	else
		echo "ok: $name"
	fi
}

# The example of the issue, and quit.
case_ tour-basic 'examples/tour.tls' 'next 3\nregs\nback\nwhere\nquit\n'

# Every command: show before and after a process, peek in every way,
# breakpoints set, listed, deleted, continue to the end and past it, the
# trace, back with a count, help, an empty line (repeats), a bad command,
# bad arguments.
case_ tour-all 'examples/tour.tls' \
'show\nshow shell\nshow nobody\nnext 24\nshow shell\nregs\npeek shell 0x3000
peek shell+0x3010\npeek shell 0x3000_0\npeek shell 0x100000\npeek nobody 0
peek shell zz\npeek\nbreak 64\nbreak 66\nbreak\ndelete 66\ndelete 66
break 90\nbreak 999\ncontinue\nwhere\nnext\ncontinue\ntrace on\nback 2
next\ntrace\ntrace off\ntrace maybe\nnext\n\nnext 0\nback x\nwhere now
regs 1\nfly\nhelp\ndelete\nbreak\nq\n'

# A lab fault: break and continue stop at a failing expectation first,
# then at the breakpoint; the stale register says so; exit 1.
case_ stale '--no-tls-restore examples/lab-no-restore.tls' \
'break 27\ncontinue\nregs\ncontinue\ncontinue\nregs\nwhere\nquit\n'

# A breakpoint on a command that has run says that continue will not
# stop there, and how far back returns to it.
case_ break-past 'examples/tour.tls' 'next 5\nbreak 19\nback 4\nwhere\nquit\n'

# Back at the start, back past the start; the end of the input without
# quit ends the session (the status of what ran: 0).
case_ back-start 'examples/reuse.tls' 'back\nnext 2\nback 5\nwhere\nnext\n'

# Two CPUs: each CPU's thread and register, the same after going back.
case_ cpus2 '--cpus=2 examples/tour.tls' 'next 30\nregs\nback 5\nregs\nnext 5\nregs\n'

# An unexpected panic stops the run (exit 3): nothing runs after it but
# back; a dead process's land; a stale register into it.
case_ panic '--no-tls-restore tests/step/panic.tls' \
'next 6\nregs\npeek B 0\nshow B\nnext\nregs\ncontinue\nnext\nwhere\nback\nwhere
continue\n'

# Bad command lines and a bad scenario: exit 2, nothing runs.
expect 2 'step: no scenario file given' -- step
expect 2 'step: the standard input carries the step commands' -- step -
expect 2 'step: one scenario file at a time' -- step a.tls b.tls
expect 2 'step: --trace is not an option of step' -- step --trace x.tls
printf 'process A\nspawn B t\n' >"$tmp/bad.tls"
expect 2 "bad.tls:2:7: error: unknown process 'B'" -- step "$tmp/bad.tls"
expect 2 "cannot open" -- step "$tmp/none.tls"
expect 0 '^  next \[N\], n ' '^  peek PROCESS OFFSET ' '^  quit, q ' -- step --help

# From a terminal: the prompt before each command; with libedit, the up
# arrow brings `next` back (without it the same keys are an unknown
# command, and the test says which build this is).
if ! command -v script >/dev/null 2>&1; then
	echo "SKIP (not counted): no script(1) for a pseudo-terminal"
elif case $TLSSIM in *qemu*) true ;; *) false ;; esac; then
	echo "SKIP (not counted): the terminal session under an emulator"
else
	(sleep 1; printf 'next\n'; sleep 0.5; printf '\033[A\n'; sleep 0.5
	 printf 'regs\n'; sleep 0.5; printf 'quit\n'; sleep 0.5) |
		(cd "$top_srcdir" && TERM=xterm timeout 60 script -qec \
			"$TLSSIM step --color=never examples/tour.tls" /dev/null) \
		>"$tmp/tty.out" 2>&1
	tr -d '\r' <"$tmp/tty.out" >"$tmp/tty"
	grep -q "(tlssim) " "$tmp/tty" || fail "terminal: no prompt"
	grep -q "^examples/tour.tls:16: process shell" "$tmp/tty" ||
		fail "terminal: the first next did not run"
	if $TLSSIM step --help | grep -q '(libedit)'; then
		grep -q "^examples/tour.tls:19: map shell" "$tmp/tty" ||
			fail "terminal: the up arrow did not bring next back (libedit)"
		echo "terminal: libedit: prompt and history checked"
	else
		grep -q "unknown command" "$tmp/tty" ||
			fail "terminal: without libedit the arrow should be a bad command"
		echo "terminal: no libedit in this build: prompt checked"
	fi
	grep -q "cpu0: idle" "$tmp/tty" || fail "terminal: regs"
	[ "$fails" = 0 ] || sed 's/^/  | /' "$tmp/tty" | head -n 40
fi

exit $((fails != 0))
