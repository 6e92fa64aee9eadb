#!/usr/bin/env bash
# entropy.sh - where mica_plat_random's seed comes from on virtio: a
# virtio-rng device when there is one, on microvm and q35 - fed from a FIFO
# here, whose writer finishes only when QEMU read its bytes, i.e. when the
# guest asked the device - and two boots differ; without the device, the
# CPU's RDSEED/RDRAND. (The last resort, failing with MICA_EIO, is not
# tested: this machine's KVM shows the host's RDRAND to every guest CPU
# model, even with -cpu ...,-rdrand.)
# timeout: 120
. "$(dirname "$0")/common.sh"
set -e
img=$(build_image tests/integration/virtio/rand)
value() { sed -n 's/^random=//p' "$TMP/out"; }

# from_fifo MACHINE DEVICE [QEMU-ARGS]: boot with virtio-rng reading a FIFO.
from_fifo() {
	local machine=$1 dev=$2 writer
	shift 2
	rm -f "$TMP/fifo"
	mkfifo "$TMP/fifo"
	head -c 32 /dev/urandom > "$TMP/fifo" &
	writer=$!
	boot "$machine" "$img" "" -object "rng-random,id=r0,filename=$TMP/fifo" -device "$dev,rng=r0" "$@"
	expect 0 '^random=[0-9a-f]{64}$'
	for _ in 1 2 3 4 5 6 7 8 9 10; do child_running "$writer" || break; sleep 0.2; done
	if child_running "$writer"; then
		kill_child "$writer"
		fail "$dev was never read: the seed did not come from it"
	fi
	wait "$writer" || true
}

echo "== virtio-rng-device (microvm)"
from_fifo microvm virtio-rng-device
a=$(value)
from_fifo microvm virtio-rng-device -global virtio-mmio.force-legacy=false
[ "$(value)" != "$a" ] || fail "two boots gave the same bytes"
echo "== virtio-rng-pci (q35)"
from_fifo q35 virtio-rng-pci -bios "$QBOOT"
echo "== no virtio-rng: RDSEED/RDRAND"
if grep -qw rdrand /proc/cpuinfo; then
	boot microvm "$img" ""
	expect 0 '^random=[0-9a-f]{64}$'
	r1=$(value)
	boot microvm "$img" ""
	[ "$(value)" != "$r1" ] || fail "two boots without virtio-rng gave the same bytes"
fi
echo PASS
