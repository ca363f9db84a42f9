#!/bin/sh
# tests/html-browser-test.sh: the HTML flip-book in a real browser. Draws
# examples/tour.tls as HTML, and as a PDF whose page count is the number
# of pages the HTML must have; then tests/browser_check.py drives Chromium
# headless over its DevTools pipe: no console error or exception, the
# first page shown, the right arrow shows another picture and highlights
# another source line, the left arrow comes back. The browser gets
# BROWSER_TIMEOUT seconds (default 120), so a hang cannot hold the suite.
# SKIP (exit 77), saying why, without cairo, python3 or a browser
# (TLSSIM_BROWSER names one; else chromium, chromium-browser,
# google-chrome on PATH). scripts/deps installs chromium.
. "${top_srcdir:?}/tests/testlib.sh"
test_begin html-browser

printf 'process A userland=64K\n' >"$tmp/probe.tls"
if ! $TLSSIM render --out="$tmp/probe.html" "$tmp/probe.tls" >"$tmp/probe" 2>&1; then
	echo "html-browser-test: SKIP: this build draws no pictures: $(head -n 1 "$tmp/probe")"
	exit 77
fi
if ! command -v python3 >/dev/null 2>&1; then
	echo "html-browser-test: SKIP: no python3 to drive the browser"
	exit 77
fi
browser=${TLSSIM_BROWSER:-}
if [ -z "$browser" ]; then
	for b in chromium chromium-browser google-chrome; do
		if command -v "$b" >/dev/null 2>&1; then
			browser=$b
			break
		fi
	done
fi
if [ -z "$browser" ]; then
	echo "html-browser-test: SKIP: no browser (chromium) installed; scripts/deps installs it"
	exit 77
fi
echo "html-browser-test: browser $browser ($("$browser" --version 2>/dev/null | head -n 1))"

cp "$top_srcdir/examples/tour.tls" "$tmp/tour.tls"
$TLSSIM render --out="$tmp/tour.html" "$tmp/tour.tls" >"$tmp/out" 2>&1 ||
	fail "render --out=tour.html: exit $?"
$TLSSIM render --steps --out="$tmp/tour.pdf" "$tmp/tour.tls" >"$tmp/out" 2>&1 ||
	fail "render --steps --out=tour.pdf: exit $?"
pages=$(grep -a -o '/Type */Page\>' "$tmp/tour.pdf" | wc -l | tr -d ' ')
[ "$pages" -gt 1 ] || fail "the PDF flip-book has $pages pages"

timeout -k 10 "${BROWSER_TIMEOUT:-120}" python3 "$top_srcdir/tests/browser_check.py" \
	"$browser" "$tmp/tour.html" "$pages"
st=$?
case $st in
0) ;;
77) exit 77 ;;
124|137) fail "the browser did not finish in ${BROWSER_TIMEOUT:-120} s" ;;
*) fail "the browser's check failed (exit $st)" ;;
esac

[ "$fails" -eq 0 ] && echo "html-browser: ok"
[ "$fails" -eq 0 ]
