#!/usr/bin/env bash
# bench/storage.sh - the storage stack against its Linux peers, in one run.
#
#   bench/storage.sh [redis] [blk] [hvt]     (default: all three)
#
# redis: redis-benchmark -t set,get -c 50 -P 16 (REQS requests each,
#   default 200000; random keys over 100000, 64-byte values) against
#     kv-unix     apps/kv built for unix on 127.0.0.1, its device a file
#     kv-tap      apps/kv on the tap target (Mica's TCP) in namespace
#                 mica-sb-PID, redis-benchmark on the tap's Linux side
#     redis-always    redis-server, appendonly yes, appendfsync always
#                     (durable before the reply, like apps/kv)
#     redis-everysec  redis-server, appendonly yes, appendfsync everysec
#   each server alone on CPU 1, the client on CPU 0, the data files on
#   the same filesystem. Prints ops/s and the ratios kv/redis-always
#   (target >= 1 for SET and GET).
# blk: bench/blkbench through the unix block layer (io_uring, O_DIRECT)
#   vs fio (ioengine io_uring, direct=1) on the same file: read, write,
#   randread, randwrite of 4 KiB, 64 KiB and 1 MiB blocks, 16 in flight,
#   BLK_MIB MiB each (default 256; 64 for 4 KiB) over a 1 GiB file filled
#   with data first; writes end with a flush/fsync in both. Prints MB/s
#   and the ratio Mica/fio (target >= 0.9).
# hvt: blkbench under mica-hvt --stats (an emulated guest here: counts,
#   not speed): VM exits per MB for sequential 1 MiB reads and writes and
#   random 4 KiB ones.
# Needs redis-server, redis-benchmark, fio, taskset; root and /dev/net/tun
# for kv-tap; /dev/kvm for hvt. Run it under flock /work/bench.lock.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
. tools/netns-run.sh
PARTS=${*:-redis blk hvt}
REQS=${REQS:-200000}
BLK_MIB=${BLK_MIB:-256}
for c in redis-server redis-benchmark fio taskset; do
	command -v $c > /dev/null || { echo "bench/storage.sh: needs $c" >&2; exit 1; }
done
tmp=$(mktemp -d "$ROOT/build/storage-bench.XXXXXX") # on the disk, not tmpfs
NS=mica-sb-$$
SPID=""
cleanup() {
	[ -z "$SPID" ] || { kill "$SPID" 2> /dev/null || true; wait "$SPID" 2> /dev/null || true; }
	mica_netns_down $NS
	rm -rf "$tmp"
}
trap cleanup EXIT
echo "bench/storage.sh on $(nproc) CPUs, $(uname -r), data in $(df -T "$tmp" | awk 'NR==2 {print $2}') ($tmp)"

wait_ping() { # PREFIX... HOST PORT
	for _ in $(seq 1 100); do "$@" ping 2> /dev/null | grep -q PONG && return 0; sleep 0.1; done
	echo "server did not come up: $*" >&2
	exit 1
}

# bench_redis NAME HOST PORT [PREFIX...]: redis-benchmark (run after
# PREFIX, e.g. ip netns exec NS); prints the ops/s, sets R_NAME_SET/GET.
bench_redis() {
	local name=$1 host=$2 port=$3 out set get
	shift 3
	out=$("$@" taskset -c 0 redis-benchmark -h "$host" -p "$port" -t set,get -c 50 -P 16 -n "$REQS" \
		-r 100000 -d 64 --csv 2> /dev/null)
	set=$(echo "$out" | awk -F'"' '$2 == "SET" {print $4}')
	get=$(echo "$out" | awk -F'"' '$2 == "GET" {print $4}')
	printf '%-16s SET %10.0f ops/s   GET %10.0f ops/s\n' "$name" "$set" "$get"
	eval "R_${name//-/_}_SET=$set R_${name//-/_}_GET=$get"
}

redis_part() {
	echo "== redis-benchmark -t set,get -c 50 -P 16 -n $REQS -r 100000 -d 64"
	local unix tap port=6390
	unix=$(./mica build apps/kv -t unix | tail -1)
	tap=$(./mica build apps/kv -t tap | tail -1)
	for mode in always everysec; do
		mkdir -p "$tmp/redis-$mode"
		taskset -c 1 redis-server --port $port --bind 127.0.0.1 --appendonly yes --appendfsync $mode --save "" \
			--dir "$tmp/redis-$mode" > "$tmp/redis-$mode.log" 2>&1 &
		SPID=$!
		wait_ping redis-cli -p $port
		bench_redis redis-$mode 127.0.0.1 $port
		kill $SPID; wait $SPID 2> /dev/null || true; SPID=""
	done
	truncate -s 2G "$tmp/kv-unix.img"
	taskset -c 1 "$unix" --block:data="$tmp/kv-unix.img" --listen=127.0.0.1:$port > "$tmp/kv-unix.log" 2>&1 &
	SPID=$!
	wait_ping redis-cli -p $port
	bench_redis kv-unix 127.0.0.1 $port
	kill $SPID; wait $SPID 2> /dev/null || true; SPID=""
	grep -E "^kv: [0-9]+ keys" "$tmp/kv-unix.log" | sed 's/^/    /'
	mica_netns_up $NS mtap0 10.77.0.1/24
	truncate -s 2G "$tmp/kv-tap.img"
	ip netns exec $NS taskset -c 1 "$tap" --net:service=mtap0 --ipv4=10.77.0.2/24 --block:data="$tmp/kv-tap.img" \
		> "$tmp/kv-tap.log" 2>&1 &
	SPID=$!
	wait_ping ip netns exec $NS redis-cli -h 10.77.0.2
	bench_redis kv-tap 10.77.0.2 6379 ip netns exec $NS
	kill $SPID; wait $SPID 2> /dev/null || true; SPID=""
	grep -E "^kv: [0-9]+ keys" "$tmp/kv-tap.log" | sed 's/^/    /'
	for t in SET GET; do
		for k in kv_unix kv_tap; do
			eval "a=\$R_${k}_$t b=\$R_redis_always_$t c=\$R_redis_everysec_$t"
			awk -v k="${k//_/-}" -v t=$t -v a="$a" -v b="$b" -v c="$c" \
				'BEGIN {printf "ratio %-7s %s: %.2fx redis-always, %.2fx redis-everysec\n", k, t, a / b, a / c}'
		done
	done
}

# fio_mbps RW BS_KIB MIB FILE: fio's MB/s (decimal) for the same job.
fio_mbps() {
	local extra=()
	case $1 in *write) extra=(--end_fsync=1) ;; esac
	taskset -c 1 fio --name=b --filename="$4" --direct=1 --ioengine=io_uring --rw="$1" --bs="$2"k --iodepth=16 \
		--size=1G --io_size="$3"M --randseed=1 --norandommap "${extra[@]}" --output-format=json 2> /dev/null |
		/usr/bin/python3 -c '
import json, sys
j = json.load(sys.stdin)["jobs"][0]
rw = j["write"] if j["write"]["io_bytes"] else j["read"]
# fio counts the end_fsync in the job runtime (job_runtime, ms)
print("%.1f" % (rw["io_bytes"] / (j["job_runtime"] / 1000) / 1e6))'
}

blk_part() {
	echo "== block layer (unix, io_uring, O_DIRECT) vs fio (io_uring, direct=1), depth 16, 1 GiB file"
	local img f=$tmp/blk.img
	img=$(./mica build bench/blkbench -t unix | tail -1)
	dd if=/dev/urandom of="$f" bs=1M count=1024 status=none
	sync
	printf '%-10s %6s %10s %10s %7s\n' rw bs mica-MB/s fio-MB/s ratio
	for bs in 4 64 1024; do
		local mib=$BLK_MIB
		[ "$bs" != 4 ] || mib=$((BLK_MIB / 4))
		for rw in read write randread randwrite; do
			local m f2
			m=$(taskset -c 1 "$img" --block:disk="$f" --rw=$rw --bs=$bs --depth=16 --mib=$mib --span=1024 |
				sed -n 's/.* MB\/s=\([0-9.]*\) .*/\1/p')
			f2=$(fio_mbps $rw $bs $mib "$f")
			awk -v rw=$rw -v bs=${bs}K -v m="$m" -v f="$f2" \
				'BEGIN {printf "%-10s %6s %10.1f %10.1f %6.2fx\n", rw, bs, m, f, m / f}'
		done
	done
}

hvt_part() {
	[ -r /dev/kvm ] || { echo "== hvt: skipped (no /dev/kvm)"; return; }
	echo "== hvt: VM exits per MB (mica-hvt --stats; an emulated guest here, so counts only)"
	make -s build/monitor/mica-hvt > /dev/null
	local img f=$tmp/hvt.img
	img=$(./mica build bench/blkbench -t hvt | tail -1)
	truncate -s 64M "$f"
	for job in "write 1024 32" "read 1024 32" "randwrite 4 4" "randread 4 4"; do
		set -- $job
		local out exits mb
		out=$(build/monitor/mica-hvt --stats --mem=64 --block:disk="$f" "$img" --rw=$1 --bs=$2 --mib=$3 \
			--depth=16 --span=64 2>&1)
		exits=$(echo "$out" | sed -n 's/.* exits=\([0-9]*\) .*/\1/p')
		mb=$(echo "$out" | sed -n 's/.* bytes=\([0-9]*\) .*/\1/p')
		awk -v j="$1 bs=$2K" -v e="$exits" -v b="$mb" -v o="$(echo "$out" | grep -o 'POLL=[0-9]*')" \
			'BEGIN {printf "%-20s %8.1f MB %6d exits (%s) = %.2f exits/MB\n", j, b / 1e6, e, o, e / (b / 1e6)}'
	done
}

for p in $PARTS; do "${p}_part"; done
