#!/usr/bin/env bash
# fuzz-tcp.sh - run the libFuzzer target build/fuzz/tcp (a scripted peer
# that completes real handshakes and then plays fuzzed segments, timer
# jumps and app actions against lib/net's TCP) for a bounded time. Any
# crash, leak or sanitizer report fails the test.
# timeout: 120
# lane: background
set -u
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$ROOT"
command -v clang > /dev/null || { echo "needs clang with libFuzzer"; exit 77; }
make -s build/fuzz/tcp || exit 1
corpus=$(mktemp -d /tmp/mica-fuzz-tcp.XXXXXX)
trap 'rm -rf "$corpus"' EXIT
# Seeds: a handshake then data, FIN, RST; an active open; time jumps.
printf '\000\000\001\002\000\000\000\377\005\000\000\000\000\000\002\000' > "$corpus/handshake"
printf '\000\001\001\002\000\000\000\377\005\001\000\000\000\000\002\000\001\001\031\000\000\000\003\101\003\001\000\004\000\000\000\000\001\001\021\000\000\000\002\000' > "$corpus/data-fin"
printf '\004\002\000\000\000\000\000\000\002\000\000\100\000\000\000\000\001\002\022\000\000\000\002\000' > "$corpus/active"
./build/fuzz/tcp -max_total_time=40 -rss_limit_mb=1024 -print_final_stats=1 \
	-artifact_prefix=build/fuzz/tcp- "$corpus" > "$corpus/log" 2>&1
rc=$?
tail -8 "$corpus/log"
if [ "$rc" -ne 0 ]; then
	# The sanitizer's report last, where a CI log's tail shows it.
	grep -m1 -A20 -E "ERROR:|leak of" "$corpus/log"
	echo "FAIL: fuzzer exit $rc"
	exit 1
fi
echo PASS
