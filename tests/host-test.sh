#!/bin/sh
# tests/host-test.sh: what tlssim decides about its host when it runs, never
# when it was built: a register backend the host refuses (exit 4, with the
# reason) or the build lacks (exit 2), TLSSIM_HOST_FSGSBASE=no as the path
# of a CPU without fsgsbase on every machine, =yes refused with its reason
# where the instruction does not run (qemu-x86_64 -cpu qemu64 as that CPU),
# and `bench switch`'s table
# (the host's facts first, aligned columns, counts like 1e3), and the
# host's address-space limit refusing bench a user land (exit 4, said).
. "${top_srcdir:?}/tests/testlib.sh"
test_begin host
printf 'process A userland=64K\nspawn A t\nwrite t ipc "hi"\nexpect read t ipc "hi"\n' >"$tmp/ok.tls"

# Which build this is, asked of tlssim itself.
if $TLSSIM run --quiet --arch=x86_64-prctl "$tmp/ok.tls" >/dev/null 2>&1; then
	build=x86_64
else
	build=other
fi

if [ $build = x86_64 ]; then
	# The host as it is: wrgsbase runs exactly when the kernel says so.
	$TLSSIM run --quiet --arch=x86_64-wrgsbase "$tmp/ok.tls" >"$tmp/out" 2>&1
	got=$?
	if [ $got -eq 0 ] && [ "${TLSSIM_HOST_FSGSBASE:-}" = yes ]; then
		echo "host: TLSSIM_HOST_FSGSBASE=yes and rdgsbase runs; wrgsbase runs"
	elif [ $got -eq 0 ]; then
		grep -qw fsgsbase /proc/cpuinfo ||
			fail "wrgsbase ran on a CPU without the fsgsbase flag"
		echo "host: fsgsbase here; wrgsbase runs"
	elif [ $got -eq 4 ]; then
		grep -q 'the host refuses --arch=x86_64-wrgsbase: .*fsgsbase' "$tmp/out" ||
			fail "wrgsbase refused without the reason: $(cat "$tmp/out")"
		echo "host: no fsgsbase here; wrgsbase is refused with exit 4"
	else
		fail "--arch=x86_64-wrgsbase: exit $got, expected 0 or 4"
	fi

	# TLSSIM_HOST_FSGSBASE=yes trusts the instructions when they run: a
	# CPU that refuses them is found out (exit 4, the reason), never a
	# crash by SIGILL. The scenario is empty: where the kernel did not
	# enable fsgsbase, an instruction that runs may still see its GS base
	# lost at a context switch (measured on a virtual machine here), so no
	# user access goes through it.
	printf '# nothing\n' >"$tmp/empty.tls"
	TLSSIM_HOST_FSGSBASE=yes $TLSSIM run --quiet --arch=x86_64-wrgsbase \
		"$tmp/empty.tls" >"$tmp/out" 2>&1
	got=$?
	if [ $got -eq 4 ]; then
		grep -q 'rdgsbase raised SIGILL here (TLSSIM_HOST_FSGSBASE=yes' "$tmp/out" ||
			fail "yes, refused without the reason: $(cat "$tmp/out")"
		echo "host: rdgsbase raises SIGILL here; TLSSIM_HOST_FSGSBASE=yes is refused"
	elif [ $got -eq 0 ]; then
		echo "host: rdgsbase runs here; TLSSIM_HOST_FSGSBASE=yes takes wrgsbase"
	else
		fail "TLSSIM_HOST_FSGSBASE=yes --arch=x86_64-wrgsbase: exit $got, expected 0 or 4"
	fi

	# ... and a CPU that raises SIGILL for it, where qemu-x86_64 can be
	# that CPU (-cpu qemu64 has no fsgsbase): exit 4 with the reason, and
	# auto takes x86_64-prctl.
	bin=${TLSSIM##* }	# the program, without its emulator
	if [ -n "${TLSSIM_EMULATOR:-}" ]; then
		echo "SKIP (not counted): SIGILL from rdgsbase under $TLSSIM_EMULATOR"
	elif ! [ -f "$bin" ] || grep -qaE '__(asan|tsan)_init' "$bin"; then
		# qemu-user touches a sanitizer's shadow reservation: measured,
		# 24 GB resident before the OOM killer ended it.
		echo "SKIP (not counted): SIGILL from rdgsbase: $bin is not a plain build (a sanitizer's does not run under qemu-x86_64: its shadow memory)"
	elif ! command -v qemu-x86_64 >/dev/null 2>&1; then
		echo "SKIP (not counted): SIGILL from rdgsbase: no qemu-x86_64 (scripts/deps installs qemu-user)"
	else
		TLSSIM_HOST_FSGSBASE=yes
		export TLSSIM_HOST_FSGSBASE
		old_tlssim=$TLSSIM
		TLSSIM="qemu-x86_64 -cpu qemu64 $TLSSIM"
		expect 4 'the host refuses --arch=x86_64-wrgsbase: rdgsbase raised SIGILL here (TLSSIM_HOST_FSGSBASE=yes asked for it)' \
			-- run --arch=x86_64-wrgsbase "$tmp/ok.tls"
		expect 0 'ok.tls: ok' -- run --arch=auto "$tmp/ok.tls"
		TLSSIM=$old_tlssim
		unset TLSSIM_HOST_FSGSBASE
	fi

	# A CPU without fsgsbase, on every machine.
	TLSSIM_HOST_FSGSBASE=no
	export TLSSIM_HOST_FSGSBASE
	expect 4 'the host refuses --arch=x86_64-wrgsbase: this CPU has no fsgsbase' \
		-- run --arch=x86_64-wrgsbase "$tmp/ok.tls"
	expect 4 'tlssim: demo: the host refuses --arch=x86_64-wrgsbase: this CPU has no fsgsbase' \
		-- demo --arch=x86_64-wrgsbase --quiet
	expect 0 'ok.tls: ok' -- run --arch=x86_64 "$tmp/ok.tls"
	expect 0 'ok.tls: ok' -- run --arch=auto "$tmp/ok.tls"
	expect 0 '^host: .*fsgsbase: no, this CPU has no fsgsbase' \
		'wrgsbase targets are not judged' -- bench switch --iterations=1e3
	grep -q '^x86_64-wrgsbase ' "$tmp/out" &&
		fail "bench switch measured wrgsbase on a host that refuses it"
	unset TLSSIM_HOST_FSGSBASE
	expect 2 "is not in this build (it has mock, x86_64-prctl, x86_64-wrgsbase)" \
		-- run --arch=i386 "$tmp/ok.tls"
else
	expect 2 "--arch=x86_64-wrgsbase is not in this build" \
		-- run --arch=x86_64-wrgsbase "$tmp/ok.tls"
	expect 2 "demo: --arch=x86_64-prctl is not in this build" \
		-- demo --arch=x86_64-prctl --quiet
fi

# bench switch: the host's facts on the first line, then aligned columns.
expect 0 '^host: [a-z0-9_]*; .*virtualised: ' \
	'^median of 9 timed rounds of 2000 operations' \
	'^mock ' -- bench switch --iterations=2e3
head -n 1 "$tmp/out" | grep -q '^host: ' ||
	fail "bench switch: the host's facts are not the first line"
# Each figure ends in the column where its header ends.
awk '/^backend / { hdr = $0; next }
     hdr != "" && NF == 4 && $2 ~ /^[0-9.]+$/ {
	n = split("load ns|switch+load ns|bare switch ns", h, "|")
	for (i = 1; i <= n; i++) {
		he = index(hdr, h[i]) + length(h[i])
		rest = $0; pos = 0
		for (f = 1; f <= i + 1; f++) {
			m = match(rest, /[^ ]+/)
			pos += RSTART + RLENGTH - 1
			rest = substr(rest, RSTART + RLENGTH)
		}
		if (pos + 1 != he) { print "misaligned: " $0; bad = 1 }
	}
	rows++
     }
     END { if (!rows) print "no rows"; exit bad || !rows }' "$tmp/out" ||
	fail "bench switch: columns not aligned under their headers"
expect 2 "--iterations wants a number from 1000 to 100000000 (digits, or like 1e6), not '1.5e0'" \
	-- bench switch --iterations=1.5e0
expect 2 "--iterations wants a number" -- bench switch --iterations=1e99
expect 0 '^churn ' -- bench churn --n=1e3 --runs=1 --policy=indexed --mode=kernel

# The host's address-space limit (ulimit -v, 100 MB) refuses the user land
# of 10^6 threads (about 512 MB), and a scenario's land of 1 GiB: the
# host's refusal, exit 4, said with the limit that refused, never a
# KernelError, a silent status, or another limit blamed. Not under an
# emulator or a sanitizer (their own reservations), nor where the loader
# needs more.
if [ -z "${TLSSIM_EMULATOR:-}" ] && [ -z "${sanitized:-}" ]; then
	printf 'process A userland=1G\nspawn A t\n' >"$tmp/big-land.tls"
	for cmd in "bench churn --n=1e6 --runs=1 --policy=indexed --mode=kernel" \
		   "bench scenario --n=1e6 --runs=1 --policy=indexed" \
		   "run --quiet $tmp/big-land.tls"; do
		# shellcheck disable=SC2086
		limited "-v 100000" $cmd || continue
		[ "$got" = 4 ] &&
			grep -q 'the host refused.*cannot reserve a user land.*(the address-space limit, ulimit -v, is 100000 KiB)' "$tmp/out" ||
			fail "tlssim $cmd under ulimit -v 100000: exit $got, not 4 with the refusal and its limit: $(head -n 3 "$tmp/out")"
	done
fi

# The data limit (ulimit -d, 20 MB) against 2x10^5 threads, whose records
# and names need more: the check's tables or the run's records are
# refused, whichever comes first on this host, and either way the refusal
# names ulimit -d. Same conditions as above.
if [ -z "${TLSSIM_EMULATOR:-}" ] && [ -z "${sanitized:-}" ]; then
	awk 'BEGIN { print "process A userland=128M"
		     for (i = 0; i < 200000; i++) print "spawn A t" i }' \
		>"$tmp/fill.tls"
	if limited "-d 20000" run --quiet "$tmp/fill.tls"; then
		[ "$got" = 4 ] &&
			grep -q 'the host refused.*(the data limit, ulimit -d, is 20000 KiB)' "$tmp/out" ||
			fail "tlssim run under ulimit -d 20000: exit $got, not 4 with the refusal and its limit: $(head -n 3 "$tmp/out")"
	fi
fi

# A line longer than the data limit lets the reader's block grow to: the
# host's refusal while the file is read (exit 4, the limit named), not a
# read error. Same conditions as above.
if [ -z "${TLSSIM_EMULATOR:-}" ] && [ -z "${sanitized:-}" ]; then
	awk 'BEGIN { printf "process A\n# "
		     for (i = 0; i < 300000; i++) printf "%0100d", 0
		     print "" }' >"$tmp/long-line.tls"
	if limited "-d 20000" run --quiet "$tmp/long-line.tls"; then
		[ "$got" = 4 ] &&
			grep -q "out of memory parsing '.*long-line.tls'.*(the data limit, ulimit -d, is 20000 KiB)" "$tmp/out" ||
			fail "tlssim run of a 30 MB line under ulimit -d 20000: exit $got, not 4 with the refusal and its limit: $(head -n 3 "$tmp/out")"
	fi
fi

[ $fails -eq 0 ] && echo "host-test: all passed"
exit $((fails != 0))
