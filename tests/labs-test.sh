#!/bin/sh
# tests/labs-test.sh: the labs work as handed out. Every scenario of a lab
# runs (exit 0: the handouts' scenarios have no expectations that could
# fail, the keys' and the grading ones have many); lab 2's stale-data
# exercise and lab 3's key say what the handouts say they do.
. "${top_srcdir:?}/tests/testlib.sh"
test_begin labs
labs=$top_srcdir/labs
ran=0

for tls in "$labs"/0*/*.tls "$labs"/keys/*.tls "$labs"/grade/*.tls; do
	case $tls in */limit.tls) continue ;; esac	# below
	ran=$((ran + 1))
	if ! $TLSSIM run --color=never "$tls" >"$tmp/out" 2>&1; then
		echo "FAIL: $tls"
		head -n 10 "$tmp/out"
		fails=$((fails + 1))
	fi
done

# lab 2: the dead thread's bytes ("secret o", little-endian), then zeros
# after the first schedule; a peek reads a pointer's size, 4 bytes on
# 32-bit hosts ("secr")
$TLSSIM run --color=never "$labs/02-reuse/stale.tls" >"$tmp/out" 2>&1
peeks=$(sed -n 's/.*spy peek P+0x210 = \(0x[0-9a-f]*\).*/\1/p' "$tmp/out" |
	tr '\n' ' ')
case $peeks in
"0x6f20746572636573 0x0000000000000000 ") ;;
"0x72636573 0x00000000 ") ;;
*) echo "FAIL: stale.tls: spy peeked '$peeks', expected the dead thread's bytes, then zeros"
   cat "$tmp/out"; fails=$((fails + 1)) ;;
esac
# lab 3, past the end: the neighbour's data, or on i386 the segment limit
$TLSSIM run --color=never "$labs/03-register/limit.tls" >"$tmp/out" 2>&1
status=$?
ran=$((ran + 1))
if ! { [ $status -eq 0 ] && grep -q 'a tls+0x210 = "neighbour"' "$tmp/out"; } &&
   ! { [ $status -eq 1 ] && grep -q 'segment-limit fault' "$tmp/out"; }; then
	echo "FAIL: limit.tls (exit $status)"
	cat "$tmp/out"
	fails=$((fails + 1))
fi
# lab 3: the key fails without the register load
if $TLSSIM run --color=never --no-tls-restore \
	"$labs/keys/03-register-switches.tls" >"$tmp/out" 2>&1; then
	echo "FAIL: 03-register-switches.tls passes with --no-tls-restore"
	fails=$((fails + 1))
fi
echo "labs-test: $ran lab scenarios, $fails failed"
[ "$fails" -eq 0 ]
