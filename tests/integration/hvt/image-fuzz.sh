#!/usr/bin/env bash
# image-fuzz.sh - mica-hvt (the ASan+UBSan build, under its seccomp filter)
# against 400 mutated images: headers, program headers and section headers
# corrupted - random bytes, edge values, and pairs of fields chosen so that
# unchecked 64-bit arithmetic would wrap (segment address + size, section
# offset + size, exception stubs far above the text, ABI note fields) -
# and files cut short. Every run must end with a clean refusal (exit 2), a
# guest report (255) or a normal guest exit; a guest mutated into a loop
# must be ended by SIGTERM after 3 s (exit 143, with the stop report). A
# crash, a sanitizer report, a signal (SIGSYS: a call outside the filter)
# or a monitor that does not exit (hang) fails. Bounded: fixed seed.
# timeout: 300
. "$(dirname "$0")/common.sh"
set -e
make -s build/monitor-san/mica-hvt >/dev/null || fail "cannot build the ASan monitor"
img=$(build_guest tests/hvt-guests/faults)
ASAN_OPTIONS=symbolize=0 /usr/bin/python3 - "$ROOT/build/monitor-san/mica-hvt" "$img" "$TMP" <<'PY'
import random, struct, subprocess, sys
mon, img, tmp = sys.argv[1:4]
base = bytearray(open(img, "rb").read())
phoff, = struct.unpack_from("<Q", base, 32)
shoff, = struct.unpack_from("<Q", base, 40)
shnum, shstrndx = struct.unpack_from("<HH", base, 60)
phnum, = struct.unpack_from("<H", base, 56)
M64 = 2**64 - 1
rnd = random.Random(20261127)
edge = [0, 1, 0xfff, 0x1000, 0x100000, 0x1fffff, 0x3ffff0, 0x7fffffff, 0xffffffff,
        0xfffffffffffff000, 0xffffffffffffffff, len(base), len(base) + 1]

def sections():
    strs = struct.unpack_from("<Q", base, shoff + 64 * shstrndx + 24)[0]
    out = {}
    for i in range(shnum):
        name, = struct.unpack_from("<I", base, shoff + 64 * i)
        out[base[strs + name:].split(b"\0")[0].decode()] = (shoff + 64 * i,
            struct.unpack_from("<Q", base, shoff + 64 * i + 24)[0])
    return out
secs = sections()

def put(d, off, fmt, v):
    if off + struct.calcsize(fmt) <= len(d):
        d[off:off + struct.calcsize(fmt)] = struct.pack(fmt, v & (2 ** (8 * struct.calcsize(fmt)) - 1))

def wrap_pair(d):
    """Two fields whose sum wraps past 2^64 (or lands just past a limit)."""
    k = rnd.randrange(5)
    big = rnd.choice([M64, M64 - 0xfff, 2**63, M64 - len(base) + 1])
    if k == 0:     # segment: vaddr + memsz wraps
        ph = phoff + 56 * rnd.randrange(phnum)
        v = rnd.choice([0x100000, 0x104000, 0xffffffffffff0000])
        put(d, ph + 16, "<Q", v); put(d, ph + 40, "<Q", (big - v + rnd.randrange(4096)) & M64)
    elif k == 1:   # segment: offset + filesz wraps
        ph = phoff + 56 * rnd.randrange(phnum)
        put(d, ph + 8, "<Q", big); put(d, ph + 32, "<Q", rnd.choice([1, 0x1000, M64]))
    elif k == 2:   # section: offset + size wraps, or name index wraps
        sh = shoff + 64 * rnd.randrange(shnum)
        if rnd.randrange(2):
            put(d, sh + 24, "<Q", big); put(d, sh + 32, "<Q", rnd.choice([1, 16, M64]))
        else:
            put(d, sh, "<I", rnd.choice([0xffffffff, 0xfffffff0, 0x80000000]))
    elif k == 3:   # exception stubs far above, or just inside the end of, the text
        put(d, secs[".mica.traps"][1], "<Q", rnd.choice([0xffffffffffff0000, M64 - 15, 2**63,
            0x100000 + rnd.randrange(0x4000)]))
    else:          # ABI note fields
        off = secs[".note.mica.abi"][1] + rnd.choice([0, 4, 8, 12, 20, 24])
        put(d, off, "<I", rnd.choice([0, 1, 2, 3, 5, 0xffffffff, 0x80000000]))

def mutate():
    d = bytearray(base)
    kind = rnd.randrange(6)
    if kind == 0:                      # random bytes in the ELF header
        for _ in range(rnd.randint(1, 4)):
            d[rnd.randrange(64)] = rnd.randrange(256)
    elif kind == 1:                    # a program header field
        off = phoff + 56 * rnd.randrange(4) + rnd.choice([4, 8, 16, 24, 32, 40])
        put(d, off, "<Q", rnd.choice(edge) + rnd.choice([0, 0, 1, -1 & 0xff]))
    elif kind == 2:                    # a section header field
        off = shoff + 64 * rnd.randrange(shnum) + rnd.choice([0, 4, 24, 32])
        put(d, off, "<Q", rnd.choice(edge))
    elif kind == 3:                    # ELF header size/count/offset fields
        off, fmt = rnd.choice([(24, "<Q"), (32, "<Q"), (40, "<Q"), (54, "<H"), (56, "<H"), (58, "<H"), (60, "<H"), (62, "<H")])
        put(d, off, fmt, rnd.choice(edge))
    elif kind == 4:                    # fields chosen to wrap
        wrap_pair(d)
    else:                              # cut short
        d = d[:rnd.randrange(len(d))]
    return d

def run(path):
    """Exit code and output. A guest still running after 3 s (its code was
    mutated into a loop) is sent SIGTERM: the monitor must then end it
    within 2 s, saying so (exit 143); otherwise the monitor hangs."""
    p = subprocess.Popen([mon, "--mem=4", path, "--do=exit", "--code=7"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
    try:
        out, _ = p.communicate(timeout=3)
        return p.returncode, out
    except subprocess.TimeoutExpired:
        p.terminate()
    try:
        out, _ = p.communicate(timeout=2)
    except subprocess.TimeoutExpired:
        p.kill()
        return "hang", p.communicate()[0] + "\n(monitor still running 2 s after SIGTERM)"
    if p.returncode == 143 and "did not stop within" not in out:
        return "hang", out + "\n(exit 143 without the stop report)"
    return p.returncode, out

outcomes = {}
for i in range(400):
    path = f"{tmp}/m{i % 4}.hvt"
    open(path, "wb").write(mutate())
    rc, err = run(path)
    if rc == "hang" or rc < 0 or "Sanitizer" in err or "runtime error" in err or rc not in (0, 2, 7, 64, 70, 143, 255):
        print(f"run {i}: exit {rc}\n{err}")
        open(f"{tmp}/../bad-image.hvt", "wb").write(open(path, "rb").read())
        print(f"the image is kept in {tmp}/../bad-image.hvt")
        sys.exit(1)
    key = f"exit {rc}" if rc not in (2, 143) else "guest looped: ended 0.5 s after SIGTERM" if rc == 143 else "refused: " + err.split(": ", 2)[-1].split("(")[0].split("[")[0].strip()[:50]
    outcomes[key] = outcomes.get(key, 0) + 1
for k, v in sorted(outcomes.items(), key=lambda kv: -kv[1]):
    print(f"{v:4d}  {k}")
PY
echo PASS
