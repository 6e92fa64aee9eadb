#!/usr/bin/env bash
# bench/boot.sh - boot-to-exit time of apps/hello on hvt (not a test).
#
#   bench/boot.sh [RUNS] [APP [BOOT-ARGS...]]
#       default: 60 runs of apps/hello --wait-ms=0 (hello's default 1 ms
#       timer would otherwise be part of every boot)
#
# Each run starts build/monitor/mica-hvt --stats on the image (stdout to
# /dev/null) and waits for it; the wall time is taken around posix_spawn +
# waitpid. The monitor's --stats line splits it into monitor setup (process
# start of main() to the first KVM_RUN) and guest time (first KVM_RUN to
# exit), and counts VM exits. One extra run under --trace counts the guest's
# instructions (single-stepped) and names the functions that execute most.
# /bin/true is timed the same way as the floor of process start-up, and
# bench/min_guest.c (one HALT hypercall) as the floor of the monitor.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-60}
app=${2:-apps/hello}
shift $(( $# > 2 ? 2 : $# ))
args=("$@")
[ ${#args[@]} -gt 0 ] || [ "$app" != apps/hello ] || args=(--wait-ms=0)
[ -w /dev/kvm ] || { echo "bench/boot.sh: needs /dev/kvm" >&2; exit 1; }
make -s build/monitor/mica-hvt
img=$(./mica build "$app" -t hvt | tail -1)
min=build/bench/min_guest.hvt
mkdir -p build/bench
${CC:-cc} -std=c11 -Os -ffreestanding -nostdinc -isystem "$(${CC:-cc} -print-file-name=include)" \
	-Iinclude -fno-pic -fno-pie -mgeneral-regs-only -nostdlib -static -no-pie \
	-Wl,-T,platform/hvt/guest.ld -Wl,-n -Wl,--build-id=none bench/min_guest.c -o "$min"
python3 - "$runs" "$img" "$min" "${args[@]+"${args[@]}"}" <<'PY'
import os, re, statistics, subprocess, sys, tempfile, time
runs, img, minimg, args = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
mon = "build/monitor/mica-hvt"

def spawn(argv):
    err = tempfile.TemporaryFile()
    devnull = os.open(os.devnull, os.O_WRONLY)
    fa = [(os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, err.fileno(), 2)]
    t0 = time.perf_counter_ns()
    pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=fa)
    _, status = os.waitpid(pid, 0)
    t1 = time.perf_counter_ns()
    os.close(devnull)
    err.seek(0)
    return (t1 - t0) / 1e3, os.waitstatus_to_exitcode(status), err.read().decode()

def summary(name, xs):
    xs = sorted(xs)
    q = lambda p: xs[min(len(xs) - 1, int(p * len(xs)))]
    print(f"{name:<22} median {statistics.median(xs):8.0f} us   p10 {q(0.1):8.0f}   p90 {q(0.9):8.0f}   "
          f"min {xs[0]:8.0f}   max {xs[-1]:8.0f}")

for _ in range(3):  # warm the page cache
    spawn([mon, img] + args)
wall, setup, guest, exits, calls = [], [], [], [], None
for _ in range(runs):
    us, code, err = spawn([mon, "--stats", img] + args)
    m = re.search(r"setup_us=([\d.]+) guest_us=([\d.]+) total_us=[\d.]+ exits=(\d+).*hypercalls:(.*)", err)
    if code != 0 or not m:
        sys.exit(f"run failed (exit {code}): {err}")
    wall.append(us); setup.append(float(m[1])); guest.append(float(m[2])); exits.append(int(m[3]))
    calls = m[4].strip()
true = [spawn(["/bin/true"])[0] for _ in range(runs)]
floor = [spawn([mon, minimg])[0] for _ in range(runs)]
print(f"image {img} {' '.join(args)}, {runs} runs")
summary("wall (spawn to exit)", wall)
summary("monitor setup", setup)
summary("guest (KVM_RUN..exit)", guest)
summary("/bin/true wall", true)
summary("min_guest wall", floor)
print(f"VM exits per boot: {statistics.median(exits):.0f} ({calls})")

with tempfile.NamedTemporaryFile(mode="r") as tr:
    _, code, err = spawn([mon, f"--trace={tr.name}", img] + args)
    n = re.search(r"instructions=(\d+)", err)
    print(f"guest instructions (single-stepped): {n[1] if n else '?'}")
    addrs = {}
    for line in tr:
        addrs[line.strip()] = addrs.get(line.strip(), 0) + 1
    out = subprocess.run(["addr2line", "-f", "-e", img] + ["0x" + a for a in addrs],
                         capture_output=True, text=True).stdout.split("\n")
    per = {}
    for i, a in enumerate(addrs):
        fn = out[2 * i] if 2 * i < len(out) else "?"
        per[fn] = per.get(fn, 0) + addrs[a]
    top = sorted(per.items(), key=lambda kv: -kv[1])[:10]
    print("most executed: " + ", ".join(f"{f} {c}" for f, c in top))
PY
