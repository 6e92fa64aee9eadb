#!/usr/bin/env bash
# bench/virtio.sh - the virtio target on QEMU microvm (not a test).
#
#   bench/virtio.sh [RUNS] [SECONDS]     default 30 boots, 10 s of DNS load
#
# 1. Boot to exit: apps/hello (--wait-ms=0) as a virtio image against the
#    floor, bench/min_pvh.c (a PVH guest that exits at its first
#    instruction), both with the plain QEMU microvm command of docs/virtio.md,
#    interleaved, RUNS each; wall time around posix_spawn + waitpid.
#    Then the work behind the difference, which the wall times of this
#    shared, emulated machine blur: KVM's counters (bench/qmp-stats.py) of
#    hello asleep after its start against the floor built to halt instead
#    of exit: emulated instructions and VM exits. (No small Linux kernel is
#    at hand on these machines to compare with.)
# 2. VM exits per DNS query: apps/dns (a 1000-name zone) on virtio-net
#    (modern virtio-mmio, a tap in a namespace this script creates and
#    deletes), KVM's counters read around (a) SECONDS of dnsperf load
#    (-c 8 -q 100), (b) 200 sequential queries, (c) an idle stretch as long
#    as (a), which is subtracted from (a).
# 3. Image sizes (stripped) of hello, echo and dns, virtio next to hvt.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/netns-run.sh
runs=${1:-30}
secs=${2:-10}
for c in qemu-system-x86_64 dnsperf python3; do
	command -v $c > /dev/null || { echo "bench/virtio.sh: needs $c" >&2; exit 1; }
done
[ -w /dev/kvm ] || { echo "bench/virtio.sh: needs /dev/kvm" >&2; exit 1; }
[ "$(id -u)" = 0 ] && [ -c /dev/net/tun ] || { echo "bench/virtio.sh: needs root and /dev/net/tun" >&2; exit 1; }
NS=mica-bench-virtio-$$
tmp=$(mktemp -d)
qpid=""
cleanup() {
	[ -z "$qpid" ] || kill_child "$qpid"
	wait 2> /dev/null || true
	mica_netns_down "$NS"
	rm -rf "$tmp"
}
trap cleanup EXIT
STATS=bench/qmp-stats.py
QEMU=(qemu-system-x86_64 -M microvm -enable-kvm -cpu max,-arch-capabilities -m 64M -nodefaults
	-no-user-config -nographic -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04)

# ---- 1. boot to exit ----
hello=$(./mica build apps/hello -t virtio | tail -1)
min=build/bench/min_pvh.virtio
mkdir -p build/bench
${CC:-cc} -nostdlib -static -no-pie -Wl,-T,platform/virtio/virtio.ld -Wl,-n -Wl,--build-id=none \
	bench/min_pvh.c -o "$min"
python3 - "$runs" "$hello" "$min" "${QEMU[@]}" <<'PY'
import os, statistics, sys, time
runs, hello, floor, qemu = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]

def boot(img, append):
    devnull = os.open(os.devnull, os.O_RDWR)
    fa = [(os.POSIX_SPAWN_DUP2, devnull, 0), (os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)]
    argv = qemu + ['-kernel', img, '-append', append]
    t0 = time.perf_counter_ns()
    pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=fa)
    _, status = os.waitpid(pid, 0)
    t1 = time.perf_counter_ns()
    os.close(devnull)
    code = os.waitstatus_to_exitcode(status)
    if code != 1:
        sys.exit('%s: QEMU exited %d, not 1 (guest code 0)' % (img, code))
    return (t1 - t0) / 1e6

def show(name, xs):
    xs = sorted(xs)
    q = lambda p: xs[min(len(xs) - 1, int(p * len(xs)))]
    print('%-28s median %7.1f ms   p10 %7.1f   p90 %7.1f' % (name, statistics.median(xs), q(0.1), q(0.9)))

for _ in range(2):
    boot(floor, ''), boot(hello, '--wait-ms=0')
f, h = [], []
for _ in range(runs):
    f.append(boot(floor, ''))
    h.append(boot(hello, '--wait-ms=0'))
show('floor (min_pvh.c)', f)
show('hello --wait-ms=0', h)
print('boot ratio hello/floor (medians): %.2f   (extra %.1f ms)' %
      (statistics.median(h) / statistics.median(f), statistics.median(h) - statistics.median(f)))
PY
${CC:-cc} -DHALT -nostdlib -static -no-pie -Wl,-T,platform/virtio/virtio.ld -Wl,-n -Wl,--build-id=none \
	bench/min_pvh.c -o build/bench/min_pvh_halt.virtio
# counters_at IMAGE APPEND: KVM's counters once the guest sleeps (1.5 s in).
counters_at() {
	local sock=$tmp/qmp.sock pid out
	rm -f "$sock"
	"${QEMU[@]}" -kernel "$1" -append "$2" -qmp "unix:$sock,server=on,wait=off" < /dev/null > /dev/null 2>&1 &
	pid=$!
	sleep 1.5
	out=$($STATS "$sock")
	kill_child "$pid"; wait "$pid" 2> /dev/null || true
	echo "$out"
}
field() { sed -n "s/.*[^_]$1=\([0-9-]*\).*/\1/p; s/^$1=\([0-9-]*\).*/\1/p" <<< "$2" | head -1; }
fl=$(counters_at build/bench/min_pvh_halt.virtio "")
he=$(counters_at "$hello" "--wait-ms=60000")
echo "floor, halted:       $fl"
echo "hello, asleep:       $he"
echo "hello's own work: $(( $(field insn_emulation "$he") - $(field insn_emulation "$fl") )) emulated instructions," \
	"$(( $(field exits "$he") - $(field exits "$fl") )) VM exits (of them $(field mmio_exits "$he") MMIO)"

# ---- 2. VM exits per DNS query ----
/usr/bin/python3 bench/gen-zone.py 1000 "$tmp"
dns=$(./mica build apps/dns -t virtio ZONE="$tmp/bench.test.zone" | tail -1)
mica_netns_up "$NS" mtap0 10.77.0.1/24
ip netns exec "$NS" "${QEMU[@]}" -global virtio-mmio.force-legacy=false -kernel "$dns" \
	-append "--ipv4=10.77.0.2/24 --log=warn" -qmp "unix:$tmp/dns.sock,server=on,wait=off" \
	-netdev tap,id=n0,ifname=mtap0,script=no,downscript=no -device virtio-net-device,netdev=n0 \
	< /dev/null > "$tmp/dns.log" 2>&1 &
qpid=$!
for _ in $(seq 1 300); do
	ip netns exec "$NS" dig +tries=1 +time=1 @10.77.0.2 host1.bench.test A +short 2> /dev/null | grep -q 10.0.0.1 && break
	sleep 0.2
done
COUNTERS="exits preemption_other io_exits mmio_exits halt_exits irq_injections insn_emulation"
snap() { $STATS "$tmp/dns.sock" $COUNTERS; }
diff_snap() { # BEFORE AFTER -> "name=delta ..."
	local n
	for n in $COUNTERS; do printf '%s=%s ' "$n" $(($(field "$n" "$2") - $(field "$n" "$1"))); done
}
per() { awk -v x="$1" -v n="$2" 'BEGIN { printf "%.2f", n ? x / n : 0 }'; }

s0=$(snap); sleep "$secs"; s1=$(snap)
idle=$(diff_snap "$s0" "$s1")
out=$(ip netns exec "$NS" dnsperf -s 10.77.0.2 -d "$tmp/queries" -c 8 -q 100 -l "$secs" 2>&1)
s2=$(snap)
load=$(diff_snap "$s1" "$s2")
done_q=$(sed -n 's/.*Queries completed: *\([0-9]*\).*/\1/p' <<< "$out")
qps=$(sed -n 's/.*Queries per second: *\([0-9.]*\).*/\1/p' <<< "$out")
lost=$(sed -n 's/.*Queries lost: *\([0-9]*\).*/\1/p' <<< "$out")
ip netns exec "$NS" /usr/bin/python3 - <<'PY'
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
name = b''.join(bytes([len(p)]) + p for p in (b'host1', b'bench', b'test')) + b'\0'
for i in range(200):
    s.sendto(struct.pack('!HHHHHH', i, 0, 1, 0, 0, 0) + name + struct.pack('!HH', 1, 1), ('10.77.0.2', 53))
    s.recv(512)
PY
s3=$(snap)
seq_d=$(diff_snap "$s2" "$s3")
echo "dnsperf -c 8 -q 100 -l $secs: $done_q answered, $qps q/s, $lost lost"
echo "idle $secs s:      $idle"
echo "under load:    $load"
echo "200 sequential: $seq_d"
# The guest's own exits: notifications and acknowledgements (MMIO), port
# I/O, HLT. The rest of "exits" is the host's doing (its timer, and on a
# shared machine preemption of the vCPU thread by other processes).
guest_exits() { echo $(( $(field io_exits "$1") + $(field mmio_exits "$1") + $(field halt_exits "$1") )); }
report() { # WHAT DELTA QUERIES
	echo "$1: VM exits per query: guest's own (MMIO + port I/O + HLT) $(per "$(guest_exits "$2")" "$3")" \
		"[MMIO $(per "$(field mmio_exits "$2")" "$3"), HLT $(per "$(field halt_exits "$2")" "$3")," \
		"interrupts $(per "$(field irq_injections "$2")" "$3")]; all $(per "$(field exits "$2")" "$3")," \
		"of them host preemptions $(per "$(field preemption_other "$2")" "$3");" \
		"emulated instructions $(per "$(field insn_emulation "$2")" "$3")"
}
report "under load" "$load" "$done_q"
report "200 sequential" "$seq_d" 200
kill_child "$qpid"; wait "$qpid" 2> /dev/null || true; qpid=""

# ---- 3. image sizes ----
printf '%-8s %10s %10s\n' app hvt virtio
for app in hello echo dns; do
	row="$app"
	for t in hvt virtio; do
		img=$(./mica build apps/$app -t $t | tail -1)
		strip -o "$tmp/s" "$img"
		row="$row $(stat -c %s "$tmp/s")"
	done
	printf '%-8s %10s %10s\n' $row
done
