#!/usr/bin/env bash
# bench/openflow.sh - OpenFlow benchmarks (not a test), one run, peers side
# by side:
#  1. controllers: tools/ofbench (16 switches, 1000 MACs each, OpenFlow
#     1.3, cbench-style) in throughput and latency mode against apps/ofctl
#     on unix (loopback) and on tap (Mica's stack, in a namespace),
#     ovs-testcontroller and an os-ken learning switch
#     (tests/integration/openflow/osken_learn.py): flow setups
#     (FLOW_MOD + PACKET_OUT answered) per second and the ratios.
#  2. switches: two host namespaces through apps/ofswitch (tap target,
#     flows installed by apps/ofctl) and through Open vSwitch's userspace
#     datapath (netdev, flows added with ovs-ofctl): 64-byte UDP packets/s
#     (bench/udpblast.py) and TCP throughput (256 MiB over nc).
#  3. stripped image sizes of both appliances (hvt and tap).
# All addresses live in namespaces this script creates and deletes.
#   bench/openflow.sh [SECONDS]      default 5 (per measurement)
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
secs=${1:-5}
[ "$(id -u)" = 0 ] || { echo "bench/openflow.sh: needs root" >&2; exit 1; }
. tests/integration/openflow/lib.sh
make -s > /dev/null || exit 1
CTL_UNIX=$(./mica build apps/ofctl -t unix) || exit 1
CTL_TAP=$(./mica build apps/ofctl -t tap) || exit 1
SW_TAP=$(./mica build apps/ofswitch -t tap PORTS=2) || exit 1
BENCH=$ROOT/build/tools/ofbench

declare -A TP LAT
# run_ofbench NAME HOST CMD...: for each mode, start the controller (CMD in
# namespace ctl, listening on HOST:6653) afresh, run ofbench, stop it.
run_ofbench() {
	local name=$1 host=$2 mode out; shift 2
	for mode in throughput latency; do
		bg ctlr ctl "$@"
		wait_for 30 in_ns ctl bash -c "exec 3<>/dev/tcp/$host/6653" || echo "$name did not start"
		sleep 1
		out=$(in_ns ctl "$BENCH" -c "$host" -p 6653 -s 16 -M 1000 -l "$secs" -w 4 -m $mode |
			sed -n 's/.*avg = [0-9]*\/[0-9]*\/\([0-9]*\).*/\1/p')
		if [ $mode = throughput ]; then TP[$name]=$out; else LAT[$name]=$out; fi
		kill_child "$PID_ctlr"; wait $PID_ctlr 2>/dev/null
	done
	printf '%-22s throughput %10s/s   latency mode %8s/s\n' "$name" "${TP[$name]:-?}" "${LAT[$name]:-?}"
}
stop() { kill_child "$1"; wait "$1" 2>/dev/null; }

echo "== controllers: ofbench 16 switches x 1000 MACs, OpenFlow 1.3, ${secs}s per mode"
ns_add ctl
in_ns ctl ip tuntap add mt0 mode tap && in_ns ctl ip addr add 10.77.0.1/24 dev mt0 && in_ns ctl ip link set mt0 up
run_ofbench "mica ofctl (unix)" 127.0.0.1 "$CTL_UNIX" --listen=127.0.0.1:6653
run_ofbench "mica ofctl (tap)" 10.77.0.2 "$CTL_TAP" --net:service=mt0 --ipv4=10.77.0.2/24
run_ofbench "ovs-testcontroller" 127.0.0.1 ovs-testcontroller --unixctl="$OFDIR/tc.ctl" -O OpenFlow13 ptcp:6653:127.0.0.1
run_ofbench "os-ken" 127.0.0.1 osken-manager --ofp-listen-host 127.0.0.1 --ofp-tcp-listen-port 6653 \
	"$ROOT/tests/integration/openflow/osken_learn.py"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "n/a" }'; }
echo "ratio mica(unix)/ovs-testcontroller: throughput $(ratio "${TP[mica ofctl (unix)]}" "${TP[ovs-testcontroller]}"), latency $(ratio "${LAT[mica ofctl (unix)]}" "${LAT[ovs-testcontroller]}")   (target >= 2x throughput)"
echo "ratio mica(tap)/ovs-testcontroller:  throughput $(ratio "${TP[mica ofctl (tap)]}" "${TP[ovs-testcontroller]}"), latency $(ratio "${LAT[mica ofctl (tap)]}" "${LAT[ovs-testcontroller]}")"
echo "ratio mica(unix)/os-ken:             throughput $(ratio "${TP[mica ofctl (unix)]}" "${TP[os-ken]}"), latency $(ratio "${LAT[mica ofctl (unix)]}" "${LAT[os-ken]}")   (target >= 10x throughput)"

# ---- switches ----
forward_bench() { # NAME: h1 -> h2 (10.0.0.2), prints pps and TCP MB/s
	local name=$1
	in_ns h1 ping -c 3 -i 0.2 -W 1 10.0.0.2 > /dev/null || echo "$name: no ping"
	in_ns h2 /usr/bin/python3 bench/udpblast.py recv 9000 $((secs + 2)) > "$OFDIR/recv.txt" &
	local r=$!
	sleep 0.5
	in_ns h1 /usr/bin/python3 bench/udpblast.py send 10.0.0.2 9000 "$secs" > "$OFDIR/sent.txt"
	wait $r
	local got; got=$(awk '{print $2}' "$OFDIR/recv.txt")
	in_ns h2 timeout 60 nc -l 5002 > /dev/null &
	r=$!
	sleep 0.3
	local t0 t1; t0=$(date +%s.%N)
	head -c 268435456 /dev/zero | in_ns h1 timeout 60 nc -N 10.0.0.2 5002
	wait $r; t1=$(date +%s.%N)
	local mbs; mbs=$(awk -v t0="$t0" -v t1="$t1" 'BEGIN { printf "%.0f", 256 / (t1 - t0) }')
	local pps=$((got / secs))
	printf '%-22s UDP 64B %9s packets/s (sent %s)   TCP %6s MB/s\n' "$name" "$pps" "$(awk '{print $2}' "$OFDIR/sent.txt")" "$mbs"
	eval "PPS_$2=$pps MBS_$2=$mbs"
}
echo "== switches: h1 -> h2 through the switch, ${secs}s UDP flood, 256 MiB TCP"
# Mica switch: ports on taps moved into h1/h2, flows from ofctl
ns_del_hosts() { ip netns del "$OFP-h1"; ip netns del "$OFP-h2"; ip netns del "$OFP-sw"; }
switch_up 2 "$SW_TAP" --controller=10.9.0.1:6653
bg ofctl_sw sw "$CTL_UNIX" --listen=10.9.0.1:6653 --idle-timeout=300
wait_for 20 grep -q "connected" "$OFDIR/ofctl_sw.log" || echo "mica switch did not connect"
forward_bench "mica ofswitch (tap)" mica
stop $PID_ofswitch; stop $PID_ofctl_sw; ns_del_hosts
# OVS userspace datapath
ns_add sw
ovs_start sw
$VSCTL add-br br0 -- set bridge br0 datapath_type=netdev fail-mode=secure > /dev/null
ip netns add "$OFP-h1"; ip netns add "$OFP-h2"
for i in 1 2; do
	ip link add eth0 netns "$OFP-h$i" type veth peer name v$i netns "$OFP-sw"
	ip -n "$OFP-h$i" addr add 10.0.0.$i/24 dev eth0; ip -n "$OFP-h$i" link set eth0 up; ip -n "$OFP-h$i" link set lo up
	ip -n "$OFP-sw" link set v$i up
	ip netns exec "$OFP-h$i" ethtool -K eth0 tx off > /dev/null 2>&1
	$VSCTL add-port br0 v$i
done
in_ns sw ovs-ofctl add-flow br0 in_port=v1,actions=output:v2
in_ns sw ovs-ofctl add-flow br0 in_port=v2,actions=output:v1
forward_bench "ovs userspace (netdev)" ovs
echo "ratio mica/ovs: packets/s $(ratio "$PPS_mica" "$PPS_ovs"), TCP $(ratio "$MBS_mica" "$MBS_ovs")   (target >= 1x)"

echo "== stripped image sizes"
for app in ofswitch ofctl; do
	for t in hvt tap; do
		img=$(./mica build apps/$app -t $t) || continue
		strip -o "$OFDIR/s" "$img" && printf '%-10s %-4s %8s bytes\n' "$app" "$t" "$(stat -c %s "$OFDIR/s")"
	done
done
