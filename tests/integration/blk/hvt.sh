#!/usr/bin/env bash
# hvt.sh - the asynchronous block layer on hvt: requests ride on the POLL
# exit (POLL's blk_batch), so 4 MB written with 16 in flight and a flush,
# then read back, take a handful of exits; the unix build reads back what
# the guest wrote. The monitor's --stats count the exits and bytes.
# timeout: 180
. "$(dirname "$0")/common.sh"
need_kvm
make -s build/monitor/mica-hvt > /dev/null || fail "cannot build mica-hvt"
MON=build/monitor/mica-hvt
img=$(build_blkasync hvt)
disk=$TMP/disk.img
truncate -s 8M "$disk"
timeout 120 "$MON" --stats --mem=16 --block:disk="$disk" "$img" --do=write --sector=5 --kib=4000 --seed=7 --depth=16 > "$TMP/out" 2>&1 || { cat "$TMP/out"; fail "write on hvt"; }
cat "$TMP/out"
expect_out "$TMP/out" 'wrote 4000 KiB in [0-9]+ requests .* flushed'
expect_out "$TMP/out" 'block disk requests=[0-9]+ read_bytes=0 write_bytes=4096000 syncs=[12]$'
polls=$(sed -n 's/.* POLL=\([0-9]*\).*/\1/p' "$TMP/out")
[ "${polls:-99}" -le 4 ] || fail "4 MB took $polls POLL exits (expected the batch on 2 or 3)"
unix_reads "$disk" 5 4000 7
timeout 120 "$MON" --stats --mem=16 --block:disk="$disk" "$img" --do=read --sector=5 --kib=4000 --seed=7 > "$TMP/out" 2>&1 || { cat "$TMP/out"; fail "read on hvt"; }
expect_out "$TMP/out" 'every tag matches'
timeout 60 "$MON" --mem=16 --block:disk="$disk" "$img" --do=errors > "$TMP/out" 2>&1 || { cat "$TMP/out"; fail "errors on hvt"; }
expect_out "$TMP/out" 'read across the end: out of bounds'
echo PASS
