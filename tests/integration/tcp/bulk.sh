#!/usr/bin/env bash
# bulk.sh - 100 MB through Mica's TCP (tap target) in both directions at
# once (apps/echo; the echo is checked with sha256), then 100 MB from a
# Mica server to Linux (tcpperf's pattern, checked with sha256) and 100 MB
# from Linux to Mica. The echo must have moved TCP super-frames both ways
# (the tap target's segmentation offload); the 100 MB from Mica go with
# --tap-offload=send: super-frames out, cut by the kernel.
# timeout: 180
set -u
. "$(dirname "$0")/lib.sh"
need_root_tap
netns_up
start_tap echo --port=7
wait_log "echoing" 10 || fail "echo did not start"
peer echo $GUEST_IP 7 100000000 120 || fail "100 MB echo"
stop_image
# The tap's segmentation offload is on by default: both ways used it.
[ "$(counter tcp_tso_tx)" -ge 1 ] || fail "no TCP super-frames sent (tap offload off?)"
[ "$(counter tcp_rx_super)" -ge 1 ] || fail "no TCP super-frames received (tap offload off?)"
echo "super-frames: sent $(counter tcp_tso_tx), received $(counter tcp_rx_super)"
start_tap tcpperf --port=5001 --send=100000000 --tap-offload=send
wait_log "listening" 10 || fail "tcpperf did not start"
peer recv $GUEST_IP 5001 100000000 || fail "100 MB from Mica"
stop_image
[ "$(counter tcp_tso_tx)" -ge 1 ] || fail "--tap-offload=send: no TCP super-frames sent"
start_tap tcpperf --port=5001
wait_log "listening" 10 || fail "tcpperf did not start"
peer send $GUEST_IP 5001 100000000 || fail "100 MB to Mica"
stop_image
grep -E "^(tcpperf|net)" "$LOG"
grep -q "bytes in 100000000 " "$LOG" || fail "Mica did not count 100 MB received"
echo PASS
