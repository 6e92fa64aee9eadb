#!/usr/bin/env bash
# bench/dns-tap.sh - the direct stack under DNS load (not a test): Mica's
# apps/dns on the `tap` target (its own Ethernet/ARP/IPv4/UDP over a tap in a
# namespace) vs NSD in a second namespace behind a veth pair, same zone of
# 1000 names, dnsperf (-c 8 -T 2 -q 100 -l SECONDS) from the first
# namespace, which holds the tap's Linux side and the veth's other end.
# dnsperf on CPU 0, each server on CPU 1 (taskset), one after the other in
# this one run. Printed: queries/s, average latency, lost queries, server
# CPU per query (utime+stime from /proc/PID/stat; for Mica that is the whole
# process, stack included), and the ratios Mica/NSD.
# When mica-hvt is built, also apps/dns as a KVM guest on the same tap:
# ping round-trip time and VM exits per query (200 sequential UDP queries,
# minus the exits of a run with no traffic; from the monitor's --stats).
# All addresses live in namespaces this script creates and deletes.
#
#   bench/dns-tap.sh [SECONDS]        default 10
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/netns-run.sh
secs=${1:-10}
for c in nsd dnsperf taskset dig; do
	command -v $c > /dev/null || { echo "bench/dns-tap.sh: needs $c" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] && [ -c /dev/net/tun ] || { echo "bench/dns-tap.sh: needs root and /dev/net/tun" >&2; exit 1; }
NS=mica-bench-$$ NSDNS=mica-bench-nsd-$$
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]+"${pids[@]}"}"; do kill_child "$p"; done
	wait 2> /dev/null || true
	mica_netns_down "$NSDNS"
	mica_netns_down "$NS"
	rm -rf "$tmp"
}
trap cleanup EXIT
tck=$(getconf CLK_TCK)

# Namespace NS: tap mtap0 (10.77.0.1/24; Mica is 10.77.0.2) and veth
# vb0 (10.78.0.1/24) whose peer vb1 (10.78.0.2/24) is in NSDNS with NSD.
mica_netns_up "$NS" mtap0 10.77.0.1/24
ip netns add "$NSDNS"
ip -n "$NS" link add vb0 type veth peer name vb1 netns "$NSDNS"
ip -n "$NS" addr add 10.78.0.1/24 dev vb0
ip -n "$NS" link set vb0 up
ip -n "$NSDNS" addr add 10.78.0.2/24 dev vb1
ip -n "$NSDNS" link set vb1 up
ip -n "$NSDNS" link set lo up

/usr/bin/python3 bench/gen-zone.py 1000 "$tmp"

cpu_ticks() { sed 's/.*) //' /proc/$1/stat | awk '{print $12 + $13}'; }
wait_dns() {
	for _ in $(seq 1 100); do
		ip netns exec "$NS" dig +tries=1 +time=1 @"$1" host1.bench.test A +short 2> /dev/null | grep -q 10.0.0.1 && return 0
		sleep 0.1
	done
	echo "no DNS answer from $1" >&2; exit 1
}

start_mica() {
	local img
	img=$(./mica build apps/dns -t tap ZONE="$tmp/bench.test.zone" | tail -1)
	ip netns exec "$NS" taskset -c 1 "$img" --net:service=mtap0 --ipv4=10.77.0.2/24 \
		--listen=10.77.0.2:53 --rrl=off --log=warn > "$tmp/mica.log" 2>&1 &
	pids+=($!); SPID=$!; ADDR=10.77.0.2
}
start_nsd() {
	tools/nsd-conf.sh "$tmp" 10.78.0.2 53 "$tmp/bench.test.zone" > /dev/null
	ip netns exec "$NSDNS" taskset -c 1 nsd -d -c "$tmp/nsd.conf" -P "$tmp/nsd.pid" &
	pids+=($!); SPID=$!; ADDR=10.78.0.2
}

run_one() {
	local server=$1 out t0 t1
	start_"$server"
	wait_dns $ADDR
	local cpid=$SPID
	# NSD forks its server processes: measure every process of its namespace.
	[ "$server" = nsd ] && cpid=$(ip netns pids "$NSDNS")
	t0=0; for p in $cpid; do t0=$((t0 + $(cpu_ticks $p))); done
	out=$(ip netns exec "$NS" taskset -c 0 dnsperf -s $ADDR -d "$tmp/queries" -c 8 -T 2 -q 100 -l "$secs" 2>&1)
	t1=0; for p in $cpid; do t1=$((t1 + $(cpu_ticks $p))); done
	kill_child "$SPID"; wait "$SPID" 2> /dev/null || true
	local qps lat lost done us
	qps=$(sed -n 's/.*Queries per second: *\([0-9.]*\).*/\1/p' <<< "$out")
	lat=$(sed -n 's/.*Average Latency (s): *\([0-9.]*\).*/\1/p' <<< "$out")
	done=$(sed -n 's/.*Queries completed: *\([0-9]*\).*/\1/p' <<< "$out")
	lost=$(sed -n 's/.*Queries lost: *\([0-9]*\).*/\1/p' <<< "$out")
	us=$(awk -v t=$((t1 - t0)) -v h="$tck" -v n="$done" 'BEGIN { printf "%.2f", n ? t / h * 1e6 / n : 0 }')
	echo "$server $qps $lat $lost $us"
}

nsd_r=$(run_one nsd)
mica_r=$(run_one mica)
read -r _ nq _ _ nus <<< "$nsd_r"
printf '%-10s %10s %10s %8s %10s %9s %8s\n' server 'q/s' 'lat(us)' lost 'cpu/q(us)' 'q/s÷nsd' 'cpu÷nsd'
for r in "$mica_r" "$nsd_r"; do
	read -r name qps lat lost us <<< "$r"
	[ "$name" = mica ] && name=mica-tap
	printf '%-10s %10.0f %10.0f %8s %10s %9.2f %8.2f\n' $name "$qps" \
		"$(awk -v l="$lat" 'BEGIN{print l*1e6}')" "$lost" "$us" \
		"$(awk -v a="$qps" -v b="$nq" 'BEGIN{print a/b}')" \
		"$(awk -v a="$us" -v b="$nus" 'BEGIN{print (b > 0 ? a / b : 0)}')"
done
grep "^net service" "$tmp/mica.log" || true

# ---- hvt: RTT and VM exits per query (guests are emulated on some hosts) ----
mon=build/monitor/mica-hvt
if [ ! -x "$mon" ] || [ ! -f mk/target-hvt.mk ] || [ ! -r /dev/kvm ]; then
	echo "hvt: skipped (no build/monitor/mica-hvt or /dev/kvm)"
	exit 0
fi
himg=$(./mica build apps/dns -t hvt ZONE="$tmp/bench.test.zone" | tail -1)
hvt_run() {  # QUERIES PINGS -> prints the monitor's exits= and ping's rtt line
	ip netns exec "$NS" "$mon" --stats --net:service=mtap0 "$himg" --ipv4=10.77.0.2/24 \
		--listen=10.77.0.2:53 --rrl=off --log=warn > "$tmp/hvt.log" 2>&1 &
	local hp=$!
	wait_dns 10.77.0.2
	ip netns exec "$NS" /usr/bin/python3 - "$1" <<'PY'
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
name = b''.join(bytes([len(p)]) + p for p in (b'host1', b'bench', b'test')) + b'\0'
q = lambda i: struct.pack('!HHHHHH', i, 0, 1, 0, 0, 0) + name + struct.pack('!HH', 1, 1)
for i in range(int(sys.argv[1])):
    s.sendto(q(i), ('10.77.0.2', 53))
    s.recv(512)
PY
	local rtt=""
	[ "$2" -gt 0 ] && rtt=$(ip netns exec "$NS" ping -c "$2" -i 0.2 -q 10.77.0.2 | tail -1)
	kill_child "$hp" INT; wait $hp 2> /dev/null || true
	echo "$(grep -o 'exits=[0-9]*' "$tmp/hvt.log" | head -1 | cut -d= -f2) $rtt"
}
read -r base _ <<< "$(hvt_run 0 0)"
read -r busy _ <<< "$(hvt_run 200 0)"
read -r _ rtt <<< "$(hvt_run 0 20)"
echo "hvt: VM exits per query $(awk -v a="$busy" -v b="$base" 'BEGIN { printf "%.2f", (a - b) / 200 }') (200 sequential queries: $busy exits, idle run $base)"
echo "hvt: ping $rtt"
