#!/usr/bin/env bash
# tap-basic.sh - apps/echo on the tap target in a private namespace: Linux
# pings it (50 small, 50 1400-byte, 100 fragmented 4000-byte pings, 0% loss),
# UDP echo round trips, its ARP entry appears in Linux's neighbour table,
# UDP to a closed port gets ICMP port unreachable, a reply written while
# the tap is down is counted as the device's error, counters at exit.
# timeout: 120
set -u
. "$(dirname "$0")/lib.sh"
need_root_tap
command -v ping > /dev/null || skip "needs ping (iputils-ping)"
IMG=$(build apps/echo -t tap) || exit 1
netns_up
start_image "$IMG" --net:service=$TAP --ipv4=$GUEST_IP/24 --port=7
wait_log "echoing" 10 || fail "echo did not start"

for size in 56 1400 4000; do
	count=$([ $size = 4000 ] && echo 100 || echo 50) # 100 reassemblies counted below
	out=$(in_ns ping -c $count -i 0.01 -W 1 -s $size -q $GUEST_IP) || fail "ping -s $size: $out"
	echo "$out" | grep -q " 0% packet loss" || fail "ping -s $size lost packets: $out"
	echo "ping -s $size: $(echo "$out" | grep -o '[0-9]* received, [0-9]*% packet loss')"
done

for i in $(seq 1 50); do
	r=$(udp_echo 7 "hello-$i") || fail "no UDP echo for round $i"
	[ "$r" = "hello-$i" ] || fail "echo answered '$r' to 'hello-$i'"
done
echo "50 UDP echo round trips ok"
big=$(head -c 3000 /dev/zero | tr '\0' 'z')
[ "$(udp_echo 7 "$big")" = "$big" ] || fail "3000-byte UDP echo (fragmented both ways) failed"
echo "fragmented UDP echo ok"

neigh=$(in_ns ip neigh show $GUEST_IP dev $TAP)
echo "neighbour: $neigh"
mac=$(grep -o 'mac [0-9a-f:]*' "$LOG" | head -1 | cut -d' ' -f2)
echo "$neigh" | grep -q "lladdr $mac" || fail "no ARP entry for $GUEST_IP with $mac in Linux's table"

closed_port_unreachable 2

# A reply the tap refuses (its Linux side went down while the datagram
# waited for the stopped echo) is lost and counted: dev_tx_errors.
kill -STOP "$APP_PID"
in_ns /usr/bin/python3 -c "import socket; socket.socket(2, 2).sendto(b'x', ('$GUEST_IP', 7))"
in_ns ip link set $TAP down
kill -CONT "$APP_PID"
sleep 0.5 # for the reply to be written (and refused)

stop_image
cat "$LOG"
[ "$(counter icmp_unreach_tx)" -ge 1 ] || fail "icmp_unreach_tx not counted"
[ "$(counter ip_reasm_ok)" -ge 100 ] || fail "reassembly not counted"
[ "$(counter ip_frag_tx)" -ge 300 ] || fail "fragmented replies not counted"
[ "$(counter dev_tx_errors)" -ge 1 ] || fail "the reply the tap refused was not counted (dev_tx_errors)"
echo PASS
