#!/bin/sh
# tests/labs-pictures-test.sh: no picture of a lab gives an exercise away.
# labs/pictures.list names each handout picture and the scenario that
# draws it. For each:
# - its source is a scenario of its own: no exercise of the handout names
#   it, it is not one of the lab's other scenarios nor of its keys (same
#   commands), and the state it ends in
#   (every process's `show`, names of processes and threads left out) is
#   not the end state of any of them, under the options they run with;
# - scripts/labs-pictures draws it again: a PNG of the committed size
#   (the bytes may differ with another cairo; the size follows the drawn
#   processes, pages and mappings);
# and every picture a handout shows is in the list. Skips without cairo.
. "${top_srcdir:?}/tests/testlib.sh"
test_begin labs-pictures
labs=$top_srcdir/labs
list=$labs/pictures.list

printf 'process A userland=64K\n' >"$tmp/probe.tls"
if ! $TLSSIM render --out="$tmp/probe.png" "$tmp/probe.tls" >/dev/null 2>&1; then
	echo "labs-pictures-test: SKIP: this build draws no pictures (no cairo)"
	exit 77
fi

# commands FILE: its commands, without comments and blank lines
commands() {
	sed -e 's/\r$//' -e '/^[[:space:]]*#/d' -e '/^[[:space:]]*$/d' "$1"
}
# end_state FILE OPTIONS...: every process's show at the end of FILE, the
# names of processes and of slot owners replaced by placeholders
end_state() {
	f=$1
	shift
	commands "$f" >"$tmp/end.tls"
	sed -n 's/^process \([^ ]*\).*/show \1/p' "$f" >>"$tmp/end.tls"
	# shellcheck disable=SC2068
	(cd "$tmp" && $TLSSIM run --color=never $@ end.tls) 2>&1 |
	sed -n '/^process /,$p' | grep -E '^(process |  )' |
	sed -E 's/^process [^:]*:/process P:/' |
	awk '/^    \[/ { for (i = 2; i <= NF; i++)
			if ($i !~ /^0x/ && $i != "free") $i = "X" } { print }'
}
# be32 FILE OFFSET: the big-endian 32-bit number at OFFSET
be32() {
	od -An -tu1 -j "$2" -N4 "$1" |
	awk '{ print (($1 * 256 + $2) * 256 + $3) * 256 + $4 }'
}

if ! "$top_srcdir/scripts/labs-pictures" --check "$tmp/drawn" \
	"$TLSSIM" >"$tmp/draw.log" 2>&1; then
	fail "scripts/labs-pictures failed"
	cat "$tmp/draw.log"
fi
npics=0
while read -r png src opts; do
	case $png in ''|'#'*) continue ;; esac
	npics=$((npics + 1))
	dir=$(dirname "$png")
	lab=$(basename "$dir")
	num=${lab%%-*}
	[ -f "$top_srcdir/$src" ] || { fail "$png: no source $src"; continue; }
	# shellcheck disable=SC2086
	end_state "$top_srcdir/$src" $opts >"$tmp/pic.state"
	[ -s "$tmp/pic.state" ] || fail "$png: $src shows no process"
	# a source no exercise names
	if sed -n '/^## Exercises/,$p' "$top_srcdir/$dir/README.md" |
	   grep -q "$(basename "$src")"; then
		fail "$png is drawn from $src, which an exercise of $lab uses"
	fi
	# the lab's exercises and keys, with the options they run with
	for ex in "$top_srcdir/$dir"/*.tls "$labs/keys/$num"-*.tls; do
		[ -f "$ex" ] || continue
		[ "$ex" = "$top_srcdir/$src" ] && continue
		name=${ex#"$top_srcdir"/}
		if [ "$(commands "$ex")" = "$(commands "$top_srcdir/$src")" ]; then
			fail "$png is drawn from the commands of $name"
		fi
		args=$(scenario_header "$ex" args)
		for o in "" "--policy=mesosphere" "$args" \
			 "--no-tls-restore --cpus=2"; do
			# shellcheck disable=SC2086
			end_state "$ex" $o >"$tmp/ex.state"
			if cmp -s "$tmp/pic.state" "$tmp/ex.state"; then
				fail "$png shows the end of $name${o:+ ($o)}"
			fi
		done
	done
	# drawn again from its source: a PNG of the committed size
	if ! [ -f "$top_srcdir/$png" ]; then
		fail "$png is missing (scripts/labs-pictures draws it)"
	elif ! [ -f "$tmp/drawn/$png" ]; then
		fail "$png: not drawn again"
	elif [ "$(be32 "$top_srcdir/$png" 16) $(be32 "$top_srcdir/$png" 20)" != \
	       "$(be32 "$tmp/drawn/$png" 16) $(be32 "$tmp/drawn/$png" 20)" ]; then
		fail "$png is not what $src draws (run scripts/labs-pictures)"
	fi
done <"$list"
[ "$npics" -gt 0 ] || fail "labs/pictures.list lists no picture"

# every picture a handout shows, and every picture in a lab, is listed
for readme in "$labs"/0*/README.md; do
	dir=${readme%/README.md}
	sed -n 's/.*!\[[^]]*\](\([^)]*\.png\)).*/\1/p' "$readme" |
	while read -r pic; do
		case $pic in ../*) continue ;; esac	# doc/'s figures
		rel=${dir#"$top_srcdir"/}/$pic
		grep -q "^$rel " "$list" ||
			echo "FAIL: ${readme#"$top_srcdir"/} shows $pic, not in labs/pictures.list"
	done
done >"$tmp/unlisted"
for pic in "$labs"/0*/*.png; do
	[ -f "$pic" ] || continue
	grep -q "^${pic#"$top_srcdir"/} " "$list" ||
		echo "FAIL: ${pic#"$top_srcdir"/} is not in labs/pictures.list"
done >>"$tmp/unlisted"
if [ -s "$tmp/unlisted" ]; then
	cat "$tmp/unlisted"
	fails=$((fails + 1))
fi
echo "labs-pictures-test: $npics pictures, $fails failed"
[ "$fails" -eq 0 ]
