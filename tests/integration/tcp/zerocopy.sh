#!/usr/bin/env bash
# zerocopy.sh - mica_tcp_write_ref against Linux's TCP: apps/tcpperf
# --zerocopy hands its pattern to TCP by reference and Linux checks every
# byte (sha256 of the pattern). On tap with segmentation offload (10 MB,
# twice), on tap through 3% loss made by nftables in the namespace (so
# retransmissions are read from the references), and on unix, where the
# references go to the kernel with sendmsg (10 MB over the namespace's
# loopback). The loss case must show retransmissions in the counters.
# timeout: 240
set -u
. "$(dirname "$0")/lib.sh"
need_root_tap
command -v nft > /dev/null || skip "needs nft (nftables)"
netns_up

start_tap tcpperf --port=5001 --send=10000000 --zerocopy
wait_log "listening" 10 || fail "tcpperf did not start"
for i in 1 2; do
	peer recv $GUEST_IP 5001 10000000 || fail "10 MB by reference from Mica, round $i"
done
stop_image
[ "$(counter tcp_tso_tx)" -ge 1 ] || fail "no super-frames sent: offload not in use"
echo "tap: 2 x 10 MB by reference, tso_tx=$(counter tcp_tso_tx)"

# Loss: Linux drops 3% of the TCP segments it gets from Mica.
in_ns nft -f - <<EOF || fail "cannot add the nftables loss rule"
table inet mica_loss {
	chain in {
		type filter hook input priority 0;
		iifname "$TAP" meta l4proto tcp numgen random mod 100 < 3 drop
	}
}
EOF
start_tap tcpperf --port=5001 --send=3000000 --zerocopy --tap-offload=no
wait_log "listening" 10 || fail "tcpperf did not start"
peer recv $GUEST_IP 5001 3000000 || fail "3 MB by reference through 3% loss"
stop_image
in_ns nft delete table inet mica_loss
[ "$(counter tcp_rexmit)" -ge 1 ] || fail "no retransmissions under loss"
echo "tap with 3% loss: rexmit=$(counter tcp_rexmit)"

# unix: the same app on Linux's sockets, over the namespace's loopback.
img=$(build apps/tcpperf -t unix) || fail "build for unix"
start_image "$img" --port=5003 --send=10000000 --zerocopy
wait_log "listening" 10 || fail "tcpperf (unix) did not start"
peer recv 127.0.0.1 5003 10000000 || fail "10 MB by reference over kernel sockets"
stop_image
echo PASS
