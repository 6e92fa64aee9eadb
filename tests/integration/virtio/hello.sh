#!/usr/bin/env bash
# hello.sh - apps/hello as a virtio image: the very QEMU command lines of
# docs/virtio.md boot it on microvm (legacy and modern virtio-mmio, ACPI
# off) and q35 (SeaBIOS, and qboot, which assigns no PCI BARs); its exit
# code comes back through isa-debug-exit, boot arguments and --help work,
# and ./mica run maps the code back (7 stays 7, a bad argument is 64).
# timeout: 300
. "$(dirname "$0")/common.sh"
set -e
img=$(build_image apps/hello)

# An ELF with a PVH entry note and nothing from the host's libc.
readelf -nW "$img" | grep -q 'Xen .*0x00000012' || readelf -nW "$img" | grep -qi 'Xen.*PHYS32_ENTRY' ||
	fail "no PVH (XEN_ELFNOTE_PHYS32_ENTRY) note in the image"
[ -z "$(nm -u "$img")" ] || fail "image has undefined symbols: $(nm -u "$img")"
readelf -lW "$img" | grep -Eq 'INTERP|DYNAMIC' && fail "image is dynamically linked"

echo "== microvm (QEMU's default legacy virtio-mmio)"
boot microvm "$img" "--exit=3"
expect 3 '^Hello from Mica!$'
echo "== microvm, modern virtio-mmio"
boot microvm "$img" "--exit=42 --wait-ms=5" -global virtio-mmio.force-legacy=false
expect 42 '^Hello from Mica!$'
echo "== microvm, acpi=off"
boot microvm,acpi=off "$img" "--exit=0"
expect 0 '^Hello from Mica!$'
echo "== microvm without KVM's paravirtual clock: the TSC timed against PIT channel 0"
t0=$(date +%s%N)
boot microvm "$img" "--exit=4 --wait-ms=400" -cpu max,-arch-capabilities,kvm=off
expect 4 '^Hello from Mica!$'
# A TSC frequency guessed too high would end the wait early (no upper bound:
# a slow, shared machine only makes it longer).
[ $(($(date +%s%N) - t0)) -ge 400000000 ] || fail "--wait-ms=400 ended within 400 ms: the PIT calibration is off"
echo "== microvm with no clock at all (no PIT, no paravirtual clock): a clear error"
boot microvm,pit=off "$img" "--exit=4" -cpu max,-arch-capabilities,kvm=off
expect 2 "no clock: neither KVM's paravirtual clock"
echo "== microvm: --help and a bad argument"
boot microvm "$img" "--help"
expect 0 '--exit=N +exit code'
grep -q -- '--net:NAME=' "$TMP/out" || fail "--help does not list the platform's arguments"
boot microvm "$img" "--exit=1 --no-such-arg"
expect 64 "hello: bad boot argument '--no-such-arg'"
boot microvm "$img" '--exit=300'
expect 64 "bad boot argument '--exit=300'"

echo "== q35 with its default firmware (SeaBIOS)"
boot q35 "$img" "--exit=5"
expect 5 'Hello from Mica!'
echo "== q35 with qboot"
boot q35 "$img" "--exit=9 --wait-ms=2" -bios "$QBOOT"
expect 9 '^Hello from Mica!$'
boot q35 "$img" "--help" -bios "$QBOOT"
expect 0 '--wait-ms=N'

echo "== ./mica run"
run_mica apps/hello -t virtio -- --exit=7
expect 7 '^Hello from Mica!$'
grep -q '^mica: qemu-system-x86_64 -M microvm ' "$TMP/out" || fail "./mica run did not print the QEMU command"
run_mica apps/hello -t virtio -- --bad
expect 64 "bad boot argument '--bad'"
MICA_QEMU_MACHINE=q35 MICA_QEMU_OPTS="-bios $QBOOT" run_mica apps/hello -t virtio -- --exit=11
expect 11 '^Hello from Mica!$'
grep -q -- '-device virtio-rng-pci' "$TMP/out" || fail "q35: no PCI device in the command"
echo PASS
