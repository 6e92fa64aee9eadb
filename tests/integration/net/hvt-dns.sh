#!/usr/bin/env bash
# hvt-dns.sh - apps/dns in a KVM guest under mica-hvt on a tap in a private
# namespace: dig gets the same answers as from apps/dns on unix (run in the
# same namespace on its loopback). A small share: guests are emulated here.
# timeout: 180
set -u
. "$(dirname "$0")/lib.sh"
need_root_tap
need_dns
need_hvt
HVTIMG=$(build apps/dns -t hvt) || exit 1
UNIXIMG=$(build apps/dns -t unix) || exit 1
netns_up
dns_reference "$UNIXIMG"
# First the tap target on the same tap: it turns on the tap's offloads,
# which stay on the device; the monitor must turn them off again.
TAPIMG=$(build apps/dns -t tap) || exit 1
start_image "$TAPIMG" --net:service=$TAP --ipv4=$GUEST_IP/24 --listen=$GUEST_IP:53
wait_log "serving|listening|zones" 10 || fail "dns did not start on the tap target"
stop_image
start_hvt "$HVTIMG" # no --listen: on hvt it serves on its address, port 53
wait_log "serving|listening|zones" 30 || fail "dns did not start under mica-hvt"
same_answers hvt "" "example.com SOA" "www.example.com A" "example.com MX" "nope.example.com A" \
	"example.com TXT"
stop_image
cat "$LOG"
echo PASS
