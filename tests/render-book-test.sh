#!/bin/sh
# tests/render-book-test.sh: the flip-book shows the change. A page per
# step that changes what is drawn, the steps that change nothing listed on
# the page before them: counted in the PDF (pages) and in the HTML
# (sections, and the lines each lists), for scenarios whose pages are
# known by reading them. What changed (slots taken and freed, pages new
# and unmapped), where each CPU's register points (stale under
# --no-tls-restore), the IPC written (its bytes as the memory holds
# them), a long note wrapped (the page grows
# instead of cutting it), and the HTML: self-contained (no URL outside
# the scenario's own text, a Content-Security-Policy of default-src
# 'none'), everything from the scenario escaped, and its memory the same
# for 4 times the pages. A build without cairo
# refuses (exit 2); the test then skips.
. "${top_srcdir:?}/tests/testlib.sh"
test_begin render-book

printf 'process A userland=64K\n' >"$tmp/probe.tls"
$TLSSIM render --out="$tmp/probe.html" "$tmp/probe.tls" >"$tmp/probe" 2>&1
status=$?
if grep -q 'no cairo' "$tmp/probe"; then
	[ "$status" = 2 ] || { echo "FAIL: no cairo: exit $status, not 2"; exit 1; }
	[ -e "$tmp/probe.html" ] && { echo "FAIL: no cairo, yet an HTML"; exit 1; }
	echo "SKIP (not counted): this build has no cairo, so no flip-book"
	exit 77
fi

pdf_pages() {
	grep -a -o '/Type */Page\>' "$1" | wc -l | tr -d ' '
}
# sections FILE: the data-lines of each page of an HTML flip-book
sections() {
	sed -n 's/.*<section class="frame" id="page-[0-9]*" data-line="[0-9]*" data-lines="\([0-9 ]*\)".*/\1/p' "$1"
}
# book NAME ARGS...: NAME.pdf and NAME.html of $tmp/NAME.tls (any exit)
book() {
	name=$1
	shift
	$TLSSIM render "$@" --steps --out="$tmp/$name.pdf" "$tmp/$name.tls" >/dev/null 2>&1
	$TLSSIM render "$@" --out="$tmp/$name.html" "$tmp/$name.tls" >"$tmp/$name.err" 2>&1
	[ -s "$tmp/$name.html" ] || fail "$name: no HTML"
}
# pages NAME WANT: the PDF and the HTML of NAME have WANT pages
pages() {
	[ "$(pdf_pages "$tmp/$1.pdf")" = "$2" ] ||
		fail "$1.pdf has $(pdf_pages "$tmp/$1.pdf") pages, not $2"
	[ "$(sections "$tmp/$1.html" | wc -l | tr -d ' ')" = "$2" ] ||
		fail "$1.html has $(sections "$tmp/$1.html" | wc -l) pages, not $2"
}
# has NAME TEXT: the HTML of NAME says TEXT (fixed string)
has() {
	grep -q -F -e "$2" "$tmp/$1.html" || fail "$1.html does not say: $2"
}
hasnt() {
	grep -q -F -e "$2" "$tmp/$1.html" && fail "$1.html says: $2"
}

# Steps that change nothing go on the page before them: lines 2-5 on one
# page, 6, then 7 with 8: four pages.
cat >"$tmp/change.tls" <<'EOF2'
process A userland=64K
spawn A t1
expect used A 1
expect tls t1 0x0
show A
spawn A t2
exit t1
expect used A 1
EOF2
book change
pages change 4
[ "$(sections "$tmp/change.html" | tr '\n' '/')" = "1/2 3 4 5/6/7 8/" ] ||
	fail "change.html lists $(sections "$tmp/change.html" | tr '\n' '/'), not 1/2 3 4 5/6/7 8/"
has change 'slot A+0x0 taken by t1'
has change 'slot A+0x200 taken by t2'
has change 'slot A+0x0 freed'
has change 'A: new TLS page at A+0x0'
# run --render-steps=FILE.html makes the same book, and prints as run does
$TLSSIM run --render-steps="$tmp/run.html" "$tmp/change.tls" >"$tmp/run.out" 2>&1 ||
	fail "run --render-steps=run.html: exit $?"
[ "$(sections "$tmp/run.html" | tr '\n' '/')" = "1/2 3 4 5/6/7 8/" ] ||
	fail "run --render-steps=run.html lists other pages than render"
grep -q 'process A:' "$tmp/run.out" || fail "run --render-steps=run.html does not print show's table"

# An unmapped page: mesosphere unmaps a page once empty.
printf 'process A userland=64K\nspawn A t1\nexit t1\nexpect pages A 0\n' >"$tmp/unmap.tls"
book unmap --policy=mesosphere
pages unmap 3
has unmap 'A: TLS page at A+0x0 unmapped'

# The register: switch t2 after t1 loads t2's slot, but not under
# --no-tls-restore, where CPU0 runs t2 with t1's slot: stale, drawn red.
cat >"$tmp/stale.tls" <<'EOF2'
process A userland=64K
spawn A t1
spawn A t2
switch t1
switch t2
EOF2
book stale
pages stale 5
has stale "CPU0 runs t2; its TLS register points at A+0x200 (t2&#39;s slot)"
hasnt stale 'STALE'
book stale --no-tls-restore
pages stale 5
has stale "CPU0 runs t2; its TLS register points at A+0x0 (t1&#39;s slot): STALE"

# IPC written, shown escaped; a page of its own (the buffer changed).
cat >"$tmp/ipc.tls" <<'EOF2'
process A userland=64K
spawn A t1
write t1 ipc "hi <b>&"
write t1 ipc "hi <b>&"
write t1 ipc+0x10 0x3c41
EOF2
book ipc
has ipc 'IPC of t1: ipc = &quot;hi &lt;b&gt;&amp;&quot;'
has ipc 'IPC of t1: ipc+0x10 = &quot;&lt;A&quot;'
hasnt ipc '<b>&'
# 1, 2, the first write (the buffer and the register), the same write
# again changes nothing drawn (listed), the third write
pages ipc 4

# What a page shows is the bytes in the simulated memory, not the
# command's spelling: hex shows as the bytes it stores; a write of
# tls+OFF (no IPC write) over part of the buffer shows on a page of its
# own; more than 32 bytes are cut with "...".
cat >"$tmp/ipcmem.tls" <<'EOF2'
process A userland=64K
spawn A t1
write t1 ipc 0x68_69_0a_22
write t1 ipc "hello, world"
write t1 tls+0x17 "W"
write t1 ipc+0x80 "0123456789abcdef0123456789ABCDEF tail"
EOF2
book ipcmem
has ipcmem 'IPC of t1: ipc = &quot;hi\n\&quot;&quot;'
hasnt ipcmem 'IPC of t1: ipc = &quot;0x'
has ipcmem 'IPC of t1: ipc = &quot;hello, world&quot;'
has ipcmem 'IPC of t1: ipc = &quot;hello, World&quot;'
has ipcmem 'IPC of t1: ipc+0x80 = &quot;0123456789abcdef0123456789ABCDEF...&quot;'
hasnt ipcmem 'IPC of t1: ipc+0x80 = &quot;0123456789abcdef0123456789ABCDEF tail'
# 1, 2, each of the four writes changes the buffer shown
pages ipcmem 6
# Through a stale register the bytes land in the region it points at.
cat >"$tmp/ipcstale.tls" <<'EOF2'
process A userland=64K
spawn A t1
spawn A t2
switch t1
switch t2
write t2 ipc "x\ty"
EOF2
book ipcstale --no-tls-restore
has ipcstale 'IPC of t1 (region A+0x0), written by t2 through a stale register: ipc = &quot;x\ty&quot;'

# A long note is wrapped: its page is taller than with a short one.
long=a_thread_with_a_name_long_enough_to_make_the_note_wrap_twice_over
printf 'process P userland=64K\nspawn P t\nexpect tls t 0x200\n' >"$tmp/short.tls"
printf 'process P userland=64K\nspawn P %s\nexpect tls %s 0x200\n' "$long" "$long" >"$tmp/long.tls"
book short
book long
svg_h() {	# the height of the last page's SVG (in points)
	grep -o '<svg [^>]*height="[0-9.]*pt' "$1" | tail -n 1 |
		sed 's/.*height="//; s/pt$//'
}
hs=$(svg_h "$tmp/short.html")
hl=$(svg_h "$tmp/long.html")
[ -n "$hs" ] && [ -n "$hl" ] &&
	awk -v s="$hs" -v l="$hl" 'BEGIN { exit !(l >= s + 14) }' ||
	fail "a long note's page is $hl high, a short one's $hs: not wrapped"
has long "expected ${long}&#39;s TLS at P+0x200, got P+0x0"

# The tour: the PDF and the HTML have the same pages, fewer than its
# commands (its expect lines are listed, not drawn again).
cp "$top_srcdir/examples/tour.tls" "$tmp/tour.tls"
book tour
n=$(pdf_pages "$tmp/tour.pdf")
commands=$(grep -c -v -E '^[[:space:]]*(#|$)' "$tmp/tour.tls")
pages tour "$n"
[ "$n" -gt 10 ] && [ "$n" -lt "$commands" ] ||
	fail "tour: $n pages for $commands commands"

# Self-contained: a CSP that fetches nothing, no URL outside the source
# (which shows the scenario's own, escaped), a title, the first page shown.
printf '# see https://example.org/<x>\nprocess A userland=64K\n' >"$tmp/url.tls"
book url
has url "content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\""
has url 'https://example.org/&lt;x&gt;'
sed '/<pre class="src"/,/<\/pre>/d' "$tmp/url.html" >"$tmp/url.rest"
grep -n -E 'https?://|src=|<link' "$tmp/url.rest" && fail "url.html fetches or names something"
for f in url tour; do
	grep -q '<title>' "$tmp/$f.html" || fail "$f.html has no title"
	[ "$(grep -c '<section class="frame" id="page-[0-9]*" data-line="[0-9]*" data-lines="[0-9 ]*">' "$tmp/$f.html")" = 1 ] ||
		fail "$f.html: not the first page alone shown without script"
done

# Every id a page uses (glyphs, kept once for the file; clips, made each
# page's own) is defined, once.
grep -o 'href="#[^"]*"' "$tmp/tour.html" | sed 's/href="#//; s/"$//' |
	sort -u >"$tmp/used"
grep -o ' id="[^"]*"' "$tmp/tour.html" | sed 's/ id="//; s/"$//' | sort >"$tmp/ids"
[ -s "$tmp/used" ] || fail "tour.html uses no glyph"
missing=$(sort -u "$tmp/ids" | comm -23 "$tmp/used" -)
[ -z "$missing" ] || fail "tour.html uses undefined ids: $(echo $missing | head -c 200)"
dups=$(uniq -d "$tmp/ids")
[ -z "$dups" ] || fail "tour.html defines ids twice: $(echo $dups | head -c 200)"

# An HTML book's memory does not grow with its pages: a thread spawned and
# ended over and over (a page a step) as 200 and as 800 pages, peaks
# within 1.3 times (cairo 1.16 kept about 200 KB a page: 3 times here).
# Not under an emulator (its memory is not tlssim's), nor without
# /usr/bin/time -f; not compared under a sanitizer (testlib.sh).
toggle() {
	awk -v n="$1" 'BEGIN { print "process A userland=64K"
		for (i = 0; i < n / 2; i++) printf "spawn A t%d\nexit t%d\n", i, i }'
}
if [ -n "${TLSSIM_EMULATOR:-}" ] || ! /usr/bin/time -f %M true >/dev/null 2>&1; then
	echo "not checked: the book's memory (an emulator, or no /usr/bin/time -f)"
else
	toggle 200 >"$tmp/short.tls"
	toggle 800 >"$tmp/long.tls"
	short=$(peak_kib render --out="$tmp/short.html" "$tmp/short.tls")
	long=$(peak_kib render --out="$tmp/long.html" "$tmp/long.tls")
	echo "book memory: 201 pages peak $short KiB, 801 pages peak $long KiB"
	[ "$(grep -c '<section class="frame"' "$tmp/long.html")" = 801 ] ||
		fail "long.html: not a page a step"
	ratio_ok "$short" "$long" 130 ||
		fail "a book 4 times longer peaks at $long KiB, over 1.3 times $short KiB"
fi

[ "$fails" -eq 0 ] && echo "render-book: ok"
[ "$fails" -eq 0 ]
