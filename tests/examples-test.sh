#!/bin/sh
# tests/examples-test.sh: every examples/*.tls must run cleanly (exit 0)
# with `tlssim run --quiet`. TLSSIM names the program (with its emulator,
# for cross builds); top_srcdir locates the examples, since the test runs
# from the build directory.
. "${top_srcdir:?}/tests/testlib.sh"
test_begin examples

count=0
for f in "$top_srcdir"/examples/*.tls; do
	[ -e "$f" ] || continue
	count=$((count + 1))
	# shellcheck disable=SC2086
	out=$($TLSSIM run --quiet --color=never "$f" 2>&1)
	status=$?
	if [ "$status" != 0 ]; then
		fail "$f: exit status $status"
		[ -n "$out" ] && printf '%s\n' "$out"
	else
		echo "ok: $f"
	fi
done
[ "$count" -gt 0 ] || fail "no examples found in $top_srcdir/examples"
exit $((fails != 0))
