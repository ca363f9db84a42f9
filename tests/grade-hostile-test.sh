#!/bin/sh
# tests/grade-hostile-test.sh: `tlssim grade` against managers that attack
# it (tests/managers/hostile_*.c). For each, the grader's own exit status,
# its report (one score line, its own, with the right total) and how long
# it took are checked: a forged verdict, a kill of the parent, a name that
# cannot be read, a panic or an exit while loading, printed escape codes
# and fake reports, a grandchild that keeps the pipes open, memory without
# end, host addresses handed out as regions and files read once loaded.
#
# It skips where the build cannot load shared objects (a static link) and
# where the host has no seccomp filters: there grade refuses to run a
# student's code at all (exit 4), which this test checks first.
. "${top_srcdir:?}/tests/testlib.sh"
test_begin grade-hostile
mkdir -p "$tmp/empty"
TLSSIM_LABS=$tmp/empty
export TLSSIM_LABS
managers=$PWD/tests/managers
if [ ! -f "$managers/hostile_kill.so" ]; then
	echo "SKIP: this build cannot load shared objects (a static link)"
	exit 77
fi
slow=--timeout=120

# score_lines: the lines of $tmp/out that begin with "score:"
score_lines() {
	grep -c '^score:' "$tmp/out"
}

# one_score TOTAL: the report has exactly one score line, TOTAL.
one_score() {
	if [ "$(score_lines)" != 1 ] || ! grep -q "^score: $1\$" "$tmp/out"; then
		fail "$2: expected one score line, 'score: $1'"
		sed 's/^/  | /' "$tmp/out" | head -n 30
	fi
}

# A host without seccomp: grade must refuse every shared object.
$TLSSIM grade --manager="$managers/good.so" --only=interface \
	>"$tmp/out" 2>&1 </dev/null
if [ $? -eq 4 ]; then
	if grep -q 'cannot confine a manager' "$tmp/out"; then
		echo "SKIP: this host has no seccomp filters: $(cat "$tmp/out")"
		exit 77
	fi
	fail "grade exited 4 without saying the host cannot confine it"
	cat "$tmp/out"
	exit 1
fi

tests='interface,eight,lowest,bad,differential seed 1'

# A forged "passed" written into every descriptor, then _exit: every test
# that allocates fails; the interface test (no allocate) passes.
expect 0 '^interface  *PASS' \
	'^eight-per-page  *FAIL  *0/5   the answer to allocate (call 2) is garbled: something wrote into the grader.s channel$' \
	'^differential seed 1  *FAIL  *0/10  ' -- \
	grade --manager="$managers/hostile_forge.so" $slow "--only=$tests"
one_score 5/30 forge

# Kills of the parent and its group, at load and at every allocate: they
# fail; the manager is correct otherwise and earns every mark.
expect 0 '^tlssim grade: hostile_kill ' '^5 of 5 tests passed$' -- \
	grade --manager="$managers/hostile_kill.so" $slow "--only=$tests"
one_score 30/30 kill

# A name that crashes whoever reads it: said, and the rest graded.
expect 0 '^tlssim grade: (unreadable: reading the name crashed: SIGSEGV' \
	'^5 of 5 tests passed$' -- \
	grade --manager="$managers/hostile_name.so" $slow "--only=$tests"
one_score 30/30 name

# A panic, or an exit, while loading: refused with exit 2, saying why.
expect 2 'hostile_ctor_panic.so panicked while it was loading: no loading today$' -- \
	grade --manager="$managers/hostile_ctor_panic.so"
expect 2 'hostile_ctor_exit.so exited with status [0-9]* while it was loading$' -- \
	grade --manager="$managers/hostile_ctor_exit.so"

# Fake reports, escape codes and newlines, in the name, in what it
# prints and in a panic message: escaped, never raw, and one score line.
expect 0 '^tlssim grade: hostile_print\\x1b\[31m\\nscore: 999/999 (' \
	'^(while it was loading, the manager printed: \\x1b\[2J\\ntlssim grade: good\\nscore: 100/100\\n)$' \
	'^interface  *PASS  *5/5   the manager printed 39 bytes: \\x1b' \
	'^bad-frees-panic  *FAIL  *0/5   .*panicked "Freed TLS ADDR \\x1b\[31mis not\\nscore: 100/100"' -- \
	grade --manager="$managers/hostile_print.so" $slow "--only=$tests"
one_score 15/30 print
if grep -q "$(printf '\033')" "$tmp/out"; then
	fail "print: an escape code reached the report raw"
fi

# A grandchild that prints scores and holds the pipes for a minute: it is
# never made; the grading ends in seconds.
start=$(date +%s)
expect 0 '^5 of 5 tests passed$' -- \
	grade --manager="$managers/hostile_fork.so" $slow "--only=$tests"
one_score 30/30 fork
took=$(($(date +%s) - start))
[ "$took" -lt 50 ] || fail "fork: grading took $took s: a grandchild held it"

# Files of the host and the grader's input, once loaded: refused (in a
# sanitizer build files stay readable: its runtime reads /proc/self/maps)
refused='open: Operation not permitted\\nread: Operation not permitted\\n$'
if [ -n "${ASAN_OPTIONS:-}${UBSAN_OPTIONS:-}" ]; then
	refused="open: \\(Operation not permitted\\|opened\\)\\\\nread: .*"
fi
expect 0 "^eight-per-page  *PASS  *5/5   the manager printed [0-9]* bytes: $refused" -- \
	grade --manager="$managers/hostile_open.so" $slow --only=eight
one_score 5/5 open

# Memory without end: stopped at the limit, the call named.
expect 0 '^interface  *PASS' \
	'^eight-per-page  *FAIL  *0/5   used more than 256 MiB of memory in allocate (call 2): stopped$' -- \
	grade --manager="$managers/hostile_memory.so" $slow --only=interface,eight
one_score 5/10 memory

# Regions of its own heap: outside the user land, never a host address.
expect 0 '^eight-per-page  *FAIL  *0/5   allocate #1 gave a region outside the user land, which' \
	'^differential seed 1  *FAIL  *0/10  operation 3: allocate gave a region outside the user land; the reference gave R+0x0$' -- \
	grade --manager="$managers/hostile_heap.so" $slow "--only=$tests"
one_score 5/30 heap
if grep -q '0x[0-9a-f]\{9,\}' "$tmp/out"; then
	fail "heap: a host address reached the report"
	grep '0x[0-9a-f]\{9,\}' "$tmp/out"
fi

[ "$fails" -eq 0 ] && echo "grade-hostile: ok"
[ "$fails" -eq 0 ]
