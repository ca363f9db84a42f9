#!/bin/sh
# tests/layers-test.sh: the layering rules of HACKING, checked on the source:
# - no file of the runner, the reporters, the programs or the command line
#   reaches (directly or through other project headers) the private headers
#   of the TLS manager (src/tls.h) or of the kernel model: the kernel API is
#   src/sim/kernel/kernel.h (with memory.h and trace.h, which it includes);
#   every other header of src/sim/kernel/ is private to that folder;
# - the managers (src/tls.c, src/policy/) include nothing of src/sim/;
# - no source file (src/, tests/) is over 600 lines.
set -u
: "${top_srcdir:?}"
src=$top_srcdir/src
fails=0

# The project headers a file includes ("..."), as paths under src/.
includes() {
	dir=$(dirname "$1")
	sed -n 's/^#include "\([^"]*\)".*/\1/p' "$1" | while read -r h; do
		for cand in "$dir/$h" "$src/$h" "$src/sim/$h"; do
			if [ -f "$cand" ]; then
				echo "$cand"
				break
			fi
		done
	done
}

# Every project header reachable from a file.
closure() {
	seen=" "
	todo=$1
	while [ -n "$todo" ]; do
		set -- $todo
		f=$1
		shift
		todo=$*
		for h in $(includes "$f"); do
			h=$(cd "$(dirname "$h")" && pwd)/$(basename "$h")
			case $seen in *" $h "*) continue ;; esac
			seen="$seen$h "
			todo="$todo $h"
		done
	done
	echo "$seen"
}

private_tls=$(cd "$src" && pwd)/tls.h
kdir=$(cd "$src/sim/kernel" && pwd)
private="$private_tls"
for h in "$kdir"/*.h; do
	case ${h##*/} in
	kernel.h | memory.h | trace.h) ;;
	*) private="$private $h" ;;
	esac
done
for f in "$src"/main.c "$src"/sim/scenario/*.[ch] "$src"/sim/report/*.[ch] \
	 "$src"/sim/programs/*/*.[ch] "$src"/cli.[ch] "$src"/usage.[ch]; do
	[ -f "$f" ] || continue
	c=$(closure "$f")
	for p in $private; do
		case $c in
		*" $p "*)
			echo "FAIL: ${f#"$top_srcdir"/} reaches ${p#"$(cd "$top_srcdir" && pwd)"/}"
			fails=$((fails + 1)) ;;
		esac
	done
done

for f in "$src"/tls.c "$src"/tls.h "$src"/tls_manager.h "$src"/policy/*.[ch]; do
	[ -f "$f" ] || continue
	if includes "$f" | grep -q '/sim/'; then
		echo "FAIL: ${f#"$top_srcdir"/} includes a simulator header"
		fails=$((fails + 1))
	fi
done

for f in $(find "$src" "$top_srcdir/tests" -name '*.[chS]'); do
	n=$(wc -l <"$f")
	if [ "$n" -gt 600 ]; then
		echo "FAIL: ${f#"$top_srcdir"/} has $n lines (at most 600)"
		fails=$((fails + 1))
	fi
done

[ "$fails" -eq 0 ] && echo "layers: ok"
[ "$fails" -eq 0 ]
