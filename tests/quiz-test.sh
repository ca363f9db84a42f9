#!/bin/sh
# tests/quiz-test.sh: `tlssim quiz`.
# - golden problems: fixed seeds print fixed text (tests/quiz/cases lists
#   them, tests/quiz/NAME.out holds each); the same on every host, since
#   the quiz has its own random numbers and prints no host address;
# - every --emit-scenario runs clean through `tlssim run` (exit 0), for
#   several seeds, policies and shapes, and states the same answers as -c;
# - the operations do not depend on --policy; the answers do where the
#   policies differ (mesosphere against sunrise), and not where a policy
#   promises the seed's addresses (indexed);
# - every question type (-t) and level (-d) emits a scenario that runs
#   clean with run's --policy (and --no-tls-restore where asked), since
#   the file carries no policy= unless --emit-policy or mixed policies;
# - a seed gives the same problem twice, and other seeds other problems;
# - -c says why, in the words of the policy;
# - bad options exit 2 with `tlssim: quiz:` and what was expected.
# TLSSIM names the program (with its emulator); top_srcdir the source tree.
# With --update, the golden files are written instead of compared.
. "${top_srcdir:?}/tests/testlib.sh"
test_begin quiz

# quiz ARGS...: the problem into $tmp/out; its exit status.
quiz() {
	# shellcheck disable=SC2086
	$TLSSIM quiz "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
}

# golden problems
while read -r name args; do
	case $name in '' | '#'*) continue ;; esac
	golden=$top_srcdir/tests/quiz/$name.out
	# shellcheck disable=SC2086
	quiz $args || fail "tlssim quiz $args: exit $?"
	if [ "${1:-}" = --update ]; then
		cp "$tmp/out" "$golden"
		echo "wrote $golden"
	elif ! cmp -s "$golden" "$tmp/out"; then
		fail "tlssim quiz $args differs from tests/quiz/$name.out"
		diff "$golden" "$tmp/out" | sed 's/^/  | /' | head -n 20
	fi
done <"$top_srcdir/tests/quiz/cases"
[ "${1:-}" = --update ] && exit 0

# The answers of a problem, one "THREAD OFFSET" a line: from -c text (a
# full land is "none"), and from an emitted scenario.
answers_text() {
	sed -n 's/^ *[0-9]*  spawn [A-Z] \([a-z][0-9]*\) *-> TLS at \(0x[0-9a-f]*\).*/\1 \2/p
		s/^ *[0-9]*  spawn [A-Z] \([a-z][0-9]*\) *-> no TLS.*/\1 none/p' "$1"
}
answers_scenario() {
	awk '/^expect error/ { err = 1; next }
	     /^spawn / { if (err) print $3, "none"; err = 0; next }
	     /^expect tls / { print $3, $4 }' "$1"
}

# emitted scenarios run clean and agree with -c
for policy in sunrise indexed mesosphere; do
	for shape in "-n 12" "-n 40 --maps 8" "-n 120 --processes 3 --maps 40" \
		     "-n 300 --maps 300"; do
		for seed in 0 1 2 3 4 5 6 7; do
			args="-s $seed $shape --policy $policy"
			# shellcheck disable=SC2086
			quiz $args --emit-scenario || fail "tlssim quiz $args --emit-scenario: exit $?"
			mv "$tmp/out" "$tmp/q.tls"
			# no policy= in the file: run's --policy applies
			if ! $TLSSIM run --quiet --policy $policy "$tmp/q.tls" >"$tmp/run" 2>&1; then
				fail "tlssim quiz $args --emit-scenario does not run clean"
				sed 's/^/  | /' "$tmp/run" | head -n 10
			fi
			# shellcheck disable=SC2086
			quiz $args -c || fail "tlssim quiz $args -c: exit $?"
			answers_text "$tmp/out" >"$tmp/a.text"
			answers_scenario "$tmp/q.tls" >"$tmp/a.scn"
			if [ ! -s "$tmp/a.text" ] || ! cmp -s "$tmp/a.text" "$tmp/a.scn"; then
				fail "tlssim quiz $args: -c and --emit-scenario disagree"
				diff "$tmp/a.text" "$tmp/a.scn" | sed 's/^/  | /' | head -n 10
			fi
		done
	done
done
# a full user land: the scenario expects the error, and still runs clean
quiz -s 27 -n 60 --maps 20 --emit-scenario
grep -q '^expect error VirtualMemoryExhaustion' "$tmp/out" ||
	fail "seed 27: no spawn into a full land"

# The same operations whatever the policy; the answers as the policies
# promise. Compares the numbered lines only (the header names the policy).
ops_of() {
	grep '^ *[0-9][0-9]*  ' "$tmp/out" | sed 's/ *->.*//'
}
for args in "-s 11 -n 20 --maps 4" "-s 3 -n 200 --maps 30" \
	    "-s 5 -n 100 --processes 3 --maps 20"; do
	# shellcheck disable=SC2086
	quiz $args; ops_of >"$tmp/ops.sunrise"
	# shellcheck disable=SC2086
	quiz $args --policy mesosphere; ops_of >"$tmp/ops.meso"
	cmp -s "$tmp/ops.sunrise" "$tmp/ops.meso" ||
		fail "tlssim quiz $args: the operations depend on the policy"
	for policy in sunrise indexed mesosphere; do
		# shellcheck disable=SC2086
		quiz $args -c --policy $policy
		answers_text "$tmp/out" >"$tmp/a.$policy"
	done
	cmp -s "$tmp/a.sunrise" "$tmp/a.indexed" ||
		fail "tlssim quiz $args: indexed answers differ from sunrise's"
done
# seed 11: sunrise fills its first page (0x3000) before the lower one at
# 0x0; mesosphere takes the lowest address with room
quiz -s 11 -n 20 --maps 4 -c
grep -q '^ 19  spawn A a14    -> TLS at 0x3c00$' "$tmp/out" ||
	fail "seed 11, sunrise: a14 is not at 0x3c00"
quiz -s 11 -n 20 --maps 4 -c --policy mesosphere
grep -q '^ 19  spawn A a14    -> TLS at 0xa00$' "$tmp/out" ||
	fail "seed 11, mesosphere: a14 is not at 0xa00"
# seed 0: mesosphere unmaps a page when its last thread exits; sunrise never
quiz -s 0 -n 20 -c --policy mesosphere
grep -q 'exit a1 *-> its TLS page is unmapped' "$tmp/out" ||
	fail "seed 0, mesosphere: no page unmapped at the exit of a1"
quiz -s 0 -n 20 -c
grep -q 'TLS page is unmapped' "$tmp/out" && fail "seed 0, sunrise: a page was unmapped"

# every type and level: the emitted scenario runs clean under the same
# policy (its expectations are the answers; where it fails only because a
# spy read past its region at the segment limit, region_limit_faults, it
# must run clean on mock, as the problem says), and its expectations are
# there to fail: a scenario run under another policy must fail somewhere
spy_limited=0
for type in land pages unmap register spy leak mix; do
	for level in "" "-d 1" "-d 2" "-d 3"; do
		for restore in "" --no-tls-restore; do
			for seed in 0 1; do
				args="-s $seed -t $type $level $restore"
				# shellcheck disable=SC2086
				quiz $args --emit-scenario || fail "tlssim quiz $args --emit-scenario: exit $?"
				run=$(sed -n 's/^# run it with `tlssim run\(.*\) FILE`\.$/\1/p' "$tmp/out")
				mv "$tmp/out" "$tmp/q.tls"
				# shellcheck disable=SC2086
				$TLSSIM run --quiet $run "$tmp/q.tls" >"$tmp/run" 2>&1 && continue
				# a spy's read past its region faults at the segment
				# limit: then it runs on mock, as the problem says
				if grep -q '^\(expect \)\{0,1\}read [a-z0-9]* tls+' "$tmp/q.tls" &&
				   region_limit_faults &&
				   grep -q 'segment-limit fault' "$tmp/run"; then
					spy_limited=$((spy_limited + 1))
					run="$run --arch=mock"
					# shellcheck disable=SC2086
					$TLSSIM run --quiet $run "$tmp/q.tls" >"$tmp/run" 2>&1 && continue
				fi
				fail "tlssim quiz $args --emit-scenario does not run clean with 'tlssim run$run'"
				sed 's/^/  | /' "$tmp/run" | head -n 5
			done
		done
	done
done
# the expectations can fail: seed 0's unmap problem under sunrise
quiz -s 0 -n 20 -t unmap --emit-scenario
grep -q '^expect map A 0x0 Unmapped$' "$tmp/out" ||
	fail "seed 0, unmap: no page expected unmapped"
mv "$tmp/out" "$tmp/q.tls"
$TLSSIM run --quiet --policy sunrise "$tmp/q.tls" >"$tmp/run" 2>&1 &&
	fail "seed 0, unmap: mesosphere's answers hold under sunrise"
grep -q 'expected the mapping at A+0x0 to be Unmapped' "$tmp/run" ||
	fail "seed 0, unmap under sunrise: not the unmap that failed"
# a register problem under --no-tls-restore fails with the register reloaded
quiz -s 4 -n 20 -t register -d 2 --no-tls-restore --emit-scenario
mv "$tmp/out" "$tmp/q.tls"
grep -q '^expect fault$' "$tmp/q.tls" || fail "register, no restore: no fault expected"
$TLSSIM run --quiet "$tmp/q.tls" >"$tmp/run" 2>&1 &&
	fail "register: the no-restore answers hold with the register restored"
# no policy= unless asked; with mixed policies (level 3) each process's
quiz -s 5 -d 2 --policy mesosphere --emit-scenario
grep -q 'policy=' "$tmp/out" && fail "--emit-scenario wrote policy= unasked"
grep -q '^# run it with `tlssim run --policy mesosphere FILE`.$' "$tmp/out" ||
	fail "--emit-scenario does not say to run with --policy mesosphere"
quiz -s 5 -d 2 --policy mesosphere --emit-scenario --emit-policy
[ "$(grep -c '^process [A-Z] userland=64K policy=mesosphere$' "$tmp/out")" -ge 3 ] ||
	fail "--emit-policy: not every process line has policy=mesosphere"
quiz -s 5 -d 3 --emit-scenario
grep -q '^process A userland=64K policy=sunrise$' "$tmp/out" &&
	grep -q '^process C userland=64K policy=mesosphere$' "$tmp/out" ||
	fail "-d 3: the processes do not carry their mixed policies"

# reproducible by seed: twice the same, another seed another problem
for args in "-t mix -d 3" "-t spy -n 40" "-t register -d 2 --no-tls-restore" \
	    "-t leak -d 2"; do
	# shellcheck disable=SC2086
	quiz -s 9 $args -c; mv "$tmp/out" "$tmp/r1"
	# shellcheck disable=SC2086
	quiz -s 9 $args -c; cmp -s "$tmp/out" "$tmp/r1" ||
		fail "tlssim quiz -s 9 $args -c: two runs differ"
	# shellcheck disable=SC2086
	quiz -s 10 $args -c; cmp -s "$tmp/out" "$tmp/r1" &&
		fail "tlssim quiz $args -c: seeds 9 and 10 give the same problem"
done
# the default type and level did not change with the new ones: -t land
# is the default, and the question is the same with or without it
quiz -s 1 -n 12; mv "$tmp/out" "$tmp/r1"
quiz -s 1 -n 12 -t land; cmp -s "$tmp/out" "$tmp/r1" || fail "-t land differs from the default"

# -c says why, in the words of the policy
quiz -s 11 -n 20 --maps 4 -c
grep -A2 '^ 19  spawn A a14' "$tmp/out" | tr '\n' ' ' |
	grep -q 'sunrise takes the first page with a free slot, in the order the *pages were made: 0x3000 (not the lowest one with room)' ||
	fail "seed 11, sunrise: a14's why does not name the rule"
quiz -s 11 -n 20 --maps 4 -c --policy mesosphere
grep -A2 '^ 19  spawn A a14' "$tmp/out" | tr '\n' ' ' |
	grep -q 'mesosphere takes the lowest-address page with a free slot: 0x0' ||
	fail "seed 11, mesosphere: a14's why does not name the rule"
quiz -s 0 -n 20 -t unmap -c
grep -A1 'exit a1 *-> its TLS page is unmapped (0x0)' "$tmp/out" |
	grep -q 'mesosphere unmaps the emptied' || fail "seed 0, unmap: no why"
quiz -s 0 -n 20 -t unmap -c --policy sunrise
grep -A2 'exit a1 *-> nothing unmapped' "$tmp/out" | tr '\n' ' ' |
	grep -q 'sunrise keeps an emptied *page mapped' ||
	fail "seed 0, unmap under sunrise: no why"

# bad command lines: exit 2 and what was expected
expect2() {
	pattern=$1
	shift
	quiz "$@"
	got=$?
	if [ $got -ne 2 ]; then
		fail "tlssim quiz $*: exit $got, expected 2"
	elif ! grep -q -e "^tlssim: quiz: $pattern" "$tmp/err"; then
		fail "tlssim quiz $*: no message '$pattern'"
		sed 's/^/  | /' "$tmp/err"
	fi
}
expect2 "--seed wants a whole number from 0 to 18446744073709551615, not '-1'" -s -1
expect2 "--seed wants a whole number" -s 18446744073709551616
expect2 "--seed wants a whole number" --seed=0x10
expect2 "--ops wants a number from 1 to 1000, not '0'" -n 0
expect2 "--ops wants a number from 1 to 1000" --ops=1001
expect2 "unknown --policy 'linux' (expected sunrise, indexed, mesosphere" --policy linux
expect2 "--processes wants a number from 1 to 8, not '9'" --processes 9
expect2 "--processes wants a number from 1 to 8" --processes=0
expect2 "--maps wants a number from 0 to 1000" --maps -3
expect2 "unknown option '-x'" -x
expect2 "unknown option '--frobnicate'" --frobnicate
expect2 "option '-s' needs a value" -s
expect2 "unexpected argument 'extra'" -s 1 extra
expect2 "unknown --type 'where' (expected land, pages, unmap, register, spy, leak or mix)" -t where
expect2 "--level wants a number from 1 to 3, not '4'" -d 4
expect2 "--level wants a number from 1 to 3" --level=0
quiz --help
[ $? -eq 0 ] && grep -q '^Usage: tlssim quiz' "$tmp/out" || fail "quiz --help"

[ "$spy_limited" -eq 0 ] ||
	echo "quiz-test: $spy_limited spy problems faulted at the segment limit here, and ran clean on mock"
[ $fails -eq 0 ] && echo "quiz-test: all passed"
exit $((fails != 0))
