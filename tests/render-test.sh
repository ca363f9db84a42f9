#!/bin/sh
# tests/render-test.sh: pictures (tlssim render, run --render, run
# --render-steps). Each picture must exist, be of its format (PNG signature,
# %PDF-, <?xml ... <svg) and of the expected size: PNG width and height
# from the IHDR chunk, one PDF page per command for a flip-book (a killed
# process drawn to the end, as high as when a later line names it). Bad usage
# exits 2, and so does a picture too large for its format. A build without cairo must say so (exit 2); the test then skips
# (exit 77), it never passes. TLSSIM names the program (with its
# emulator); top_srcdir locates the examples.
. "${top_srcdir:?}/tests/testlib.sh"
test_begin render

# Two processes: A with a mapping, threads and a named raw region; B with
# one thread in a 1 MiB land. big.tls is the same with a 64 MiB land for B:
# the free range is one row however long, so the pictures are as high.
cat >"$tmp/two.tls" <<'EOF'
process A userland=64K
map A 0x0 0x2000 CodeStatic rx
spawn A main
spawn A worker
tls-alloc A as scratch
process B userland=1M
spawn B b1
expect used A 3
EOF
sed 's/userland=1M/userland=64M/' "$tmp/two.tls" >"$tmp/big.tls"
printf 'process A userland=64K\nspawn A t\nexpect tls t 0x200\n' >"$tmp/bad.tls"

# A build without cairo says so, and the rest cannot be checked.
$TLSSIM render --out="$tmp/probe.png" "$tmp/two.tls" >"$tmp/probe" 2>&1
status=$?
if grep -q 'no cairo' "$tmp/probe"; then
	if [ "$status" != 2 ]; then
		echo "FAIL: a build without cairo exits $status, not 2"
		exit 1
	fi
	$TLSSIM run --render="$tmp/x.png" "$tmp/two.tls" 2>&1 |
		grep -q 'no cairo' || { echo "FAIL: run --render without cairo"; exit 1; }
	echo "SKIP (not counted): this build has no cairo, so no pictures"
	exit 77
fi

# The 8 bytes at offset, as decimal numbers.
bytes() {
	od -An -tu1 -j"$2" -N"$3" "$1" | tr -s ' \n' '  ' | sed 's/^ //; s/ $//'
}

# A big-endian 32-bit number at offset.
be32() {
	set -- $(bytes "$1" "$2" 4)
	echo $(($1 * 16777216 + $2 * 65536 + $3 * 256 + $4))
}

# is_png FILE: the PNG signature, then the IHDR chunk.
is_png() {
	[ "$(bytes "$1" 0 8)" = "137 80 78 71 13 10 26 10" ] &&
		[ "$(dd if="$1" bs=1 skip=12 count=4 2>/dev/null)" = IHDR ]
}

is_pdf() {
	[ "$(dd if="$1" bs=1 count=5 2>/dev/null)" = "%PDF-" ]
}

is_svg() {
	head -c 5 "$1" | grep -q '^<?xml' && grep -q '<svg' "$1"
}

# Pages of a PDF (cairo writes each page object as text: PDF 1.4).
pdf_pages() {
	grep -a -o '/Type */Page\>' "$1" | wc -l | tr -d ' '
}

# render ARGS...: must exit 0.
render() {
	$TLSSIM "$@" >"$tmp/out" 2>&1 </dev/null
	st=$?
	if [ "$st" != 0 ]; then
		fail "tlssim $*: exit $st"
		sed 's/^/  | /' "$tmp/out" | head -n 10
		return 1
	fi
}

# The end state, in each format.
render render --out="$tmp/two.png" "$tmp/two.tls" &&
	{ is_png "$tmp/two.png" || fail "two.png is not a PNG"; }
render render --out="$tmp/two.svg" "$tmp/two.tls" &&
	{ is_svg "$tmp/two.svg" || fail "two.svg is not an SVG"; }
render render --out="$tmp/two.pdf" "$tmp/two.tls" &&
	{ is_pdf "$tmp/two.pdf" || fail "two.pdf is not a PDF"; }
[ -f "$tmp/two.pdf" ] && [ "$(pdf_pages "$tmp/two.pdf")" != 1 ] &&
	fail "two.pdf has $(pdf_pages "$tmp/two.pdf") pages, not 1"
grep -q 'width="600pt"' "$tmp/two.svg" 2>/dev/null ||
	fail "two.svg is not 600pt wide"
# The heading, which a PDF also carries as its title and subject (cairo
# 1.16 on: asked of pkg-config): how the run ended, with the panic's own
# message when the kernel panicked (the picture of the state it panicked
# in; exit 3, as run's).
printf 'process A userland=64K\nspawn A t\ntls-free A 0x200\n' >"$tmp/panic.tls"
$TLSSIM render --out="$tmp/panic.pdf" "$tmp/panic.tls" >"$tmp/out" 2>&1
st=$?
[ "$st" = 3 ] || fail "render of a panic: exit $st, not 3"
if pkg-config --atleast-version=1.16 cairo 2>/dev/null; then
	grep -aq '/Subject (after line 8: expect used A 3. ok: 8 commands, 1 expectation held)' \
		"$tmp/two.pdf" || fail "two.pdf: no heading's line as its subject"
	grep -aq '/Subject (after line 3: tls-free A 0x200. PANIC: Freed TLS was not marked occupied)' \
		"$tmp/panic.pdf" || fail "panic.pdf: its heading does not give the panic's message"
else
	echo "not checked: a PDF's subject (no cairo 1.16 or later known to pkg-config)"
fi
# a file name with a PDF string's delimiters and escape goes into the
# title escaped: the PDF still ends whole
cp "$tmp/panic.tls" "$tmp/odd(\\name.tls"
$TLSSIM render --out="$tmp/odd.pdf" "$tmp/odd(\\name.tls" >"$tmp/out" 2>&1
[ $? = 3 ] && is_pdf "$tmp/odd.pdf" && tail -c 6 "$tmp/odd.pdf" | grep -q '%%EOF' ||
	fail "odd(\\name.tls: no whole PDF"

# Sizes: 600 points wide at 2 pixels a point; one process is shorter than
# two; a longer free range is no taller.
if is_png "$tmp/two.png"; then
	w=$(be32 "$tmp/two.png" 16)
	h=$(be32 "$tmp/two.png" 20)
	[ "$w" = 1200 ] || fail "two.png is $w pixels wide, not 1200"
	{ [ "$h" -gt 400 ] && [ "$h" -lt 3000 ]; } ||
		fail "two.png is $h pixels high"
	render render --process=A --out="$tmp/a.png" "$tmp/two.tls" &&
		is_png "$tmp/a.png" && ha=$(be32 "$tmp/a.png" 20) &&
		{ [ "$ha" -lt "$h" ] || fail "A alone ($ha) is not shorter than both ($h)"; }
	render run --quiet --render="$tmp/big.png" "$tmp/big.tls" &&
		is_png "$tmp/big.png" && hb=$(be32 "$tmp/big.png" 20) &&
		{ [ "$hb" = "$h" ] || fail "a 64M land draws $hb pixels high, 1M $h"; }
fi

# The example tour: every format, and a flip-book of a page per step that
# changes what is drawn (tests/render-book-test.sh counts them): fewer pages
# than commands, as its expect lines change nothing.
tour=$top_srcdir/examples/tour.tls
render render --out="$tmp/tour.png" "$tour" &&
	{ is_png "$tmp/tour.png" || fail "tour.png is not a PNG"; }
render run --quiet --render="$tmp/tour.svg" "$tour" &&
	{ is_svg "$tmp/tour.svg" || fail "tour.svg is not an SVG"; }
commands=$($TLSSIM run "$tour" 2>/dev/null |
	sed -n 's/.*: ok: \([0-9]*\) commands.*/\1/p')
render run --quiet --render-steps="$tmp/book.pdf" --render="$tmp/end.pdf" "$tour"
if is_pdf "$tmp/book.pdf"; then
	n=$(pdf_pages "$tmp/book.pdf")
	{ [ "$n" -gt 1 ] && [ "$n" -lt "$commands" ]; } ||
		fail "the flip-book of tour.tls has $n pages for $commands commands"
else
	fail "book.pdf is not a PDF"
fi
is_pdf "$tmp/end.pdf" || fail "end.pdf (with --render-steps) is not a PDF"
# B alone: the first step's page (A is not drawn, so A's four steps are
# listed on it), process B, spawn B b1 (the expect is listed on it).
render render --steps --process=B --out="$tmp/b.pdf" "$tmp/two.tls" &&
	{ [ "$(pdf_pages "$tmp/b.pdf")" = 3 ] || fail "b.pdf: not 3 pages"; }

# run prints the same text with pictures as without.
$TLSSIM run --color=never "$tour" >"$tmp/plain.out" 2>&1
$TLSSIM run --color=never --render="$tmp/t.png" "$tour" >"$tmp/pic.out" 2>&1
cmp -s "$tmp/plain.out" "$tmp/pic.out" ||
	fail "run --render changes what run prints"

# A failing run still draws its end, and exits 1.
$TLSSIM render --out="$tmp/bad.png" "$tmp/bad.tls" >/dev/null 2>&1
st=$?
[ "$st" = 1 ] || fail "render of a failing scenario exits $st, not 1"
is_png "$tmp/bad.png" || fail "a failing scenario has no picture"

# Bad usage: exit 2, a message, and no file left behind.
# expect2 PATTERN ARGS...
expect2() {
	pattern=$1
	shift
	rm -f "$tmp"/x.*
	$TLSSIM "$@" >"$tmp/out" 2>&1 </dev/null
	st=$?
	if [ "$st" != 2 ]; then
		fail "tlssim $*: exit $st, expected 2"
	elif ! grep -q -e "$pattern" "$tmp/out"; then
		fail "tlssim $*: no line matches '$pattern'"
		sed 's/^/  | /' "$tmp/out" | head -n 5
	fi
	for f in "$tmp"/x.*; do
		[ -e "$f" ] && fail "tlssim $*: left $f behind"
	done
}
expect2 'no --out=FILE.svg|.png|.pdf|.html' render "$tmp/two.tls"
expect2 'is not a .svg, .png or .pdf file name (nor .html, a flip-book)' render --out="$tmp/x.jpg" "$tmp/two.tls"
expect2 'is not a .svg, .png or .pdf' run --render="$tmp/x.gif" "$tmp/two.tls"
expect2 'is not a .pdf or .html' run --render-steps="$tmp/x.png" "$tmp/two.tls"
expect2 'is not a .pdf or .html' render --steps --out="$tmp/x.svg" "$tmp/two.tls"
expect2 'an HTML flip-book is --render-steps' run --render="$tmp/x.html" "$tmp/two.tls"
expect2 'shows each step.s kernel events' render --trace --out="$tmp/x.html" "$tmp/two.tls"
expect2 "declares no process 'C'" render --process=C --out="$tmp/x.png" "$tmp/two.tls"
expect2 'it needs render' run --process=A "$tmp/two.tls"
expect2 "--out is not an option of run (it is one of: render)" run --out="$tmp/x.png" "$tmp/two.tls"
expect2 'one scenario file' render --out="$tmp/x.png" "$tmp/two.tls" "$tour"
expect2 'no scenario file' render --out="$tmp/x.png"
expect2 'both name' run --render="$tmp/x.pdf" --render-steps="$tmp/x.pdf" "$tmp/two.tls"
expect2 'cannot write' render --out="$tmp/none/x.png" "$tmp/two.tls"
expect2 'cannot write' render --out="$tmp/none/x.html" "$tmp/two.tls"

# An HTML flip-book on a full disk: the host refused, exit 4, said so.
if [ -w /dev/full ]; then
	ln -sf /dev/full "$tmp/full.html"
	expect 4 "cannot write '$tmp/full.html': No space left on device" -- \
		render --out="$tmp/full.html" "$tmp/two.tls"
else
	echo "not checked: an HTML flip-book on a full disk (no /dev/full)"
fi

# No file descriptor left for the picture: the host's refusal too (exit
# 4), where a path that cannot be written is the user's (exit 2 above).
# With four descriptors, the scenario takes the last; not under an
# emulator, and not where the loader itself needs more.
if [ -z "${TLSSIM_EMULATOR:-}" ] &&
   limited "-n 4" render --out="$tmp/fd.png" "$tmp/two.tls"; then
	if grep -q "cannot open '$tmp/two.tls'" "$tmp/out"; then
		echo "not checked: a picture without a descriptor (the process needs more before its scenario here)"
	else
		[ "$got" = 4 ] &&
			grep -q "cannot write '$tmp/fd.png': Too many open files" "$tmp/out" ||
			fail "render with 4 descriptors: exit $got, not 4 with the host's refusal"
	fi
fi

# A PNG taller than cairo's images (32767 pixels: 90 processes) is bad
# input, exit 2, naming the limit and the ways out; SVG and PDF of the
# same scenario are drawn.
i=0
while [ $i -lt 90 ]; do
	printf 'process P%d userland=64K\nspawn P%d t%d\n' $i $i $i
	i=$((i + 1))
done >"$tmp/tall.tls"
expect2 'a PNG is at most 32767 a side; draw it as .svg or .pdf, or one process with --process' \
	render --out="$tmp/x.png" "$tmp/tall.tls"
expect2 'at most 32767' run --render="$tmp/x.png" "$tmp/tall.tls"
for f in svg pdf; do
	$TLSSIM render --out="$tmp/tall.$f" "$tmp/tall.tls" >"$tmp/out" 2>&1
	st=$?
	[ "$st" = 0 ] && [ -s "$tmp/tall.$f" ] ||
		fail "render --out=tall.$f of 90 processes: exit $st"
done
$TLSSIM render --out="$tmp/one.png" --process=P7 "$tmp/tall.tls" >"$tmp/out" 2>&1 ||
	fail "render --out=one.png --process=P7 of 90 processes: exit $?"

# A killed process no later line names is drawn to the end all the same:
# a streamed run gives killed processes back to the kernel, but not under
# pictures. The picture is as high as when the last line names it.
printf 'process A userland=64K\nspawn A t\nprocess K userland=64K\nspawn K k\nkill K\nprocess B userland=64K\nshow B\nshow A\n' \
	>"$tmp/killed.tls"
{ cat "$tmp/killed.tls"; echo "show K"; } >"$tmp/named.tls"
for f in killed named; do
	$TLSSIM render --out="$tmp/$f.png" "$tmp/$f.tls" >"$tmp/out" 2>&1 ||
		fail "render --out=$f.png: exit $?"
done
if is_png "$tmp/killed.png" && is_png "$tmp/named.png"; then
	hk=$(be32 "$tmp/killed.png" 20)
	hn=$(be32 "$tmp/named.png" 20)
	[ "$hk" = "$hn" ] ||
		fail "a killed process named no more is not drawn: $hk high, $hn when named"
else
	fail "render of a killed process: no PNG"
fi

[ "$fails" -eq 0 ] && echo "render: ok"
[ "$fails" -eq 0 ]
