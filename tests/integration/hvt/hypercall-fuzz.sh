#!/usr/bin/env bash
# hypercall-fuzz.sh - a hostile guest (tests/hvt-guests/hcfuzz) makes
# random hypercalls with random, edge and wild pointers and lengths, with a
# real tap (in a namespace this test creates and deletes) and a block file
# attached. POLL carries frames most of the time (tx batches, rx buffers,
# extra I/O entries), and a sender in the namespace keeps frames of every
# size (also larger than the guest's buffers) arriving on the tap, so the
# receive paths run for real. The monitor (ASan+UBSan build, under its
# seccomp filter) must serve every call or end the guest with a "bad guest
# pointer"/"unknown hypercall" report (exit 255): never a crash, a
# sanitizer report, a call outside the filter (SIGSYS), a write outside
# the guest, or a hang. Half the seeds use only valid addresses (every
# call path runs to its end: short reads, ENOENT, ERANGE...), half 2% bad
# values. Bounded: 60 seeds, 200 calls each, 10 s per run, the sender
# stops after 60 s.
# timeout: 300
. "$(dirname "$0")/common.sh"
set -e
tap_netns fuzz
make -s build/monitor-san/mica-hvt >/dev/null || fail "cannot build the ASan monitor"
img=$(build_guest tests/hvt-guests/hcfuzz)
ip -n "$ns" link set "$tap" mtu 4000 up
truncate -s 64K "$TMP/disk"

# Frames into the tap: sizes from the minimum to above the guest's buffers.
ip netns exec "$ns" /usr/bin/python3 - "$tap" <<'PY' &
import random, socket, sys, time
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
rnd = random.Random(7)
end = time.monotonic() + 60
while time.monotonic() < end:
    n = rnd.choice([14, 60, 600, 1514, 2100, 4014])
    try:
        s.send(b"\xff" * 6 + b"\x02\x00\x00\x00\x00\x01\x88\xb5" + bytes(n - 14))
    except OSError:
        pass
    time.sleep(0.002)
PY
sender=$!
mon_pid=$sender # tap_netns's exit trap stops it

ok=0 ended=0 rx=0
export ASAN_OPTIONS=symbolize=0
for seed in $(seq 1 60); do
	set +e
	timeout -s KILL 10 ip netns exec "$ns" "$ROOT/build/monitor-san/mica-hvt" --stats --mem=4 \
		--net:net0="$tap" --block:disk="$TMP/disk" "$img" --seed=$seed --calls=200 --wild=$(( seed % 2 ? 0 : 2 )) \
		> "$TMP/out" 2> "$TMP/err"
	rc=$?
	set -e
	[ $rc -ne 137 ] || fail "seed $seed: the monitor hung (killed after 10 s)"
	if grep -Eq 'Sanitizer|runtime error' "$TMP/err" || { [ $rc -ne 0 ] && [ $rc -ne 255 ]; }; then
		cat "$TMP/err"
		fail "seed $seed: monitor exit $rc$([ $rc = 159 ] && echo ' (SIGSYS: a system call outside the seccomp filter)')"
	fi
	if [ $rc -eq 255 ]; then
		grep -Eq 'bad guest pointer|unknown hypercall|exceeds' "$TMP/err" || { cat "$TMP/err"; fail "seed $seed: 255 without a hypercall report"; }
		ended=$((ended + 1))
	else
		grep -q 'hcfuzz: 200 calls made' "$TMP/out" || fail "seed $seed: exit 0 without finishing"
		ok=$((ok + 1))
	fi
	rx=$((rx + $(sed -n 's/.*stats: net net0 rx=\([0-9]*\).*/\1/p' "$TMP/err" | grep . || echo 0)))
done
echo "60 runs: $ok made all 200 calls, $ended ended by the monitor on a bad argument; $rx frames received"
[ $ok -gt 0 ] && [ $ended -gt 0 ] || fail "the fuzzer did not reach both outcomes"
[ $rx -gt 0 ] || fail "no frame was ever received: the receive paths did not run"
echo PASS
