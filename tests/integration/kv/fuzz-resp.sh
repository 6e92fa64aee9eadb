#!/usr/bin/env bash
# fuzz-resp.sh - libFuzzer on lib/resp's request parser, bounded
# (FUZZ_RESP_SECONDS, default 20): requests parsed whole and as they
# arrive in pieces must agree, arguments stay inside the buffer, nothing
# is read past it.
# timeout: 180
# lane: background
. "$(dirname "$0")/../lib.sh"
build_fuzzers fuzz-resp
work=$(mktemp -d)
trap 'cleanup_bg; rm -rf "$work"' EXIT
mkdir "$work/corpus"
run_fuzzer "$work" build/fuzz/resp "${FUZZ_RESP_SECONDS:-20}" "$work/corpus" tests/fuzz/resp/corpus
