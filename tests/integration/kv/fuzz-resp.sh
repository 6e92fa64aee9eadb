#!/usr/bin/env bash
# fuzz-resp.sh - libFuzzer on lib/resp's request parser, bounded
# (FUZZ_RESP_SECONDS, default 20): requests parsed whole and as they
# arrive in pieces must agree, arguments stay inside the buffer, nothing
# is read past it.
# timeout: 180
# lane: background
. "$(dirname "$0")/../lib.sh"
need_cmd clang
make --no-print-directory -s fuzz-resp >/dev/null 2>&1 || skip "cannot build libFuzzer targets (needs clang and libclang-rt-14-dev)"
work=$(mktemp -d)
trap 'cleanup_bg; rm -rf "$work"' EXIT
build/fuzz/resp -max_total_time="${FUZZ_RESP_SECONDS:-20}" -timeout=10 -rss_limit_mb=1024 \
	-artifact_prefix="$work/crash-" -print_final_stats=1 "$work" tests/fuzz/resp/corpus > "$work/log" 2>&1 || true
tail -4 "$work/log"
if ls "$work"/crash-* >/dev/null 2>&1; then
	grep -B2 -A20 "ERROR\|ALARM\|deadly" "$work/log" | head -60
	fail "the RESP fuzzer found a failing input"
fi
grep -q "^Done [0-9]* runs" "$work/log" || fail "the fuzzer did not finish its runs"
echo "resp fuzzer: no failure in $(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$work/log") runs"
