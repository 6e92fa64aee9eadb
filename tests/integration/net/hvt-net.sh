#!/usr/bin/env bash
# hvt-net.sh - the direct stack in a KVM guest under mica-hvt (a small share:
# guests are emulated on the CI machines): apps/echo on a tap in a private
# namespace answers 20 pings, 1400-byte and fragmented 4000-byte pings, UDP echo round
# trips and ICMP port unreachable; its ARP entry reaches Linux's table; the
# monitor's exit counts are printed (VM exits per request).
# timeout: 180
set -u
. "$(dirname "$0")/lib.sh"
need_root_tap
need_hvt
IMG=$(build apps/echo -t hvt) || exit 1
netns_up
start_hvt "$IMG" --port=7
wait_log "echoing" 30 || fail "echo did not start under mica-hvt"
out=$(in_ns ping -c 20 -i 0.2 -W 5 -q $GUEST_IP) || fail "ping: $out"
echo "$out" | grep -q " 0% packet loss" || fail "ping lost packets: $out"
echo "$out" | tail -1
for size in 1400 4000; do
	out=$(in_ns ping -c 3 -i 0.5 -W 5 -s $size -q $GUEST_IP) || fail "ping -s $size: $out"
	echo "$out" | grep -q " 0% packet loss" || fail "ping -s $size lost packets: $out"
done
for i in 1 2 3; do
	[ "$(udp_echo 7 "hvt-$i")" = "hvt-$i" ] || fail "no UDP echo $i"
done
mac=$(grep -o 'mac [0-9a-f:]*' "$LOG" | head -1 | cut -d' ' -f2)
in_ns ip neigh show $GUEST_IP dev $TAP | grep -q lladdr || fail "no ARP entry in Linux's table"
closed_port_unreachable 5
stop_image
cat "$LOG"
[ "$(counter icmp_echo_reply_tx)" -ge 26 ] || fail "echo replies not counted"
[ "$(counter icmp_unreach_tx)" -ge 1 ] || fail "port unreachable not counted"
grep -o 'exits=[0-9]*' "$LOG" | head -1
echo PASS
