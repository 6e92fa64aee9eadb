#!/usr/bin/env bash
# timers.sh - a guest sleeping N ms does not wake early (by its own clock
# and by the host's), and an idle guest waiting 1 s uses well under 5% of
# a CPU (the monitor blocks in ppoll; measured with getrusage); SIGTERM
# stops a sleeping guest cleanly.
# timeout: 60
. "$(dirname "$0")/common.sh"
set -e
img=$(build_guest tests/hvt-guests/faults)
for ms in 50 200; do
	t0=$(date +%s%N)
	run_mon "$img" --do=sleep --ms=$ms
	t1=$(date +%s%N)
	expect 0 '^slept [0-9]+ ms$'
	got=$(sed -n 's/^slept \([0-9]*\) ms$/\1/p' "$TMP/out")
	[ "$got" -ge $ms ] || fail "guest clock: woke after $got ms, asked $ms"
	host=$(( (t1 - t0) / 1000000 ))
	[ "$host" -ge $ms ] || fail "host clock: guest ran $host ms, asked to sleep $ms"
	echo "sleep $ms ms: guest saw $got ms, host $host ms"
done
# bash's `time` reports the monitor's own user+system time (getrusage of
# the waited-for child), without the cost of forking a big parent.
TIMEFORMAT='%R %U %S'
{ time "$MON" "$img" --do=sleep --ms=1000 > "$TMP/out" 2>&1; } 2> "$TMP/time"
RC=$?
expect 0 '^slept 1[0-9]{3} ms$'
read -r wall user sys < "$TMP/time"
echo "idle 1 s: wall $wall s, user $user s, system $sys s"
awk -v w="$wall" -v u="$user" -v s="$sys" 'BEGIN {
	pct = 100 * (u + s) / w
	printf "cpu: %.2f%% of a CPU\n", pct
	exit !(w >= 1.0 && pct < 5)
}' || fail "idle guest used 5% of a CPU or more (or woke early)"

# SIGTERM while the guest sleeps: POLL returns MICA_ESTOP at once and the
# guest stops cleanly (its loop's exit code), long before its deadline.
"$MON" "$img" --do=sleep --ms=20000 > "$TMP/out" 2>&1 &
pid=$!
sleep 0.3
t0=$(date +%s%N)
kill -TERM $pid
set +e
wait $pid
RC=$?
set -e
t1=$(date +%s%N)
echo "SIGTERM: exit code $RC after $(( (t1 - t0) / 1000000 )) ms"
expect 0 ''
[ $(( (t1 - t0) / 1000000 )) -lt 2000 ] || fail "guest did not stop promptly on SIGTERM"
echo PASS
