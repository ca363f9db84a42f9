#!/bin/sh
# tests/trace-events-test.sh: every event the kernel model can emit (the
# table of names in src/sim/kernel/machine.c) is documented: a row of its
# own in doc/trace-format.md's table of events, and an entry in the manual's
# list of events (doc/tlssim.1). And the doc lists no event that does not
# exist.
. "${top_srcdir:?}/tests/testlib.sh"
test_begin trace-events
src=$top_srcdir/src/sim/kernel/machine.c
doc=$top_srcdir/doc/trace-format.md
man=$top_srcdir/doc/tlssim.1

sed -n 's/^[[:space:]]*\[EV_[A-Z_]*\] = "\([a-z-]*\)",$/\1/p' "$src" |
	sort >"$tmp/code"
# the rows of the doc's table of events (from its "| event |" header to
# the blank line after it): | `name` | or | `name`, `name` |
awk '/^\| event \|/ { t = 1; next } t && /^$/ { exit } t' "$doc" |
	sed -n 's/^| \(`[a-z-]*`\(, `[a-z-]*`\)*\) |.*/\1/p' |
	tr -d '`' | tr ',' '\n' | tr -d ' ' | sort >"$tmp/doc"

n=$(wc -l <"$tmp/code")
if [ "$n" -lt 10 ]; then
	fail "found only $n event names in $src: has its table changed form?"
fi
while IFS= read -r ev; do
	if ! grep -qx -e "$ev" "$tmp/doc"; then
		fail "event '$ev' has no row in doc/trace-format.md"
	fi
	manname=$(printf '%s' "$ev" | sed 's/-/\\\\-/g')
	if ! grep -qx -e "\.B $manname" "$man"; then
		fail "event '$ev' has no entry (.B $ev) in doc/tlssim.1's events"
	fi
done <"$tmp/code"
while IFS= read -r ev; do
	if ! grep -qx -e "$ev" "$tmp/code"; then
		fail "doc/trace-format.md documents '$ev', which the code never emits"
	fi
done <"$tmp/doc"
echo "trace-events-test: $n events, $fails failed"
[ "$fails" -eq 0 ]
