#!/bin/sh
# tests/grade-test.sh: `tlssim grade`. The reference (the built-in
# sunrise) and indexed get full marks; bad command lines and managers
# that cannot be loaded exit 2. Then, from the shared objects the test
# build makes (run from the build directory): a correct manager loaded
# with dlopen gets full marks, the lab's template loads and fails cleanly,
# and each broken manager of tests/managers/ loses points for its own
# fault, with the reason the report must give. A static build cannot load
# shared objects: grade must say so (exit 4), and this test then skips.
# TLSSIM names the program (with its emulator); top_srcdir the sources.
. "${top_srcdir:?}/tests/testlib.sh"
test_begin grade
expect_dir=$tmp
# no default scenarios, whatever labs/ holds, unless a test says otherwise
mkdir -p "$tmp/empty"
TLSSIM_LABS=$tmp/empty
export TLSSIM_LABS

ex=$top_srcdir/examples
scn="$ex/reuse.tls $ex/first-fit.tls $top_srcdir/tests/scenarios/alloc-reuse.tls"
# generous timeouts: sanitizers and emulators are slow, the host may be busy
slow=--timeout=300

# ---- the command line ----
expect 0 '^Usage: tlssim grade' -- grade --help
expect 0 '^  grade  *grade a TLS manager' -- --help
expect 0 'tlssim grade --manager' -- help grade
expect 2 'no manager given' -- grade
expect 2 "unknown option '--frobnicate'" -- grade --manager=builtin:sunrise --frobnicate
expect 2 '--timeout wants seconds' -- grade --manager=builtin:sunrise --timeout=0
expect 2 '--seed wants a number' -- grade --manager=builtin:sunrise --seed=x
expect 2 "no built-in manager 'linux'" -- grade --manager=builtin:linux
expect 2 "no test is called 'frob" -- grade --manager=builtin:sunrise --only=frob
expect 2 "cannot open '$tmp/none.tls'" -- grade --manager=builtin:sunrise "$tmp/none.tls"
printf 'process A\nspwan A t\n' >"$tmp/syntax.tls"
expect 2 "unknown command 'spwan'" -- grade --manager=builtin:sunrise "$tmp/syntax.tls"

# ---- built-in managers: no shared object needed ----
# shellcheck disable=SC2086
expect 0 '^interface  *PASS  *5/5$' '^differential seed 5  *PASS  *10/10' \
	'^performance  *PASS  *10/10  100000 allocates' \
	'^scenario reuse.tls  *PASS' '^17 of 18 tests passed$' \
	'^complexity  *FAIL  *0/10  *a free and an allocate cost .* times more for 100 times the regions' \
	'^score: 115/125$' -- grade --manager=builtin:sunrise $slow $scn
# indexed finds a slot in O(1): full marks, complexity included
expect 0 '^complexity  *PASS  *10/10  a free and an allocate: ' \
	'^score: 110/110$' '0 scenarios (none in ' -- \
	grade --manager=builtin:indexed $slow
# mesosphere unmaps empty pages: not the seed's addresses
expect 0 '^lowest-free-first  *PASS' \
	'^differential seed 1  *FAIL  *0/10  operation [0-9]*: ' -- \
	grade --manager=builtin:mesosphere --only=lowest,differential
# the default scenarios come from the labs directory
mkdir -p "$tmp/labs"
cp "$ex/reuse.tls" "$tmp/labs/"
printf 'process A userland=64K\nspawn A t\nexpect tls t 0x200\n' >"$tmp/labs/bad.tls"
TLSSIM_LABS=$tmp/labs
export TLSSIM_LABS
expect 0 '2 scenarios from ' '^scenario bad.tls  *FAIL  *0/5   .*bad.tls:3: .*expected t.s TLS at A+0x200, got A+0x0' \
	'^scenario reuse.tls  *PASS' '^score: 5/10$' -- \
	grade --manager=builtin:sunrise --only=scenario
# scenarios named are graded as well as the labs'; --only-scenarios
# makes them the only ones
expect 0 '3 scenarios from .* and 1 given$' '^scenario first-fit.tls  *PASS' \
	'^score: 10/15$' -- grade --manager=builtin:sunrise --only=scenario \
	"$ex/first-fit.tls"
expect 0 ', 1 scenario given$' '^score: 5/5$' -- \
	grade --manager=builtin:sunrise --only=scenario --only-scenarios \
	"$ex/first-fit.tls"
TLSSIM_LABS=$tmp/empty

# ---- JSON and Gradescope's results.json ----
expect 2 "--format wants text, json or gradescope, not 'xml'" -- \
	grade --manager=builtin:sunrise --format=xml
if command -v jq >/dev/null 2>&1; then
	expect 0 '' -- grade --manager=builtin:mesosphere --json \
		--only=interface,lowest,differential\ seed\ 1
	jq -e '.manager == "mesosphere" and .score == 10 and
	       .max_score == 20 and (.tests | length) == 3 and
	       .tests[0].name == "interface" and .tests[0].passed and
	       (.tests[2].passed | not) and .tests[2].points == 0 and
	       (.tests[2].reason | startswith("operation "))' \
		"$tmp/out" >/dev/null || fail "grade --json: not the report"
	expect 0 '' -- grade --manager=builtin:mesosphere --format=gradescope \
		--only=interface,lowest,differential\ seed\ 1
	# only the fields Gradescope documents, and the score theirs
	jq -e '(keys - ["score", "output", "visibility", "tests",
			"execution_time", "stdout_visibility"] | length) == 0 and
	       ([.tests[] | keys[]] - ["name", "score", "max_score",
		"status", "output", "visibility", "tags", "number"]
		| length) == 0 and
	       .score == ([.tests[].score] | add) and
	       ([.tests[].max_score] | add) == 20 and
	       ([.tests[].status] == ["passed", "passed", "failed"])' \
		"$tmp/out" >/dev/null ||
		fail "grade --format=gradescope: not Gradescope's results.json"
else
	echo "grade: no jq: the JSON reports are not checked (scripts/deps installs it)"
fi

# ---- shared objects ----
managers=$PWD/tests/managers
if [ ! -f "$managers/good.so" ]; then
	expect 4 'linked statically and cannot load shared objects' -- \
		grade --manager=./my_tls.so
	if [ "$fails" -ne 0 ]; then
		exit 1
	fi
	echo "SKIP: this build cannot load shared objects (a static link): the managers of tests/managers were not built"
	exit 77
fi

# A host without seccomp filters (forced here; qemu-user is one) runs no
# student's code: a shared object is refused, built-in policies graded.
TLSSIM_HOST_SECCOMP=no
export TLSSIM_HOST_SECCOMP
expect 4 'cannot confine a manager.s code (seccomp: Function not implemented): it grades built-in managers only' -- \
	grade --manager="$managers/good.so" --only=interface
expect 0 '^score: 5/5$' -- grade --manager=builtin:sunrise --only=interface
unset TLSSIM_HOST_SECCOMP
$TLSSIM grade --manager="$managers/good.so" --only=interface \
	>"$tmp/out" 2>&1 </dev/null
if [ $? -eq 4 ] && grep -q 'cannot confine a manager' "$tmp/out"; then
	if [ "$fails" -ne 0 ]; then
		exit 1
	fi
	echo "SKIP: this host has no seccomp filters ($(cat "$tmp/out")): the managers of tests/managers are not graded here"
	exit 77
fi

expect 2 'cannot load the manager: .*none.so' -- grade --manager=./none.so
expect 2 "does not define 'tls_manager_ops'" -- grade --manager="$managers/no_symbol.so"
expect 2 'tls_manager_ops.version is 3; this tlssim expects 1 to 2' -- \
	grade --manager="$managers/wrong_version.so"
# built against version 1 (no explain op): still loads, graded in full
expect 0 '^tlssim grade: version1 (' '^score: 5/5$' -- \
	grade --manager="$managers/version1.so" --only=interface

# a correct manager, loaded with dlopen: full marks
# shellcheck disable=SC2086
# (a list of pages scanned from the first: it loses complexity's points)
expect 0 '^tlssim grade: good (' '^complexity  *FAIL  *0/10' '^score: 115/125$' -- \
	grade --manager="$managers/good.so" $slow $scn
# a name without a slash is a file of the current directory
cp "$managers/good.so" "$tmp/mine.so"
expect 0 '^score: 20/20$' -- grade --manager=mine.so --only=lowest,full,bad,refused
# the lab's template loads, fails every test that allocates, and crashes none
expect 0 '^interface  *PASS' \
	'^eight-per-page  *FAIL  *0/5   allocate #1 failed with InvalidState' \
	'^performance  *FAIL' '^score: 5/110$' -- \
	grade --manager="$PWD/labs/byo/my_tls.so" $slow
grep -q 'crashed\|timed out' "$tmp/out" && {
	echo "FAIL: the template crashed or hung"
	fails=$((fails + 1))
}

# each broken manager loses points for its own fault
expect 0 '^lowest-free-first  *FAIL  *0/5   allocate #1 gave A+0xe00, expected A+0x0' \
	'^differential seed 1  *FAIL  *0/10  operation 3: allocate gave A+0xe00; the reference gave R+0x0$' \
	'^  *the last operations (the reference.s results):$' \
	'^scenario reuse.tls  *FAIL  *0/5   .*reuse.tls:13: expectation failed' \
	'^freed-slot-reused  *PASS' -- \
	grade --manager="$managers/wrong_reuse.so" --verbose \
	--only=lowest,freed,differential\ seed\ 1,scenario "$ex/reuse.tls"
expect 0 '^eight-per-page  *FAIL  *0/5   allocate #9 failed with VirtualMemoryExhaustion' \
	'^refused-map  *FAIL  *0/5   .*the callback.s error must come back unchanged' \
	'^score: 0/10$' -- \
	grade --manager="$managers/no_new_page.so" --only=eight,refused
expect 0 '^freed-slot-reused  *FAIL  *0/5   allocate #9 gave A+0xe00 again: it is still in use (handed out twice)' \
	'^eight-per-page  *FAIL  *0/5   after 8 allocates: stats says 1 pages, 7 used' -- \
	grade --manager="$managers/double_alloc.so" --only=eight,freed
# (a sanitizer catches the NULL store first and ends the child itself)
# (the verifier names the call the child was in: the 10th allocate)
crashed='crashed in allocate (call [0-9]*): SIGSEGV (Segmentation fault), at 0x[0-9a-f]* in crash.so (addr2line -f -e crash.so 0x[0-9a-f]*)$'
if [ -n "${ASAN_OPTIONS:-}${UBSAN_OPTIONS:-}" ]; then
	crashed="$crashed\\|exited with status [0-9]* in the middle of the test, in allocate (call [0-9]*)"
fi
expect 0 '^interface  *PASS' '^eight-per-page  *PASS' \
	"^freed-slot-reused  *FAIL  *0/5   \\($crashed\\)" \
	"^differential seed 2  *FAIL  *0/10  \\($crashed\\)" \
	'^score: 10/25$' -- \
	grade --manager="$managers/crash.so" --only=interface,eight,freed,differential\ seed\ 2
# a crash says how to follow it in a debugger, and that way works
expect 0 "^ *to follow it in a debugger: gdb --args tlssim grade --manager=$managers/crash.so --only='freed-slot-reused' --no-fork$" -- \
	grade --manager="$managers/crash.so" --only=freed
expect 0 '^score: 10/10$' -- grade --manager="$managers/good.so" \
	--only=interface,eight --no-fork
[ -n "$(find "$tmp" -name 'core*')" ] && {
	echo "FAIL: a crash left a core file"
	fails=$((fails + 1))
}
expect 0 '^freed-slot-reused  *PASS' \
	'^bad-frees-panic  *FAIL  *0/5   timed out after 1 s in free (call [0-9]*)$' \
	'^differential seed 1  *FAIL  *0/10  timed out after 1 s in free (call [0-9]*)$' \
	'^score: 5/20$' -- \
	grade --manager="$managers/hang.so" --timeout=1 --only=freed,bad,differential\ seed\ 1

# a call that loops is stopped after 2 s of its CPU time, whatever the
# test's timeout, and named
start=$(date +%s)
expect 0 '^bad-frees-panic  *FAIL  *0/5   timed out after 2 s in free (call [0-9]*)$' -- \
	grade --manager="$managers/hang.so" --timeout=60 --only=bad
took=$(($(date +%s) - start))
[ "$took" -lt 30 ] || fail "a looping free cost $took s; the budget is 2 s of CPU"

[ "$fails" -eq 0 ] && echo "grade: ok"
[ "$fails" -eq 0 ]
