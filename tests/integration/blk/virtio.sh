#!/usr/bin/env bash
# virtio.sh - the asynchronous block layer on virtio-blk (QEMU microvm):
# 4 MB written with 16 requests in flight (the ring holds them, pieces
# above the device's limit are split), FUA emulated with a flush, then a
# flush; the unix build reads back what the guest wrote and the guest
# reads it back itself.
# timeout: 180
. "$(dirname "$0")/common.sh"
need_kvm
need_cmd qemu-system-x86_64
img=$(build_blkasync virtio)
disk=$TMP/disk.img
truncate -s 8M "$disk"
boot() {
	local rc=0
	timeout 120 qemu-system-x86_64 -M microvm -enable-kvm -cpu max,-arch-capabilities -m 64M -nodefaults \
		-no-user-config -nographic -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-kernel "$img" -append "$1" -drive "id=d0,file=$disk,format=raw,if=none" \
		-device virtio-blk-device,drive=d0 < /dev/null > "$TMP/out" 2>&1 || rc=$?
	cat "$TMP/out"
	[ "$rc" = 1 ] || fail "guest exit status $rc (QEMU), expected 1 (guest code 0)"
}
boot "--do=write --sector=5 --kib=4000 --seed=8 --depth=16"
expect_out "$TMP/out" 'fua emulated'
expect_out "$TMP/out" 'wrote 4000 KiB in [0-9]+ requests .* flushed'
unix_reads "$disk" 5 4000 8
boot "--do=read --sector=5 --kib=4000 --seed=8 --depth=16"
expect_out "$TMP/out" 'every tag matches'
echo PASS
