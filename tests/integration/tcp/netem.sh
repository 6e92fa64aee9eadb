#!/usr/bin/env bash
# netem.sh - TCP transfers through an impaired link, both directions:
# 1% and 5% loss, 50 ms delay with jitter, reordering, duplication, and all
# of them together. Each echo transfer must come back byte-exact (sha256)
# within its timeout. The impairment is tests/integration/tcp/impair.py, a
# user-space netem between Linux's tap and Mica's (this kernel may lack
# sch_netem); it impairs both directions, so Mica's retransmission, fast
# recovery, SACK and out-of-order queue are all exercised. Mica runs without
# tap offload here: the bridge is a wire, and a packet socket would see
# super-frames and checksums left for the device to finish.
# timeout: 300
set -u
. "$(dirname "$0")/lib.sh"
need_root_tap
MTAP=mtap1
IMPAIR_PID=""
stop_impair() {
	if [ -n "$IMPAIR_PID" ]; then
		kill_child "$IMPAIR_PID"; wait "$IMPAIR_PID" 2>/dev/null
		IMPAIR_PID=""
	fi
}
trap 'stop_impair; cleanup' EXIT
netns_up
ip -n "$NS" tuntap add dev $MTAP mode tap || fail "cannot add $MTAP"
in_ns sysctl -qw net.ipv6.conf.$MTAP.disable_ipv6=1
ip -n "$NS" link set $MTAP up

# impair ARGS...: (re)start the bridge with these impairments.
impair() {
	stop_impair
	ip netns exec "$NS" /usr/bin/python3 "$ROOT/tests/integration/tcp/impair.py" $TAP $MTAP \
		--max-seconds 200 "$@" &
	IMPAIR_PID=$!
	sleep 0.3
}

img=$(build apps/echo -t tap)
impair
start_image "$img" --net:service=$MTAP --ipv4=$GUEST_IP/24 --port=7 --tap-offload=no
wait_log "echoing" 10 || fail "echo did not start"
peer echo $GUEST_IP 7 1000 10 || fail "echo through the clean bridge"

run() {
	local what=$1 size=$2
	shift 2
	impair "$@"
	echo "--- $what: $*"
	peer echo $GUEST_IP 7 $size 90 || fail "echo of $size bytes with $what"
}
run "1% loss" 1000000 --loss 1 --seed 11
run "5% loss" 300000 --loss 5 --seed 12
run "50 ms delay, 10 ms jitter" 1000000 --delay 50 --jitter 10 --seed 13
run "reordering" 1000000 --delay 2 --reorder 10 --seed 14
run "duplication" 1000000 --dup 5 --seed 15
run "everything" 500000 --loss 2 --dup 2 --reorder 5 --delay 5 --jitter 3 --seed 16
stop_impair
stop_image
grep -E "^net" "$LOG"
[ "$(counter tcp_rexmit)" -ge 1 ] || fail "no retransmissions counted under loss"
[ "$(counter tcp_ooo_queued)" -ge 1 ] || fail "no out-of-order data counted"
echo PASS
