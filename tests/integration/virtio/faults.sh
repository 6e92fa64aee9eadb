#!/usr/bin/env bash
# faults.sh - a misbehaving virtio guest reports what it did, in the words
# mica-hvt uses (platform/guest/trapdesc.c), with its registers, on the
# serial console, and exits 255: divide by zero, a write to its own text
# (its own W^X page tables), executing data, a null pointer (page 0 is
# unmapped) and a stack overflow (the guard page). On both transports'
# machines; ./mica run passes 255 through. A panic exits 70 (and ./mica
# run says 70) on microvm and q35.
# timeout: 180
. "$(dirname "$0")/common.sh"
set -e
img=$(build_image tests/hvt-guests/faults)

check() { # MACHINE MODE REGEX [QEMU-ARGS]
	local machine=$1 mode=$2 re=$3
	shift 3
	echo "== $machine --do=$mode"
	boot "$machine" "$img" "--do=$mode" "$@"
	grep -q '^faults: ' "$TMP/out" && fail "--do=$mode was not stopped (guest output above)"
	expect 127 "$re" # QEMU status 255: code 255, 8 bits of 255 * 2 + 1
	grep -Eq 'RIP=[0-9a-f]{16} RSP=[0-9a-f]{16}' "$TMP/out" || fail "--do=$mode: no register dump"
	grep -Eq 'RAX=[0-9a-f]{16}' "$TMP/out" || fail "--do=$mode: no general registers"
}

check microvm divzero '#DE divide error \(vector 0'
check microvm write-text '#PF page fault \(vector 14, error code 0x3\): write to a read-only page'
check microvm exec-data '#PF page fault \(vector 14, error code 0x1[19]\): instruction fetch from a no-execute page'
check microvm null 'read from an unmapped page at 0x0 \(null pointer\)'
check microvm stack 'write to an unmapped page at 0x[0-9a-f]+ \(stack guard page: stack overflow\)'
check q35 write-text 'write to a read-only page' -bios "$QBOOT"

# A well-behaved run of the same image: its code passes through.
boot microvm "$img" "--do=exit --code=7"
expect 7 ''
# A panic is the report and exit code 70, as on every target.
boot microvm "$img" "--do=panic"
expect 70 '^panic: .*faults.c:[0-9]+: asked to \(--do=panic\)'
run_mica tests/hvt-guests/faults -t virtio -- --do=panic
expect 70 '^panic: '
MICA_QEMU_MACHINE=q35 MICA_QEMU_OPTS="-bios $QBOOT" run_mica tests/hvt-guests/faults -t virtio -- --do=panic
expect 70 '^panic: '
run_mica tests/hvt-guests/faults -t virtio -- --do=divzero
expect 255 '#DE divide error'
echo PASS
