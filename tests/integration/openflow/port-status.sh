#!/usr/bin/env bash
# port-status.sh - a port of the Mica switch (apps/ofswitch, tap target)
# whose link goes down and up: the switch sends PORT_STATUS (OpenFlow 1.3
# and 1.0, checked by portstatus.py, a minimal controller) and its port
# descriptions follow; under the Mica controller (apps/ofctl) a port going
# down makes it forget the MACs learnt there - shown by a host that moves
# (h2's MAC and address come up on port 3 while port 2 is down, and h1,
# whose neighbour entry for it is fixed, reaches it only because ofctl
# floods instead of sending to the dead port).
# timeout: 180
set -uo pipefail
. "$(dirname "$0")/lib.sh"
need_root
[ -c /dev/net/tun ] || skip "needs /dev/net/tun"
make -s -C "$ROOT" > /dev/null || fail "build"
SW=$("$ROOT/mica" build apps/ofswitch -t tap PORTS=3) || fail "cannot build apps/ofswitch"
CTL=$("$ROOT/mica" build apps/ofctl -t unix) || fail "cannot build apps/ofctl"
PY=/usr/bin/python3

NO_IPV6=1 switch_up 3 "$SW" --controller=10.9.0.1:6653 --dpid=00000000000000c3
for v in 13 10; do
	in_ns sw $PY "$ROOT/tests/integration/openflow/portstatus.py" $v 10.9.0.1 2 "$OFP-h2" p2 ||
		fail "PORT_STATUS with OpenFlow $v"
done

bg ofctl sw "$CTL" --listen=10.9.0.1:6653 --idle-timeout=30
wait_for 40 grep -q "switch 00000000000000c3 connected" "$OFDIR/ofctl.log" || fail "switch did not connect to ofctl"
wait_for 10 in_ns h1 ping -c 1 -W 1 10.0.0.2 || fail "h1 -> h2 ping via ofctl"
h2mac=$(in_ns h2 cat /sys/class/net/p2/address)
in_ns h1 ip neigh replace 10.0.0.2 lladdr "$h2mac" dev p1 nud permanent || fail "neighbour entry"

in_ns h2 ip link set p2 down
wait_for 5 grep -q "port 2 down, forgot [1-9]" "$OFDIR/ofctl.log" || fail "ofctl did not forget port 2's MACs"
# h2 moves to port 3: its MAC and address on h3's link
in_ns h3 ip link set p3 down
in_ns h3 ip link set p3 address "$h2mac"
in_ns h3 ip addr add 10.0.0.2/32 dev p3
in_ns h3 ip link set p3 up
wait_for 10 in_ns h1 ping -c 1 -W 1 10.0.0.2 || fail "h1 cannot reach h2's MAC on its new port"
in_ns h1 ping -c 5 -i 0.1 -W 1 10.0.0.2 | grep -q " 0% packet loss" || fail "ping to the moved host lost packets"

kill_child "$PID_ofctl"; wait $PID_ofctl
kill_child "$PID_ofswitch"; wait $PID_ofswitch
cat "$OFDIR/ofctl.log" "$OFDIR/ofswitch.log"
grep -q "port down [1-9]" "$OFDIR/ofctl.log" || fail "ofctl counted no port down"
grep -q "port status [1-9]" "$OFDIR/ofswitch.log" || fail "the switch counted no PORT_STATUS"
echo PASS
