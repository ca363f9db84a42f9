#!/bin/sh
# tests/examples-test.sh: every examples/*.tls must run cleanly (exit 0)
# with `tlssim run --quiet`. TLSSIM names the program (with its emulator,
# for cross builds); top_srcdir locates the examples, since the test runs
# from the build directory.
set -u
: "${TLSSIM:?TLSSIM must name the tlssim program}"
: "${top_srcdir:?top_srcdir must name the source tree}"

fail=0
count=0
for f in "$top_srcdir"/examples/*.tls; do
	[ -e "$f" ] || continue
	count=$((count + 1))
	# shellcheck disable=SC2086
	out=$($TLSSIM run --quiet --color=never "$f" 2>&1)
	status=$?
	if [ "$status" != 0 ]; then
		echo "FAIL: $f: exit status $status"
		[ -n "$out" ] && printf '%s\n' "$out"
		fail=1
	else
		echo "ok: $f"
	fi
done
if [ "$count" = 0 ]; then
	echo "no examples found in $top_srcdir/examples"
	exit 1
fi
exit $fail
