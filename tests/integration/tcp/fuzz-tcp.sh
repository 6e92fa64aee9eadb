#!/usr/bin/env bash
# fuzz-tcp.sh - run the libFuzzer target build/fuzz/tcp (a scripted peer
# that completes real handshakes and then plays fuzzed segments, timer
# jumps and app actions against lib/net's TCP) for FUZZ_TCP_SECONDS
# (default 40). Any crash, leak or sanitizer report fails the test.
# timeout: 120
# lane: background
. "$(dirname "$0")/../lib.sh"
build_fuzzers build/fuzz/tcp
work=$(mktemp -d)
trap 'cleanup_bg; rm -rf "$work"' EXIT
mkdir "$work/corpus"
# Seeds: a handshake then data, FIN, RST; an active open; time jumps.
printf '\000\000\001\002\000\000\000\377\005\000\000\000\000\000\002\000' > "$work/corpus/handshake"
printf '\000\001\001\002\000\000\000\377\005\001\000\000\000\000\002\000\001\001\031\000\000\000\003\101\003\001\000\004\000\000\000\000\001\001\021\000\000\000\002\000' > "$work/corpus/data-fin"
printf '\004\002\000\000\000\000\000\000\002\000\000\100\000\000\000\000\001\002\022\000\000\000\002\000' > "$work/corpus/active"
run_fuzzer "$work" build/fuzz/tcp "${FUZZ_TCP_SECONDS:-40}" "$work/corpus"
