#!/usr/bin/env bash
# tap-robust.sh - malformed traffic from scapy (abuse.py): runts, bad IP
# header and total lengths, bad IP/UDP/ICMP checksums, UDP length larger
# than the packet, overlapping and never-completed fragments, an ARP flood
# for other hosts. Each is dropped and counted, and the unikernel still
# answers (UDP echo, ping) afterwards. The image has ASan+UBSan.
# timeout: 120
set -u
. "$(dirname "$0")/lib.sh"
need_root_tap
/usr/bin/python3 -c 'import scapy' 2> /dev/null || skip "needs python3-scapy for /usr/bin/python3"
IMG=$(build apps/echo -t tap SAN=1) || exit 1   # ASan+UBSan: any memory error fails
netns_up
start_image "$IMG" --net:service=$TAP --ipv4=$GUEST_IP/24 --port=7
wait_log "echoing" 10 || fail "echo did not start"
[ "$(udp_echo 7 before)" = before ] || fail "no echo before the abuse"
mac=$(grep -o 'mac [0-9a-f:]*' "$LOG" | head -1 | cut -d' ' -f2)
in_ns /usr/bin/python3 "$(dirname "$0")/abuse.py" $TAP "$mac" $GUEST_IP $HOST_IP || fail "abuse.py failed"
[ "$(udp_echo 7 after)" = after ] || fail "no echo after the abuse"
in_ns ping -c 20 -i 0.01 -q $GUEST_IP | grep -q " 0% packet loss" || fail "ping lost packets after the abuse"
sleep 11         # past the reassembly timeout (10 s)
[ "$(udp_echo 7 later)" = later ] || fail "no echo after the reassembly timeout"
stop_image
cat "$LOG"
check() { # COUNTER MIN
	local v; v=$(counter "$1")
	[ "$v" -ge "$2" ] || fail "counter $1 = $v, expected at least $2"
	echo "$1 = $v"
}
runts=$(( $(counter eth_runt) + $(counter ip_short) + $(counter ip_bad_len) ))
[ $runts -ge 20 ] || fail "runts not counted"
check ip_bad_hlen 40
check ip_bad_len 20
check ip_bad_csum 20
check udp_bad_csum 20
check udp_bad_len 20
check icmp_bad_csum 20
check ip_reasm_overlap 20
check ip_reasm_timeout 6
check arp_not_for_us 1000
! grep -q "AddressSanitizer\|runtime error" "$LOG" || fail "sanitizer report"
echo PASS
