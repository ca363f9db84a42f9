#!/bin/sh
# tests/labs-archive-test.sh: scripts/labs-archive packs the labs for a
# course. The student archive holds every lab file but no answer key: no
# path under labs/keys/ and no file with a key's content; the teacher
# archive holds every key; both unpack into labs/.
. "${top_srcdir:?}/tests/testlib.sh"
test_begin labs-archive
labs=$top_srcdir/labs

if ! "$top_srcdir/scripts/labs-archive" "$tmp/out" >"$tmp/log" 2>&1; then
	fail "scripts/labs-archive failed"
	cat "$tmp/log"
	exit 1
fi
for kind in student teacher; do
	mkdir -p "$tmp/$kind"
	tar -C "$tmp/$kind" -xzf "$tmp/out/tlssim-labs-$kind.tar.gz" ||
		fail "tlssim-labs-$kind.tar.gz does not unpack"
	[ -f "$tmp/$kind/labs/README.md" ] ||
		fail "tlssim-labs-$kind.tar.gz does not unpack into labs/"
	for f in "$labs"/*/README.md "$labs"/*/*.tls; do
		case $f in */keys/*) continue ;; esac
		rel=labs/${f#"$labs"/}
		cmp -s "$f" "$tmp/$kind/$rel" || fail "$kind archive: $rel missing or changed"
	done
done
# no key in the student archive, by name or by content
[ -e "$tmp/student/labs/keys" ] && fail "student archive has labs/keys/"
nkeys=0
for key in "$labs"/keys/*; do
	nkeys=$((nkeys + 1))
	name=${key##*/}
	[ -f "$tmp/teacher/labs/keys/$name" ] || fail "teacher archive lacks keys/$name"
	find "$tmp/student" -type f | while read -r f; do
		if cmp -s "$key" "$f"; then
			echo "FAIL: student archive holds keys/$name as ${f#"$tmp"/student/}"
		fi
	done >>"$tmp/leaks"
done
if [ -s "$tmp/leaks" ]; then
	cat "$tmp/leaks"
	fails=$((fails + 1))
fi
[ "$nkeys" -gt 0 ] || fail "no keys in labs/keys to check against"
# a bad argument is refused with exit 2
"$top_srcdir/scripts/labs-archive" --both >/dev/null 2>&1
[ $? -eq 2 ] || fail "labs-archive --both: expected exit 2"
echo "labs-archive-test: $nkeys keys checked, $fails failed"
[ "$fails" -eq 0 ]
