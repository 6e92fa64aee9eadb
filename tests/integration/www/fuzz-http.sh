#!/usr/bin/env bash
# fuzz-http.sh - libFuzzer on lib/http, bounded (FUZZ_HTTP_SECONDS, default
# 20): the request parser fed whole and in pieces must agree, and every
# request's answer against a small site must fit apps/www's head buffer.
# timeout: 180
# lane: background
. "$(dirname "$0")/../lib.sh"
need_cmd clang
make --no-print-directory -s fuzz-http >/dev/null 2>&1 || skip "cannot build libFuzzer targets (needs clang and libclang-rt-14-dev)"
work=$(mktemp -d)
trap 'cleanup_bg; rm -rf "$work"' EXIT
build/fuzz/http -max_total_time="${FUZZ_HTTP_SECONDS:-20}" -timeout=10 -rss_limit_mb=1024 \
	-artifact_prefix="$work/crash-" -print_final_stats=1 "$work" tests/fuzz/http/corpus > "$work/log" 2>&1 || true
tail -4 "$work/log"
if ls "$work"/crash-* >/dev/null 2>&1; then
	grep -B2 -A20 "ERROR\|ALARM\|deadly" "$work/log" | head -60
	fail "the HTTP fuzzer found a failing input"
fi
grep -q "^Done [0-9]* runs" "$work/log" || fail "the fuzzer did not finish its runs"
echo "http fuzzer: no failure in $(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$work/log") runs"
