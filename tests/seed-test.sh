#!/bin/sh
# tests/seed-test.sh: the policy seed (the kernel's own Rust code) in every
# subcommand, against its port sunrise.
# - Every golden scenario test that runs on the seed's policy (no other
#   policy named; `policy=sunrise` lines become `policy=seed` in a copy)
#   prints its NAME.out and exits as its '#! status:' says with
#   --policy=seed. Scenarios naming another policy are listed as not
#   counted.
# - Every example prints with --policy=seed what it prints with
#   --policy=sunrise (the tour among them).
# - quiz -c gives the same answers and pages; grade gives builtin:seed full
#   marks; bench and render run it.
#   The narration compares without the words that must differ: the
#   policy's name and its reasons (the seed's are checked on their own).
# Without the seed in this build the test says SKIP and why.
. "${top_srcdir:?}/tests/testlib.sh"
test_begin seed

# The output FILE without the policy's name and reasons in its narration.
policy_blind() {
	sed -E -e 's/(a user land of 0x[0-9a-f]+ bytes, TLS policy) [a-z]+$/\1 P/' \
		-e 's/(slot [0-9]+( of the page at [^ ]+)?) \(.*\)$/\1 (WHY)/' "$1"
}

if [ "${TLSSIM_HAVE_SEED:-no}" != yes ]; then
	echo "seed-test: SKIP: the policy seed is not in this build: ${TLSSIM_SEED_REASON:-unknown reason}"
	exit 77
fi

dir=$top_srcdir/tests/scenarios
ran=0 other=
mkdir -p "$tmp/scn"
for tls in "$dir"/*.tls; do
	name=$(basename "$tls" .tls)
	args=$(sed -n 's/^#! args: *//p' "$tls" | head -n 1 | tr -d '\r')
	want=$(sed -n 's/^#! status: *//p' "$tls" | head -n 1 | tr -d '\r')
	case $args in *--policy*) other="$other $name"; continue ;; esac
	if grep -av '^#' "$tls" | grep -a 'policy=' | grep -qav 'policy=sunrise\b'; then
		other="$other $name"
		continue
	fi
	run_dir=$dir
	if grep -qa 'policy=sunrise' "$tls"; then
		sed 's/policy=sunrise\b/policy=seed/g' "$tls" >"$tmp/scn/$name.tls"
		run_dir=$tmp/scn
	fi
	# shellcheck disable=SC2086
	(cd "$run_dir" && $TLSSIM run --color=never --policy=seed $args \
		"$name.tls") >"$tmp/out" 2>&1
	got=$?
	ran=$((ran + 1))
	policy_blind "$tmp/out" >"$tmp/got"
	policy_blind "$dir/$name.out" >"$tmp/want"
	if [ "$got" != "${want:-0}" ] || ! cmp -s "$tmp/got" "$tmp/want"; then
		fail "$name with --policy=seed (exit $got, expected ${want:-0})"
		diff "$tmp/want" "$tmp/got" | head -n 10
	fi
done
echo "seed-test: $ran golden scenarios with --policy=seed;" \
     "not counted (another policy named):$other"

examples=0
for f in "$top_srcdir"/examples/*.tls; do
	(cd "$top_srcdir/examples" && $TLSSIM run --color=never \
		--policy=sunrise "$(basename "$f")") >"$tmp/sunrise" 2>&1
	a=$?
	(cd "$top_srcdir/examples" && $TLSSIM run --color=never \
		--policy=seed "$(basename "$f")") >"$tmp/seed" 2>&1
	b=$?
	examples=$((examples + 1))
	policy_blind "$tmp/sunrise" >"$tmp/sunrise.blind"
	policy_blind "$tmp/seed" >"$tmp/seed.blind"
	if [ "$a" != "$b" ] || ! cmp -s "$tmp/sunrise.blind" "$tmp/seed.blind"; then
		fail "examples/$(basename "$f"): seed (exit $b) differs from sunrise (exit $a)"
		diff "$tmp/sunrise.blind" "$tmp/seed.blind" | head -n 10
	fi
done
# the seed narrates in its own terms: a new page, then a page with room
(cd "$top_srcdir/examples" && $TLSSIM run --color=never --policy=seed \
	tour.tls) >"$tmp/seed" 2>&1
grep -q '^tour.tls:[0-9]*: main -> shell+0x3000: page 1, slot 0 (no TLSPage of tls_pages had a free slot: TLSPage::new' "$tmp/seed" &&
grep -q '^tour.tls:[0-9]*: w1 -> shell+0x3200: page 1, slot 1 (the first TLSPage of tls_pages whose allocate_tls found a free slot' "$tmp/seed" ||
	fail "the seed does not narrate the tour in its own terms"

echo "seed-test: $examples examples print the same with seed and sunrise"

# The quiz names its policy in its header (up to the "Policy" paragraph)
# and in its why lines (indented by 5): the problem, the answers and the
# pages after them must be the same.
for p in sunrise seed; do
	$TLSSIM quiz -s 11 -n 40 --maps 4 -c --policy "$p" >"$tmp/quiz-$p" 2>&1 ||
		fail "quiz --policy $p: exit $?"
	sed '1,/^Policy /d' "$tmp/quiz-$p" | sed '1,/^$/d' |
		grep -v '^     [^ ]' >"$tmp/answers-$p"
done
if [ ! -s "$tmp/answers-seed" ] || ! cmp -s "$tmp/answers-sunrise" "$tmp/answers-seed"; then
	fail "quiz -c: seed's answers differ from sunrise's"
	diff "$tmp/answers-sunrise" "$tmp/answers-seed" | head -n 10
fi

# (a generous timeout: the seed scans its pages, and sanitizers are slow)
$TLSSIM grade --manager=builtin:seed --timeout=600 >"$tmp/grade" 2>&1 ||
	fail "grade --manager=builtin:seed: exit $?"
# every test passes but complexity: the seed scans its pages (lab 4)
grep -q 'tests passed' "$tmp/grade" &&
	[ "$(grep -c FAIL "$tmp/grade")" = 1 ] &&
	grep -q '^complexity  *FAIL  *0/10  .*times more for 100 times the regions' "$tmp/grade" ||
	{ fail "grade --manager=builtin:seed: not a pass but for complexity"; grep -v '  PASS  ' "$tmp/grade"; }

$TLSSIM bench churn --policy=seed --n=1000 --runs=1 >"$tmp/bench" 2>&1 ||
	fail "bench churn --policy=seed: exit $?"
grep -q 'churn  *seed' "$tmp/bench" || fail "bench churn: no line for seed"

if $TLSSIM render "$top_srcdir/examples/tour.tls" --out="$tmp/tour.svg" \
	--policy=seed >"$tmp/render" 2>&1; then
	[ -s "$tmp/tour.svg" ] || fail "render --policy=seed drew nothing"
elif grep -qi cairo "$tmp/render"; then
	echo "seed-test: render not checked: this build draws no pictures"
else
	fail "render --policy=seed failed"
	cat "$tmp/render"
fi

echo "seed-test: $fails failed"
[ "$fails" -eq 0 ]
