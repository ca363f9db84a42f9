#!/bin/sh
# tests/trace-doc-test.sh: the examples of doc/trace-format.md work as the
# doc writes them. Every ```console block there holds commands ("$ ..."
# lines) and the output each must print; each command runs from the top of
# the source tree with `tlssim` standing for $TLSSIM, and its standard
# output must be the lines shown. The examples pipe a --trace=json run into
# jq, so they also check that standard output carries only JSON Lines.
# SKIPs (exit 77) when jq is not installed.
. "${top_srcdir:?}/tests/testlib.sh"
test_begin trace-doc
doc=$top_srcdir/doc/trace-format.md

if ! command -v jq >/dev/null 2>&1; then
	echo "SKIP: jq is not installed (scripts/deps installs it)"
	exit 77
fi

# tlssim ARGS...: the program under test, with its emulator if any.
tlssim() {
	# shellcheck disable=SC2086
	$TLSSIM "$@"
}

# Split the doc's console blocks: $tmp/cmd.N (one command) and
# $tmp/want.N (the lines after it, up to the next command or the fence).
awk -v dir="$tmp" '
	/^```console/ { inblock = 1; next }
	/^```/ { inblock = 0; next }
	inblock && /^\$ / { n++; print substr($0, 3) > (dir "/cmd." n);
			    printf "" > (dir "/want." n); next }
	inblock && n { print >> (dir "/want." n) }
	END { print n + 0 > (dir "/count") }
' "$doc"
count=$(cat "$tmp/count")
if [ "$count" -eq 0 ]; then
	fail "doc/trace-format.md has no console example"
fi

i=1
while [ "$i" -le "$count" ]; do
	cmd=$(cat "$tmp/cmd.$i")
	case $cmd in
	tlssim\ *) ;;
	*) fail "example $i does not run tlssim: $cmd" ;;
	esac
	(cd "$top_srcdir" && LC_ALL=C && export LC_ALL && eval "$cmd") >"$tmp/got.$i" 2>"$tmp/err.$i"
	status=$?
	if [ "$status" -ne 0 ]; then
		fail "example $i exits $status: $cmd"
		sed 's/^/  | /' "$tmp/err.$i" | head -n 10
	elif ! diff -u "$tmp/want.$i" "$tmp/got.$i"; then
		fail "example $i prints other lines than the doc (above: doc vs got): $cmd"
	fi
	i=$((i + 1))
done
echo "trace-doc-test: $count examples, $fails failed"
[ "$fails" -eq 0 ]
