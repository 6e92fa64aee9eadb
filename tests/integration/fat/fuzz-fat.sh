#!/usr/bin/env bash
# fuzz-fat.sh - libFuzzer on lib/fat's reading of FAT metadata from disk
# (tests/fuzz/fat), bounded (FUZZ_FAT_SECONDS, default 20). The seeds are
# made here with mkfs.fat and mcopy: FAT12 and FAT16 volumes with long
# names, a subdirectory and files, cut to their first 256 KiB.
# timeout: 180
# lane: background
. "$(dirname "$0")/../lib.sh"
PATH=$PATH:/usr/sbin:/sbin
need_cmd mkfs.fat
need_cmd mcopy
build_fuzzers fuzz-fat
work=$(mktemp -d)
trap 'cleanup_bg; rm -rf "$work"' EXIT
mkdir -p "$work/seeds" "$work/corpus" "$work/tree/a sub dir"
printf 'hello\n' > "$work/tree/index.html"
head -c 3000 /dev/urandom > "$work/tree/a sub dir/a file with a long name.bin"
export MTOOLS_SKIP_CHECK=1
mkfs.fat -F 12 -C "$work/fat12.img" 256 >/dev/null
mkfs.fat -F 16 -s 1 -C "$work/fat16.img" 4200 >/dev/null
for img in fat12 fat16; do
	mcopy -s -i "$work/$img.img" "$work/tree/"* ::/ || fail "mcopy into $img"
	head -c 262144 "$work/$img.img" > "$work/seeds/$img"
done
run_fuzzer "$work" build/fuzz/fat "${FUZZ_FAT_SECONDS:-20}" -max_len=262144 "$work/corpus" "$work/seeds"
