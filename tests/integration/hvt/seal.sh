#!/usr/bin/env bash
# seal.sh - text, read-only data and page tables are read-only at the
# hypervisor level (KVM_MEM_READONLY): a guest that turns off CR0.WP, so
# its own page tables no longer protect its text, still cannot write there.
# timeout: 60
. "$(dirname "$0")/common.sh"
set -e
img=$(build_guest tests/hvt-guests/faults)
run_mon --stats "$img" --do=seal-write
if grep -q 'not sealed' "$TMP/out"; then
	if grep -q 'stats: sealed=no' "$TMP/out"; then
		echo "skipped: this KVM has no KVM_CAP_READONLY_MEM: the guest wrote to its own text (output above)"
		exit 77
	fi
	fail "the guest wrote to its text with CR0.WP off although memory was sealed (output above)"
fi
expect 255 'guest wrote to sealed memory at 0x[0-9a-f]+ \(text'
echo PASS
