#!/usr/bin/env bash
# bench/dns.sh - authoritative DNS: Mica (unix target) vs NSD vs BIND9 on
# loopback, same generated zone, at 100 and 10000 names (not a test).
# dnsperf (-c 8 -T 4 -q 100 -l SECONDS) runs on CPU 0, each server on
# CPU 1 (taskset), one after the other in this one run. Printed per
# server (Mica also as NOMEMO=1, the engine answering every query):
# queries/s, average latency, lost queries, server CPU time per
# query (utime+stime of the server's processes from /proc/PID/stat, before
# and after), resident memory (VmRSS after the run), and ratios vs NSD.
#
# Then overload (10000 names): dnsperf -c 32 -T 2 -q 2000 keeps far more
# queries outstanding than one server CPU answers; per server: q/s, the
# share of queries lost, q/s as a share of its own q/s in the normal run
# above (throughput must hold at its peak) and vs NSD.
#
# Then the 10000-name zone signed (NSEC3) with DO set on every query, Mica
# vs NSD, and the image and memo size of the signed zone next to the
# unsigned one.
#
#   bench/dns.sh [SECONDS]        default 10
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/children.sh
secs=${1:-10}
for c in nsd named dnsperf taskset; do
	command -v $c >/dev/null || { echo "bench/dns.sh: needs $c" >&2; exit 1; }
done
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]+"${pids[@]}"}"; do kill_child "$p"; done; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
tck=$(getconf CLK_TCK)

free_port() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_dns() {
	for _ in $(seq 1 100); do
		dig +tries=1 +time=1 @127.0.0.1 -p "$1" bench.test SOA >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "no DNS answer on port $1" >&2; exit 1
}

# A zone of N names (A records, every 4th also AAAA, every 10th MX) and a
# dnsperf query file: existing names (A, AAAA, MX mix) and 10% NXDOMAIN.
gen_zone() {
	local n=$1 dir=$2
	mkdir -p "$dir"
	/usr/bin/python3 bench/gen-zone.py "$n" "$dir"
}

# CPU ticks and RSS (kB) of a process and all its descendants (NSD forks
# its server processes).
tree_pids() {
	ps -e -o pid=,ppid= | awk -v root="$1" '
		{ parent[$1] = $2 }
		END { for (p in parent) { q = p; while (q != "" && q != 0 && q != 1) {
			if (q == root) { print p; break } q = parent[q] } } }'
}
cpu_ticks() {  # prints "user system" clock ticks
	local u=0 s=0 p a b
	for p in $(tree_pids "$1"); do
		# after the ")" of the command name: state is field 1, utime 12, stime 13
		read -r a b < <(sed 's/.*) //' /proc/$p/stat 2>/dev/null | awk '{print $12, $13}') || continue
		u=$((u + a)) s=$((s + b))
	done
	echo $u $s
}
rss_kb() {
	local t=0 p
	for p in $(tree_pids "$1"); do
		t=$((t + $(awk '/^VmRSS/ {print $2}' /proc/$p/status 2>/dev/null || echo 0)))
	done
	echo $t
}

start_mica() {  # dir port [KEY=VALUE]
	local img
	img=$(./mica build apps/dns -t unix ZONE="$1/bench.test.zone" ${3:-} | tail -1)
	taskset -c 1 "$img" --listen=127.0.0.1:"$2" --rrl=off --log=warn > "$1/mica.log" 2>&1 & # NSD's rrl is off too
	pids+=($!); SPID=$!
}
start_nomemo() { start_mica "$1" "$2" NOMEMO=1; }
start_nsd() {
	tools/nsd-conf.sh "$1" 127.0.0.1 "$2" "$1/bench.test.zone" > /dev/null
	taskset -c 1 nsd -d -c "$1/nsd.conf" -P "$1/nsd.pid" &
	pids+=($!); SPID=$!
}
start_bind() {
	mkdir -p "$1/named"
	cat > "$1/named.conf" <<CONF
options {
	directory "$1/named";
	pid-file "$1/named/named.pid";
	listen-on port $2 { 127.0.0.1; };
	listen-on-v6 { none; };
	recursion no;
	allow-transfer { none; };
	notify no;
	minimal-responses no;
	querylog no;
};
controls { };
zone "bench.test" { type primary; file "$1/bench.test.zone"; };
CONF
	taskset -c 1 named -g -n 1 -U 1 -c "$1/named.conf" > "$1/named.log" 2>&1 &
	pids+=($!); SPID=$!
}

run_one() {  # server dir [DNSPERF-LOAD-OPTIONS]
	local server=$1 dir=$2 load=${3:-"-c 8 -T 4 -q 100"} port out t0 t1
	port=$(free_port)
	start_"$server" "$dir" "$port"
	wait_dns "$port"
	dig @127.0.0.1 -p "$port" host1.bench.test A +short | grep -q 10.0.0.1 || { echo "$server: wrong answer" >&2; exit 1; }
	local u0 s0 u1 s1
	read -r u0 s0 < <(cpu_ticks $SPID)
	# shellcheck disable=SC2086
	out=$(taskset -c 0 dnsperf -s 127.0.0.1 -p "$port" -d "$dir/queries" $load -l "$secs" 2>&1)
	read -r u1 s1 < <(cpu_ticks $SPID)
	local rss; rss=$(rss_kb $SPID)
	kill_child "$SPID"; wait "$SPID" 2>/dev/null || true
	local qps lat lost done
	qps=$(sed -n 's/.*Queries per second: *\([0-9.]*\).*/\1/p' <<<"$out")
	lat=$(sed -n 's/.*Average Latency (s): *\([0-9.]*\).*/\1/p' <<<"$out")
	done=$(sed -n 's/.*Queries completed: *\([0-9]*\).*/\1/p' <<<"$out")
	lost=$(sed -n 's/.*Queries lost: *\([0-9]*\).*/\1/p' <<<"$out")
	local us uus
	us=$(awk -v t=$((u1 - u0 + s1 - s0)) -v h="$tck" -v n="$done" 'BEGIN { printf "%.2f", n ? t / h * 1e6 / n : 0 }')
	uus=$(awk -v t=$((u1 - u0)) -v h="$tck" -v n="$done" 'BEGIN { printf "%.2f", n ? t / h * 1e6 / n : 0 }')
	echo "$server $qps $lat $lost $us $rss $done $uus"
}

# signed DIR: the 10000-name zone signed (NSEC3, ECDSA P-256, ldns-signzone)
# and asked with DO on every query (dnsperf -D), Mica (and NOMEMO=1) vs NSD,
# next to the unsigned ratios of the normal run (R[], the target: no worse);
# then the image, zone data and memo of the signed zone next to the unsigned
# one (zonec --stats).
signed() {
	local dir=$1 s=$tmp/signed name qps lat lost us uus rss img uq uus0 nq0 nus0
	command -v ldns-signzone >/dev/null || { echo "signed: needs ldns-signzone (ldnsutils)"; return; }
	mkdir -p "$s"
	cp "$dir/queries" "$s/queries"
	(cd "$s" && k=$(ldns-keygen -a ECDSAP256SHA256 bench.test) &&
		ldns-signzone -n -t 0 -o bench.test -f bench.test.zone "$dir/bench.test.zone" "$k") || return
	local t0=$SECONDS
	./mica build apps/dns -t unix ZONE="$s/bench.test.zone" > /dev/null
	local build_s=$((SECONDS - t0))
	declare -A S=()
	for srv in nsd mica nomemo; do
		S[$srv]=$(run_one $srv "$s" "-c 8 -T 4 -q 100 -D")
	done
	read -r _ nq _ _ nus _ <<<"${S[nsd]}"
	read -r _ nq0 _ _ nus0 _ <<<"${R[nsd]}"
	echo
	echo "signed zone (NSEC3), DO on every query: dnsperf -c 8 -T 4 -q 100 -D -l $secs, 10000 names"
	printf '%-8s %-6s %9s %8s %6s %10s %11s %8s %8s %8s\n' zone server 'q/s' 'lat(us)' lost 'cpu/q(us)' \
		'user/q(us)' 'rss(kB)' 'q/s÷nsd' 'cpu÷nsd'
	for srv in mica nomemo nsd; do
		read -r name qps lat lost us rss _ uus <<<"${S[$srv]}"
		printf '%-8s %-6s %9.0f %8.0f %6s %10s %11s %8s %8.2f %8.2f\n' signed "$name" "$qps" \
			"$(awk -v l="$lat" 'BEGIN{print l*1e6}')" "$lost" "$us" "$uus" "$rss" \
			"$(awk -v a="$qps" -v b="$nq" 'BEGIN{print a/b}')" "$(awk -v a="$us" -v b="$nus" 'BEGIN{print a/b}')"
	done
	for srv in mica nsd; do # the unsigned run above, for the ratios
		read -r name qps lat lost us rss _ uus <<<"${R[$srv]}"
		printf '%-8s %-6s %9.0f %8.0f %6s %10s %11s %8s %8.2f %8.2f\n' unsigned "$name" "$qps" \
			"$(awk -v l="$lat" 'BEGIN{print l*1e6}')" "$lost" "$us" "$uus" "$rss" \
			"$(awk -v a="$qps" -v b="$nq0" 'BEGIN{print a/b}')" "$(awk -v a="$us" -v b="$nus0" 'BEGIN{print a/b}')"
	done
	echo
	echo "image, zone data and memo, unsigned vs signed (zonec --stats; image: the unix executable;"
	echo "the signed image took ${build_s} s to build)"
	for z in "$dir" "$s"; do
		img=$(./mica build apps/dns -t unix ZONE="$z/bench.test.zone" | tail -1)
		echo "  $(basename "$z"): $(build/tools/zonec --stats -o "$tmp/stats.c" "$z/bench.test.zone" 2>&1 | sed 's/^zonec: //')"
		echo "    image $(stat -c %s "$img") bytes, generated C $(stat -c %s "$tmp/stats.c") bytes"
	done
}

# overload DIR: the overload table (uses R[] of the normal run of DIR).
overload() {
	local dir=$1 s name qps lost done peak nq
	declare -A O=()
	for s in nsd mica; do
		O[$s]=$(run_one $s "$dir" "-c 32 -T 2 -q 2000")
	done
	read -r _ nq _ <<<"${O[nsd]}"
	echo
	echo "overload: dnsperf -c 32 -T 2 -q 2000 -l $secs, 10000 names"
	printf '%-6s %9s %8s %8s %10s %8s\n' server 'q/s' sent 'lost%' 'q/s÷peak' 'q/s÷nsd'
	for s in mica nsd; do
		read -r name qps _ lost _ _ done _ <<<"${O[$s]}"
		read -r _ peak _ <<<"${R[$s]}"
		printf '%-6s %9.0f %8s %8.3f %10.2f %8.2f\n' "$name" "$qps" $((done + lost)) \
			"$(awk -v l="$lost" -v d="$done" 'BEGIN{print 100 * l / (l + d)}')" \
			"$(awk -v a="$qps" -v b="$peak" 'BEGIN{print a/b}')" "$(awk -v a="$qps" -v b="$nq" 'BEGIN{print a/b}')"
	done
}

printf '%-6s %-6s %9s %8s %6s %10s %11s %8s %8s %8s %8s\n' names server 'q/s' 'lat(us)' lost 'cpu/q(us)' 'user/q(us)' 'rss(kB)' 'q/s÷nsd' 'cpu÷nsd' 'rss÷nsd'
for n in 100 10000; do
	d=$tmp/z$n
	gen_zone $n "$d"
	declare -A R=()
	for s in nsd mica nomemo bind; do
		R[$s]=$(run_one $s "$d")
	done
	read -r _ nq _ _ nus nrss _ <<<"${R[nsd]}"
	for s in mica nomemo nsd bind; do
		read -r name qps lat lost us rss _ uus <<<"${R[$s]}"
		printf '%-6s %-6s %9.0f %8.0f %6s %10s %11s %8s %8.2f %8.2f %8.2f\n' $n $name "$qps" \
			"$(awk -v l="$lat" 'BEGIN{print l*1e6}')" "$lost" "$us" "$uus" "$rss" \
			"$(awk -v a="$qps" -v b="$nq" 'BEGIN{print a/b}')" \
			"$(awk -v a="$us" -v b="$nus" 'BEGIN{print (b > 0 ? a / b : 0)}')" \
			"$(awk -v a="$rss" -v b="$nrss" 'BEGIN{print a/b}')"
	done
done
overload "$tmp/z10000"
signed "$tmp/z10000"
