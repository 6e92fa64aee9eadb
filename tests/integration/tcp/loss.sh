#!/usr/bin/env bash
# loss.sh - bulk transfers between Mica (tap target, no offload) and Linux
# through loss and reordering, both directions, with Linux as the yardstick
# for Mica as a sender: for each impairment, Linux sends to Mica and Mica
# sends to Linux through the same path, every transfer must arrive
# byte-exact (tcpperf --verify: the receiver's FNV-1a hash equals that of a
# clean transfer over loopback), within its timeout, and Mica's time as the
# sender must stay within 5x Linux's + 2 s (a sender that collapses under
# loss takes 100x; the slack is for a busy machine, where Mica, a process
# that must be scheduled to answer each ACK, suffers more than Linux's
# kernel sender). The path is tests/integration/tcp/impair.py bridging
# Linux's tap to Mica's, so that losses happen on the wire, after the
# sender let go of the frame (a drop on the sending host is resent at once
# by Linux's TCP): first 2% random loss each way, then 2 ms delay, 5%
# reordering and 1% loss. The full matrix against Linux<->Linux is
# bench/tcp-loss.sh.
# timeout: 300
set -u
. "$(dirname "$0")/lib.sh"
need_root_tap
MTAP=mtap1
BYTES=10000000
IMPAIR_PID=""
SRV_PID=""
stop_srv() {
	[ -z "$SRV_PID" ] || { kill_child "$SRV_PID"; wait "$SRV_PID" 2> /dev/null; }
	SRV_PID=""
}
# srv_done BYTES: wait (at most 5 s) for the Linux server to report them.
srv_done() {
	local i
	for ((i = 0; i < 50; i++)); do
		grep -aq "received $1 fnv" "$LOG.srv" && break
		sleep 0.1
	done
	stop_srv
}
trap 'kill_child "$IMPAIR_PID"; stop_srv; rm -f "$LOG.srv" "$LOG.cli"; cleanup' EXIT
U=$(build apps/tcpperf -t unix) || exit 1
T=$(build apps/tcpperf -t tap) || exit 1
netns_up
in_ns ip link set lo up
in_ns ethtool -K $TAP rx off tx off tso off gso off gro off > /dev/null 2>&1 || true

# Each transfer sets MS (the sender's time) and FNV (the receiver's hash).
hash_of() { grep -ao "received $1 fnv [0-9a-f]*" "$2" | awk '{print $4}'; }
time_of() { sed -n 's/^tcpperf: connections 1 failed 0 .* time \([0-9]*\) ms$/\1/p' "$1"; }

# linux_server BYTES, then a client: the server's hash after it.
linux_server() {
	in_ns timeout 90 $U --port=5001 --verify > "$LOG.srv" 2>&1 &
	SRV_PID=$!
	sleep 0.3
}

# reference BYTES: a clean transfer over the namespace's loopback.
reference() {
	linux_server
	in_ns timeout 30 $U --connect=127.0.0.1:5001 --send=$1 > "$LOG.cli" 2>&1 || fail "loopback reference"
	srv_done $1
	FNV=$(hash_of $1 "$LOG.srv")
	[ -n "$FNV" ] || fail "no reference hash"
}

# linux_sends MICA_IF BYTES: a Linux client to a Mica server.
linux_sends() {
	start_image "$T" --net:service=$1 --ipv4=$GUEST_IP/24 --tap-offload=no --port=5001 --verify
	wait_log "listening" 10 || fail "tcpperf on tap did not start"
	in_ns timeout 60 $U --connect=$GUEST_IP:5001 --send=$2 > "$LOG.cli" 2>&1 || fail "Linux -> Mica did not finish"
	wait_log "received $2 fnv" 5
	stop_image
	MS=$(time_of "$LOG.cli")
	FNV=$(hash_of $2 "$LOG")
}

# mica_sends MICA_IF BYTES: a Mica client to a Linux server.
mica_sends() {
	linux_server
	in_ns timeout 60 $T --net:service=$1 --ipv4=$GUEST_IP/24 --tap-offload=no \
		--connect=$HOST_IP:5001 --send=$2 > "$LOG" 2>&1 || fail "Mica -> Linux did not finish"
	srv_done $2
	grep -E "^net .*tcp_" "$LOG" | sed 's/^/  /'
	MS=$(time_of "$LOG")
	FNV=$(hash_of $2 "$LOG.srv")
}

# compare WHAT BYTES REF MICA_IF: both directions, hashes, Mica's time.
compare() {
	local what=$1 bytes=$2 ref=$3 dev=$4 lm lmf
	linux_sends $dev $bytes
	lm=$MS lmf=$FNV
	mica_sends $dev $bytes
	echo "$what: Linux -> Mica ${lm} ms (fnv $lmf), Mica -> Linux ${MS} ms (fnv $FNV), reference $ref"
	[ "$lmf" = "$ref" ] || fail "$what: Mica received other bytes than were sent"
	[ "$FNV" = "$ref" ] || fail "$what: Linux received other bytes than Mica sent"
	[ -n "$MS" ] && [ -n "$lm" ] && [ "$MS" -le $((5 * lm + 2000)) ] ||
		fail "$what: Mica as the sender took ${MS} ms, Linux ${lm} ms"
}

reference $BYTES
ref=$FNV
ip -n "$NS" tuntap add dev $MTAP mode tap || fail "cannot add $MTAP"
in_ns sysctl -qw net.ipv6.conf.$MTAP.disable_ipv6=1 net.ipv4.conf.$MTAP.arp_ignore=8
ip -n "$NS" link set $MTAP up
# impair ARGS...: (re)start the bridge between Linux's tap and Mica's.
impair() {
	[ -z "$IMPAIR_PID" ] || { kill_child "$IMPAIR_PID"; wait "$IMPAIR_PID" 2> /dev/null; }
	in_ns /usr/bin/python3 "$ROOT/tests/integration/tcp/impair.py" $TAP $MTAP --max-seconds 200 "$@" > /dev/null &
	IMPAIR_PID=$!
	sleep 0.3
}
impair --loss 2 --seed 31
compare "2% loss" $BYTES "$ref" $MTAP
impair --delay 2 --reorder 5 --loss 1 --seed 21
compare "2 ms delay, 5% reordering, 1% loss" $BYTES "$ref" $MTAP
echo PASS
