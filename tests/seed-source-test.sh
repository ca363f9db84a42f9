#!/bin/sh
# tests/seed-source-test.sh: the policy seed compiles the kernel's file
# unchanged. src/policy/seed/thread_local_storage.rs (what the build
# compiles, and what the tarball carries) must be byte for byte the seed,
# ../shared/seed/thread_local_storage.rs beside the source tree, when that
# tree is there; without it (an unpacked tarball) the test says SKIP.
set -u
: "${top_srcdir:?top_srcdir must name the source tree}"
ours=$top_srcdir/src/policy/seed/thread_local_storage.rs
seed=$top_srcdir/../shared/seed/thread_local_storage.rs

if [ ! -f "$seed" ]; then
	echo "seed-source-test: SKIP: no seed to compare with ($seed is absent: not a checkout beside ../shared)"
	exit 77
fi
if cmp "$ours" "$seed"; then
	echo "seed-source-test: src/policy/seed/thread_local_storage.rs is the seed, byte for byte"
	exit 0
fi
echo "FAIL: src/policy/seed/thread_local_storage.rs differs from $seed:"
diff "$seed" "$ours" | head -n 20
exit 1
