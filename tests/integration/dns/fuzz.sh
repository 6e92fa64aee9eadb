#!/usr/bin/env bash
# libFuzzer on the DNS decoder and the server's query path (memo and
# engine must agree byte for byte; responses must parse), bounded to 30 s,
# starting from the committed seed corpus tests/fuzz/dns/corpus.
# timeout: 300
. "$(dirname "$0")/../lib.sh"
need_cmd clang
make --no-print-directory -s fuzz-dns >/dev/null 2>&1 || skip "cannot build a libFuzzer target (needs clang and libclang-rt-14-dev)"
work=$(mktemp -d)
trap 'cleanup_bg; rm -rf "$work"' EXIT
build/fuzz/dns_fuzz -max_total_time="${FUZZ_SECONDS:-30}" -timeout=10 -rss_limit_mb=1024 \
	-artifact_prefix="$work/" -print_final_stats=1 "$work" tests/fuzz/dns/corpus 2>&1 | tail -12
ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* >/dev/null 2>&1 && fail "fuzzer found a failing input: $(ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* 2>/dev/null)"
echo "fuzzing finished without a failure"
