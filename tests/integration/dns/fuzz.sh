#!/usr/bin/env bash
# libFuzzer, bounded: (1) the DNS decoder and the server's query path
# (memo and engine must agree byte for byte; responses must parse back),
# 30 s from tests/fuzz/dns/corpus; (2) zonec's parser, builder, memo and
# emitter on arbitrary text, 20 s from tests/fuzz/zonec/corpus.
# timeout: 300
# lane: background
. "$(dirname "$0")/../lib.sh"
build_fuzzers fuzz-dns fuzz-zonec
work=$(mktemp -d)
trap 'cleanup_bg; rm -rf "$work"' EXIT
mkdir "$work/dns" "$work/zonec"
run_fuzzer "$work" build/fuzz/dns_fuzz "${FUZZ_SECONDS:-30}" "$work/dns" tests/fuzz/dns/corpus
run_fuzzer "$work" build/fuzz/zonec_fuzz "${FUZZ_ZONEC_SECONDS:-20}" "$work/zonec" tests/fuzz/zonec/corpus
