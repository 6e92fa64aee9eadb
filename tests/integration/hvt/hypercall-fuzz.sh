#!/usr/bin/env bash
# hypercall-fuzz.sh - a hostile guest (tests/hvt-guests/hcfuzz) makes
# random hypercalls with random, edge and wild pointers and lengths, with a
# real tap (in a namespace this test creates and deletes) and a block file
# attached. The monitor (ASan+UBSan build) must serve every call or end the
# guest with a "bad guest pointer"/"unknown hypercall" report (exit 255):
# never a crash, a sanitizer report, a write outside the guest, or a hang.
# Half the seeds use only valid addresses (every call path runs to its
# end: short reads, ENOENT, ERANGE...), half 2% bad values. Bounded: 60
# seeds, 200 calls each, 10 s per run.
# timeout: 300
. "$(dirname "$0")/common.sh"
set -e
[ "$(id -u)" = 0 ] || { echo "skipped: needs root for network namespaces and taps"; exit 77; }
command -v ip > /dev/null || { echo "skipped: no ip(8)"; exit 77; }
[ -c /dev/net/tun ] || { echo "skipped: no /dev/net/tun"; exit 77; }
make -s build/monitor-san/mica-hvt >/dev/null || fail "cannot build the ASan monitor"
img=$(build_guest tests/hvt-guests/hcfuzz)
ns=mica-hvt-fuzz-$$
tap=mhvf$$
cleanup() { ip netns del "$ns" 2>/dev/null || true; rm -rf "$TMP"; }
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" tuntap add "$tap" mode tap
ip -n "$ns" link set "$tap" up
truncate -s 64K "$TMP/disk"
ok=0 ended=0
for seed in $(seq 1 60); do
	set +e
	timeout 10 ip netns exec "$ns" "$ROOT/build/monitor-san/mica-hvt" --no-seccomp --mem=4 \
		--net:net0="$tap" --block:disk="$TMP/disk" "$img" --seed=$seed --calls=200 --wild=$(( seed % 2 ? 0 : 2 )) \
		> "$TMP/out" 2> "$TMP/err"
	rc=$?
	set -e
	if grep -Eq 'Sanitizer|runtime error' "$TMP/err" || { [ $rc -ne 0 ] && [ $rc -ne 255 ]; }; then
		cat "$TMP/err"
		fail "seed $seed: monitor exit $rc"
	fi
	if [ $rc -eq 255 ]; then
		grep -Eq 'bad guest pointer|unknown hypercall|exceeds' "$TMP/err" || { cat "$TMP/err"; fail "seed $seed: 255 without a hypercall report"; }
		ended=$((ended + 1))
	else
		grep -q 'hcfuzz: 200 calls made' "$TMP/out" || fail "seed $seed: exit 0 without finishing"
		ok=$((ok + 1))
	fi
done
echo "60 runs: $ok made all 200 calls, $ended ended by the monitor on a bad argument"
[ $ok -gt 0 ] && [ $ended -gt 0 ] || fail "the fuzzer did not reach both outcomes"
echo PASS
