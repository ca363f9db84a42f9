#!/bin/sh
# tests/plot-bench-test.sh: scripts/plot-bench draws a panel for each
# figure the bench's JSON holds. A stand-in gnuplot keeps the script it is
# given and the data files that script names (plot-bench removes them),
# so the test reads what would be drawn, from a real `tlssim bench --json`:
# - fill alone: its one panel; fill and churn: two, a line per policy
#   and mode;
# - with the scenario of indexed in kernel mode beside them: a third, the
#   runner's, whose rows are the bench's own n, ns per command, the
#   check's part and kernel_ns (what the same commands cost the kernel
#   model, > 0 when fill and churn ran at that n), and whose target line
#   is twice kernel_ns;
# - without jq or gnuplot: exit 2, naming the tool; a file that is not
#   the bench's JSON, or has no fill nor churn: exit 2, and why; an
#   output that cannot be written: exit 1, and nothing on stdout.
# Needs jq (scripts/deps installs it); SKIPs without.
. "${top_srcdir:?}/tests/testlib.sh"
test_begin plot-bench

if ! command -v jq >/dev/null 2>&1; then
	echo "plot-bench-test: SKIP: jq is not installed (scripts/deps installs it)"
	exit 77
fi
plot=$top_srcdir/scripts/plot-bench

# The stand-in: its script in $tmp/gp, each data file it names after it,
# and a few bytes where the script sets its output.
mkdir -p "$tmp/bin"
cat >"$tmp/bin/gnuplot" <<EOF
#!/bin/sh
cat >"$tmp/gp"
echo stand-in >"\$(sed -n 's/^set output "\(.*\)"\$/\1/p' "$tmp/gp")"
for f in \$(grep -o '"[^"]*\\.dat"' "$tmp/gp" | tr -d '"' | sort -u); do
	echo "== \$(basename "\$f")" >>"$tmp/gp.data"
	cat "\$f" >>"$tmp/gp.data"
done
EOF
chmod +x "$tmp/bin/gnuplot"

# draw JSON: plot-bench of JSON through the stand-in, its script and data
# in $tmp/gp and $tmp/gp.data. Fails the test unless it exits 0.
draw() {
	rm -f "$tmp/gp" "$tmp/gp.data"
	PATH=$tmp/bin:$PATH sh "$plot" "$1" "$tmp/out.png" >"$tmp/plot.out" 2>&1 ||
		{ fail "plot-bench $1: exit $?"; sed 's/^/  | /' "$tmp/plot.out"; }
}

# count PATTERN FILE: the lines of FILE matching PATTERN.
count() {
	grep -c -e "$1" "$2" || true
}

$TLSSIM bench fill --policy=indexed --mode=kernel --n=1000 --runs=1 \
	--json >"$tmp/one.json" 2>/dev/null || fail "bench fill --json failed"
draw "$tmp/one.json"
[ "$(count '^plot ' "$tmp/gp")" -eq 1 ] && grep -q 'layout 1,1' "$tmp/gp" &&
	grep -q 'title "fill: ns per spawn"' "$tmp/gp" ||
	fail "fill alone: not its one panel"

$TLSSIM bench fill churn --policy=indexed --mode=kernel --n=1000 --runs=1 \
	--json >"$tmp/two.json" 2>/dev/null || fail "bench fill churn --json failed"
draw "$tmp/two.json"
[ "$(count '^plot ' "$tmp/gp")" -eq 2 ] || fail "fill and churn: not two panels"
grep -q 'layout 1,2' "$tmp/gp" || fail "fill and churn: not a layout of two"
grep -q 'the runner' "$tmp/gp" && fail "fill and churn: a runner's panel without its figures"

$TLSSIM bench fill churn scenario --policy=indexed --mode=kernel --n=1000 \
	--runs=1 --json >"$tmp/three.json" 2>/dev/null ||
	fail "bench fill churn scenario --json failed"
draw "$tmp/three.json"
[ "$(count '^plot ' "$tmp/gp")" -eq 3 ] || fail "with the scenario: not three panels"
grep -q 'layout 1,3' "$tmp/gp" || fail "with the scenario: not a layout of three"
grep -q 'title "the runner (indexed, kernel mode): ns per command"' "$tmp/gp" ||
	fail "with the scenario: no runner's panel"
grep -q '2 \* \$4 : 1/0) with lines .*title "2x the kernel model (target)"' "$tmp/gp" ||
	fail "the runner's target line is not twice kernel_ns"
# its row: the JSON's own figures, kernel_ns above 0
want=$(jq -r '.results[] | select(.workload == "scenario")
	| "\(.n) \(.ns_per_op) \(.check_ns) \(.kernel_ns)"' "$tmp/three.json")
got=$(sed -n '/^== runner.dat$/,/^==/p' "$tmp/gp.data" | grep -v '^==')
[ -n "$want" ] && [ "$got" = "$want" ] ||
	fail "the runner's row is '$got', not the JSON's '$want'"
echo "$got" | awk '{ exit !($1 == 1000 && $2 > 0 && $3 > 0 && $4 > 0) }' ||
	fail "the runner's row '$got': n 1000 and three figures above 0 expected"

# A tool missing: exit 2, named (an empty PATH reaches neither).
for tool in jq gnuplot; do
	mkdir -p "$tmp/only"
	rm -f "$tmp/only/"*
	other=gnuplot
	[ "$tool" = gnuplot ] && other=jq
	if [ "$other" = jq ]; then
		ln -s "$(command -v jq)" "$tmp/only/jq"
	else
		cp "$tmp/bin/gnuplot" "$tmp/only/gnuplot"
	fi
	PATH=$tmp/only /bin/sh "$plot" "$tmp/three.json" "$tmp/out.png" \
		>"$tmp/plot.out" 2>&1
	got=$?
	[ "$got" -eq 2 ] && grep -q "needs $tool" "$tmp/plot.out" ||
		fail "plot-bench without $tool: exit $got, or it did not name it"
done

# Input it cannot draw: exit 2 and why, nothing drawn.
: >"$tmp/empty.json"
echo 'not json' >"$tmp/text.json"
echo '{"targets": []}' >"$tmp/noresults.json"
jq '{results: [.results[] | select(.workload == "scenario")]}' \
	"$tmp/three.json" >"$tmp/scenario-only.json"
for f in empty text noresults scenario-only missing; do
	rm -f "$tmp/gp"
	PATH=$tmp/bin:$PATH sh "$plot" "$tmp/$f.json" "$tmp/bad.png" \
		>"$tmp/plot.out" 2>&1
	got=$?
	[ "$got" -eq 2 ] || fail "plot-bench of $f.json: exit $got, not 2"
	grep -q "^plot-bench: $tmp/$f.json: \(not the output of tlssim bench --json\|no fill or churn figures\)" \
		"$tmp/plot.out" || fail "plot-bench of $f.json: did not say why"
	[ -e "$tmp/gp" ] && fail "plot-bench of $f.json: ran gnuplot"
	[ -e "$tmp/bad.png" ] && fail "plot-bench of $f.json: wrote a picture"
done

# An output it cannot write: exit 1, said on stderr, nothing on stdout.
PATH=$tmp/bin:$PATH sh "$plot" "$tmp/three.json" "$tmp/no/such/dir/x.png" \
	>"$tmp/plot.out" 2>"$tmp/plot.err"
got=$?
[ "$got" -eq 1 ] && grep -q 'cannot write' "$tmp/plot.err" &&
	[ ! -s "$tmp/plot.out" ] ||
	fail "plot-bench to a missing directory: exit $got, or not said, or output on stdout"

[ "$fails" -eq 0 ] || exit 1
echo "plot-bench: ok"
