#!/usr/bin/env bash
# block.sh - virtio-blk round trips: 1.5 MiB written in one call (two
# requests in flight), flushed, read back in a fresh boot and checked by
# the guest and, byte for byte, on the host; on microvm with legacy and
# modern virtio-mmio, with the virtio_mmio.device= command-line form
# (acpi=off), and on q35 (virtio-pci). Also: a read past the end and a
# write to a read-only drive are errors to the guest, not crashes; with two
# drives, --block:disk=1 picks the second; a missing drive stops the guest
# at boot with exit code 2 naming the device; ./mica run attaches files.
# timeout: 300
. "$(dirname "$0")/common.sh"
set -e
img=$(build_image tests/integration/virtio/blkrt)
disk=$TMP/disk.img


# host_check FILE SECTOR KIB SEED: the tags are in the file, zero elsewhere.
host_check() {
	/usr/bin/python3 - "$@" <<'PY' || fail "the file does not hold what the guest wrote"
import struct, sys
path, first, kib, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
d = open(path, 'rb').read()
M = (1 << 64) - 1
for s in range(first, first + kib * 2):
    sec = d[s * 512:(s + 1) * 512]
    t = ((s + 1) * 0x9e3779b97f4a7c15 & M) ^ seed
    want = struct.pack('<Q', t) + bytes(496) + struct.pack('<Q', ~t & M)
    assert sec == want, 'sector %d' % s
assert d[:first * 512] == bytes(first * 512), 'written before the range'
assert d[(first + kib * 2) * 512:] == bytes(len(d) - (first + kib * 2) * 512), 'written after the range'
print('host: %d KiB at sector %d as written' % (kib, first))
PY
}

round_trip() { # MACHINE DEVICE SEED [QEMU-ARGS...]
	local machine=$1 dev=$2 seed=$3
	shift 3
	echo "== $machine $dev $*"
	rm -f "$disk"
	truncate -s 4M "$disk"
	boot "$machine" "$img" "--do=write --sector=3 --kib=1536 --seed=$seed" \
		-drive "id=d0,file=$disk,format=raw,if=none" -device "$dev,drive=d0" "$@"
	expect 0 'wrote 1536 KiB at sector 3, flushed'
	host_check "$disk" 3 1536 "$seed"
	boot "$machine" "$img" "--do=read --sector=3 --kib=1536 --seed=$seed" \
		-drive "id=d0,file=$disk,format=raw,if=none" -device "$dev,drive=d0" "$@"
	expect 0 'every tag matches'
}

round_trip microvm virtio-blk-device 11
round_trip microvm virtio-blk-device 12 -global virtio-mmio.force-legacy=false
round_trip microvm,acpi=off virtio-blk-device 13
round_trip q35 virtio-blk-pci 14 -bios "$QBOOT"

echo "== errors"
boot microvm "$img" "--do=read --sector=3 --kib=4 --seed=99" -drive "id=d0,file=$disk,format=raw,if=none" \
	-device virtio-blk-device,drive=d0
expect 1 'mismatch in sector 3'
boot microvm "$img" "--do=range" -drive "id=d0,file=$disk,format=raw,if=none" -device virtio-blk-device,drive=d0
expect 0 'read past the end: out of bounds'
boot microvm "$img" "--do=ro" -drive "id=d0,file=$disk,format=raw,if=none,readonly=on" \
	-device virtio-blk-device,drive=d0
expect 0 'write to a read-only device: not permitted'
grep -q '512 bytes, read-only' "$TMP/out" || fail "the drive is not reported read-only"
boot microvm "$img" "--do=read"
expect 2 "the image needs device 'disk': attach a virtio-blk device"

echo "== two drives: --block:disk=1 takes the second"
truncate -s 1M "$TMP/other.img"
boot microvm "$img" "--do=write --sector=0 --kib=4 --seed=5 --block:disk=1" \
	-drive "id=d0,file=$disk,format=raw,if=none" -device virtio-blk-device,drive=d0 \
	-drive "id=d1,file=$TMP/other.img,format=raw,if=none" -device virtio-blk-device,drive=d1
expect 0 '^blkrt: 2048 sectors'
host_check "$TMP/other.img" 0 4 5
boot microvm "$img" "--do=read --block:disk=2" -drive "id=d0,file=$disk,format=raw,if=none" \
	-device virtio-blk-device,drive=d0
expect 2 "the image needs device 'disk': --block:disk=2 names no virtio-blk device"
boot microvm "$img" "--do=read --block:disk=x"
expect 64 "bad boot argument '--block:disk=x'"

echo "== ./mica run"
MICA_VIRTIO_OPTS="--block:disk=$disk --mem=32" run_mica tests/integration/virtio/blkrt -t virtio -- \
	--do=read --sector=3 --kib=64 --seed=14
expect 0 'every tag matches'
run_mica tests/integration/virtio/blkrt -t virtio
expect 2 "needs block device 'disk': attach it with MICA_VIRTIO_OPTS=--block:disk=FILE"
echo PASS
