#!/usr/bin/env bash
# switch-tap.sh - the Mica switch (apps/ofswitch, tap target) under four
# controllers: ovs-testcontroller with OpenFlow 1.0 and with 1.3 (its table
# misses carry 128 bytes, so the switch's buffer ids must work), an os-ken
# learning switch (osken_learn.py) and the Mica controller (apps/ofctl).
# Hosts on the switch's ports ping and move 1 MiB over TCP each time.
# timeout: 240
set -uo pipefail
. "$(dirname "$0")/lib.sh"
need_root
[ -c /dev/net/tun ] || skip "needs /dev/net/tun"
command -v nc > /dev/null || skip "needs nc"
make -s -C "$ROOT" > /dev/null || fail "build"
SW=$("$ROOT/mica" build apps/ofswitch -t tap PORTS=3) || fail "cannot build apps/ofswitch"
CTL=$("$ROOT/mica" build apps/ofctl -t unix) || fail "cannot build apps/ofctl"

switch_up 3 "$SW" --controller=10.9.0.1:6653 --dpid=00000000000000a1
# first ovs-testcontroller, which ignores table misses that reach it
# through another controller's table-miss flow
n=0
if command -v ovs-testcontroller > /dev/null; then
	for proto in OpenFlow10 OpenFlow13; do
		bg tc sw ovs-testcontroller --unixctl="$OFDIR/tc.ctl" -O $proto ptcp:6653:10.9.0.1
		v=$([ $proto = OpenFlow10 ] && echo 1.0 || echo 1.3)
		n=$((n + 1))
		wait_for 40 eval '[ "$(grep -c "connected to the controller (OpenFlow" "$OFDIR/ofswitch.log")" -ge $n ]' ||
			fail "switch did not connect to ovs-testcontroller ($proto)"
		wait_for 10 in_ns h2 ping -c 1 -W 1 10.0.0.3 || fail "h2 -> h3 ping via ovs-testcontroller ($proto)"
		transfer h3 h1 10.0.0.1 || fail "TCP h3 -> h1 via ovs-testcontroller ($proto)"
		kill_child "$PID_tc"; wait $PID_tc 2>/dev/null
		tail -1 "$OFDIR/ofswitch.log" | grep -q "OpenFlow $v" || grep -q "controller (OpenFlow $v)" "$OFDIR/ofswitch.log" ||
			fail "not OpenFlow $v"
	done
else
	echo "ovs-testcontroller not installed: that part skipped"
fi
# os-ken with a small learning app of our own (Debian's package has none)
if /usr/bin/python3 -c "import os_ken" 2> /dev/null && command -v osken-manager > /dev/null; then
	bg osken sw osken-manager --ofp-listen-host 10.9.0.1 --ofp-tcp-listen-port 6653 \
		"$ROOT/tests/integration/openflow/osken_learn.py"
	n=$((n + 1))
	wait_for 60 eval '[ "$(grep -c "connected to the controller (OpenFlow" "$OFDIR/ofswitch.log")" -ge $n ]' ||
		fail "switch did not connect to os-ken"
	wait_for 15 in_ns h1 ping -c 1 -W 1 10.0.0.3 || fail "h1 -> h3 ping via os-ken"
	transfer h2 h3 10.0.0.3 || fail "TCP h2 -> h3 via os-ken"
	kill_child "$PID_osken"; wait $PID_osken 2>/dev/null
else
	echo "python3-os-ken not installed: that part skipped"
fi
# last: Mica's controller (it clears the table the others left)
bg ofctl sw "$CTL" --listen=10.9.0.1:6653 --idle-timeout=10
wait_for 40 grep -q "switch 00000000000000a1 connected" "$OFDIR/ofctl.log" ||
	fail "switch did not connect to ofctl"
wait_for 10 in_ns h1 ping -c 1 -W 1 10.0.0.2 || fail "h1 -> h2 ping via ofctl"
in_ns h1 ping -c 10 -i 0.05 -W 1 10.0.0.3 | grep -q " 0% packet loss" || fail "h1 -> h3 ping lost packets"
transfer h1 h2 10.0.0.2 || fail "TCP h1 -> h2 via ofctl"
kill_child "$PID_ofctl"; wait $PID_ofctl
grep -q "switch 00000000000000a1 connected" "$OFDIR/ofctl.log" || fail "ofctl did not see dpid a1"

kill_child "$PID_ofswitch"; wait $PID_ofswitch
cat "$OFDIR/ofswitch.log"
grep -q "packet_in [1-9]" "$OFDIR/ofswitch.log" || fail "no PACKET_IN counted"
echo PASS
