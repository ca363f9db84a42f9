#!/bin/sh
# tests/cpus-test.sh: scenario runs on several CPUs give what one CPU gives.
# Every golden scenario test runs again with --cpus=3 and must print its
# NAME.out (or NAME.limit.out, as tests/scenario-test chooses) and exit as
# its '#! status:' says. The lab fault
# (--no-tls-restore) is the exception, by design: each CPU keeps its own
# stale register, so those scenarios are listed as skipped, not passed.
. "${top_srcdir:?}/tests/testlib.sh"
test_begin cpus
dir=$top_srcdir/tests/scenarios
ran=0 skipped=0

# qemu-i386 keeps one GDT for all its threads: the i386 backend cannot run
# on several CPUs there (tlssim refuses with exit 4).
case ${TLSSIM_EMULATOR:-} in
*qemu-i386*)
	echo "cpus-test: SKIP (not counted): i386 under $TLSSIM_EMULATOR, whose threads share one GDT"
	exit 77 ;;
esac

for tls in "$dir"/*.tls; do
	name=$(basename "$tls" .tls)
	args=$(scenario_header "$tls" args)
	want=$(scenario_header "$tls" status)
	case $args in
	*--no-tls-restore*) skipped=$((skipped + 1)); continue ;;
	esac
	# shellcheck disable=SC2086
	(cd "$dir" && $TLSSIM run --color=never --cpus=3 $args "$name.tls") \
		>"$tmp/out" 2>&1
	got=$?
	ran=$((ran + 1))
	golden=$(golden_out "$dir" "$name")
	if [ "$got" != "${want:-0}" ] || ! cmp -s "$tmp/out" "$golden"; then
		echo "FAIL: $name with --cpus=3 (exit $got, expected ${want:-0})"
		diff "$golden" "$tmp/out" | head -n 10
		fails=$((fails + 1))
	fi
done
echo "cpus-test: $ran scenarios on 3 CPUs, $fails failed;" \
     "SKIP (not counted): $skipped with --no-tls-restore"
[ "$fails" -eq 0 ]
