#!/usr/bin/env bash
# seal.sh - text, read-only data and page tables are read-only at the
# hypervisor level (KVM_MEM_READONLY) wherever they lie: a guest that turns
# off CR0.WP, so its own page tables no longer protect them, still cannot
# write there - also with its read-only data above its writable data
# (tests/hvt-guests/faults-late-ro). Whether this KVM can seal is asked of
# /dev/kvm directly (KVM_CHECK_EXTENSION), not of the monitor: where it
# can, any unsealed byte is a failure. Where it cannot, --stats must say
# sealed=no with the reason and --require-seal must refuse to run.
# timeout: 60
. "$(dirname "$0")/common.sh"
set -e
img=$(build_guest tests/hvt-guests/faults)
late=$(build_guest tests/hvt-guests/faults-late-ro)
readelf -lW "$late" | awk '/LOAD/ {print ($(NF - 1) == "RW" ? "W" : "-")}' | tr -d '\n' | grep -q 'W-$' ||
	fail "faults-late-ro: expected a read-only segment after the writable one"

# KVM_CHECK_EXTENSION(KVM_CAP_READONLY_MEM = 81) on /dev/kvm.
can_seal=$(/usr/bin/python3 -c 'import fcntl, os
fd = os.open("/dev/kvm", os.O_RDWR)
print(1 if fcntl.ioctl(fd, 0xAE03, 81) > 0 else 0)')

if [ "$can_seal" = 0 ]; then
	run_mon --stats "$img" --do=exit
	expect 0 'stats: sealed=no \(this KVM has no KVM_CAP_READONLY_MEM\)'
	run_mon --require-seal "$img" --do=exit
	expect 2 'cannot seal the guest.s memory .*refusing to run it unsealed \(--require-seal\)'
	echo "skipped: this KVM has no KVM_CAP_READONLY_MEM (sealed=no and --require-seal checked)"
	exit 77
fi

check() { # IMAGE MODE WHAT
	echo "== $(basename "$1") --do=$2"
	run_mon --stats --require-seal "$1" --do="$2"
	if grep -q 'not sealed' "$TMP/out"; then
		fail "$(basename "$1"): the guest wrote to its $3 with CR0.WP off: not sealed"
	fi
	expect 255 'guest wrote to sealed memory at 0x[0-9a-f]+ \(text'
	expect 255 'stats: sealed=yes'
}
check "$img" seal-write text
check "$img" seal-write-rodata "read-only data"
check "$img" seal-write-pt "page tables"
check "$late" seal-write text
check "$late" seal-write-rodata "read-only data (above its writable data)"
# The guest's own writable memory is not sealed.
run_mon --require-seal "$late" --do=exit --code=3
expect 3 ''
echo PASS
