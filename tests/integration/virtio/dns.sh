#!/usr/bin/env bash
# dns.sh - apps/dns as a virtio image on QEMU, virtio-net on a tap in a
# private namespace: it answers a subset of the NSD differential queries
# (dnsdiff_subset.py) exactly like apps/dns on unix; ping works, fragmented
# too (reassembly both ways); a closed port answers ICMP unreachable; idle,
# the guest sits in `hlt` and QEMU uses (almost) no CPU. On microvm (modern
# virtio-mmio) and, with a few queries, on q35 (virtio-pci).
# timeout: 420
set -u
. "$(dirname "$0")/../net/lib.sh"
need_root_tap
need_dns
need_kvm
Z=$ROOT/tests/integration/dns/zones
ZONES="ZONE=$Z/example.com.zone ZONE=$Z/example.org.zone"
# shellcheck disable=SC2086
IMG=$(build apps/dns -t virtio $ZONES) || exit 1
# shellcheck disable=SC2086
UNIXIMG=$(build apps/dns -t unix $ZONES) || exit 1
netns_up
dns_reference "$UNIXIMG"

# start_qemu MACHINE DEVICE [QEMU-ARGS]: apps/dns on the namespace's tap.
start_qemu() {
	local machine=$1 dev=$2 append="--ipv4=$GUEST_IP/24 ${BOOT_EXTRA:-}"
	shift 2
	start_image qemu-system-x86_64 -M "$machine" -enable-kvm -cpu max,-arch-capabilities -m 64M -nodefaults \
		-no-user-config -nographic -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-kernel "$IMG" -append "$append" \
		-netdev tap,id=n0,ifname=$TAP,script=no,downscript=no -device "$dev,netdev=n0" "$@" < /dev/null
	wait_log "serving on" 60 || fail "dns did not start on $machine"
	cat "$LOG"
}

# qemu_cpu_ticks: CPU time (clock ticks) QEMU has used so far.
qemu_cpu_ticks() {
	awk '{print $14 + $15}' "/proc/$APP_PID/stat"
}

echo "== microvm, modern virtio-mmio"
start_qemu microvm virtio-net-device -global virtio-mmio.force-legacy=false
grep -q 'virtio-net (mmio), mac' "$LOG" || fail "not on modern virtio-mmio"
same_answers virtio "" "example.com SOA" "www.example.com A" "example.com MX" "nope.example.com A"
in_ns /usr/bin/python3 "$(dirname "$0")/dnsdiff_subset.py" 40 127.0.0.1:5353 $GUEST_IP:53 \
	"$Z/example.com.zone" "$Z/example.org.zone" | tail -5 || fail "answers differ from apps/dns on unix"
in_ns ping -c 3 -i 0.2 -W 5 $GUEST_IP > /dev/null || fail "ping"
in_ns ping -c 2 -i 0.5 -W 5 -s 4000 $GUEST_IP > /dev/null || fail "fragmented ping (4000 bytes)"
echo "ping: plain and fragmented answered"
closed_port_unreachable 5
# Idle: 2 s of an idle guest cost QEMU at most a few ticks (it is in hlt).
sleep 1
t0=$(qemu_cpu_ticks)
sleep 2
t1=$(qemu_cpu_ticks)
hz=$(getconf CLK_TCK)
echo "idle: QEMU used $((t1 - t0)) of $((2 * hz)) clock ticks in 2 s"
[ $((t1 - t0)) -le $((2 * hz / 20)) ] || fail "an idle guest keeps QEMU busy ($((t1 - t0)) ticks in 2 s)"
stop_image

echo "== microvm, legacy virtio-mmio (QEMU's default); the device named by its MAC"
BOOT_EXTRA=--net:service=52:54:00:12:34:56 start_qemu microvm virtio-net-device
grep -q 'virtio-net (mmio, legacy)' "$LOG" || fail "not on legacy virtio-mmio"
same_answers virtio-legacy "" "www.example.com A" "example.org SOA"
in_ns ping -c 1 -W 5 -s 3000 $GUEST_IP > /dev/null || fail "fragmented ping (legacy)"
stop_image
# A MAC no device has: the guest stops at boot, exit code 2 (QEMU: 5).
in_ns timeout 60 qemu-system-x86_64 -M microvm -enable-kvm -cpu max,-arch-capabilities -m 64M -nodefaults \
	-no-user-config -nographic -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel "$IMG" \
	-append "--net:service=02:00:00:00:00:01" -netdev tap,id=n0,ifname=$TAP,script=no,downscript=no \
	-device virtio-net-device,netdev=n0 < /dev/null > "$LOG" 2>&1
rc=$?
cat "$LOG"
[ $rc = 5 ] || fail "a MAC no device has: QEMU status $rc, not 5 (guest exit code 2)"
grep -q "the image needs device 'service': --net:service=02:00:00:00:00:01 names no virtio-net device" "$LOG" ||
	fail "no clear message for a MAC no device has"

echo "== q35, virtio-pci"
start_qemu q35 virtio-net-pci -bios /usr/share/qemu/qboot.rom
grep -q 'virtio-net (pci)' "$LOG" || fail "not on virtio-pci"
same_answers virtio-pci "" "www.example.com A" "example.com MX" "nope.example.com A"
same_answers virtio-pci "+tcp" "example.com SOA"
in_ns ping -c 1 -W 5 -s 3000 $GUEST_IP > /dev/null || fail "fragmented ping (pci)"
stop_image
cat "$LOG"
echo PASS
