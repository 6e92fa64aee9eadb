#!/usr/bin/env bash
# echo.sh - TCP through virtio-net: apps/echo as a virtio image on QEMU
# microvm, on a tap in a private namespace, echoes 1 MB byte for byte
# (sha256 of what came back, tests/integration/tcp/peer.py) with checksum
# and segmentation offload negotiated with the device (64 KiB
# super-frames both ways), then serves 5 sequential connections; the same
# 100 KB on q35 (virtio-pci).
# timeout: 300
set -u
. "$(dirname "$0")/../tcp/lib.sh"
need_root_tap
need_kvm
IMG=$(build apps/echo -t virtio) || exit 1
netns_up

start_qemu() { # MACHINE DEVICE [QEMU-ARGS]
	local machine=$1 dev=$2
	shift 2
	start_image qemu-system-x86_64 -M "$machine" -enable-kvm -cpu max,-arch-capabilities -m 64M -nodefaults \
		-no-user-config -nographic -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-kernel "$IMG" -append "--ipv4=$GUEST_IP/24 --port=7" \
		-netdev tap,id=n0,ifname=$TAP,script=no,downscript=no -device "$dev,netdev=n0" "$@" < /dev/null
	wait_log "echoing" 60 || fail "echo did not start on $machine"
	cat "$LOG"
}

echo "== microvm"
start_qemu microvm virtio-net-device -global virtio-mmio.force-legacy=false
grep -q 'checksum and TSO offload' "$LOG" || fail "offload was not negotiated"
start=$(date +%s%N)
peer echo $GUEST_IP 7 1000000 120 || fail "1 MB echo"
echo "1 MB echoed in $((($(date +%s%N) - start) / 1000000)) ms"
peer sequential $GUEST_IP 7 5 || fail "5 sequential connections"
STOP_SECONDS=5 stop_image

echo "== q35"
start_qemu q35 virtio-net-pci -bios /usr/share/qemu/qboot.rom
peer echo $GUEST_IP 7 100000 60 || fail "100 KB echo on virtio-pci"
STOP_SECONDS=5 stop_image
echo PASS
