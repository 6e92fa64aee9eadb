#!/usr/bin/env bash
# segments.sh - scapy segment scripts (segments.py) against apps/echo on
# the tap target: options negotiated, a retransmitted SYN, out-of-window
# segments, blind RST/SYN with wrong sequence numbers (RFC 5961 challenge
# ACKs), zero window and probes, FIN with data, DSACK for a duplicate.
# timeout: 120
set -u
. "$(dirname "$0")/lib.sh"
need_root_tap
/usr/bin/python3 -c "import scapy.all" 2> /dev/null || skip "needs python3-scapy for /usr/bin/python3"
netns_up
start_tap echo --port=7
wait_log "echoing" 10 || fail "echo did not start"
in_ns /usr/bin/python3 "$ROOT/tests/integration/tcp/segments.py" $TAP $GUEST_IP || fail "segment scripts"
stop_image
grep -E "^net" "$LOG"
[ "$(counter tcp_challenge_ack)" -ge 2 ] || fail "challenge ACKs not counted"
[ "$(counter tcp_zero_window_probe)" -ge 1 ] || fail "zero-window probes not counted"
echo PASS
