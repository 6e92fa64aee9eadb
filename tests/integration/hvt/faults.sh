#!/usr/bin/env bash
# faults.sh - a misbehaving guest ends with a clear report naming what it
# did, the registers, and exit code 255; the monitor itself is unharmed
# (it exits normally, not by a signal). Every fault here was checked to be
# enforced by this machine's KVM; if one is not, the test fails with the
# guest's own output as evidence.
# timeout: 120
. "$(dirname "$0")/common.sh"
set -e
img=$(build_guest tests/hvt-guests/faults)

check() { # MODE REGEX
	echo "== --do=$1"
	run_mon "$img" --do="$1"
	if grep -q '^faults: ' "$TMP/out"; then
		fail "--do=$1 was not stopped by this KVM (guest output above is the evidence)"
	fi
	expect 255 "$2"
	grep -Eq 'RIP=[0-9a-f]{16} RSP=[0-9a-f]{16}' "$TMP/out" || fail "--do=$1: no register dump"
	grep -Eq 'RAX=[0-9a-f]{16}' "$TMP/out" || fail "--do=$1: no general registers"
}

check divzero '#DE divide error \(vector 0'
check write-text '#PF page fault \(vector 14, error code 0x3\): write to a read-only page'
check exec-data '#PF page fault \(vector 14, error code 0x1[19]\): instruction fetch from a no-execute page'
check null 'read from an unmapped page at 0x0 \(null pointer\)'
check wild-ptr 'hypercall CONSOLE: bad guest pointer: buffer \[0x7f0000000000, \+16\) is outside guest memory'
check stack 'write to an unmapped page at 0x[0-9a-f]+ \(stack guard page: stack overflow\)'

# A well-behaved run of the same image still works: exit code passes through.
run_mon "$img" --do=exit --code=7
expect 7 ''
echo PASS
