#!/usr/bin/env bash
# switch-hvt.sh - the Mica switch and the Mica controller both as KVM
# guests (apps/ofswitch and apps/ofctl, hvt target): the switch's control
# tap and the controller's tap share a bridge; hosts on the switch's two
# ports (every device's frames on one POLL exit) ping each other through
# the flows the controller installs. Then a port's link goes down: the
# monitor reports it in the POLL result, the switch sends PORT_STATUS and
# the controller forgets the MACs behind it. Small: every guest
# instruction is emulated on this machine.
# timeout: 150
set -uo pipefail
. "$(dirname "$0")/lib.sh"
need_root
[ -c /dev/net/tun ] || skip "needs /dev/net/tun"
[ -r /dev/kvm ] || skip "needs /dev/kvm"
make -s -C "$ROOT" build/monitor/mica-hvt > /dev/null || fail "cannot build mica-hvt"
SW=$("$ROOT/mica" build apps/ofswitch -t hvt PORTS=2) || fail "cannot build apps/ofswitch for hvt"
CTL=$("$ROOT/mica" build apps/ofctl -t hvt) || fail "cannot build apps/ofctl for hvt"

SWITCH_HVT=1 switch_up 2 "$SW" --controller=10.9.0.3:6653 --dpid=00000000000000b2
# the controller guest on tap c1, bridged with the switch's control tap
in_ns sw ip tuntap add c1 mode tap || fail "tap c1"
in_ns sw ip link add br0 type bridge || fail "bridge"
in_ns sw ip addr flush dev ctl0
for t in ctl0 c1; do in_ns sw ip link set $t master br0; in_ns sw ip link set $t up; done
in_ns sw ip addr add 10.9.0.1/24 dev br0
in_ns sw ip link set br0 up
bg ofctl sw "$ROOT/build/monitor/mica-hvt" --stats --net:service=c1 "$CTL" --ipv4=10.9.0.3/24
wait_for 60 grep -q "switch 00000000000000b2 connected" "$OFDIR/ofctl.log" || fail "the hvt switch did not connect to the hvt controller"
wait_for 20 in_ns h1 ping -c 1 -W 2 10.0.0.2 || fail "h1 -> h2 ping through the hvt switch"
in_ns h2 ping -c 5 -i 0.2 -W 2 10.0.0.1 | grep -q " 0% packet loss" || fail "h2 -> h1 ping lost packets"
in_ns h2 ip link set p2 down
wait_for 10 grep -q "port 2 down, forgot [1-9]" "$OFDIR/ofctl.log" || fail "no PORT_STATUS from the hvt switch, or the controller kept port 2's MACs"
kill_child "$PID_ofswitch"; wait $PID_ofswitch
kill_child "$PID_ofctl"; wait $PID_ofctl
cat "$OFDIR/ofswitch.log" "$OFDIR/ofctl.log"
grep -q "flow_mod [1-9]" "$OFDIR/ofctl.log" || fail "no flow installed"
grep -q "matched [1-9]" "$OFDIR/ofswitch.log" || fail "no packet matched a flow in the guest"
grep -q "port status [1-9]" "$OFDIR/ofswitch.log" || fail "the guest switch sent no PORT_STATUS"
echo PASS
