#!/bin/sh
# tests/stream-test.sh: `tlssim run` streams its scenario.
# - Its peak memory does not grow with the scenario's length: a scenario
#   ten times longer over the same names peaks within 1.5 times the short
#   one's resident set (compared by ratio, never by an absolute time).
# - With spawn/exit churn (scripts/gen-churn), each spawn declares a new
#   name. The run forgets a name after its last use, so what grows is the
#   check's: every name declared (names are unique over the scenario: a
#   name like t17 is 8 bytes of an array by its number, numbered.c) and a
#   bit per occurrence. The growth between 10^5 and 10^6 pairs stays under
#   16 bytes a pair (8 measured; 48 when every name took a 16-byte slot of
#   a hash table, caught doubling; 52 with the exact table, 122 when the
#   run kept every name, about 600 before the run streamed).
# - With a churn of processes (scripts/gen-churn --processes: each a new
#   process with a thread, killed before the next), the run gives each
#   dead process back to the kernel and forgets its name: what grows is
#   the check's names again (a process's exact entry, its thread's
#   numbered slot). The growth between 10^4 and 10^5 processes stays under
#   96 bytes a process (63 measured; 110 with the thread's name in a hash
#   table; about 600 when the run kept every process, the story's
#   numbering of its pages too).
# - Standard input runs as a scenario (`gen | tlssim run -`).
# - scripts/gen-churn refuses bad arguments (exit 2, and why).
# - Progress: nothing on stderr when it is not a terminal; on a terminal
#   (through script(1), when present) a line for the check and one for
#   the run, not with --quiet.
# Peak memory is measured with /usr/bin/time -f %M; without it, or under
# an emulator (whose memory and speed are not the program's), this test
# is skipped. Under a sanitizer (ASAN_OPTIONS or UBSAN_OPTIONS set: the
# sanitize leg) memory is not compared (ASan's quarantine keeps freed
# memory, up to 256 MiB), the rest is checked.
. "${top_srcdir:?}/tests/testlib.sh"
test_begin stream

# scripts/gen-churn, which makes the scenarios below, refuses what is not
# a count (or an option it knows): exit 2, why on stderr, no scenario.
gen=$top_srcdir/scripts/gen-churn
for args in "" x -3 "10 y" "1 2 3" "--processes 1 2" "--bogus 1" \
	"--policy=A.B 1"; do
	# shellcheck disable=SC2086
	"$gen" $args >"$tmp/gen.out" 2>"$tmp/gen.err"
	got=$?
	[ "$got" -eq 2 ] || fail "gen-churn $args: exit $got, not 2"
	[ -s "$tmp/gen.out" ] && fail "gen-churn $args: printed a scenario"
	grep -q 'usage: gen-churn\|is not a' "$tmp/gen.err" ||
		fail "gen-churn $args: did not say why"
done

if [ -n "${TLSSIM_EMULATOR:-}" ]; then
	echo "stream-test: SKIP: under an emulator ($TLSSIM_EMULATOR) memory and time are not the program's"
	exit 77
fi
if ! /usr/bin/time -f %M true >/dev/null 2>&1; then
	echo "stream-test: SKIP: no /usr/bin/time with -f to measure peak memory"
	exit 77
fi

[ -n "$sanitized" ] &&
	echo "not checked: peak memory (under a sanitizer, whose quarantine keeps freed memory)"

# gen_rounds N: a process, 16 threads, then N writes and N reads of their
# IPC buffers: the length grows with N, the names do not.
gen_rounds() {
	awk -v rounds="$1" 'BEGIN {
		print "process A userland=1M"
		for (i = 0; i < 16; i++)
			printf "spawn A t%d\n", i
		for (j = 0; j < rounds; j++) {
			i = j % 16
			printf "write t%d ipc \"r%d\"\n", i, j
			printf "expect read t%d ipc \"r%d\"\n", i, j
		}
	}'
}

# peak FILE ARGS...: peak_kib of `tlssim run ARGS` with FILE as its input,
# its output in $tmp/run.out (or $peak_out).
peak() {
	peak_in=$1
	shift
	peak_out=${peak_out:-$tmp/run.out} peak_kib run "$@"
}

gen_rounds 10000 >"$tmp/short.tls"
gen_rounds 100000 >"$tmp/long.tls"
short=$(peak /dev/null "$tmp/short.tls")
long=$(peak /dev/null "$tmp/long.tls")
echo "length: 20017 commands peak ${short} KiB, 200017 commands peak ${long} KiB"
ratio_ok "$short" "$long" 150 ||
	fail "a run 10 times longer peaks at ${long} KiB, over 1.5 times ${short} KiB"

# The same long scenario through a pipe: spooled, not held in memory.
piped=$(gen_rounds 100000 | {
	/usr/bin/time -o "$tmp/time" -f %M $TLSSIM run - >"$tmp/pipe.out" 2>&1
	tail -n 1 "$tmp/time"
})
grep -q '^<stdin>: ok: 200017 commands, 100000 expectations held$' \
	"$tmp/pipe.out" || {
	fail "gen | tlssim run -: not the run of the file"
	sed 's/^/  | /' "$tmp/pipe.out" | head -n 10
}
echo "length through a pipe: peak ${piped} KiB"
ratio_ok "$short" "$piped" 150 ||
	fail "the long run through a pipe peaks at ${piped} KiB, over 1.5 times ${short} KiB"

# growth WHAT SMALL LARGE UNITS LIMIT: the peaks of two runs (KiB, 0 when
# one failed), and the bytes each of the UNITS more in the larger adds,
# which the check's names explain: at most LIMIT.
growth() {
	if [ "$2" -gt 0 ] && [ "$3" -gt 0 ]; then
		per=$((($3 - $2) * 1024 / $4))
		echo "$1: ${per} bytes each (the check's names)"
		[ "$per" -le "$5" ] ||
			fail "$1: the peak grows by ${per} bytes each, over $5"
	else
		fail "$1: a run did not succeed"
	fi
}

# Churn: 10^5 and 10^6 exit+spawn pairs over 1000 live threads.
if [ -z "$sanitized" ]; then
	"$top_srcdir/scripts/gen-churn" 1000 100000 >"$tmp/churn-s.tls"
	"$top_srcdir/scripts/gen-churn" 1000 1000000 >"$tmp/churn-l.tls"
	cs=$(peak /dev/null "$tmp/churn-s.tls")
	cl=$(peak /dev/null "$tmp/churn-l.tls")
	echo "churn: 10^5 pairs peak ${cs} KiB, 10^6 pairs peak ${cl} KiB"
	growth "churn, a pair" "$cs" "$cl" 900000 16
fi

# Processes: 10^4 and 10^5 of them one after another, the story told
# (its 45 MB not kept). Under a sanitizer, a short churn runs (no memory
# compared).
procs=$top_srcdir/scripts/gen-churn
if [ -n "$sanitized" ]; then
	sh "$procs" --processes 2000 >"$tmp/procs-s.tls"
	[ "$(peak /dev/null "$tmp/procs-s.tls")" -gt 0 ] ||
		fail "a churn of processes did not succeed"
else
	sh "$procs" --processes 10000 >"$tmp/procs-s.tls"
	sh "$procs" --processes 100000 >"$tmp/procs-l.tls"
	ps=$(peak_out=/dev/null peak /dev/null "$tmp/procs-s.tls")
	pl=$(peak_out=/dev/null peak /dev/null "$tmp/procs-l.tls")
	echo "processes: 10^4 peak ${ps} KiB, 10^5 peak ${pl} KiB"
	growth "processes, a process" "$ps" "$pl" 90000 96
fi

# Progress, asked for at once (TLSSIM_PROGRESS_DELAY=0): nothing on
# stderr when it is not a terminal, a line on it when it is.
TLSSIM_PROGRESS_DELAY=0 $TLSSIM run "$tmp/short.tls" >"$tmp/out" 2>"$tmp/err" ||
	fail "tlssim run short.tls failed"
# (a sanitizer may warn there: then only the progress must be absent)
cr=$(printf '\r')
if { [ -z "$sanitized" ] && [ -s "$tmp/err" ]; } ||
	grep -q "commands\\|$cr" "$tmp/err"; then
	fail "a run with stderr not a terminal printed on it"
	sed 's/^/  | /' "$tmp/err" | head -n 5
fi
if have_terminal; then
	# stdout to a file, stderr the terminal script makes
	on_terminal 0 "$TLSSIM run $tmp/short.tls >$tmp/tty.out"
	terminal_shows '[0-9]/20017 commands ([0-9]*%), [0-9]*/s' \
		"no progress line on a terminal"
	terminal_shows '[0-9] commands checked, [0-9]*/s' \
		"no progress line of the check on a terminal"
	grep -q 'ok: 20017 commands' "$tmp/tty.out" ||
		fail "the run on a terminal did not end as it should"
	# without the variable, a short run shows nothing
	on_terminal '' "$TLSSIM run $tmp/short.tls >$tmp/tty.out"
	! grep -q 'commands [(c]' "$tmp/typescript" ||
		fail "a short run on a terminal showed progress"
	# nor with --quiet
	on_terminal 0 "$TLSSIM run --quiet $tmp/short.tls >$tmp/tty.out"
	! grep -q 'commands [(c]' "$tmp/typescript" ||
		fail "a run with --quiet on a terminal showed progress"
fi

[ "$fails" -eq 0 ]
