#!/usr/bin/env bash
# block.sh - a file-backed block device: one run writes a pattern, another
# reads it back; a read past the end is an error to the guest (not a
# crash); devices that do not match the image's manifest are refused.
# timeout: 120
. "$(dirname "$0")/common.sh"
set -e
img=$(build_guest tests/hvt-guests/blk)
disk=$TMP/disk.img
truncate -s 64K "$disk"

run_mon --block:disk="$disk" "$img" --do=write --sector=5 --seed=17
expect 0 'blk: 128 sectors of 512 bytes'
expect 0 'write of 2 sectors at 5 ok'
python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); s=5*512; assert d[s]==(5*31+17)%256 and d[s+1]==(5*31+7+17)%256, "pattern not on disk"; assert d[:s]==bytes(s), "wrote outside the sectors"' "$disk" || fail "file content"
run_mon --block:disk="$disk" "$img" --do=read --sector=5 --seed=17
expect 0 'read of 2 sectors at 5 ok'
run_mon --block:disk="$disk" "$img" --do=read --sector=5 --seed=18
expect 1 'mismatch'
# The same through ./mica run (tools/run-hvt.sh, monitor options from the
# environment).
set +e
MICA_HVT_OPTS="--mem=4 --block:disk=$disk" ./mica run tests/hvt-guests/blk -t hvt -- --do=read --sector=5 --seed=17 > "$TMP/out" 2>&1
RC=$?
set -e
expect 0 'read of 2 sectors at 5 ok'
run_mon --block:disk="$disk" "$img" --do=range
expect 0 'read past the end: out of bounds'
run_mon --block:disk="$disk" "$img" --do=write --sector=127
expect 1 'write: out of bounds'

# Devices against the manifest, checked before boot.
run_mon "$img"
expect 2 "the image needs device 'disk': attach it with --block:disk=FILE"
run_mon --net:disk=lo "$img"
expect 2 "device 'disk' is a block device in the image but was given as --net:"
run_mon --block:disk="$disk" --block:extra="$disk" "$img"
expect 2 "device 'extra' \(--block:\) is not declared by the image \(it declares: block:disk\)"
head -c 1000 /dev/zero > "$TMP/odd.img"
run_mon --block:disk="$TMP/odd.img" "$img"
expect 2 'non-zero multiple of 512'
echo PASS
