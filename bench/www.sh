#!/usr/bin/env bash
# bench/www.sh - apps/www against nginx on the same site, in one run.
#
#   bench/www.sh [SECONDS]       (default 10 per measurement)
#   PAIRS="tap" FILES="1mb.bin" bench/www.sh 5   (a subset: PAIRS from
#   "unix tap hvt", FILES from "page600.html 1mb.bin"; both by default)
#   WRK_RMEM=4194304 bench/www.sh 5   (wrk's sockets start with a 4 MB
#   receive buffer instead of the host's tcp_rmem default, 128 KB here)
#
# nginx: one worker, sendfile on, access_log off (tests/integration/www/
# nginx-conf.sh). wrk runs on CPU 0, the server on CPU 1 (taskset), one
# server at a time; keep-alive, 128 connections, one wrk thread. Files: a
# 600-byte page and a 1 MB file. Printed per run: requests/s, MB/s of
# bodies, server CPU microseconds per request (utime+stime of the server's
# processes from /proc, which for Mica on tap includes the tap's kernel
# work done in its system calls), the busy time of each whole core per
# request (/proc/stat user+nice+system+irq+softirq: cpu1 is the server's
# core, cpu0 wrk's; this also counts the kernel's network work that runs
# on a core outside any process, so it shows where the work went),
# ratios to the nginx run it is paired with, and, from ss mid-run, the
# median receive buffer of wrk's sockets and the receive RTT their kernel
# estimated (which sizes that buffer: a small estimate keeps it small and
# the server's sending limited by wrk's window):
#   unix: apps/www built for unix vs nginx, both on 127.0.0.1 (loopback,
#         in namespace N0), wrk there too
#   tap:  apps/www on tap (its own TCP, tap offload) in namespace N1 vs
#         nginx in namespace N2 behind a veth pair; wrk in N1 either way
# Then: the stripped size of www.hvt without a site, and the VM exits per
# request of www.hvt under mica-hvt --stats (an emulated guest here: only
# counts, no timing). Namespaces mica-wb-PID-* are removed on exit. Needs
# root, /dev/net/tun, nginx, wrk. Run it under flock /work/bench.lock.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
SECS=${1:-10}
. tools/netns-run.sh
. tests/integration/www/nginx-conf.sh
for c in nginx wrk taskset curl; do command -v $c > /dev/null || { echo "bench/www.sh: needs $c" >&2; exit 1; }; done
[ "$(id -u)" = 0 ] && [ -c /dev/net/tun ] || { echo "bench/www.sh: needs root and /dev/net/tun" >&2; exit 1; }
tmp=$(mktemp -d)
N0=mica-wb-$$-0 N1=mica-wb-$$-1 N2=mica-wb-$$-2
SPIDS=()
cleanup() {
	for p in "${SPIDS[@]+"${SPIDS[@]}"}"; do kill_child "$p"; wait "$p" 2> /dev/null || true; done
	mica_netns_down $N0
	mica_netns_down $N1
	mica_netns_down $N2
	rm -rf "$tmp"
}
trap cleanup EXIT

bash tests/integration/www/make-site.sh "$tmp/site" 64 > /dev/null
UNIX=$(./mica build apps/www -t unix SITE="$tmp/site" | tail -1)
TAP=$(./mica build apps/www -t tap SITE="$tmp/site" | tail -1)

ip netns add $N0
ip -n $N0 link set lo up
mica_netns_up $N1 mtap0 10.77.0.1/24
ip -n $N1 link set lo up
ip netns add $N2
ip -n $N2 link set lo up
ip -n $N1 link add vw0 type veth peer name vw1 netns $N2
ip -n $N1 addr add 10.78.0.1/24 dev vw0
ip -n $N1 link set vw0 up
ip -n $N2 addr add 10.78.0.2/24 dev vw1
ip -n $N2 link set vw1 up

# WRK_RMEM=BYTES: the initial receive buffer of wrk's sockets (tcp_rmem's
# default, in the namespaces where wrk runs) instead of the host's.
if [ -n "${WRK_RMEM:-}" ]; then
	for ns in $N0 $N1; do
		ip netns exec "$ns" sysctl -qw net.ipv4.tcp_rmem="4096 $WRK_RMEM $((WRK_RMEM > 6291456 ? WRK_RMEM : 6291456))"
	done
fi
echo "wrk's sockets: tcp_rmem $(ip netns exec $N0 sysctl -n net.ipv4.tcp_rmem | tr '\t' ' ')"

tck=$(getconf CLK_TCK)
cpu_ticks() { sed 's/.*) //' /proc/$1/stat | awk '{print $12 + $13}'; }
core_ticks() { awk -v c="cpu$1" '$1 == c { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }
wait_up() { # NS-PREFIX... URL
	for _ in $(seq 1 100); do "$@" > /dev/null 2>&1 && return 0; sleep 0.1; done
	echo "server did not come up: $*" >&2; exit 1
}

# start SERVER: sets SPID (all its processes in CPIDS) and URL.
start() {
	case $1 in
	nginx-lo | nginx-veth)
		local ns=(ip netns exec $N0) addr=127.0.0.1
		[ "$1" = nginx-veth ] && ns=(ip netns exec $N2) addr=10.78.0.2
		www_nginx_conf "$tmp/ng-$1" "$tmp/site" 8080
		sed -i "s/listen 127.0.0.1:8080/listen $addr:8080/" "$tmp/ng-$1/nginx.conf"
		"${ns[@]}" taskset -c 1 nginx -c "$tmp/ng-$1/nginx.conf" -g 'daemon off;' &
		SPID=$!
		URL=http://$addr:8080
		;;
	mica-unix)
		ip netns exec $N0 taskset -c 1 "$UNIX" --listen=127.0.0.1:8081 --log=warn > "$tmp/mica-unix.log" 2>&1 &
		SPID=$!
		URL=http://127.0.0.1:8081
		;;
	mica-tap)
		ip netns exec $N1 taskset -c 1 "$TAP" --net:service=mtap0 --ipv4=10.77.0.2/24 --log=warn \
			> "$tmp/mica-tap.log" 2>&1 &
		SPID=$!
		URL=http://10.77.0.2
		;;
	esac
	SPIDS+=($SPID)
}
client_ns() { case $1 in *veth | mica-tap) echo "ip netns exec $N1";; *) echo "ip netns exec $N0";; esac; }

# run SERVER FILE: prints "req/s MB/s cpu-us/req core1-us/req core0-us/req"
run() {
	local server=$1 file=$2 pids t0 t1 out
	start "$server"
	local cl; cl=$(client_ns "$server")
	wait_up $cl curl -sf -o /dev/null "$URL/$file"
	sleep 0.3
	pids=$SPID
	[[ $server = nginx* ]] && pids="$SPID $(pgrep -P "$SPID" || true)"
	$cl taskset -c 0 wrk -t1 -c128 -d1s "$URL/$file" > /dev/null 2>&1 # warm up
	t0=0; for p in $pids; do t0=$((t0 + $(cpu_ticks $p))); done
	local s0 c0; s0=$(core_ticks 1) c0=$(core_ticks 0)
	$cl taskset -c 0 wrk -t1 -c128 -d"${SECS}s" "$URL/$file" > "$tmp/wrk.out" 2>&1 &
	local wpid=$! port=${URL##*:} sock
	[[ $port =~ ^[0-9]+$ ]] || port=80
	sleep "$(awk -v s="$SECS" 'BEGIN { print s / 2 }')"
	sock=$(client_sockets "$cl" "$port")
	wait $wpid || true
	out=$(cat "$tmp/wrk.out")
	t1=0; for p in $pids; do t1=$((t1 + $(cpu_ticks $p))); done
	local s1 c1; s1=$(core_ticks 1) c1=$(core_ticks 0)
	kill_child "$SPID"; wait "$SPID" 2> /dev/null || true
	[ "$server" != mica-unix ] || grep -h "^net: tcp sendfile" "$tmp/mica-unix.log" >&2 || true
	local reqs errs
	reqs=$(sed -n 's/^ *\([0-9]*\) requests in .*/\1/p' <<< "$out")
	errs=$(grep -c "Non-2xx\|Socket errors" <<< "$out" || true)
	[ "$errs" = 0 ] || { echo "wrk reported errors for $server $file:" >&2; echo "$out" >&2; }
	local size; size=$(stat -c %s "$tmp/site/$file")
	awk -v n="$reqs" -v s="$SECS" -v t=$((t1 - t0)) -v h="$tck" -v sz="$size" -v k1=$((s1 - s0)) -v k0=$((c1 - c0)) \
		'function us(x) { return n ? x / h * 1e6 / n : 0 }
		BEGIN { printf "%.0f %.1f %.2f %.1f %.1f", n / s, n * sz / s / 1e6, us(t), us(k1), us(k0) }'
	echo " $sock"
}

# client_sockets NETNS-PREFIX PORT: "RB-KB RCV-RTT-MS", the medians over
# wrk's connections mid-run of their receive buffer and of the receive RTT
# the kernel estimates for them (ss -tmi), which sizes that buffer.
client_sockets() {
	$1 ss -tmiH state established "( dport = :$2 )" | tr ' ' '\n' | awk -F'[:,()]' '
		/^skmem:/ { for (i = 1; i <= NF; i++) if ($i ~ /^rb[0-9]/) rb[n++] = substr($i, 3) / 1024 }
		/^rcv_rtt:/ { rtt[m++] = $2 }
		function median(a, k,   i, j, t) {
			for (i = 1; i < k; i++) for (j = i; j > 0 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
			return k ? a[int(k / 2)] : 0
		}
		END { printf "%.0f %.3f\n", median(rb, n), median(rtt, m) }'
}

printf '%-24s %10s %9s %11s %8s %8s %8s %9s %9s %8s %9s %8s\n' "server/file" "req/s" "MB/s" "cpu/req(us)" "req÷ng" "MB÷ng" \
	"cpu÷ng" "cpu1/req" "cpu0/req" "both÷ng" "wrk-rb(KB)" "rcv_rtt"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
PAIRS=${PAIRS:-unix tap hvt}
for pair in "unix nginx-lo mica-unix" "tap nginx-veth mica-tap"; do
	read -r label ng mica <<< "$pair"
	[[ " $PAIRS " = *" $label "* ]] || continue
	for file in ${FILES:-page600.html 1mb.bin}; do
		read -r nq nm nc n1 n0 nrb nrtt <<< "$(run "$ng" "$file")"
		read -r mq mm mc m1 m0 mrb mrtt <<< "$(run "$mica" "$file")"
		printf '%-24s %10s %9s %11s %8s %8s %8s %9s %9s %8s %9s %8s\n' "$ng $file" "$nq" "$nm" "$nc" "" "" "" "$n1" "$n0" "" \
			"$nrb" "$nrtt"
		printf '%-24s %10s %9s %11s %8s %8s %8s %9s %9s %8s %9s %8s\n' "$mica $file" "$mq" "$mm" "$mc" \
			"$(ratio "$mq" "$nq")" "$(ratio "$mm" "$nm")" "$(ratio "$mc" "$nc")" "$m1" "$m0" \
			"$(ratio "$(awk -v a="$m1" -v b="$m0" 'BEGIN { print a + b }')" "$(awk -v a="$n1" -v b="$n0" 'BEGIN { print a + b }')")" \
			"$mrb" "$mrtt"
	done
done
grep -h "^net service: .*tcp_" "$tmp/mica-tap.log" 2> /dev/null || true
[[ " $PAIRS " = *" hvt "* ]] || exit 0

# ---- hvt: image size without a site, VM exits per request ----
mkdir -p "$tmp/empty"
HVT0=$(./mica build apps/www -t hvt SITE="$tmp/empty" | tail -1)
strip -o "$tmp/www-empty.hvt" "$HVT0"
echo "www.hvt without a site, stripped: $(stat -c %s "$tmp/www-empty.hvt") bytes"
mon=build/monitor/mica-hvt
if [ ! -x "$mon" ] || [ ! -r /dev/kvm ]; then
	echo "hvt: skipped (no build/monitor/mica-hvt or /dev/kvm)"
	exit 0
fi
HVT=$(./mica build apps/www -t hvt SITE="$tmp/site" | tail -1)
ip netns exec $N1 "$mon" --stats --net:service=mtap0 "$HVT" --ipv4=10.77.0.2/24 --log=warn > "$tmp/hvt.log" 2>&1 &
HPID=$!
SPIDS+=($HPID)
wait_up ip netns exec $N1 curl -sf -o /dev/null http://10.77.0.2/page600.html
ip netns exec $N1 /usr/bin/python3 - <<'PY'
import http.client
c = http.client.HTTPConnection("10.77.0.2", 80, timeout=30)
for _ in range(200):  # keep-alive requests for the 600-byte page
    c.request("GET", "/page600.html")
    c.getresponse().read()
c.close()
PY
kill_child "$HPID" TERM; wait $HPID 2> /dev/null || true
exits=$(sed -n 's/.* exits=\([0-9]*\) .*/\1/p' "$tmp/hvt.log" | head -1)
req=$(sed -n 's/^www: requests \([0-9]*\) .*/\1/p' "$tmp/hvt.log")
grep "stats: setup" "$tmp/hvt.log" || true
awk -v e="$exits" -v r="$req" 'BEGIN { printf "hvt: %d requests (200 on one keep-alive connection + warm-up), %d VM exits, %.2f exits per request\n", r, e, e / r }'
