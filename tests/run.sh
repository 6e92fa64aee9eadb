#!/usr/bin/env bash
# tests/run.sh - run every test and print "N passed, N failed, N skipped".
#
# Tests are: the unit test programs built from tests/unit/LIB/test_*.c
# (build/unit/LIB/test_* and build/unit-san/LIB/test_*; a source whose
# program is missing fails, a program whose source is gone is stale and not
# run), and every tests/integration/**/*.sh that starts with "#!" - which
# must be executable: one without its run bit fails. Helpers are never
# run: a .sh without "#!" (sourced, such as lib.sh), or one whose first 15
# lines say "not a test" (a program the tests call, such as make-site.sh).
# A test passes with exit 0, is skipped with exit 77 (its last output line
# says why), and fails otherwise or when it runs past its time limit
# (TEST_TIMEOUT seconds, default 900; a script may set its own with a line
# "# timeout: N"). Output of each test goes to build/test-logs/NAME.log and
# is shown when it fails.
# A test whose first 15 lines say "# lane: background" (a bounded,
# CPU-bound fuzzer that opens no port) runs in a second lane, one such test
# at a time, alongside the others: on two cores that saves their minutes.
#   tests/run.sh [--match REGEX]
set -uo pipefail
cd "$(dirname "$0")/.."
match=""
[ "${1:-}" = --match ] && match=${2:-}
logdir=build/test-logs
mkdir -p "$logdir"
pass=0 fail=0 skip=0 failed=()

run_one() {
	local name=$1; shift
	[ -z "$match" ] || [[ $name =~ $match ]] || return 0
	local log="$logdir/${name//\//_}.log" limit=${TEST_TIMEOUT:-900}
	local script=$1
	if [ -f "$script" ] && head -c 2 "$script" | grep -q '#!'; then
		local t; t=$(sed -n 's/^# timeout: \([0-9]*\).*/\1/p' "$script" | head -1)
		[ -z "$t" ] || limit=$t
	fi
	local start=$SECONDS
	timeout -k 10 "$limit" "$@" > "$log" 2>&1 < /dev/null
	local rc=$? dur=$((SECONDS - start))
	local report # printed in one write, so the two lanes' lines do not mix
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1)); report=$(printf 'PASS %s (%ss)' "$name" "$dur")
	elif [ $rc -eq 77 ]; then
		skip=$((skip + 1)); report=$(printf 'SKIPPED %s: %s' "$name" "$(grep -v '^$' "$log" | tail -1)")
	else
		fail=$((fail + 1)); failed+=("$name")
		[ $rc -eq 124 ] && echo "(timed out after ${limit}s)" >> "$log"
		report=$(printf 'FAIL %s (exit %s, %ss) - last lines of %s:\n' "$name" "$rc" "$dur" "$log"
			tail -n 25 "$log" | sed 's/^/    /')
	fi
	printf '%s\n' "$report"
}

# not_runnable NAME REASON: a test that cannot run counts as failed.
not_runnable() {
	[ -z "$match" ] || [[ $1 =~ $match ]] || return 0
	fail=$((fail + 1)); failed+=("$1")
	printf 'FAIL %s: %s\n' "$1" "$2"
}

for kind in unit unit-san; do
	for src in tests/unit/*/test_*.c; do
		[ -e "$src" ] || continue
		t=build/$kind/${src#tests/unit/}
		t=${t%.c}
		if [ -x "$t" ]; then
			run_one "${t#build/}" "$t"
		else
			not_runnable "${t#build/}" "not built from $src (run make test)"
		fi
	done
	for t in build/$kind/*/test_*; do
		[ -f "$t" ] && [ ! -e "tests/unit/${t#build/$kind/}.c" ] || continue
		echo "stale: $t (its source is gone; not run)"
	done
done
# run_integration LIST: run (or refuse) each integration test named in LIST.
run_integration() {
	local t
	while IFS= read -r t; do
		[ -n "$t" ] || continue
		if [ -x "$t" ]; then
			run_one "${t#tests/}" "$t"
		else
			not_runnable "${t#tests/}" "not executable (chmod +x $t)"
		fi
	done <<< "$1"
}

serial="" background=""
while IFS= read -r t; do
	head -c 2 "$t" | grep -q '#!' || continue    # a sourced helper
	head -15 "$t" | grep -qi 'not a test' && continue # a helper program
	if head -15 "$t" | grep -q '^# lane: background'; then
		background+="$t"$'\n'
	else
		serial+="$t"$'\n'
	fi
done < <(find tests/integration -name '*.sh' 2>/dev/null | sort)

# The background lane counts in its own shell and hands its totals back
# through a file.
lane_totals=$logdir/.background-lane
rm -f "$lane_totals"
(
	pass=0 fail=0 skip=0 failed=()
	run_integration "$background"
	echo "$pass $fail $skip ${failed[*]}" > "$lane_totals"
) &
lane_pid=$!
run_integration "$serial"
wait "$lane_pid"
if read -r bp bf bs bfailed < "$lane_totals"; then
	pass=$((pass + bp)) fail=$((fail + bf)) skip=$((skip + bs))
	[ -z "$bfailed" ] || failed+=($bfailed)
else
	fail=$((fail + 1)); failed+=("background-lane")
	echo "FAIL background lane: it left no totals in $lane_totals"
fi

echo
[ ${#failed[@]} -eq 0 ] || printf 'failed: %s\n' "${failed[*]}"
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
