#!/bin/sh
# tests/labs-path-test.sh: labs/README.md's "Running tlssim by name" works
# as written. Its sh block runs from a stand-in for the top of the source
# tree whose build/ is this build, with HOME in a scratch directory: the
# install lands in $HOME/.local/bin, and afterwards `tlssim` is found by
# name and prints its version (under an emulator, only found: a foreign
# binary cannot run by name).
. "${top_srcdir:?}/tests/testlib.sh"
test_begin labs-path
: "${top_builddir:?}"
readme=$top_srcdir/labs/README.md

awk '/^## Running `tlssim` by name/ { s = 1; next } s && /^## / { exit }
     s && /^```sh/ { c = 1; next } c && /^```/ { exit } c' "$readme" \
	>"$tmp/block.sh"
if ! [ -s "$tmp/block.sh" ]; then
	fail "labs/README.md has no sh block under 'Running \`tlssim\` by name'"
	exit 1
fi
grep -q 'make .*install prefix=\$HOME/\.local' "$tmp/block.sh" ||
	fail "the block does not install with prefix=\$HOME/.local"
grep -q 'PATH=' "$tmp/block.sh" || fail "the block sets no PATH"

mkdir -p "$tmp/tree" "$tmp/home"
ln -s "$top_builddir" "$tmp/tree/build"
if [ -n "${TLSSIM_EMULATOR:-}" ]; then
	# keep the lines that do not run tlssim, then look it up
	grep -v '^tlssim ' "$tmp/block.sh" >"$tmp/run.sh"
	echo 'command -v tlssim' >>"$tmp/run.sh"
else
	cp "$tmp/block.sh" "$tmp/run.sh"
fi
# the install is the build's own, not part of the make running this test
(cd "$tmp/tree" && unset MAKEFLAGS MFLAGS MAKELEVEL && HOME=$tmp/home &&
 export HOME && PATH=/usr/bin:/bin && export PATH && set -e &&
 . "$tmp/run.sh") >"$tmp/out" 2>&1
status=$?
if [ "$status" -ne 0 ]; then
	fail "the block failed (exit $status)"
	sed 's/^/  | /' "$tmp/out" | tail -n 20
fi
[ -x "$tmp/home/.local/bin/tlssim" ] ||
	fail "make install prefix=\$HOME/.local left no \$HOME/.local/bin/tlssim"
if [ -z "${TLSSIM_EMULATOR:-}" ]; then
	grep -q '^tlssim [0-9]' "$tmp/out" ||
		fail "tlssim --version did not print a version by name"
else
	grep -q '/tlssim$' "$tmp/out" || fail "tlssim is not found by name"
fi
echo "labs-path-test: $fails failed"
[ "$fails" -eq 0 ]
