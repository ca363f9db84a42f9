#!/bin/sh
# tests/progress-test.sh: `tlssim bench` shows its progress on stderr when
# stderr is a terminal: runs done of all and their rate ("N/TOTAL runs
# (P%), R/s"), erased at the end; nothing at all on stderr when it is not
# a terminal. The line shows after about 2 s of work; the test asks for it
# at once (TLSSIM_PROGRESS_DELAY=0). The terminal is script(1)'s; without
# it that half is not checked (said). `render`, which runs quiet and
# still shows its progress, is checked here too; `run` by stream-test.sh,
# `grade --batch` by grade-batch-test.sh.
. "${top_srcdir:?}/tests/testlib.sh"
test_begin progress

bench='bench fill churn --policy=indexed --mode=kernel --n=1000 --runs=3'

# Not a terminal: stdout has the table, stderr stays empty.
# shellcheck disable=SC2086
TLSSIM_PROGRESS_DELAY=0 $TLSSIM $bench >"$tmp/out" 2>"$tmp/err" ||
	fail "tlssim $bench: exit $?"
grep -q '^churn  *indexed  *kernel  *1000 ' "$tmp/out" ||
	fail "tlssim $bench: no churn row"
quiet_stream "$tmp/err" "bench with stderr not a terminal printed on it"

if have_terminal; then
	# stdout to a file, stderr the terminal script makes
	on_terminal 0 "$TLSSIM $bench >$tmp/tty.out"
	terminal_shows '[0-9]/6 runs ([0-9]*%), [0-9.]*/s' \
		"bench: no progress line on a terminal"
	grep -q '^churn  *indexed  *kernel  *1000 ' "$tmp/tty.out" ||
		fail "bench on a terminal: no churn row"
	# without the variable, a short bench shows nothing
	on_terminal '' "$TLSSIM $bench >$tmp/tty.out"
	! grep -q ' runs [(]' "$tmp/typescript" ||
		fail "a short bench on a terminal showed progress"
fi

# render runs quiet, but shows its progress: a flip-book's pages are slow
# (about 10 ms each), and the line shows long before 1024 of them; not
# with --quiet. A build without cairo refuses to render: not checked.
awk 'BEGIN { print "process A userland=64K"
	for (i = 0; i < 20; i++) printf "spawn A t%d\nexit t%d\n", i, i }' \
	>"$tmp/book.tls"
if ! $TLSSIM render --out="$tmp/probe.html" "$tmp/book.tls" >/dev/null 2>&1; then
	echo "not checked: render's progress (no cairo in this build)"
elif have_terminal; then
	on_terminal 0 "$TLSSIM render --out=$tmp/book.html $tmp/book.tls"
	terminal_shows '[0-9]/41 commands ([0-9]*%), [0-9.]*/s' \
		"render: no progress line on a terminal"
	on_terminal 0 "$TLSSIM render --quiet --out=$tmp/book.html $tmp/book.tls"
	! grep -q ' commands [(]' "$tmp/typescript" ||
		fail "render --quiet on a terminal showed progress"
fi

[ "$fails" -eq 0 ] && echo "progress: ok"
[ "$fails" -eq 0 ]
