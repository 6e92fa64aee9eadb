#!/usr/bin/env bash
# bench/tcp-loss.sh - bulk TCP goodput under random loss and added delay,
# Mica's stack against Linux's, both directions, in one run.
#
#   bench/tcp-loss.sh [BYTES] [DELAY_BYTES]   (defaults 50000000, 10000000)
#   CELLS="0 1 1@10" RUNS=3 bench/tcp-loss.sh  (a subset; median of 3 runs)
#   LINUX_CC=bbr bench/tcp-loss.sh             (Linux's congestion control)
#   ROUTED=0 bench/tcp-loss.sh   (Linux<->Linux over a bare veth pair, as before)
#   TAP_TX=uring bench/tcp-loss.sh    (Mica's --tap-tx: sqpoll, the default here, uring, writev)
#   TAP_OFFLOAD=no bench/tcp-loss.sh  (Mica's --tap-offload: send, the default, or no)
#
# Cells are LOSS[@DELAY]: LOSS percent of TCP packets dropped at random in
# each direction, DELAY ms added in each direction (so the round trip grows
# by twice that). The default matrix: 0, 0.5, 1, 2, 5 % loss without delay,
# and 1 % loss with 10 ms and with 50 ms. Cells with delay send DELAY_BYTES.
#
# Every side is apps/tcpperf: built for `unix` it is Linux's TCP, for `tap`
# Mica's. One connection; the client sends, the server sinks; the client's
# time from its first connect to the close is the measure.
#   Linux -> Linux  veth to a router namespace, veth on to the server
#   Linux -> Mica   Linux client, Mica server: veth to a router namespace
#                   that holds Mica's tap
#   Mica -> Linux   Mica client, Linux server, the same path
# so both paths cross one router (IP forwarding) between two links: the
# baseline once was a bare veth pair, one hop shorter than Mica's path,
# which cost Mica about a quarter of its ratio at 0 % loss (ROUTED=0
# measures that old baseline).
# No offloads on any interface: the Linux interfaces (the tap's Linux side
# too) have checksum, TSO, GSO and GRO turned off, so every frame on every
# link carries one MSS. Each sender still hands its kernel 64 KB at a time:
# Linux's TCP always builds GSO super-packets (its GSO is always on) which
# its kernel cuts into MSS frames in software before the device, and Mica
# runs with --tap-offload=send - super-frames written to the tap, cut the
# same way, while it reads plain frames. TAP_OFFLOAD=no makes Mica write
# one MSS frame per write instead (one pass of the kernel's forwarding and
# receive path per frame, which Linux's sender does not pay). Mica's tap
# writes are taken by an io_uring kernel thread (--tap-tx=sqpoll), so that
# the kernel's work for Mica's frames runs beside Mica's stack, as a Linux
# receiver's and sender's kernel work run beside each other; TAP_TX=uring
# keeps it all on Mica's core.
#
# Losses must be real for every sender: a packet dropped on the sending
# host (its output or egress hook, a qdisc) is reported to Linux's TCP,
# which just sends it again, so its data would never be lost. Hence the
# veth in both paths: loss is an nftables rule (`numgen random`, SYNs
# spared) at the ingress of the veth ends (the Linux endpoints' and, on
# Mica's path, the router's), where the frame has already left its
# sender: one drop point per direction. Cells with delay use tests/integration/tcp/impair.py
# instead (it bridges Linux's interface to the other side - a second tap
# for Mica, a veth for Linux - and both delays and drops the frames; with
# --tcp-only, like the nftables rule, it spares SYNs and ARP). Its counters
# (drops of data segments and of ACKs, both directions, over the cell's
# runs) are printed under each delay cell.
#
# Linux runs the congestion control Mica runs by default, CUBIC (LINUX_CC,
# set per route with `congctl` in every namespace: the namespaces may not
# change their default to a restricted algorithm, and the default here may
# be another one - this machine's is BBR, which ignores random loss and so
# measures something else than loss recovery with CUBIC).
#
# RTOs/MB are the sender's retransmission timeouts per MB sent: Mica's
# tcp_rto counter, Linux's TcpExt TCPTimeouts of the sending namespace.
# Namespaces mica-bl-PID-* are removed on exit. Needs root, nft, ethtool.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BYTES=${1:-50000000}
DBYTES=${2:-10000000}
CELLS=${CELLS:-"0 0.5 1 2 5 1@10 1@50"}
RUNS=${RUNS:-1}
ROUTED=${ROUTED:-1}
LINUX_CC=${LINUX_CC:-cubic}
TAP_TX=${TAP_TX:-sqpoll}
TAP_OFFLOAD=${TAP_OFFLOAD:-send}
. tools/netns-run.sh
[ "$(id -u)" = 0 ] && [ -c /dev/net/tun ] || { echo "bench/tcp-loss.sh: needs root and /dev/net/tun" >&2; exit 1; }
command -v nft > /dev/null && command -v ethtool > /dev/null ||
	{ echo "bench/tcp-loss.sh: needs nft and ethtool (tools/setup.sh)" >&2; exit 1; }
U=$(./mica build apps/tcpperf -t unix | tail -1)
T=$(./mica build apps/tcpperf -t tap | tail -1)
IMPAIR="/usr/bin/python3 $ROOT/tests/integration/tcp/impair.py"
P=mica-bl-$$
A0=$P-a B0=$P-b L0=$P-l   # Linux <-> Linux over veths and router L0
C0=$P-c R0=$P-r           # Linux (C0) <-> router R0 over a veth; Mica on R0's tap
T1=$P-td A1=$P-ad B1=$P-bd # bridged through impair.py
PIDS=()
OUT=$(mktemp /tmp/mica-bl.XXXXXX)
cleanup() {
	for p in "${PIDS[@]}"; do kill_child "$p"; wait "$p" 2> /dev/null || true; done
	for n in $A0 $B0 $L0 $C0 $R0 $T1 $A1 $B1; do mica_netns_down $n; done
	rm -f "$OUT" "$OUT.il" "$OUT.im"
}
trap cleanup EXIT

no_offload() { ip netns exec "$1" ethtool -K "$2" rx off tx off tso off gso off gro off > /dev/null 2>&1 || true; }
quiet_if() { # an interface that only carries frames for the bridge
	ip netns exec "$1" sysctl -qw net.ipv6.conf."$2".disable_ipv6=1 net.ipv4.conf."$2".arp_ignore=8
	ip -n "$1" link set "$2" up
}
veth() { # veth NS_A IF_A ADDR_A NS_B IF_B ADDR_B (ADDR_A may be "")
	ip link add "$2" netns "$1" type veth peer name "$5" netns "$4"
	[ -z "$3" ] || ip -n "$1" addr add "$3" dev "$2"
	ip -n "$4" addr add "$6" dev "$5"
	ip -n "$1" link set "$2" up
	ip -n "$4" link set "$5" up
	no_offload "$1" "$2"
	no_offload "$4" "$5"
}
ip netns add $A0
ip netns add $B0
if [ "$ROUTED" = 1 ]; then # A0 10.76.0.2 - L0 - 10.78.0.2 B0, like C0 - R0 - Mica
	ip netns add $L0
	veth $A0 vA 10.76.0.2/24 $L0 vLa 10.76.0.1/24
	veth $L0 vLb 10.78.0.1/24 $B0 vB 10.78.0.2/24
	ip netns exec $L0 sysctl -qw net.ipv4.ip_forward=1
	ip -n $A0 route add 10.78.0.0/24 via 10.76.0.1
	ip -n $B0 route add 10.76.0.0/24 via 10.78.0.1
	LL_ROUTES=("$A0 10.78.0.2/32 via 10.76.0.1" "$B0 10.76.0.2/32 via 10.78.0.1")
else
	veth $A0 vA 10.78.0.1/24 $B0 vB 10.78.0.2/24
	LL_ROUTES=("$A0 10.78.0.2/32 dev vA" "$B0 10.78.0.1/32 dev vB")
fi
mica_netns_up $R0 mtap0 10.77.0.1/24
no_offload $R0 mtap0
ip netns add $C0
veth $C0 vC 10.79.0.2/24 $R0 vR 10.79.0.1/24
ip netns exec $R0 sysctl -qw net.ipv4.ip_forward=1
ip -n $C0 route add 10.77.0.0/24 via 10.79.0.1
mica_netns_up $T1 mtap0 10.77.0.1/24
no_offload $T1 mtap0
ip -n $T1 tuntap add dev mtap1 mode tap
quiet_if $T1 mtap1
no_offload $T1 mtap1
mica_netns_up $A1 mtapl 10.78.0.1/24
no_offload $A1 mtapl
ip netns add $B1
veth $A1 vA "" $B1 vB 10.78.0.2/24
quiet_if $A1 vA

# Host routes that make every Linux sender use LINUX_CC.
for r in "${LL_ROUTES[@]}"; do
	read -r ns route <<< "$r"
	ip -n "$ns" route add $route congctl "$LINUX_CC"
done
ip -n $C0 route add 10.77.0.2/32 via 10.79.0.1 congctl "$LINUX_CC"
ip -n $T1 route add 10.77.0.2/32 dev mtap0 congctl "$LINUX_CC"
ip -n $A1 route add 10.78.0.2/32 dev mtapl congctl "$LINUX_CC"
ip -n $B1 route add 10.78.0.1/32 dev vB congctl "$LINUX_CC"

# set_loss NS DEV PERCENT: drop that share of the TCP packets (not SYNs)
# arriving on DEV.
set_loss() {
	local permille
	permille=$(echo "$3 * 10 / 1" | bc)
	ip netns exec "$1" nft delete table netdev mica_loss 2> /dev/null || true
	[ "$permille" -gt 0 ] || return 0
	ip netns exec "$1" nft -f - << EOF
table netdev mica_loss {
	chain in { type filter hook ingress device "$2" priority 0; ip protocol tcp tcp flags & syn == 0 numgen random mod 1000 < $permille drop; }
}
EOF
}
timeouts() { ip netns exec "$1" awk '/^TcpExt:/ { if (!h) { for (i = 1; i <= NF; i++) n[$i] = i; h = 1 } else print $n["TCPTimeouts"] }' /proc/net/netstat; }

# run SRV_NS CLI_NS BYTES SERVER... -- CLIENT...: one transfer; prints
# "MS RTOS" (RTOs of the sending side: Mica's counter or Linux's TcpExt).
run() {
	local sns=$1 cns=$2 bytes=$3 srv=() cli=() before after ms rtos line
	shift 3
	while [ "$1" != -- ]; do srv+=("$1"); shift; done
	shift
	cli=("$@")
	ip netns exec "$sns" timeout 400 "${srv[@]}" > /dev/null 2>&1 &
	local spid=$!
	PIDS+=("$spid")
	sleep 0.3
	before=$(timeouts "$cns")
	ip netns exec "$cns" timeout 300 "${cli[@]}" --send="$bytes" > "$OUT" 2>&1 || true
	after=$(timeouts "$cns")
	kill_child "$spid"
	wait "$spid" 2> /dev/null || true
	line=$(grep '^tcpperf: connections' "$OUT" || true)
	case $line in *" failed 0 bytes in 0 out $bytes "*) ;; *)
		echo "transfer failed ($sns <- $cns): ${line:-no summary}" >&2
		echo "999999 -1"
		return
		;;
	esac
	ms=$(echo "$line" | sed 's/.* time \([0-9]*\) ms/\1/')
	if [ "${cli[0]}" = "$T" ]; then
		rtos=$(grep -o ' tcp_rto=[0-9]*' "$OUT" | tail -1 | cut -d= -f2)
		rtos=${rtos:-0}
	else
		rtos=$((after - before))
	fi
	echo "$((ms > 0 ? ms : 1)) $rtos"
}

# median of "MS RTOS" lines by MS
median() { sort -n | awk '{ l[NR] = $0 } END { print l[int((NR + 1) / 2)] }'; }

start_impair() { # NS LINUX_TAP OTHER_IF DELAY LOSS LOG
	ip netns exec "$1" $IMPAIR "$2" "$3" --delay "$4" --loss "$5" --tcp-only --max-seconds 3000 > "$6" 2>&1 &
	PIDS+=($!)
	sleep 0.5
}

MICA0=(--net:service=mtap0 --ipv4=10.77.0.2/24 --ipv4-gateway=10.77.0.1 --tap-offload=$TAP_OFFLOAD --tap-tx=$TAP_TX)
MICA1=(--net:service=mtap1 --ipv4=10.77.0.2/24 --tap-offload=no --tap-tx=$TAP_TX) # impair.py bridges MTU frames
echo "Linux congestion control: $LINUX_CC (Mica: cubic, --tap-tx=$TAP_TX --tap-offload=$TAP_OFFLOAD); Linux<->Linux path:" \
	"$([ "$ROUTED" = 1 ] && echo "through a router, like Mica's" || echo "a bare veth pair (ROUTED=0)");" \
	"load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-10s %9s %9s %9s %7s %7s %9s %9s %9s\n' "cell" "L->L" "L->M" "M->L" "L->M" "M->L" \
	"RTO/MB" "RTO/MB" "RTO/MB"
printf '%-10s %9s %9s %9s %7s %7s %9s %9s %9s\n' "loss@ms" "MB/s" "MB/s" "MB/s" "ratio" "ratio" \
	"L->L" "L->M" "M->L"
for cell in $CELLS; do
	loss=${cell%@*}
	delay=0
	[ "$cell" = "$loss" ] || delay=${cell#*@}
	if [ "$delay" = 0 ]; then
		tns=$R0 lns=$C0 peer=10.79.0.2 ans=$A0 bns=$B0 mica=("${MICA0[@]}") bytes=$BYTES
		set_loss $A0 vA "$loss"
		set_loss $B0 vB "$loss"
		set_loss $C0 vC "$loss"
		set_loss $R0 vR "$loss"
	else
		tns=$T1 lns=$T1 peer=10.77.0.1 ans=$A1 bns=$B1 mica=("${MICA1[@]}") bytes=$DBYTES
		start_impair $T1 mtap0 mtap1 "$delay" "$loss" "$OUT.im"
		start_impair $A1 mtapl vA "$delay" "$loss" "$OUT.il"
	fi
	ll=() lm=() ml=()
	for ((r = 0; r < RUNS; r++)); do
		ll+=("$(run $bns $ans $bytes $U --port=5001 -- $U --connect=10.78.0.2:5001)")
		lm+=("$(run $tns $lns $bytes $T "${mica[@]}" --port=5001 -- $U --connect=10.77.0.2:5001)")
		ml+=("$(run $lns $tns $bytes $U --port=5001 -- $T "${mica[@]}" --connect=$peer:5001)")
	done
	read -r llms llr <<< "$(printf '%s\n' "${ll[@]}" | median)"
	read -r lmms lmr <<< "$(printf '%s\n' "${lm[@]}" | median)"
	read -r mlms mlr <<< "$(printf '%s\n' "${ml[@]}" | median)"
	mbs() { echo "scale=2; $bytes / $1 / 1000" | bc; }
	perMB() { echo "scale=2; $1 * 1000000 / $bytes" | bc; }
	printf '%-10s %9s %9s %9s %7s %7s %9s %9s %9s\n' "$loss@$delay" "$(mbs $llms)" "$(mbs $lmms)" \
		"$(mbs $mlms)" "$(echo "scale=2; $llms / $lmms" | bc)" "$(echo "scale=2; $llms / $mlms" | bc)" \
		"$(perMB $llr)" "$(perMB $lmr)" "$(perMB $mlr)"
	for n in $A0 $B0 $C0 $R0; do ip netns exec $n nft delete table netdev mica_loss 2> /dev/null || true; done
	if [ "$delay" != 0 ]; then
		for p in "${PIDS[@]}"; do kill_child "$p"; wait "$p" 2> /dev/null || true; done
		PIDS=()
		echo "  impair, Linux<->Linux path: $(grep -o 'frames.*' "$OUT.il")"
		echo "  impair, Linux<->Mica path:  $(grep -o 'frames.*' "$OUT.im")"
	fi
done
