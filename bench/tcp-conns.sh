#!/usr/bin/env bash
# bench/tcp-conns.sh - how many concurrent TCP connections apps/dns holds
# as a KVM guest under mica-hvt at the monitor's default memory (32 MiB),
# and what happens to the next one (not a test: a guest is slow to emulate
# here, a full run takes minutes). bench/tcp-conns.py opens DNS-over-TCP
# connections one after the other, each asks one query and stays open,
# until one fails; then it checks that held connections and UDP still
# answer. Two runs: the app's own defaults (--tcp-max=256 --tcp-idle=10),
# and with the app's cap and idle timeout lifted, which measures the
# stack and its memory. The guest's TCP counters follow each run.
# All addresses live in a namespace this script creates and deletes.
#
#   bench/tcp-conns.sh [MAX]          default 5000 connections at most
#   MICA_TREE=DIR bench/tcp-conns.sh  build and run the guest from another
#                                     checkout (e.g. an older commit)
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/netns-run.sh
max=${1:-5000}
tree=${MICA_TREE:-$PWD}
[ "$(id -u)" = 0 ] && [ -c /dev/net/tun ] && [ -r /dev/kvm ] ||
	{ echo "bench/tcp-conns.sh: needs root, /dev/net/tun and /dev/kvm" >&2; exit 1; }
NS=mica-conns-$$
tmp=$(mktemp -d)
pid=""
cleanup() {
	[ -z "$pid" ] || { kill "$pid" 2> /dev/null || true; wait "$pid" 2> /dev/null || true; }
	mica_netns_down "$NS"
	rm -rf "$tmp"
}
trap cleanup EXIT
ulimit -n 65536
(cd "$tree" && make -s build/monitor/mica-hvt > /dev/null)
img=$(cd "$tree" && ./mica build apps/dns -t hvt | tail -1)
mica_netns_up "$NS" mtap0 10.77.0.1/24
echo "tree $(cd "$tree" && git describe --always --dirty 2> /dev/null || echo "$tree"), image $img"
for args in "" "--tcp-max=65535 --tcp-idle=3600"; do
	echo "--- apps/dns on hvt (default --mem) ${args:-with its defaults}"
	ip netns exec "$NS" "$tree/build/monitor/mica-hvt" --stats --net:service=mtap0 "$img" \
		--ipv4=10.77.0.2/24 --listen=10.77.0.2:53 $args > "$tmp/log" 2>&1 &
	pid=$!
	for _ in $(seq 300); do grep -qE "serving|listening" "$tmp/log" && break; sleep 0.1; done
	ip netns exec "$NS" /usr/bin/python3 bench/tcp-conns.py 10.77.0.2 53 --max "$max"
	kill -TERM "$pid"
	wait "$pid" 2> /dev/null || true
	pid=""
	grep -oE "tcp_(accepted|conn_limit|syn_dropped|rx_nomem|rst_tx|tw_recycled)=[0-9]+|tcp (conns|refused)[^ ]* *[0-9]+" \
		"$tmp/log" | tr '\n' ' '
	echo
done
