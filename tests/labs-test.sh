#!/bin/sh
# tests/labs-test.sh: the labs work as handed out. Every scenario of a lab
# runs (exit 0: the handouts' scenarios have no expectations that could
# fail, the keys' and the grading ones have many); lab 2's stale-data
# exercise and lab 3's key say what the handouts say they do.
. "${top_srcdir:?}/tests/testlib.sh"
test_begin labs
labs=$top_srcdir/labs
ran=0
# `tlssim` by name, as the handouts write it, runs this build (through the
# emulator when there is one)
TLSSIM_SH=$(command -v sh)
# (with this PATH: a test may run it with a PATH of its own, and TLSSIM
# may start with an emulator or timeout found on this one)
printf '#!%s\nPATH='"'"'%s'"'"'; export PATH\nexec %s "$@"\n' "$TLSSIM_SH" \
	"$PATH" "$TLSSIM" >"$tmp/tlssim"
chmod +x "$tmp/tlssim"

for tls in "$labs"/0*/*.tls "$labs"/keys/*.tls "$labs"/grade/*.tls; do
	case $tls in */limit.tls) continue ;; esac	# below
	ran=$((ran + 1))
	# a key may name the options it holds under, a scenario its status
	args=$(scenario_header "$tls" args)
	want=$(scenario_header "$tls" status)
	# shellcheck disable=SC2086
	$TLSSIM run --color=never $args "$tls" >"$tmp/out" 2>&1
	status=$?
	if [ "$status" -ne "${want:-0}" ]; then
		echo "FAIL: $tls${args:+ ($args)}: exit $status, expected ${want:-0}"
		head -n 10 "$tmp/out"
		fails=$((fails + 1))
	fi
	# a key with options holds only with them
	if [ -n "$args" ] && $TLSSIM run --color=never "$tls" >/dev/null 2>&1; then
		echo "FAIL: $tls holds without $args too: it checks nothing of them"
		fails=$((fails + 1))
	fi
done

# lab 2: the dead thread's bytes ("secret o", little-endian, and as text),
# then zeros after the first schedule; a peek reads 8 bytes on every host
$TLSSIM run --color=never "$labs/02-reuse/stale.tls" >"$tmp/out" 2>&1
peeks=$(sed -n 's/.*spy peek P+0x210 = \(0x[0-9a-f]* |.*|\)$/\1/p' "$tmp/out" |
	tr '\n' ' ')
case $peeks in
"0x6f20746572636573 |secret o| 0x0000000000000000 |........| ") ;;
*) echo "FAIL: stale.tls: spy peeked '$peeks', expected the dead thread's bytes (as text too), then zeros"
   cat "$tmp/out"; fails=$((fails + 1)) ;;
esac
# lab 2's handout explains byte order on a scenario of its own: it prints
# the line the handout shows
awk '/^### Reading a `peek`/ { s = 1 } s && /^```tls/ { c = 1; next }
     c && /^```/ { exit } c' "$labs/02-reuse/README.md" >"$tmp/order.tls"
awk '/^### Reading a `peek`/ { s = 1 } s && /^```text/ { c = 1; next }
     c && /^```/ { exit } c' "$labs/02-reuse/README.md" >"$tmp/order.want"
ran=$((ran + 1))
if ! [ -s "$tmp/order.tls" ] || ! [ -s "$tmp/order.want" ]; then
	echo "FAIL: lab 2's handout has no byte-order example (\`\`\`tls, \`\`\`text)"
	fails=$((fails + 1))
elif ! (cd "$tmp" && $TLSSIM run --quiet --color=never order.tls) >/dev/null 2>&1 ||
     ! (cd "$tmp" && $TLSSIM run --color=never order.tls) 2>&1 |
	grep -vx 'order.tls: ok: .*' | diff -u "$tmp/order.want" -; then
	echo "FAIL: lab 2's byte-order example does not print what the handout shows"
	fails=$((fails + 1))
fi
# lab 2, exercise 3: show says which policy holds more mapped memory after
# the burst
for want in "sunrise 3 pages, 0x3000" "mesosphere 1 page, 0x1000"; do
	pol=${want%% *}
	ran=$((ran + 1))
	$TLSSIM run --color=never --policy="$pol" "$labs/02-reuse/burst.tls" \
		>"$tmp/out" 2>&1
	grep -q "^  TLS: ${want#* } bytes mapped, " "$tmp/out" || {
		echo "FAIL: burst.tls under $pol: show does not say '${want#* } bytes mapped'"
		cat "$tmp/out"; fails=$((fails + 1)); }
done
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
# lab 4's churn.sh names exactly the tools that are missing: a PATH with a
# stand-in jq and no gnuplot, then one with neither
mkdir -p "$tmp/only-jq" "$tmp/none" "$tmp/churn"
printf '#!/bin/sh\nexit 0\n' >"$tmp/only-jq/jq"
chmod +x "$tmp/only-jq/jq"
for d in only-jq none; do
	ln -sf "$(command -v dirname)" "$tmp/$d/dirname"
done
ran=$((ran + 1))
(cd "$tmp/churn" && LAB4_N=100 LAB4_RUNS=1 PATH=$tmp/only-jq \
	$TLSSIM_SH "$labs/04-complexity/churn.sh" "$tmp/tlssim") >"$tmp/out" 2>&1
if ! grep -q '^no gnuplot: ' "$tmp/out" || grep -q 'no jq' "$tmp/out" ||
   ! [ -s "$tmp/churn/lab4.json" ]; then
	echo "FAIL: churn.sh without gnuplot does not say exactly 'no gnuplot'"
	cat "$tmp/out"; fails=$((fails + 1))
fi
(cd "$tmp/churn" && LAB4_N=100 LAB4_RUNS=1 PATH=$tmp/none \
	$TLSSIM_SH "$labs/04-complexity/churn.sh" "$tmp/tlssim") >"$tmp/out" 2>&1
grep -q '^no jq and gnuplot: ' "$tmp/out" || {
	echo "FAIL: churn.sh without jq nor gnuplot does not name both"
	cat "$tmp/out"; fails=$((fails + 1)); }

# Every command of every handout: the lines of its ```sh blocks, run from
# the top of a copy of the source tree (its labs/ copied, so that the
# commands may write there; build/ is this build) with `tlssim` on PATH.
# A comment "# exit N" (or "# exit N, or M ...") gives the statuses the
# command may exit with, 0 otherwise. Skipped, and counted: ```sh cross
# blocks (cross compilers and qemu) unless TLSSIM_LABS_CROSS=yes, lines
# that say "native builds only" under an emulator, `tlssim render` in a
# build without cairo. churn.sh measures small sizes (LAB4_N, LAB4_RUNS).
# CC is this build's compiler (TLSSIM_BUILD_CC), so that a manager the
# handout builds suits this tlssim: a 32-bit one on a 64-bit host too.
tree=$tmp/tree
mkdir -p "$tree" "$tmp/bin"
cp "$tmp/tlssim" "$tmp/bin/tlssim"
(cd "$top_srcdir" && tar cf - --exclude='*.so' --exclude='*.o' labs) |
	(cd "$tree" && tar xf -)
for d in scripts src doc; do ln -s "$top_srcdir/$d" "$tree/$d"; done
ln -s "${top_builddir:?}" "$tree/build"
printf 'process A userland=64K\n' >"$tmp/probe.tls"
can_render=yes
$TLSSIM render --out="$tmp/probe.png" "$tmp/probe.tls" >/dev/null 2>&1 ||
	can_render=no
shell=$(command -v bash || command -v sh)
handout_cmds=0 handout_skipped=0
for readme in "$labs"/0*/README.md; do
	name=${readme#"$labs"/}
	awk '/^[ \t]*```sh( cross)?[ \t]*$/ { kind = ($2 == "cross") ? "cross" : "sh";
		if ($0 ~ /cross/) kind = "cross"; inb = 1; next }
	     inb && /^[ \t]*```/ { inb = 0; next }
	     inb { sub(/^[ \t]+/, ""); if ($0 != "") print kind "\t" $0 }' \
		"$readme" >"$tmp/cmds"
	[ -s "$tmp/cmds" ] || {
		echo "FAIL: $name has no \`\`\`sh block of commands"
		fails=$((fails + 1)); }
	while IFS='	' read -r kind line; do
		comment=
		case $line in *'#'*) comment=${line#*#} ;; esac
		skip=
		if [ "$kind" = cross ] && [ "${TLSSIM_LABS_CROSS:-}" != yes ]; then
			skip="a cross build"
		elif [ -n "${TLSSIM_EMULATOR:-}" ] &&
		     case $comment in *'native builds only'*) true ;; *) false ;; esac; then
			skip="native builds only"
		elif [ "$can_render" = no ] &&
		     case $line in 'tlssim render'*) true ;; *) false ;; esac; then
			skip="no cairo"
		fi
		if [ -n "$skip" ]; then
			echo "skip ($skip): $name: $line"
			handout_skipped=$((handout_skipped + 1))
			continue
		fi
		allowed=0
		case $comment in
		*'exit '[0-9]*)
			allowed=$(printf '%s\n' "${comment#*exit }" |
				grep -o '[0-9][0-9]*' | tr '\n' ' ') ;;
		esac
		handout_cmds=$((handout_cmds + 1))
		ran=$((ran + 1))
		(cd "$tree" && PATH=$tmp/bin:$PATH LAB4_N=1000,2000 LAB4_RUNS=1 \
			CC=${TLSSIM_BUILD_CC:-cc} "$shell" -c "$line") \
			>"$tmp/out" 2>&1 </dev/null
		status=$?
		case " $allowed " in
		*" $status "*) ;;
		*) echo "FAIL: $name: '$line' exited $status, expected ${allowed% }"
		   tail -n 15 "$tmp/out"
		   fails=$((fails + 1)) ;;
		esac
	done <"$tmp/cmds"
done
echo "labs-test: $handout_cmds handout commands run, $handout_skipped skipped"

# Lab 4's folder copied out of the source tree, as a student may: make
# says where the interface header was looked for and how to name it (exit
# 2), not a compiler's "No such file", and builds once told.
if command -v make >/dev/null 2>&1; then
	mkdir -p "$tmp/alone"
	cp "$labs/byo/GNUmakefile" "$labs/byo/my_tls.c" "$tmp/alone/"
	(cd "$tmp/alone" && make PREFIX="$tmp/none" CC=${TLSSIM_BUILD_CC:-cc}) \
		>"$tmp/out" 2>&1 </dev/null
	status=$?
	ran=$((ran + 1))
	if [ "$status" -ne 2 ] ||
	   ! grep -q "tls_manager.h is neither in ../../src nor in $tmp/none/include/tlssim" "$tmp/out" ||
	   ! grep -q 'make TLSSIM_SRC=/path/to/tlssim/src' "$tmp/out"; then
		echo "FAIL: lab 4's folder alone: exit $status, not 2 saying where the header is looked for"
		head -n 5 "$tmp/out"
		fails=$((fails + 1))
	fi
	(cd "$tmp/alone" && make PREFIX="$tmp/none" CC=${TLSSIM_BUILD_CC:-cc} \
		TLSSIM_SRC="$(cd "$top_srcdir/src" && pwd)") >"$tmp/out" 2>&1 </dev/null ||
		{ echo "FAIL: lab 4's folder alone with TLSSIM_SRC does not build"
		  head -n 5 "$tmp/out"; fails=$((fails + 1)); }
fi

echo "labs-test: $ran lab scenarios and commands, $fails failed"
[ "$fails" -eq 0 ]
