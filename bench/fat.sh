#!/usr/bin/env bash
# bench/fat.sh [MIB] - lib/fat in full: every crash point of the crash
# sequence (FAT_CRASH_ALL=1), the FAT fuzzer for 300 s, and throughput:
# lib/fat writing then reading a MIB MiB file (default 64) on a FAT32
# image vs mtools (mcopy in, mcopy out) on the same kind of image, one
# after the other, same disk. Run under flock /work/bench.lock.
set -euo pipefail
cd "$(dirname "$0")/.."
PATH=$PATH:/usr/sbin:/sbin
export MTOOLS_SKIP_CHECK=1 TZ=UTC
mib=${1:-64}
make -s build/unit/fat/test_fat_crash build/unit/libmica.a fuzz-fat > /dev/null
work=$(mktemp -d /var/tmp/mica-fatbench-XXXXXX)
trap 'rm -rf "$work"' EXIT

echo "== crash points (all)"
start=$(date +%s.%N)
FAT_CRASH_ALL=1 build/unit/fat/test_fat_crash | grep -E "writes and flushes|crash points|tests,"
echo "   $(echo "$(date +%s.%N) - $start" | bc) s"

echo "== throughput, $mib MiB, image on $(df --output=fstype "$work" | tail -1)"
cc -std=c11 -O2 -D_GNU_SOURCE -Iinclude -o "$work/fat_perf" bench/fat_perf.c build/unit/libmica.a -lm
mkimg() { # mkimg SPC: FAT32 big enough for the file and for mtools (>= 65525 clusters)
	local mb=$((mib + 64)) min=$((65600 * $1 / 2048 + 16))
	rm -f "$work/vol.img"
	mkfs.fat -F 32 -s "$1" -C "$work/vol.img" $(((mb > min ? mb : min) * 1024)) > /dev/null
}
head -c $((mib << 20)) /dev/zero | tr '\0' '\245' > "$work/src.bin"
for spc in 8 64; do
	for run in "64 1" "1024 1" "1024 0"; do
		mkimg $spc
		"$work/fat_perf" "$work/vol.img" "$mib" $run
		fsck.fat -n "$work/vol.img" > /dev/null || echo "fsck.fat: not clean after fat_perf"
	done
	mkimg $spc
	sync
	t0=$(date +%s.%N)
	mcopy -i "$work/vol.img" "$work/src.bin" ::/perf.bin && sync "$work/vol.img"
	t1=$(date +%s.%N)
	mcopy -n -i "$work/vol.img" ::/perf.bin "$work/out.bin"
	t2=$(date +%s.%N)
	cmp -s "$work/src.bin" "$work/out.bin" || echo "mtools: the copy differs"
	printf 'mtools  write %.1f MB/s  read %.1f MB/s  (mcopy in + sync, mcopy out; cluster %d B)\n' \
		"$(echo "$mib * 1048576 / ($t1 - $t0) / 1000000" | bc -l)" \
		"$(echo "$mib * 1048576 / ($t2 - $t1) / 1000000" | bc -l)" $((spc * 512))
	rm -f "$work/vol.img" "$work/out.bin"
done

[ "${FAT_BENCH_FUZZ:-1}" = 0 ] && exit 0
echo "== fuzzer, 300 s"
FUZZ_FAT_SECONDS=300 tests/integration/fat/fuzz-fat.sh | tail -2
