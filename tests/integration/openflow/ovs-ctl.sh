#!/usr/bin/env bash
# ovs-ctl.sh - the Mica controller (apps/ofctl, unix target) drives Open
# vSwitch: two host namespaces on an OVS bridge (userspace datapath) in
# fail-mode=secure, so their ping and TCP pass only through the flows the
# controller installs; dump-flows shows them and the idle timeout removes
# them. Both OpenFlow 1.3 and 1.0.
# timeout: 180
set -uo pipefail
. "$(dirname "$0")/lib.sh"
need_root
need_ovs
command -v nc > /dev/null || skip "needs nc"
make -s -C "$ROOT" > /dev/null || fail "build"
CTL=$("$ROOT/mica" build apps/ofctl -t unix) || fail "cannot build apps/ofctl"

ns_add sw
ovs_start sw
$VSCTL add-br br0 -- set bridge br0 datapath_type=netdev fail-mode=secure \
	protocols=OpenFlow13 || fail "add-br"
host_veth h1 eth0 10.0.0.1/24 sw v1
host_veth h2 eth0 10.0.0.2/24 sw v2
$VSCTL add-port br0 v1 -- add-port br0 v2 || fail "add-port"
OFCTL13="in_ns sw ovs-ofctl -O OpenFlow13"

# no controller yet: secure mode has no flows, nothing passes
in_ns h1 ping -c 1 -W 1 10.0.0.2 > /dev/null && fail "ping passed without a controller"

bg ofctl sw "$CTL" --idle-timeout=3 --log=info
$VSCTL set-controller br0 tcp:127.0.0.1:6653 || fail "set-controller"
wait_for 10 grep -q "connected (OpenFlow 1.3" "$OFDIR/ofctl.log" || fail "switch did not connect with 1.3"
wait_for 10 in_ns h1 ping -c 1 -W 1 10.0.0.2 || fail "no ping through the controller's flows"
in_ns h1 ping -c 20 -i 0.05 -W 1 10.0.0.2 | grep -q " 0% packet loss" || fail "ping lost packets"
flows=$($OFCTL13 dump-flows br0)
echo "$flows"
echo "$flows" | grep -q "idle_timeout=3.*priority=100.*in_port=.*dl_src=.*dl_dst=.*actions=output" ||
	fail "dump-flows shows no learnt flow"
echo "$flows" | grep -q "priority=0 actions=CONTROLLER" || fail "no table-miss flow"
transfer h1 h2 10.0.0.2 || fail "TCP transfer failed"
# idle timeout: the learnt flows go away
sleep 5
$OFCTL13 dump-flows br0 | grep -q "priority=100" && fail "learnt flows outlived their idle timeout"

# OpenFlow 1.0 only: the controller speaks 1.0
$VSCTL set bridge br0 protocols=OpenFlow10 || fail "protocols"
wait_for 15 grep -q "connected (OpenFlow 1.0" "$OFDIR/ofctl.log" || fail "switch did not reconnect with 1.0"
wait_for 10 in_ns h1 ping -c 1 -W 1 10.0.0.2 || fail "no ping with OpenFlow 1.0"
in_ns sw ovs-ofctl -O OpenFlow10 dump-flows br0 | grep -q "idle_timeout=3.*priority=100" ||
	fail "no learnt flow with 1.0"
transfer h2 h1 10.0.0.1 || fail "TCP transfer with 1.0 failed"

kill_child "$PID_ofctl"; wait $PID_ofctl
cat "$OFDIR/ofctl.log"
grep -q "flow_mod [1-9]" "$OFDIR/ofctl.log" || fail "no flow_mod counted"
echo PASS
