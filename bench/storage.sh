#!/usr/bin/env bash
# bench/storage.sh - the storage stack against its Linux peers, in one run.
#
#   bench/storage.sh [redis] [blk] [hvt]     (default: all three)
#
# redis: redis-benchmark -t set,get -c 50 -P 16 (REQS requests each,
#   default 200000; random keys over 100000, 64-byte values), REDIS_REPS
#   rounds (default 3) of each server in turn, each on an empty data
#   file or directory, medians printed, against
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
#   vs fio on the same file, like with like: one job (numjobs=1), ioengine
#   io_uring, direct=1, iodepth 16 (blkbench --depth=16: 16 requests in
#   flight, each completion's callback submits the next), the same block
#   size, the same byte count (BLK_MIB MiB, default 1024, so that a run
#   at 3 GB/s still lasts 0.3 s; a quarter of that for 4 KiB), the same
#   1 GiB file filled with random data first, both on CPU 1; writes end
#   with a flush (blkbench) / end_fsync=1 (fio), counted in both times.
#   read, write, randread, randwrite of 4 KiB, 64 KiB and 1 MiB. Each
#   cell runs BLK_REPS (default 5) pairs, alternating which of the two
#   goes first; prints the medians (MB/s), their ratio Mica/fio
#   (target >= 0.9), the lowest and highest ratio of a pair and, for each
#   side, the requests the disk under the file completed per MiB moved
#   (from /sys/dev/block/MAJ:MIN/stat; the same work shows the same count).
#   Buffers (BLK_MEM): huge (default) - both sides in 2 MiB pages
#   (blkbench --mem=huge: one run of transparent huge pages; fio
#   --mem=mmaphuge: hugetlb pages, reserved for the run through
#   vm.nr_hugepages and given back after), so each transfer is one
#   physically contiguous piece on both sides; pages - 4 KiB pages on both
#   (blkbench a run per request slot, fio its malloc'd buffer), where
#   the pages happen to lie decides how many pieces the kernel splits a
#   transfer into (a virtio disk takes at most seg_max pieces per request).
# hvt: blkbench under mica-hvt --stats (an emulated guest here: counts,
#   not speed): VM exits per MB for sequential 1 MiB reads and writes and
#   random 4 KiB ones.
# Needs redis-server, redis-benchmark, fio, taskset; root and /dev/net/tun
# for kv-tap; root for blk's hugetlb pages (else it runs BLK_MEM=pages);
# /dev/kvm for hvt. Run it under flock /work/bench.lock.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
. tools/netns-run.sh
PARTS=${*:-redis blk hvt}
REQS=${REQS:-200000}
BLK_MIB=${BLK_MIB:-1024}
BLK_REPS=${BLK_REPS:-5}
BLK_MEM=${BLK_MEM:-huge}
REDIS_REPS=${REDIS_REPS:-3}
for c in redis-server redis-benchmark fio taskset; do
	command -v $c > /dev/null || { echo "bench/storage.sh: needs $c" >&2; exit 1; }
done
tmp=$(mktemp -d "$ROOT/build/storage-bench.XXXXXX") # on the disk, not tmpfs
NS=mica-sb-$$
SPID=""
HUGE_BEFORE=""
cleanup() {
	[ -z "$SPID" ] || { kill_child "$SPID"; wait "$SPID" 2> /dev/null || true; }
	[ -z "$HUGE_BEFORE" ] || echo "$HUGE_BEFORE" > /proc/sys/vm/nr_hugepages
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
	printf '  %-16s SET %10.0f ops/s   GET %10.0f ops/s\n' "$name" "$set" "$get"
	eval "R_${name//-/_}_SET=\"\${R_${name//-/_}_SET:-} $set\" R_${name//-/_}_GET=\"\${R_${name//-/_}_GET:-} $get\""
}

stop_server() {
	kill_child "$SPID"; wait $SPID 2> /dev/null || true; SPID=""
}

# run_server NAME: start NAME on an empty data file/directory, bench it, stop it.
run_server() {
	local port=6390
	rm -rf "${tmp:?}/$1" "$tmp/$1.img"
	case $1 in
	redis-*)
		mkdir -p "$tmp/$1"
		taskset -c 1 redis-server --port $port --bind 127.0.0.1 --appendonly yes --appendfsync "${1#redis-}" \
			--save "" --dir "$tmp/$1" > "$tmp/$1.log" 2>&1 &
		SPID=$!
		wait_ping redis-cli -p $port
		bench_redis "$1" 127.0.0.1 $port
		;;
	kv-unix)
		truncate -s 2G "$tmp/$1.img"
		taskset -c 1 "$KV_UNIX" --block:data="$tmp/$1.img" --listen=127.0.0.1:$port > "$tmp/$1.log" 2>&1 &
		SPID=$!
		wait_ping redis-cli -p $port
		bench_redis "$1" 127.0.0.1 $port
		;;
	kv-tap)
		truncate -s 2G "$tmp/$1.img"
		ip netns exec $NS taskset -c 1 "$KV_TAP" --net:service=mtap0 --ipv4=10.77.0.2/24 \
			--block:data="$tmp/$1.img" > "$tmp/$1.log" 2>&1 &
		SPID=$!
		wait_ping ip netns exec $NS redis-cli -h 10.77.0.2
		bench_redis "$1" 10.77.0.2 6379 ip netns exec $NS
		;;
	esac
	stop_server
	grep -E "^kv: [0-9]+ keys" "$tmp/$1.log" | sed 's/^/    /' || true
}

redis_part() {
	echo "== redis-benchmark -t set,get -c 50 -P 16 -n $REQS -r 100000 -d 64; $REDIS_REPS rounds, medians"
	KV_UNIX=${KV_UNIX:-$(./mica build apps/kv -t unix | tail -1)} # KV_UNIX/KV_TAP: other builds, for A/B
	KV_TAP=${KV_TAP:-$(./mica build apps/kv -t tap | tail -1)}
	mica_netns_up $NS mtap0 10.77.0.1/24
	for i in $(seq 1 "$REDIS_REPS"); do
		echo "round $i"
		for s in redis-always redis-everysec kv-unix kv-tap; do run_server $s; done
	done
	echo "medians of $REDIS_REPS rounds (ops/s):"
	/usr/bin/python3 -c '
import statistics as st, sys
v = dict(zip(["ra_s", "ra_g", "re_s", "re_g", "ku_s", "ku_g", "kt_s", "kt_g"],
             [st.median(float(x) for x in a.split()) for a in sys.argv[1:]]))
for n, k in (("redis-always", "ra"), ("redis-everysec", "re"), ("kv-unix", "ku"), ("kv-tap", "kt")):
    print("  %-16s SET %10.0f   GET %10.0f" % (n, v[k + "_s"], v[k + "_g"]))
for t, x in (("SET", "_s"), ("GET", "_g")):
    for n, k in (("kv-unix", "ku"), ("kv-tap", "kt")):
        print("ratio %-7s %s: %.2fx redis-always, %.2fx redis-everysec" % (n, t, v[k + x] / v["ra" + x], v[k + x] / v["re" + x]))' \
		"$R_redis_always_SET" "$R_redis_always_GET" "$R_redis_everysec_SET" "$R_redis_everysec_GET" \
		"$R_kv_unix_SET" "$R_kv_unix_GET" "$R_kv_tap_SET" "$R_kv_tap_GET"
}

# disk_reqs: requests completed so far by the disk under the bench file.
disk_reqs() {
	awk '{print $1 + $5}' "$DISK_STAT"
}

# fio_mbps RW BS_KIB MIB FILE: fio's MB/s (decimal) for the same job.
fio_mbps() {
	local extra=()
	case $1 in *write) extra=(--end_fsync=1) ;; esac
	[ "$BLK_MEM" != huge ] || extra+=(--mem=mmaphuge)
	taskset -c 1 fio --name=b --filename="$4" --direct=1 --ioengine=io_uring --rw="$1" --bs="$2"k --iodepth=16 \
		--size=1G --io_size="$3"M --randseed=1 --norandommap "${extra[@]}" --output-format=json 2> /dev/null |
		/usr/bin/python3 -c '
import json, sys
j = json.load(sys.stdin)["jobs"][0]
rw = j["write"] if j["write"]["io_bytes"] else j["read"]
# fio counts the end_fsync in the job runtime (job_runtime, ms)
print("%.1f" % (rw["io_bytes"] / (j["job_runtime"] / 1000) / 1e6))'
}

# mica_mbps IMG RW BS_KIB MIB FILE: blkbench's MB/s (decimal).
mica_mbps() {
	taskset -c 1 "$1" --block:disk="$5" --rw="$2" --bs="$3" --depth=16 --mib="$4" --span=1024 --mem="$BLK_MEM" |
		sed -n 's/.* MB\/s=\([0-9.]*\) .*/\1/p'
}

# measure WHO ARGS...: WHO's MB/s and the disk's requests per MiB, as "MBPS REQS".
measure() {
	local who=$1 before mbps mib
	shift
	before=$(disk_reqs)
	mbps=$("$who" "$@")
	case $who in mica_mbps) mib=$4 ;; *) mib=$3 ;; esac
	echo "$mbps $(($(disk_reqs) - before)) $mib" | awk '{printf "%s %.2f", $1, $2 / $3}'
}

# huge_pages_up: hugetlb pages for fio's buffers (2 x 16 MiB), given back
# by cleanup; falls back to BLK_MEM=pages where they cannot be had.
huge_pages_up() {
	local want
	HUGE_BEFORE=$(cat /proc/sys/vm/nr_hugepages)
	want=$((HUGE_BEFORE + 16))
	if ! echo $want 2> /dev/null > /proc/sys/vm/nr_hugepages || [ "$(cat /proc/sys/vm/nr_hugepages)" -lt $want ]; then
		echo "   (no hugetlb pages for fio: BLK_MEM=pages)"
		BLK_MEM=pages
	fi
}

blk_part() {
	[ "$BLK_MEM" != huge ] || huge_pages_up
	echo "== block layer (unix, io_uring, O_DIRECT) vs fio (io_uring, direct=1, numjobs=1), depth 16,"
	echo "   1 GiB file, buffers in $([ "$BLK_MEM" = huge ] && echo "2 MiB" || echo "4 KiB") pages on both sides;"
	echo "   median of $BLK_REPS pairs per cell, alternating which runs first"
	local img f=$tmp/blk.img
	img=${BLKBENCH:-$(./mica build bench/blkbench -t unix | tail -1)} # BLKBENCH: another build, for A/B
	dd if=/dev/urandom of="$f" bs=1M count=1024 status=none
	sync
	DISK_STAT=/sys/dev/block/$(stat -c '%Hd:%Ld' "$f")/stat
	printf '%-10s %6s %10s %10s %7s  %-12s %s\n' rw bs mica-MB/s fio-MB/s ratio "pairs" "disk reqs/MiB mica fio"
	for bs in 4 64 1024; do
		local mib=$BLK_MIB
		[ "$bs" != 4 ] || mib=$((BLK_MIB / 4))
		for rw in read write randread randwrite; do
			local ms="" fs="" m f2
			for i in $(seq 1 "$BLK_REPS"); do
				if [ $((i % 2)) = 1 ]; then
					m=$(measure mica_mbps "$img" $rw $bs $mib "$f")
					f2=$(measure fio_mbps $rw $bs $mib "$f")
				else
					f2=$(measure fio_mbps $rw $bs $mib "$f")
					m=$(measure mica_mbps "$img" $rw $bs $mib "$f")
				fi
				ms="$ms $m" fs="$fs $f2"
			done
			/usr/bin/python3 -c '
import statistics as st, sys
rw, bs, m, f = sys.argv[1], sys.argv[2], [float(x) for x in sys.argv[3].split()], [float(x) for x in sys.argv[4].split()]
mr, fr, mq, fq = m[0::2], f[0::2], m[1::2], f[1::2]
r = [a / b for a, b in zip(mr, fr)]
print("%-10s %6s %10.1f %10.1f %6.2fx  %.2f-%.2fx   %6.2f %6.2f" % (rw, bs, st.median(mr), st.median(fr),
      st.median(mr) / st.median(fr), min(r), max(r), st.median(mq), st.median(fq)))' \
				$rw ${bs}K "$ms" "$fs"
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
