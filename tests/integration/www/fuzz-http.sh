#!/usr/bin/env bash
# fuzz-http.sh - libFuzzer on lib/http, bounded (FUZZ_HTTP_SECONDS, default
# 20): the request parser fed whole and in pieces must agree, and every
# request's answer against a small site must fit apps/www's head buffer.
# timeout: 180
# lane: background
. "$(dirname "$0")/../lib.sh"
build_fuzzers fuzz-http
work=$(mktemp -d)
trap 'cleanup_bg; rm -rf "$work"' EXIT
mkdir "$work/corpus"
run_fuzzer "$work" build/fuzz/http "${FUZZ_HTTP_SECONDS:-20}" "$work/corpus" tests/fuzz/http/corpus
