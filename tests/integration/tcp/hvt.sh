#!/usr/bin/env bash
# hvt.sh - TCP in a KVM guest (a small share: guests are emulated on the
# CI machines): apps/echo under mica-hvt on a tap in a private namespace
# echoes 1 KB and 100 KB (sha256) and serves 10 sequential connections;
# the monitor's exit counts give VM exits per MB.
# timeout: 240
set -u
. "$(dirname "$0")/lib.sh"
need_root_tap
need_hvt
IMG=$(build apps/echo -t hvt) || exit 1
netns_up
start_hvt "$IMG" --port=7
wait_log "echoing" 30 || fail "echo did not start under mica-hvt"
peer echo $GUEST_IP 7 1000 30 || fail "1 KB echo"
peer echo $GUEST_IP 7 100000 60 || fail "100 KB echo"
peer sequential $GUEST_IP 7 10 || fail "10 sequential connections"
STOP_SECONDS=5 stop_image
grep -iE "exit|^net" "$LOG" | tail -12
echo PASS
