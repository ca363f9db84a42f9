#!/bin/sh
# tests/cli-test.sh: the command line around the scenario runner: subcommands,
# options, exit statuses, several files, standard input. TLSSIM names the
# program (with its emulator); top_srcdir locates the examples.
. "${top_srcdir:?}/tests/testlib.sh"
test_begin cli

printf 'process A userland=64K\nspawn A t\nexpect tls t 0x0\n' >"$tmp/ok.tls"
printf 'process A userland=64K\nspawn A t\nexpect tls t 0x200\n' >"$tmp/bad.tls"
printf 'process A\nspwan A t\n' >"$tmp/syntax.tls"

expect 0 '^Usage: tlssim' -- --help
# help: the program's, and each subcommand's own
expect 0 '^Usage: tlssim SUBCOMMAND' '^  grade ' -- help
expect 0 '^Usage: tlssim SUBCOMMAND' -- -h
for sub in run render demo; do
	expect 0 "^Usage: tlssim $sub " -- help $sub
	expect 0 "^Usage: tlssim $sub " -- $sub --help
	expect 0 "^Usage: tlssim $sub " -- $sub -h
done
for sub in bench quiz grade; do
	expect 0 "^Usage: tlssim $sub " -- help $sub
	expect 0 "^Usage: tlssim $sub " -- $sub -h
done
expect 0 '^  --threads=N' -- demo --help
grep -q -e '--policy' "$tmp/out" && fail "demo --help lists --policy"
expect 0 '^ *sunrise  ' '^ *mesosphere  ' -- run --help
expect 2 "help: no subcommand 'nope' (expected one of: run, render, step, demo, bench, quiz, grade)" -- help nope
# an option another subcommand takes is an error, naming the takers
expect 2 'demo: --policy is not an option of demo (it is one of: run, render, step)' \
	-- demo --policy=mesosphere --trace --fail-fast
expect 2 'run: --threads is not an option of run (it is one of: demo)' \
	-- run --threads=5 "$top_srcdir/examples/tour.tls"
expect 2 'run: --steps is not an option of run (it is one of: render)' \
	-- "$top_srcdir/examples/tour.tls" --steps
expect 2 'render: --verbose is not an option of render (it is one of: run)' \
	-- render --verbose --out=x.svg "$top_srcdir/examples/tour.tls"
expect 0 '^tlssim [0-9]' -- --version
expect 2 'Usage: tlssim' --
expect 2 "unrecognized option\|unknown option" -- run --frobnicate "$tmp/ok.tls"
expect 2 "unknown --arch 'vax'" -- run --arch=vax "$tmp/ok.tls"
expect 2 "unknown --policy" -- run --policy=linux "$tmp/ok.tls"
expect 2 "unknown --trace format" -- run --trace=xml "$tmp/ok.tls"
expect 2 "unknown --color" -- run --color=sometimes "$tmp/ok.tls"
expect 2 "no scenario file" -- run
expect 2 "cannot open '$tmp/none.tls'" -- run "$tmp/none.tls"
expect 0 'ok.tls: ok: 3 commands' -- run "$tmp/ok.tls"
expect 0 'ok.tls: ok' -- "$tmp/ok.tls"
expect 0 'ok.tls: ok' -- run --policy=sunrise --arch=mock "$tmp/ok.tls"
expect 1 "expected t's TLS at A+0x200, got A+0x0" -- run "$tmp/bad.tls"
# several files: each runs, each gets a summary; the worst status wins
expect 1 'bad.tls: FAILED' -- run "$tmp/ok.tls" "$tmp/bad.tls"
expect 1 'ok.tls: ok' -- run "$tmp/ok.tls" "$tmp/bad.tls"
# one malformed file: nothing runs
expect 2 "unknown command 'spwan'" -- run "$tmp/ok.tls" "$tmp/syntax.tls"
$TLSSIM run "$tmp/ok.tls" "$tmp/syntax.tls" 2>/dev/null | grep -q 'ok.tls: ok' &&
	{ echo "FAIL: a file ran although another was malformed"; fails=$((fails + 1)); }
# standard input
if ! $TLSSIM run - <"$tmp/ok.tls" 2>&1 | grep -q '<stdin>: ok'; then
	echo "FAIL: run - did not read standard input"
	fails=$((fails + 1))
fi
# a pipe is copied to a temporary file in TMPDIR: none there is exit 4
cat "$tmp/ok.tls" | $TLSSIM run - >/dev/null 2>&1 ||
	{ echo "FAIL: run - did not run a pipe"; fails=$((fails + 1)); }
(TMPDIR=$tmp/none && export TMPDIR && cat "$tmp/ok.tls" | $TLSSIM run -) \
	>"$tmp/out" 2>&1
got=$?
if [ $got -ne 4 ] || ! grep -q "cannot make a temporary copy of '<stdin>'" "$tmp/out"; then
	echo "FAIL: run - with no TMPDIR: exit $got, expected 4 and why"
	fails=$((fails + 1))
fi
# a bad line at the end of standard input: reported, nothing runs
{ cat "$tmp/ok.tls"; echo 'spwan A x'; } | $TLSSIM run - >"$tmp/out" 2>&1
got=$?
if [ $got -ne 2 ] || ! grep -q "^<stdin>:[0-9]*:1: error: unknown command 'spwan'" "$tmp/out" ||
	grep -q 'ok' "$tmp/out"; then
	echo "FAIL: a bad last line of standard input: exit $got, expected 2, the error and no run"
	sed 's/^/  | /' "$tmp/out" | head -n 5
	fails=$((fails + 1))
fi
expect 0 '' -- run --quiet "$tmp/ok.tls"
[ -s "$tmp/out" ] && { echo "FAIL: --quiet printed on success"; fails=$((fails + 1)); }
expect 0 'ok.tls:2: spawn A t: success' -- run --verbose "$tmp/ok.tls"
# a failed expectation reads FAILED, in red (with its reason) under --color
expect 1 "bad.tls:3: expect tls t 0x200: FAILED\$" -- run --verbose --color=never "$tmp/bad.tls"
esc=$(printf '\033')
expect 1 "expect tls t 0x200: $esc\[1;31mFAILED$esc\[0m\$" \
	"$esc\[1;31mexpectation failed: expected t's TLS" \
	"bad.tls: $esc\[1;31mFAILED$esc\[0m: 1 failure" \
	-- run --verbose --color=always "$tmp/bad.tls"
expect 0 "ok.tls: $esc\[1;32mok$esc\[0m: 3 commands" -- run --color=always "$tmp/ok.tls"
expect 1 '' -- run --verbose --color=never "$tmp/bad.tls"
if grep -q "$esc" "$tmp/out"; then
	echo "FAIL: --color=never printed an escape sequence"
	fails=$((fails + 1))
fi
expect 1 '' -- run --verbose --color=auto "$tmp/bad.tls"	# not a terminal
if grep -q "$esc" "$tmp/out"; then
	echo "FAIL: --color=auto coloured output that is no terminal"
	fails=$((fails + 1))
fi
expect 0 'ok: every thread saw its own TLS' -- demo --threads=3 --yields=4 --processes=2
expect 1 'FAILED: threads saw a TLS' -- demo --no-tls-restore --quiet
# every check line: ok exactly when the register and ptr_self are the
# thread's own region (tls=) and what it read is its own; a thread that
# reads another's region is WRONG, even the last writer reading its message
demo_lines() {
	awk '/ tls=/ {
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^tls=/) tls = substr($i, 5)
			if ($i ~ /^reg=/) { reg = $i; sub(/^reg=[^+]*/, "", reg) }
			if ($i ~ /^self=/) self = substr($i, 6)
		}
		n++
		own = tls == reg && tls == self
		if (!own && $NF != "WRONG") bad++
		if ($NF == "ok") ok++
		if ($0 ~ /hello from / && !own && $NF == "WRONG") {
			if (index($0, "hello from " $2 " ")) stale_own++
		}
	}
	END { printf "%d %d %d %d\n", n, bad, ok, stale_own }' "$1"
}
expect 1 'FAILED' -- demo --no-tls-restore --threads=3 --yields=3
set -- $(demo_lines "$tmp/out")
if [ "$1" -ne 12 ] || [ "$2" -ne 0 ] || [ "$3" -ne 0 ] || [ "$4" -lt 1 ]; then
	echo "FAIL: demo --no-tls-restore: $1 check lines, $2 on another's region not WRONG, $3 ok, $4 last writers WRONG (want 12, 0, 0, >= 1)"
	sed 's/^/  | /' "$tmp/out"
	fails=$((fails + 1))
fi
expect 0 'ok: every thread' -- demo --threads=3 --yields=3 --processes=2
set -- $(demo_lines "$tmp/out")
if [ "$1" -ne 24 ] || [ "$3" -ne 24 ]; then
	echo "FAIL: demo: $1 check lines, $3 ok (want 24, 24)"
	sed 's/^/  | /' "$tmp/out"
	fails=$((fails + 1))
fi
expect 0 'ok: every thread saw its own TLS' -- demo --arch=mock --quiet
expect 2 '--threads wants a number' -- demo --threads=0
# input beyond the size limit is refused before anything runs
expect 2 'input larger than 67108864 bytes' -- run /dev/zero
head -c 2000 /dev/zero >"$tmp/zeros.tls"
expect 2 'zeros.tls: error: input larger than 1024 bytes' -- run --max-input=1K "$tmp/zeros.tls"
expect 2 '1:1: ' -- run --max-input=2K "$tmp/zeros.tls"
expect 2 '--max-input wants a size' -- run --max-input=lots "$tmp/ok.tls"
# a file saved by an editor that starts it with a UTF-8 byte-order mark
# and ends its lines with CR LF runs as it reads, from a file or a pipe
printf '\357\273\277process A userland=1M\r\nspawn A t\r\nexpect tls t 0x0\r\n' \
	>"$tmp/bom.tls"
expect 0 'bom.tls: ok: 3 commands, 1 expectation held' -- run "$tmp/bom.tls"
got=$($TLSSIM run --quiet - <"$tmp/bom.tls" 2>&1)
[ $? -eq 0 ] && [ -z "$got" ] ||
	fail "a byte-order mark from a pipe: '$got'"
# the host's mapping limit is the host's refusal (exit 4), not a KernelError
# (not under an emulator, nor under ASan, which needs mappings of its own).
# The scenario maps 4,500 pages more than this host's limit, each a host
# mapping of its own, in a 1 GiB land: a limit above 120,000 (some
# distributions set 1,048,576) is not reached here.
max_maps=$(cat /proc/sys/vm/max_map_count 2>/dev/null) || max_maps=0
if [ -n "${TLSSIM_EMULATOR:-}" ] || [ -n "${ASAN_OPTIONS:-}" ]; then
	echo "SKIP (not counted): mapping-limit check under ${TLSSIM_EMULATOR:-ASan}"
elif [ "${max_maps:-0}" -lt 1000 ] || [ "$max_maps" -gt 120000 ]; then
	echo "SKIP (not counted): mapping-limit check: vm.max_map_count is ${max_maps:-unknown} here, not 1000 to 120000"
else
	{ echo 'process A userland=1G'; echo 'spawn A t'; echo 'switch t'
	  awk -v n=$((max_maps + 4500)) 'BEGIN { for (i = 1; i < n; i++)
		printf "map A 0x%x 0x1000 Normal %s\n", i * 8192, i % 2 ? "rw" : "r" }'
	} >"$tmp/maplimit.tls"
	expect 4 'the host refused: mmap of 0x1000 bytes: Cannot allocate memory ([0-9]* host mappings: vm.max_map_count is [0-9]*)' -- run --quiet "$tmp/maplimit.tls"
fi
# the host's limit on open files is its refusal too (exit 4, said once):
# each file named stays open from its check to its run. Not under an
# emulator, which opens files of its own.
if [ -z "${TLSSIM_EMULATOR:-}" ]; then
	mkdir -p "$tmp/many"
	for i in $(seq 1 40); do cp "$tmp/ok.tls" "$tmp/many/f$i.tls"; done
	limited "-n 24" run --quiet "$tmp/many"/f*.tls
	[ "$got" = 4 ] || fail "40 files with 24 open at most: exit $got, not 4"
	grep -q "Too many open files: the host's limit on open files" "$tmp/out" ||
		fail "40 files with 24 open at most: the host's limit not named"
	[ "$(grep -c 'cannot open' "$tmp/out")" = 1 ] ||
		fail "40 files with 24 open at most: not one error"
else
	echo "SKIP (not counted): open-file limit check under $TLSSIM_EMULATOR"
fi
# more threads than one 64-page user land holds (512) still run
expect 0 'ok: every thread saw its own TLS' -- demo --threads=600 --yields=1 --quiet
# the limits --help gives are the ones refused: each option at its most,
# 20000 threads in all (processes x threads), and one thread more is not
expect 0 'At most 20000 threads asked in all: processes x threads' -- demo --help
expect 0 'ok: every thread saw its own TLS' -- demo --threads=10000 --processes=2 --yields=0 --quiet
expect 2 'at most 20000' -- demo --threads=6667 --processes=3 --quiet
expect 2 'from 1 to 10000' -- demo --threads=10001 --quiet
expect 2 'from 1 to 64' -- demo --processes=65 --quiet
expect 2 'demo: unexpected argument' -- demo extra
case ${TLSSIM_EMULATOR:-} in
*qemu-i386*)
	# one GDT for all emulated threads: a second CPU is refused
	expect 4 'the host refused 4 CPUs' -- demo --cpus=4 --quiet
	echo "SKIP (not counted): demo on several CPUs under $TLSSIM_EMULATOR" ;;
*)
	expect 0 'ok: every thread saw its own TLS' -- demo --cpus=4 --threads=40 --processes=3 --yields=5 --quiet
	expect 1 'FAILED: threads saw a TLS' -- demo --cpus=2 --no-tls-restore --quiet ;;
esac
expect 2 '--cpus wants a number from 1 to 64' -- demo --cpus=65
expect 2 '--cpus wants a number from 1 to 64' -- run --cpus=0 "$tmp/ok.tls"
expect 0 'switch+load ns' -- bench switch --iterations=1000
expect 0 'switch-cross' -- bench switch --iterations=1000
expect 2 "unknown workload 'frobnicate'" -- bench frobnicate
expect 2 "policy wants names" -- bench fill --policy=linux
expect 2 "mode wants" -- bench fill --mode=fast
expect 2 "n wants sizes" -- bench fill --n=0
# an empty item is a typo, not a shorter list
expect 2 "n wants sizes" -- bench fill --n=1000,,2000
expect 2 "n wants sizes" -- bench fill --n=1000,
expect 2 "policy wants names" -- bench fill --policy=indexed,
expect 0 '^Usage: tlssim bench' -- bench --help
# every workload, policy and mode at a small size, once; the table and the
# JSON name every policy and the floor
expect 0 '^churn  *floor  *bookkeeping  *1000 ' -- bench --n=1000 --runs=1 --iterations=1000
expect 0 '^scenario  *mesosphere  *kernel ' -- bench --n=1000 --runs=1 --iterations=1000
expect 0 '"policy": "floor"' -- bench fill churn --n=1000 --runs=1 --json
expect 0 '"ns_per_op"' -- bench fill --n=1000 --runs=1 --json
# --cold is said in the JSON (and only there is it true)
# the host's targets: a cross switch against its floor measured beside it,
# a process at 10^5 processes; met or not, they are judged and printed
expect 0 'switch-cross: a switch costs [0-9]* ns, [0-9.]*x one mprotect of a land ([0-9]* ns, side by side; lands hidden by \(protection keys\|mprotect: no protection keys here\)) (target: at most 2): \(NOT \)\{0,1\}met' -- bench switch-cross --policy=sunrise --runs=1 --iterations=2000
expect 0 '"mprotect_ns"' -- bench switch-cross --policy=sunrise --runs=1 --iterations=2000 --json
expect 0 'processes n=100000 kernel: a process costs [0-9.]* us (the slowest policy, indexed) (target: at most 1.5)' -- bench processes --policy=indexed --mode=kernel --n=100000 --runs=1
# the runner against the kernel model, parsing included, at 10^5
expect 0 'scenario n=100000, indexed: the runner takes [0-9]* ns a command, parsing included, [0-9.]*x the kernel model.s [0-9]* ns (fill and churn) (target: at most 2): \(NOT \)\{0,1\}met' -- bench fill churn scenario --policy=indexed --mode=kernel --n=100000 --runs=1
# and its floor here: two readings and a lookup a line, against its budget
expect 0 '(scenario n=100000: the runner.s floor here, the file read twice and a name looked up a line, is [0-9]* ns a command: [0-9.]*x the [0-9]* ns its target leaves it beside the kernel model.s work)' -- bench fill churn scenario --policy=indexed --mode=kernel --n=100000 --runs=1
expect 0 '"read_floor_ns": [1-9]' -- bench scenario --policy=indexed --n=1000 --runs=1 --json
# and its two readings apart: the check, and the run against the kernel model
expect 0 '(scenario n=100000: of the runner.s [0-9]* ns a command, the check took [0-9]* and the run [0-9]*, [0-9.]*x the kernel model.s [0-9]*)' -- bench fill churn scenario --policy=indexed --mode=kernel --n=100000 --runs=1
# (kernel_ns: 0, since no fill and churn ran beside it; tests/plot-bench-test.sh checks it above 0 with them)
expect 0 '"check_ns": [1-9]' '"kernel_ns": 0' -- bench scenario --policy=indexed --n=1000 --runs=1 --json
# and its memory: the scenario's peak over fill's (the kernel model's state)
expect 0 'scenario n=100000, indexed: the runner peaks at [0-9]* MiB, -\{0,1\}[0-9]* MiB over the kernel model.s [0-9]* MiB (fill); 300001 commands, few threads named again (target: at most 64): \(NOT \)\{0,1\}met' -- bench fill churn scenario --policy=indexed --mode=kernel --n=100000 --runs=1
expect 0 '"cold": true' -- bench churn --n=1000 --runs=1 --mode=kernel --cold --json
expect 0 '"cold": false' -- bench churn --n=1000 --runs=1 --mode=kernel --json
if [ -n "${JSONL_CHECK:-}" ]; then
	$TLSSIM bench fill --n=1000 --runs=1 --policy=indexed --json \
		>"$tmp/bench.json" 2>&1
	if ! $JSONL_CHECK --bench <"$tmp/bench.json" >"$tmp/out" 2>&1; then
		echo "FAIL: bench --json is not one JSON object"
		sed 's/^/  | /' "$tmp/out" | head -n 5
		fails=$((fails + 1))
	fi
	# the trace checker itself: null file and line are events (the doc
	# says so), a line that is not JSON is not, nor a line of 0
	printf '%s\n' '{"event":"panic","file":null,"line":null,"detail":"x"}' |
		$JSONL_CHECK >/dev/null 2>&1 ||
		{ echo "FAIL: jsonl-check refuses null file and line"; fails=$((fails + 1)); }
	printf '%s\n' '{"event":"map","file":"a.tls","line":1}' 'a.tls: ok: 1 command' |
		$JSONL_CHECK >/dev/null 2>&1 &&
		{ echo "FAIL: jsonl-check took a line that is not JSON"; fails=$((fails + 1)); }
	printf '%s\n' '{"event":"map","file":"a.tls","line":0}' |
		$JSONL_CHECK >/dev/null 2>&1 &&
		{ echo "FAIL: jsonl-check took line 0"; fails=$((fails + 1)); }
fi
expect 0 'tour.tls: ok' -- run "$top_srcdir/examples/tour.tls"

# Exit 4: a user land the host cannot reserve. A 32-bit host cannot even
# name that size (the parser says so, exit 2); a 64-bit one tries, and mmap
# refuses.
printf 'process P userland=1000000G\nspawn P t\n' >"$tmp/huge.tls"
$TLSSIM run "$tmp/huge.tls" >"$tmp/out" 2>&1
got=$?
if grep -q 'too big for this host' "$tmp/out"; then
	[ $got -eq 2 ] || { echo "FAIL: huge land on 32-bit: exit $got, expected 2"; fails=$((fails + 1)); }
elif [ $got -ne 4 ] || ! grep -q 'the host refused: cannot reserve a user land' "$tmp/out"; then
	echo "FAIL: huge land: exit $got, expected 4 with a host refusal"
	sed 's/^/  | /' "$tmp/out"
	fails=$((fails + 1))
fi

# Exit 4 with the reason on stderr: memory runs out while parsing. The
# run streams its commands and keeps only the names, so it takes names:
# 3.5 million threads' (53 MB of `spawn`), whose check sizes its hash
# table for all of them (8 million slots of 16 bytes, 128 MiB), under a
# limit of 120 MB of address space. The names end in a letter (t17x): a
# name like t17 would be 8 bytes of an array by its number (numbered.c),
# 28 MB for them all. A sanitizer's or an emulator's own reservations
# do not fit such a limit: when the program cannot even start under it,
# this is not checked (and said).
awk 'BEGIN { print "process A userland=64K"
	     for (i = 0; i < 3500000; i++) printf "spawn A t%dx\n", i }' >"$tmp/oom.tls"
if ( (ulimit -v 120000 && exec $TLSSIM --version) ) >/dev/null 2>&1; then
	(ulimit -v 120000 && exec $TLSSIM run "$tmp/oom.tls") >/dev/null 2>"$tmp/out"
	got=$?
	if [ $got -ne 4 ] || ! grep -q "out of memory parsing '$tmp/oom.tls'" "$tmp/out"; then
		echo "FAIL: parsing out of memory: exit $got, expected 4 and why on stderr"
		sed 's/^/  | /' "$tmp/out" | head -n 5
		fails=$((fails + 1))
	fi
else
	echo "not checked: parsing out of memory (the program does not start under ulimit -v)"
fi
rm -f "$tmp/oom.tls"

# scripts/gen-churn names no policy unless asked, so --policy applies; a
# file's policy= that overrides --policy says so on stderr
gen=$top_srcdir/scripts/gen-churn
sh "$gen" 40 20 >"$tmp/churn.tls"
if grep -q 'policy=' "$tmp/churn.tls"; then
	echo "FAIL: gen-churn wrote a policy= it was not asked for"
	fails=$((fails + 1))
fi
expect 0 'churn.tls: ok: 82 commands' -- run --policy=mesosphere "$tmp/churn.tls"
if grep -q 'warning' "$tmp/out"; then
	echo "FAIL: a file with no policy= warned"
	fails=$((fails + 1))
fi
sh "$gen" --policy=indexed 40 20 >"$tmp/churn.tls"
grep -q '^process A userland=[0-9]* policy=indexed$' "$tmp/churn.tls" ||
	{ echo "FAIL: gen-churn --policy=indexed wrote no policy=indexed"; fails=$((fails + 1)); }
expect 0 "churn.tls:1: warning: process A: the file's policy=indexed overrides --policy=sunrise" \
	-- run --policy=sunrise "$tmp/churn.tls"
expect 0 '' -- run --policy=indexed "$tmp/churn.tls"
if grep -q 'warning' "$tmp/out"; then
	echo "FAIL: policy=indexed warned under --policy=indexed"
	fails=$((fails + 1))
fi
if sh "$gen" 10 5 sunrise >/dev/null 2>&1 || sh "$gen" --frob 10 >/dev/null 2>&1; then
	echo "FAIL: gen-churn took a third argument or an unknown option"
	fails=$((fails + 1))
fi

[ $fails -eq 0 ] && echo "cli-test: all passed"
exit $((fails != 0))
