#!/bin/sh
# tests/grade-batch-test.sh: `tlssim grade --batch=DIR --jobs=N` grades a
# class's submissions into a CSV gradebook: shared objects, a C file built
# on the way, a directory holding one, a C file that does not build and an
# object that does not load, two at a time; a broken submission gets a row
# that says why and never stops the batch. A gradebook that cannot be
# written (a full disk) exits 4 and says why; so does a batch in which
# the host refused a grading (too few file descriptors), after its rows.
# Names with quotes, commas and shell metacharacters are graded as data.
# It skips where grade runs no shared object (a static build, a host
# without seccomp) and under an emulator (the batch runs tlssim again
# through /proc/self/exe, which is then the emulator).
. "${top_srcdir:?}/tests/testlib.sh"
test_begin grade-batch
mkdir -p "$tmp/empty"
TLSSIM_LABS=$tmp/empty
export TLSSIM_LABS
managers=$PWD/tests/managers
if [ ! -f "$managers/good.so" ] || [ -n "${TLSSIM_EMULATOR:-}" ]; then
	echo "SKIP: no shared objects to grade, or under an emulator"
	exit 77
fi
if ! $TLSSIM grade --manager="$managers/good.so" --only=interface \
	>"$tmp/out" 2>&1 </dev/null; then
	echo "SKIP: grade runs no shared object here: $(head -n 1 "$tmp/out")"
	exit 77
fi

class=$tmp/class
mkdir -p "$class/alice" "$class/carol"
cp "$managers/good.so" "$class/bob.so"
cp "$managers/crash.so" "$class/dave.so"
cp "$managers/no_symbol.so" "$class/erin.so"
cp "$top_srcdir/tests/managers/good.c" "$top_srcdir/tests/managers/manager.h" \
	"$class/alice/"
printf 'int broken(void) { return }\n' >"$class/carol/my_tls.c"
echo "not a submission" >"$class/notes.txt"

expect 0 '^submission,score,max_score,status,"interface","eight-per-page","freed-slot-reused"$' \
	'^"alice",15,15,graded,5,5,5$' '^"bob",15,15,graded,5,5,5$' \
	'^"carol",,,"build failed: .*my_tls.c:1:[0-9]*: error: ' \
	'^"dave",10,15,graded,5,5,0$' \
	"^\"erin\",,,\"not graded (exit 2): tlssim: grade: .*erin.so does not define 'tls_manager_ops'" -- \
	grade --batch="$class" -j 2 --only=interface,eight,freed
rows=$(grep -c '^"' "$tmp/out")
[ "$rows" -eq 5 ] || fail "the gradebook has $rows rows, not 5 (notes.txt is none)"

expect 2 'it takes no --manager' -- grade --batch="$class" --manager=x.so
expect 2 "cannot open '$tmp/none'" -- grade --batch="$tmp/none"
expect 2 '--jobs wants a number' -- grade --batch="$class" --jobs=x
expect 0 '^"bob",5,5,graded,5$' -- grade --batch="$class" --jobs=3 --only=interface

# Submissions named by students: shell metacharacters, quotes, commas
# and spaces in a name are data. The C file is built with its path passed
# to the shell as an argument, never pasted into the command, so nothing
# named runs (the commands would leave a PWNED file where their shell
# ran: the batch runs in $tmp/work, and the test looks all through $tmp);
# the CSV quotes each name, its quotes doubled.
odd=$tmp/odd
dir1='we ird$(touch PWNED1)'
so2='o"brien, `touch PWNED2`.so'
c3='x;touch PWNED3;.c'
mkdir -p "$odd/$dir1"
cp "$top_srcdir/tests/managers/good.c" "$top_srcdir/tests/managers/manager.h" \
	"$odd/$dir1/"
cp "$managers/good.so" "$odd/$so2"
cp "$top_srcdir/tests/managers/good.c" "$odd/$c3"
cp "$top_srcdir/tests/managers/manager.h" "$odd/"
mkdir -p "$tmp/work"
expect_dir=$tmp/work expect 0 '^"o""brien, `touch PWNED2`",5,5,graded,5$' \
	'^"we ird\$(touch PWNED1)",5,5,graded,5$' \
	'^"x;touch PWNED3;",5,5,graded,5$' -- \
	grade --batch="$odd" -j 2 --only=interface
rows=$(grep -c '^"' "$tmp/out")
[ "$rows" -eq 3 ] || fail "the odd names' gradebook has $rows rows, not 3"
unset expect_dir
if [ -n "$(find "$tmp" -name 'PWNED*')" ]; then
	fail "a submission's name ran as a command"
fi

# A gradebook that cannot be written (a full disk) is an error of the
# host, said on stderr, never a silent loss: exit 4.
if [ -w /dev/full ]; then
	$TLSSIM grade --batch="$class" -j 2 --only=interface \
		>/dev/full 2>"$tmp/err" </dev/null
	got=$?
	[ "$got" -eq 4 ] || fail "grade --batch to a full disk: exit $got, not 4"
	grep -q 'cannot write standard output: No space left on device' \
		"$tmp/err" || fail "grade --batch to a full disk: not said why"
fi

# A grading the host refuses (six file descriptors: too few for its
# sandbox) is the host's, not the submission's: its row says so, and the
# batch exits 4 at the end, saying how many.
mkdir -p "$tmp/one"
cp "$managers/good.so" "$tmp/one/bob.so"
if limited "-n 6" grade --batch="$tmp/one" --only=interface; then
	[ "$got" -eq 4 ] || fail "a refused grading: exit $got, not 4"
	grep -q '^"bob",,,"not graded (exit 4): tlssim: grade: the host refused' \
		"$tmp/out" || fail "a refused grading: its row does not say so"
	grep -q 'the host refused the grading of 1 submission' "$tmp/out" ||
		fail "a refused grading: the batch does not say so"
fi

# Progress: submissions done of all and their rate on a terminal (asked
# for at once), nothing on stderr when it is not one.
TLSSIM_PROGRESS_DELAY=0 $TLSSIM grade --batch="$class" --only=interface \
	>"$tmp/out" 2>"$tmp/err" </dev/null
quiet_stream "$tmp/err" "grade --batch with stderr not a terminal printed on it"
if have_terminal; then
	on_terminal 0 "$TLSSIM grade --batch=$class --only=interface >$tmp/tty.out"
	terminal_shows '[0-9]/5 submissions ([0-9]*%), [0-9.]*/s' \
		"grade --batch: no progress line on a terminal"
	grep -q '^"bob",5,5,graded,5$' "$tmp/tty.out" ||
		fail "grade --batch on a terminal: not the gradebook"
fi

[ "$fails" -eq 0 ] && echo "grade-batch: ok"
[ "$fails" -eq 0 ]
