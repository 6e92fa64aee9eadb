#!/usr/bin/env bash
# bench/tcp-conns.sh - how many concurrent TCP connections apps/dns holds
# as a KVM guest under mica-hvt at the monitor's default memory (32 MiB),
# and what happens to the next one (not a test: a guest is slow to emulate
# here, a full run takes minutes). bench/tcp-conns.py opens DNS-over-TCP
# connections one after the other, each asks one query and stays open,
# until one fails; then it checks that held connections and UDP still
# answer. The app's own cap and idle timeout (--tcp-max=256,
# --tcp-idle=10) are lifted, so what is measured is the memory; the app's
# counters follow. Then the same for apps/tcpperf as a silent server
# (handshakes only; its per-connection state is a few dozen bytes), which
# shows the stack's own connection cap.
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
	[ -z "$pid" ] || { kill_child "$pid"; wait "$pid" 2> /dev/null || true; }
	mica_netns_down "$NS"
	rm -rf "$tmp"
}
trap cleanup EXIT
ulimit -n "$(ulimit -Hn)" # the client keeps every connection open
(cd "$tree" && make -s build/monitor/mica-hvt > /dev/null)
img=$(cd "$tree" && ./mica build apps/dns -t hvt | tail -1)
perf=$(cd "$tree" && ./mica build apps/tcpperf -t hvt | tail -1)
mica_netns_up "$NS" mtap0 10.77.0.1/24
echo "tree $(cd "$tree" && git describe --always --dirty 2> /dev/null || echo "$tree"), image $img"
args="--tcp-max=65535 --tcp-idle=3600"
echo "--- apps/dns on hvt (default --mem) $args"
ip netns exec "$NS" "$tree/build/monitor/mica-hvt" --stats --net:service=mtap0 "$img" \
	--ipv4=10.77.0.2/24 --listen=10.77.0.2:53 $args > "$tmp/log" 2>&1 &
pid=$!
for _ in $(seq 300); do grep -qE "serving|listening" "$tmp/log" && break; sleep 0.1; done
ip netns exec "$NS" /usr/bin/python3 bench/tcp-conns.py 10.77.0.2 53 --max "$max"
kill_child "$pid" TERM
wait "$pid" 2> /dev/null || true
pid=""
# The app's counters (the stack's may be cut short: mica-hvt stops a guest
# that has not exited 500 ms after SIGTERM, and printing them all takes
# longer than that on an emulated CPU).
grep -E "^dns: tcp connections|tcp_(accepted|conn_limit|rst_tx)=" "$tmp/log" || true

echo "--- apps/tcpperf --send=0 on hvt (default --mem): each connection accepted and half-closed"
ip netns exec "$NS" "$tree/build/monitor/mica-hvt" --stats --net:service=mtap0 "$perf" \
	--ipv4=10.77.0.2/24 --port=5001 > "$tmp/log" 2>&1 &
pid=$!
for _ in $(seq 300); do grep -q "listening" "$tmp/log" && break; sleep 0.1; done
ip netns exec "$NS" /usr/bin/python3 bench/tcp-conns.py 10.77.0.2 5001 --max "$max" --plain
kill_child "$pid" TERM
wait "$pid" 2> /dev/null || true
pid=""
