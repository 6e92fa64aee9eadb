#!/usr/bin/env bash
# entropy.sh - mica_plat_random on hvt: seeded from the monitor's
# getrandom (the seed is wiped after use), different on every boot, never
# zero; the guest's CPUID shows RDRAND exactly when the host has it, and
# then this KVM runs the instruction.
# timeout: 60
. "$(dirname "$0")/common.sh"
set -e
img=$(build_guest tests/hvt-guests/entropy)
run_mon "$img"
expect 0 '^seed=wiped$'
first=$(sed -n 's/^random=//p' "$TMP/out")
[ ${#first} = 128 ] || fail "expected 64 random bytes, got '$first'"
[ "$first" != "$(printf '0%.0s' $(seq 128))" ] || fail "random bytes are all zero"
cp "$TMP/out" "$TMP/out1"
run_mon "$img"
expect 0 '^seed=wiped$'
second=$(sed -n 's/^random=//p' "$TMP/out")
[ "$first" != "$second" ] || fail "two boots gave the same random bytes"

if grep -qw rdrand /proc/cpuinfo; then
	grep -q '^cpuid-rdrand=1$' "$TMP/out1" || fail "host has RDRAND but the guest's CPUID does not show it"
	grep -q '^rdrand=ok [0-9a-f]*$' "$TMP/out1" || fail "RDRAND did not run in the guest"
	[ "$(sed -n 's/^rdrand=ok //p' "$TMP/out1")" != "$(sed -n 's/^rdrand=ok //p' "$TMP/out")" ] ||
		fail "RDRAND gave the same value on two boots"
else
	grep -q '^cpuid-rdrand=0$' "$TMP/out1" || fail "guest's CPUID shows RDRAND the host does not have"
fi
echo PASS
