#!/usr/bin/env bash
# switch-hvt.sh - the Mica switch as a KVM guest (apps/ofswitch, hvt, two
# ports and the control device, all on one POLL exit per wake-up) under
# the Mica controller (apps/ofctl, unix): hosts on its ports ping each
# other through the flows the controller installs. Small: every guest
# instruction is emulated on this machine.
# timeout: 120
set -uo pipefail
. "$(dirname "$0")/lib.sh"
need_root
[ -c /dev/net/tun ] || skip "needs /dev/net/tun"
[ -r /dev/kvm ] || skip "needs /dev/kvm"
make -s -C "$ROOT" build/monitor/mica-hvt > /dev/null || fail "cannot build mica-hvt"
SW=$("$ROOT/mica" build apps/ofswitch -t hvt PORTS=2) || fail "cannot build apps/ofswitch for hvt"
CTL=$("$ROOT/mica" build apps/ofctl -t unix) || fail "cannot build apps/ofctl"

SWITCH_HVT=1 switch_up 2 "$SW" --controller=10.9.0.1:6653 --dpid=00000000000000b2
bg ofctl sw "$CTL" --listen=10.9.0.1:6653
wait_for 40 grep -q "switch 00000000000000b2 connected" "$OFDIR/ofctl.log" || fail "the hvt switch did not connect"
wait_for 20 in_ns h1 ping -c 1 -W 2 10.0.0.2 || fail "h1 -> h2 ping through the hvt switch"
in_ns h2 ping -c 5 -i 0.2 -W 2 10.0.0.1 | grep -q " 0% packet loss" || fail "h2 -> h1 ping lost packets"
kill $PID_ofswitch; wait $PID_ofswitch
kill $PID_ofctl; wait $PID_ofctl
cat "$OFDIR/ofswitch.log"
grep -q "flow_mod [1-9]" "$OFDIR/ofctl.log" || fail "no flow installed"
grep -q "matched [1-9]" "$OFDIR/ofswitch.log" || fail "no packet matched a flow in the guest"
echo PASS
