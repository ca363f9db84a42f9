# tests/testlib.sh: what the shell tests share. Source it, then call
# test_begin NAME: it checks that TLSSIM (the program, with its emulator)
# and top_srcdir are set, makes $tmp (removed at exit) and sets fails=0.
set -u

test_begin() {
	: "${TLSSIM:?}" "${top_srcdir:?}"
	fails=0
	tmp=${TMPDIR:-/tmp}/tlssim-$1.$$
	mkdir -p "$tmp"
	trap 'rm -rf "$tmp"' EXIT
}

# fail MESSAGE...: count a failure and say what it was.
fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

# expect STATUS PATTERN... -- ARGS...: `tlssim ARGS` (run in $expect_dir,
# the current directory by default, with no input) exits STATUS and, for
# each PATTERN that is not empty, prints a line matching it. The output is
# left in $tmp/out; a failure shows it.
expect() {
	want=$1
	shift
	patterns=
	while [ "$1" != -- ]; do
		patterns="$patterns$1
"
		shift
	done
	shift
	# shellcheck disable=SC2086
	(cd "${expect_dir:-.}" && $TLSSIM "$@") >"$tmp/out" 2>&1 </dev/null
	got=$?
	if [ "$got" != "$want" ]; then
		fail "tlssim $*: exit $got, expected $want"
		sed 's/^/  | /' "$tmp/out" | head -n 40
		return
	fi
	missing=$(echo "$patterns" | while IFS= read -r p; do
		[ -n "$p" ] && ! grep -q -e "$p" "$tmp/out" && echo "$p"
	done)
	if [ -n "$missing" ]; then
		echo "$missing" | while IFS= read -r p; do
			echo "FAIL: tlssim $*: no line matches '$p'"
		done
		sed 's/^/  | /' "$tmp/out" | head -n 40
		fails=$((fails + 1))
	fi
}

# scenario_header FILE KEY: the value of the first '#! KEY: VALUE' line
# of a golden scenario (empty when there is none). Header lines may end in
# CR LF, as a scenario's lines may.
scenario_header() {
	sed -n "s/^#! $2: *//p" "$1" | head -n 1 | tr -d '\r'
}

# quiet_stream FILE WHAT: fails with WHAT (and shows the start of FILE)
# unless FILE is empty: a stream that is not a terminal got no progress.
quiet_stream() {
	[ -s "$1" ] || return 0
	fail "$2"
	sed 's/^/  | /' "$1" | head -n 5
}

# have_terminal: whether script(1) is here to give a command a terminal;
# when it is not, says that the terminal half is not checked.
have_terminal() {
	command -v script >/dev/null 2>&1 && return 0
	echo "not checked: progress on a terminal (no script(1))"
	return 1
}

# on_terminal DELAY COMMAND: the shell COMMAND run on a terminal that
# script(1) makes (COMMAND redirects its stdout itself), with progress
# shown after DELAY seconds (empty: tlssim's own delay). What the terminal
# got is left in $tmp/typescript.
on_terminal() {
	# shellcheck disable=SC2086
	env ${1:+TLSSIM_PROGRESS_DELAY=$1} script -qec "$2" "$tmp/typescript" \
		>/dev/null 2>&1 </dev/null
}

# terminal_shows PATTERN WHAT: fails with WHAT (and the terminal's first
# bytes) unless the last on_terminal showed a line matching PATTERN.
terminal_shows() {
	grep -q -e "$1" "$tmp/typescript" && return 0
	fail "$2"
	od -c "$tmp/typescript" | head -n 8
}

# region_limit_faults: whether the register backend this build takes by
# default stops a thread at the end of its 0x200-byte region: the i386
# segment limit, where the CPU enforces it (natively; qemu-i386 does not).
# Decided by running tlssim once per test, never assumed.
region_limit_faults() {
	if [ -z "${region_limit:-}" ]; then
		printf 'process A userland=64K\nspawn A t\nread t tls+0x200 1\n' \
			>"$tmp/region-limit.tls"
		region_limit=no
		$TLSSIM run --color=never "$tmp/region-limit.tls" 2>&1 |
			grep -q 'segment-limit fault' && region_limit=yes
	fi
	[ "$region_limit" = yes ]
}

# golden_out DIR NAME: the expected output of golden scenario NAME in DIR:
# NAME.limit.out where it has one and the default backend faults at a
# region's end (region_limit_faults), else NAME.out.
golden_out() {
	if [ -f "$1/$2.limit.out" ] && region_limit_faults; then
		echo "$1/$2.limit.out"
	else
		echo "$1/$2.out"
	fi
}

# Set under a sanitizer (the sanitize leg), whose quarantine keeps freed
# memory (up to 256 MiB): peak memory is not compared then.
sanitized=${ASAN_OPTIONS:-}${UBSAN_OPTIONS:-}

# peak_kib ARGS...: the peak resident set (KiB, /usr/bin/time -f %M) of
# `tlssim ARGS`, its input $peak_in (else /dev/null), its output in
# $peak_out (else $tmp/peak.out), its errors in $tmp/run.err; 0 when it
# did not succeed (said on stderr). Check first that /usr/bin/time -f
# works and that no emulator runs tlssim (its memory is not tlssim's).
peak_kib() {
	# shellcheck disable=SC2086
	if ! /usr/bin/time -o "$tmp/time" -f %M $TLSSIM "$@" \
		<"${peak_in:-/dev/null}" >"${peak_out:-$tmp/peak.out}" \
		2>"$tmp/run.err"; then
		fail "tlssim $*: did not succeed" >&2
		sed 's/^/  | /' "${peak_out:-$tmp/peak.out}" "$tmp/run.err" |
			head -n 10 >&2
		echo 0
		return
	fi
	tail -n 1 "$tmp/time"
}

# ratio_ok A B LIMIT_PERCENT: whether both peaks are known (peak_kib gave
# no 0) and, unless under a sanitizer, 100 * B / A is at most the limit.
ratio_ok() {
	[ "$1" -gt 0 ] && [ "$2" -gt 0 ] &&
		{ [ -n "$sanitized" ] || [ $(($2 * 100 / $1)) -le "$3" ]; }
}

# limited LIMIT ARGS...: `tlssim ARGS` under `ulimit LIMIT` (-n 24, -v
# 100000), with no input, its output in $tmp/out and its exit status in
# $got. Returns 1, saying "not checked", when the loader itself could not
# start tlssim under that limit (then nothing is known of tlssim).
limited() {
	lim=$1
	shift
	# shellcheck disable=SC2086
	(ulimit $lim && $TLSSIM "$@") >"$tmp/out" 2>&1 </dev/null
	got=$?
	grep -q 'error while loading shared libraries' "$tmp/out" || return 0
	echo "not checked: tlssim $* under ulimit $lim (the loader needs more)"
	return 1
}
