#!/usr/bin/env bash
# interop.sh - Mica's TCP (tap target) against Linux's: echo transfers of
# 1 B, 1 KB and 1 MB checked by hash; 1000 sequential connections (Linux
# closes first); 100 concurrent ones; a closed port answers with RST; Mica
# closes first (tcpperf server sends and closes); Mica as the client
# (active open) sending to a Linux sink, and refused by a closed Linux
# port; counters at exit.
# timeout: 240
set -u
. "$(dirname "$0")/lib.sh"
need_root_tap
netns_up

start_tap echo --port=7
wait_log "echoing" 10 || fail "echo did not start"
for size in 1 1000 1000000; do
	peer echo $GUEST_IP 7 $size 30 || fail "echo of $size bytes"
done
peer sequential $GUEST_IP 7 1000 || fail "1000 sequential connections"
peer concurrent $GUEST_IP 7 100 20000 || fail "100 concurrent connections"
in_ns /usr/bin/python3 - "$GUEST_IP" <<'PY' || fail "closed port did not refuse"
import socket, sys
try:
    socket.create_connection((sys.argv[1], 9), timeout=3)
    sys.exit("connected to a closed port")
except ConnectionRefusedError:
    print("closed port: RST -> connection refused")
PY
stop_image
grep -E "^(echo|net)" "$LOG"
[ "$(counter tcp_accepted)" -ge 1101 ] || fail "expected >= 1101 accepted connections"
[ "$(counter tcp_rst_tx)" -ge 1 ] || fail "no RST counted for the closed port"
[ "$(counter tcp_rx_bad_csum)" = 0 ] || fail "checksum errors"

# Mica closes first: the server sends 1 MB and closes without waiting.
start_tap tcpperf --port=5001 --send=1000000 --close-first
wait_log "listening" 10 || fail "tcpperf did not start"
for i in 1 2 3; do
	peer recv $GUEST_IP 5001 1000000 || fail "recv from a closing Mica, round $i"
done
peer send $GUEST_IP 5001 1000 || fail "send 1 KB to Mica"
stop_image

# Mica as the client: active open, 1 B, 1 KB, 1 MB to a Linux sink.
for size in 1 1000 1000000; do
	in_ns $PEER sink 5002 2 $size > /tmp/tcp-sink.$$ 2>&1 &
	SINK=$!
	for _ in $(seq 50); do grep -q listening /tmp/tcp-sink.$$ && break; sleep 0.1; done
	run_tap_client 30 tcpperf --connect=$HOST_IP:5002 --send=$size --conns=2 || fail "tcpperf client ($size bytes) failed"
	wait $SINK || { cat /tmp/tcp-sink.$$; rm -f /tmp/tcp-sink.$$; fail "Linux sink did not get $size bytes x2"; }
	cat /tmp/tcp-sink.$$
	rm -f /tmp/tcp-sink.$$
	[ "$(counter tcp_connected)" = 2 ] || fail "tcp_connected != 2"
done
# Mica connecting to a closed Linux port gets RST: connection refused.
run_tap_client 20 tcpperf --connect=$HOST_IP:5009 --send=10 && fail "connect to a closed port succeeded"
grep -q "connection refused" "$LOG" || { cat "$LOG"; fail "no 'connection refused' from the closed port"; }
[ "$(counter tcp_rst_rx)" -ge 1 ] || fail "RST not counted"
echo "Mica -> closed Linux port: connection refused"
echo PASS
