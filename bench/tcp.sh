#!/usr/bin/env bash
# bench/tcp.sh - TCP throughput and connection rate of Mica's own stack
# (tap target) against Linux's, in one run, on this machine.
#
#   bench/tcp.sh [BYTES] [CONNS]     (defaults 500000000 and 3000)
#
# Every side runs the same app, apps/tcpperf: built for `unix` it is Linux's
# kernel TCP, built for `tap` it is Mica's. Bulk: one connection sends
# BYTES (client --send), the server sinks them; the client's time from its
# first connect to the close is the measure.
#   Linux -> Linux   over a veth pair between two namespaces (default
#                    offloads: GSO/GRO move 64 KB super-segments)
#   Linux -> Linux*  the same with gso_max_segs 1 (one MSS per packet, as
#                    on the tap)
#   Linux -> Mica    Linux client, Mica server, on a tap in a namespace
#   Mica -> Linux    Mica client, Linux server, same tap
# Connection rate: CONNS short exchanges (100 bytes each way, then both
# close), 8 at a time, Linux client to Mica server and Linux to Linux.
# Namespaces mica-bench-PID-* are removed on exit. Needs root, /dev/net/tun.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BYTES=${1:-500000000}
CONNS=${2:-3000}
. tools/netns-run.sh
[ "$(id -u)" = 0 ] && [ -c /dev/net/tun ] || { echo "bench/tcp.sh: needs root and /dev/net/tun" >&2; exit 1; }
U=$(./mica build apps/tcpperf -t unix | tail -1)
T=$(./mica build apps/tcpperf -t tap | tail -1)
TAPNS=mica-bench-$$-tap A=mica-bench-$$-a B=mica-bench-$$-b
SRV=""
cleanup() {
	[ -z "$SRV" ] || { kill_child "$SRV"; wait "$SRV" 2>/dev/null || true; }
	for n in $TAPNS $A $B; do mica_netns_down $n; done
}
trap cleanup EXIT

mica_netns_up $TAPNS mtap0 10.77.0.1/24
ip netns add $A
ip netns add $B
ip link add vA netns $A type veth peer name vB netns $B
ip -n $A addr add 10.78.0.1/24 dev vA
ip -n $B addr add 10.78.0.2/24 dev vB
ip -n $A link set vA up
ip -n $B link set vB up

# serve NS CMD...: start a server in the background; client NS CMD...:
# run a client (bounded), print the ms it reports, stop the server.
serve() { local ns=$1; shift; ip netns exec $ns timeout 120 "$@" > /dev/null 2>&1 & SRV=$!; sleep 0.3; }
client() {
	local ns=$1 out ms
	shift
	out=$(ip netns exec $ns timeout 120 "$@" | grep '^tcpperf: connections') || { echo "client failed: $*" >&2; exit 1; }
	kill_child "$SRV"
	wait "$SRV" 2>/dev/null || true
	case $out in *" failed 0 "*) ;; *) echo "client reported failures: $out" >&2; exit 1;; esac
	ms=$(echo "$out" | sed 's/.* time \([0-9]*\) ms/\1/')
	echo $(( ms > 0 ? ms : 1 ))
}
MICA=(--net:service=mtap0 --ipv4=10.77.0.2/24)

serve $B $U --port=5001
ll=$(client $A $U --connect=10.78.0.2:5001 --send=$BYTES)
ip -n $A link set vA gso_max_segs 1
serve $B $U --port=5001
ll1=$(client $A $U --connect=10.78.0.2:5001 --send=$BYTES)
ip -n $A link set vA gso_max_segs 65535
serve $TAPNS $T "${MICA[@]}" --port=5001
lm=$(client $TAPNS $U --connect=10.77.0.2:5001 --send=$BYTES)
serve $TAPNS $U --port=5001
ml=$(client $TAPNS $T "${MICA[@]}" --connect=10.77.0.1:5001 --send=$BYTES)

serve $B $U --port=5002 --send=100
crl=$(client $A $U --connect=10.78.0.2:5002 --send=100 --conns=$CONNS --parallel=8)
serve $TAPNS $T "${MICA[@]}" --port=5002 --send=100
crm=$(client $TAPNS $U --connect=10.77.0.2:5002 --send=100 --conns=$CONNS --parallel=8)
serve $TAPNS $U --port=5002 --send=100
crml=$(client $TAPNS $T "${MICA[@]}" --connect=10.77.0.1:5002 --send=100 --conns=$CONNS --parallel=8)

mbs() { echo "scale=1; $BYTES / $1 / 1000" | bc; }
ratio() { echo "scale=2; $2 / $1" | bc; }
cps() { echo "$CONNS * 1000 / $1" | bc; }
printf 'bulk, %d bytes, one connection:\n' "$BYTES"
printf '  %-16s %8s MB/s\n' "Linux -> Linux" "$(mbs $ll)" "Linux -> Linux*" "$(mbs $ll1)" \
	"Linux -> Mica" "$(mbs $lm)" "Mica -> Linux" "$(mbs $ml)"
printf '  ratios to Linux->Linux:  Linux->Mica %s  Mica->Linux %s\n' "$(ratio $lm $ll)" "$(ratio $ml $ll)"
printf '  ratios to Linux->Linux*: Linux->Mica %s  Mica->Linux %s\n' "$(ratio $lm $ll1)" "$(ratio $ml $ll1)"
printf '  direction ratio (faster/slower): %s\n' "$(if [ $lm -lt $ml ]; then ratio $lm $ml; else ratio $ml $lm; fi)"
printf 'connections/s, %d exchanges of 100 bytes each way, 8 at a time:\n' "$CONNS"
printf '  %-16s %8s\n' "Linux -> Linux" "$(cps $crl)" "Linux -> Mica" "$(cps $crm)" "Mica -> Linux" "$(cps $crml)"
