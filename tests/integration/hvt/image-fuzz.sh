#!/usr/bin/env bash
# image-fuzz.sh - mica-hvt (the ASan+UBSan build) against 400 mutated
# images: headers, program headers and section headers corrupted, files
# cut short. Every run must end with a clean refusal (exit 2), a guest
# report (255) or a normal guest exit; never a crash, a sanitizer report
# or a signal. Bounded: fixed seed, 3 s per run.
# timeout: 300
. "$(dirname "$0")/common.sh"
set -e
make -s build/monitor-san/mica-hvt >/dev/null || fail "cannot build the ASan monitor"
img=$(build_guest tests/hvt-guests/faults)
/usr/bin/python3 - "$ROOT/build/monitor-san/mica-hvt" "$img" "$TMP" <<'PY'
import random, struct, subprocess, sys
mon, img, tmp = sys.argv[1:4]
base = bytearray(open(img, "rb").read())
phoff, = struct.unpack_from("<Q", base, 32)
shoff, = struct.unpack_from("<Q", base, 40)
rnd = random.Random(20261127)
edge = [0, 1, 0xfff, 0x1000, 0x100000, 0x1fffff, 0x3ffff0, 0x7fffffff, 0xffffffff,
        0xfffffffffffff000, 0xffffffffffffffff, len(base), len(base) + 1]

def mutate():
    d = bytearray(base)
    kind = rnd.randrange(5)
    if kind == 0:                      # random bytes in the ELF header
        for _ in range(rnd.randint(1, 4)):
            d[rnd.randrange(64)] = rnd.randrange(256)
    elif kind == 1:                    # a program header field
        off = phoff + 56 * rnd.randrange(4) + rnd.choice([4, 8, 16, 24, 32, 40])
        d[off:off + 8] = struct.pack("<Q", rnd.choice(edge) + rnd.choice([0, 0, 1, -1 & 0xff]) & (2**64 - 1))
    elif kind == 2:                    # a section header field
        off = shoff + 64 * rnd.randrange(6) + rnd.choice([0, 4, 24, 32])
        if off + 8 <= len(d):
            d[off:off + 8] = struct.pack("<Q", rnd.choice(edge))
    elif kind == 3:                    # ELF header size/count/offset fields
        field = rnd.choice([(24, "<Q"), (32, "<Q"), (40, "<Q"), (54, "<H"), (56, "<H"), (58, "<H"), (60, "<H"), (62, "<H")])
        d[field[0]:field[0] + struct.calcsize(field[1])] = struct.pack(field[1], rnd.choice(edge) & (2 ** (8 * struct.calcsize(field[1])) - 1))
    else:                              # cut short
        d = d[:rnd.randrange(len(d))]
    return d

outcomes = {}
for i in range(400):
    path = f"{tmp}/m{i % 4}.hvt"
    open(path, "wb").write(mutate())
    try:
        p = subprocess.run([mon, "--no-seccomp", "--mem=4", path, "--do=exit", "--code=7"],
                           capture_output=True, text=True, errors="replace", timeout=3)
        rc, err = p.returncode, p.stdout + p.stderr
    except subprocess.TimeoutExpired:
        rc, err = "hang", ""
    if rc != "hang" and (rc < 0 or "Sanitizer" in err or "runtime error" in err or rc not in (0, 2, 7, 64, 70, 255)):
        print(f"run {i}: exit {rc}\n{err}")
        open(f"{tmp}/crash.hvt", "wb").write(open(path, "rb").read())
        sys.exit(1)
    key = f"exit {rc}" if rc != 2 else "refused: " + err.split(": ", 2)[-1].split("(")[0].split("[")[0].strip()[:50]
    outcomes[key] = outcomes.get(key, 0) + 1
for k, v in sorted(outcomes.items(), key=lambda kv: -kv[1]):
    print(f"{v:4d}  {k}")
PY
echo PASS
