#!/usr/bin/env bash
# libFuzzer, bounded: (1) the DNS decoder and the server's query path
# (memo and engine must agree byte for byte; responses must parse back),
# 30 s from tests/fuzz/dns/corpus; (2) zonec's parser, builder, memo and
# emitter on arbitrary text, 20 s from tests/fuzz/zonec/corpus.
# timeout: 300
# lane: background
. "$(dirname "$0")/../lib.sh"
need_cmd clang
# With clang here, a fuzzer that does not build is a failure, not a skip
# (libclang-rt-14-dev, which libFuzzer needs, is in .ci/packages.txt).
make --no-print-directory -s fuzz-dns fuzz-zonec > /tmp/mica-fuzz-build.$$ 2>&1 ||
	{ tail -20 /tmp/mica-fuzz-build.$$; rm -f /tmp/mica-fuzz-build.$$; fail "cannot build the DNS fuzzers with clang"; }
rm -f /tmp/mica-fuzz-build.$$
work=$(mktemp -d)
trap 'cleanup_bg; rm -rf "$work"' EXIT
run_fuzzer() {  # binary seconds corpus
	local name; name=$(basename "$1")
	mkdir -p "$work/$name"
	"$1" -max_total_time="$2" -timeout=10 -rss_limit_mb=1024 -artifact_prefix="$work/$name-" \
		-print_final_stats=1 "$work/$name" "$3" > "$work/$name.log" 2>&1 || true
	tail -6 "$work/$name.log"
	if ls "$work/$name"-* >/dev/null 2>&1; then
		grep -B2 -A20 "ERROR\|ALARM" "$work/$name.log" | head -60
		fail "$name found a failing input: $(ls "$work/$name"-*)"
	fi
	grep -q "^Done [0-9]* runs" "$work/$name.log" || fail "$name did not finish its runs"
	echo "$name: no failure in $(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$work/$name.log") runs"
}
run_fuzzer build/fuzz/dns_fuzz "${FUZZ_SECONDS:-30}" tests/fuzz/dns/corpus
run_fuzzer build/fuzz/zonec_fuzz "${FUZZ_ZONEC_SECONDS:-20}" tests/fuzz/zonec/corpus
