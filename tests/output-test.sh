#!/bin/sh
# tests/output-test.sh: no write error is lost. Every subcommand with its
# standard output on /dev/full (a device whose writes fail with ENOSPC)
# exits 4 and says "tlssim: cannot write standard output: No space left
# on device"; so does a picture or a flip-book written to /dev/full
# (through a link named as its format asks), with the file's name.
# TLSSIM names the program (with its emulator); top_srcdir locates the
# examples.
. "${top_srcdir:?}/tests/testlib.sh"
test_begin output

if [ ! -c /dev/full ]; then
	echo "SKIP (not counted): this host has no /dev/full"
	exit 77
fi
tour=$top_srcdir/examples/tour.tls

# full WHAT ARGS...: `tlssim ARGS` with stdout on /dev/full exits 4 and
# says it cannot write WHAT: No space left on device.
full() {
	what=$1
	shift
	# shellcheck disable=SC2086
	$TLSSIM "$@" >/dev/full 2>"$tmp/err" </dev/null
	st=$?
	if [ "$st" != 4 ]; then
		fail "tlssim $* >/dev/full: exit $st, expected 4"
		sed 's/^/  | /' "$tmp/err" | head -n 5
	elif ! grep -q "^tlssim: cannot write $what: No space left on device\$" \
		"$tmp/err"; then
		fail "tlssim $* >/dev/full: no 'cannot write $what' on stderr"
		sed 's/^/  | /' "$tmp/err" | head -n 5
	fi
}

so='standard output'
full "$so" run "$tour"
full "$so" step "$tour"
full "$so" "$tour"
full "$so" run --trace "$tour"
full "$so" run --trace=json "$tour"
full "$so" run --verbose "$tour"
full "$so" --help
full "$so" --version
full "$so" render --help
full "$so" demo --threads=2 --yields=1
full "$so" demo --help
full "$so" bench switch --iterations=1000
full "$so" bench --help
full "$so" quiz -s 7
full "$so" quiz -s 7 -c
full "$so" grade --help
full "$so" grade --manager=builtin:sunrise

# A run that prints nothing (--quiet, every expectation held) wrote
# nothing: no error to report.
printf 'process A userland=64K\nspawn A t\nexpect tls t 0x0\n' >"$tmp/ok.tls"
$TLSSIM run --quiet "$tmp/ok.tls" >/dev/full 2>"$tmp/err" ||
	fail "run --quiet with nothing to print: exit $?, expected 0"

# Pictures: the file's own write error, with its name.
if $TLSSIM render --out="$tmp/probe.svg" "$tmp/ok.tls" 2>&1 |
	grep -q 'no cairo'; then
	echo "pictures not checked: this build has no cairo"
else
	for f in full.svg full.png full.pdf; do
		ln -sf /dev/full "$tmp/$f"
		full "'$tmp/$f'" run --render="$tmp/$f" "$tour"
	done
	ln -sf /dev/full "$tmp/book.pdf"
	full "'$tmp/book.pdf'" run --render-steps="$tmp/book.pdf" "$tour"
	ln -sf /dev/full "$tmp/end.svg"
	full "'$tmp/end.svg'" render --out="$tmp/end.svg" "$tour"
fi

[ "$fails" -eq 0 ] && echo "output: ok"
[ "$fails" -eq 0 ]
