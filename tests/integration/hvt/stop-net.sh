#!/usr/bin/env bash
# stop-net.sh - SIGTERM stops mica-hvt serving a network within a second:
# apps/dns idle after answering one query (once seen to spin for ten
# minutes), and apps/echo in the middle of a TCP transfer. Both see
# MICA_ESTOP on their next POLL and exit cleanly (code 0, clean log) - or,
# for the busy echo on a slow emulated KVM, are ended after the 500 ms
# grace period (143); either way within a second, and the monitor says
# why. The stop latency of each is printed; as the monitor counts it
# (signal to exit) it must be under 1 s, seen from outside under 3 s. On a
# tap in a private namespace.
# timeout: 180
set -u
. "$(dirname "$0")/../tcp/lib.sh"
need_root_tap
need_hvt
LIMIT_MS=1000

# timed_stop WHAT CODES: SIGTERM the image; it must exit within 3 s with
# one of CODES (0: the guest saw MICA_ESTOP and shut down cleanly; 143: it
# was still busy after the grace period and the monitor ended it), say
# why, and leave a clean log. Prints the latency; it must be under 1 s.
timed_stop() {
	local t0 ms rc=0 pid=$APP_PID
	APP_PID=""
	t0=$(date +%s%N)
	kill -TERM "$pid"
	for _ in $(seq 100); do child_running "$pid" || break; sleep 0.03; done
	if child_running "$pid"; then
		kill -KILL "$pid"
		fail "$1: mica-hvt still running 3 s after SIGTERM (killed)"
	fi
	wait "$pid" || rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	grep -E 'stopped by SIGTERM' "$LOG" || fail "$1: the monitor did not say why it stopped"
	mon_ms=$(sed -En 's/.*stopped by SIGTERM ([0-9]+)\.[0-9] ms after the signal.*/\1/p' "$LOG")
	echo "stop latency: $1: ${mon_ms:-?} ms in the monitor, ${ms} ms seen from outside (exit $rc)"
	[[ " $2 " == *" $rc "* ]] || fail "$1: exit code $rc, expected one of: $2"
	log_clean "$LOG"
	[ -n "$mon_ms" ] || fail "$1: the monitor did not say when it stopped"
	[ "$mon_ms" -lt "$LIMIT_MS" ] || fail "$1: took ${mon_ms} ms after the signal (limit $LIMIT_MS)"
	[ "$ms" -lt $((3 * LIMIT_MS)) ] || fail "$1: took ${ms} ms to exit (limit $((3 * LIMIT_MS)))"
}

netns_up
if command -v dig > /dev/null && [ -f "$ROOT/apps/dns/app.mk" ]; then
	IMG=$(build apps/dns -t hvt) || exit 1
	start_hvt "$IMG" --listen=$GUEST_IP:53
	wait_log "serving|listening|zones" 30 || fail "dns did not start under mica-hvt"
	in_ns dig @$GUEST_IP +tries=3 +time=2 +short example.com SOA | grep . || fail "no DNS answer"
	sleep 1 # idle
	timed_stop "apps/dns idle after a query" 0
else
	echo "dig or apps/dns missing: the idle DNS case is not run"
fi

IMG=$(build apps/echo -t hvt) || exit 1
start_hvt "$IMG" --port=7
wait_log "echoing" 30 || fail "echo did not start under mica-hvt"
peer echo $GUEST_IP 7 20000000 30 > /dev/null 2>&1 &
peer_pid=$!
sleep 1.5 # the transfer is under way
timed_stop "apps/echo mid-transfer" "0 143"
rx=$(sed -n "s/.*stats: net service rx=\([0-9]*\).*/\1/p" "$LOG")
echo "the guest had received $rx frames"
[ "${rx:-0}" -ge 10 ] || fail "no transfer was under way"
kill_child "$peer_pid"
wait "$peer_pid" 2>/dev/null || true
echo PASS
