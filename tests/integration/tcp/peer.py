#!/usr/bin/python3
"""peer.py - the Linux side of the TCP interop tests and benchmarks.

  peer.py echo HOST PORT SIZE [TIMEOUT]   send SIZE random bytes to an echo
                                          server, check the echo (sha256)
  peer.py recv HOST PORT SIZE             read SIZE bytes of tcpperf's
                                          pattern (byte i = i % 251), check them
  peer.py send HOST PORT SIZE             send SIZE bytes, then read to EOF
  peer.py sink PORT CONNS SIZE            accept CONNS connections, each must
                                          deliver SIZE bytes of the pattern
  peer.py sequential HOST PORT N          N connections one after another,
                                          each a small echo exchange
  peer.py concurrent HOST PORT N SIZE     N connections at once, SIZE bytes each
  peer.py rr HOST PORT SECONDS            connect/request/response/close as
                                          often as possible; prints conns/s
Prints one result line; exits non-zero on any mismatch or timeout."""
import hashlib, os, selectors, socket, sys, threading, time

PATTERN = bytes(range(251))


def pattern(n, start=0):
    reps = (start % 251 + n) // 251 + 2
    buf = PATTERN * reps
    off = start % 251
    return buf[off:off + n]


def connect(host, port, timeout=20):
    s = socket.create_connection((host, port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def echo(host, port, size, timeout=60):
    data = os.urandom(size)
    s = connect(host, port, timeout)
    got = []
    err = []

    def reader():
        try:
            while True:
                b = s.recv(1 << 20)
                if not b:
                    break
                got.append(b)
        except Exception as e:  # noqa
            err.append(e)

    t0 = time.time()
    th = threading.Thread(target=reader)
    th.start()
    mv = memoryview(data)
    for i in range(0, size, 1 << 20):
        s.sendall(mv[i:i + (1 << 20)])
    s.shutdown(socket.SHUT_WR)
    th.join(timeout)
    dt = time.time() - t0
    s.close()
    if th.is_alive() or err:
        sys.exit("echo %d: reader failed: %s" % (size, err or "timeout"))
    out = b"".join(got)
    if len(out) != size or hashlib.sha256(out).digest() != hashlib.sha256(data).digest():
        sys.exit("echo %d: got %d bytes, hash %s" % (size, len(out),
                 "ok" if out == data else "MISMATCH"))
    print("echo %d bytes ok in %.3f s (%.1f MB/s each way)" % (size, dt, size / dt / 1e6))


def recv(host, port, size):
    s = connect(host, port, 60)
    t0 = time.time()
    h = hashlib.sha256()
    n = 0
    buf = bytearray(1 << 20)
    while True:
        k = s.recv_into(buf)
        if not k:
            break
        h.update(memoryview(buf)[:k])
        n += k
    dt = time.time() - t0
    s.close()
    if n != size or h.digest() != hashlib.sha256(pattern(size)).digest():
        sys.exit("recv: got %d of %d bytes, hash %s" % (n, size, "bad" if n == size else "-"))
    print("recv %d bytes ok in %.3f s (%.1f MB/s)" % (size, dt, size / dt / 1e6))


def send(host, port, size):
    s = connect(host, port, 60)
    chunk = pattern(251 * 4096)
    t0 = time.time()
    left = size
    mv = memoryview(chunk)
    while left:
        n = min(left, len(chunk))
        s.sendall(mv[:n])
        left -= n
    s.shutdown(socket.SHUT_WR)
    while s.recv(1 << 16):
        pass
    dt = time.time() - t0
    s.close()
    print("send %d bytes in %.3f s (%.1f MB/s)" % (size, dt, size / dt / 1e6))


def sink(port, conns, size):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", port))
    ls.listen(128)
    ls.settimeout(60)
    print("listening", flush=True)
    want = hashlib.sha256(pattern(size)).digest()
    t0 = None
    for i in range(conns):
        c, _ = ls.accept()
        c.settimeout(60)
        if t0 is None:
            t0 = time.time()
        h = hashlib.sha256()
        n = 0
        buf = bytearray(1 << 20)
        while True:
            k = c.recv_into(buf)
            if not k:
                break
            h.update(memoryview(buf)[:k])
            n += k
        c.close()
        if n != size or h.digest() != want:
            sys.exit("sink: connection %d delivered %d of %d bytes%s" %
                     (i, n, size, " (bad data)" if n == size else ""))
    dt = time.time() - t0
    print("sink %d connections of %d bytes ok in %.3f s (%.1f MB/s)" %
          (conns, size, dt, conns * size / dt / 1e6))


def sequential(host, port, n):
    t0 = time.time()
    for i in range(n):
        s = connect(host, port, 10)
        msg = b"req-%d" % i
        s.sendall(msg)
        got = b""
        while len(got) < len(msg):
            b = s.recv(100)
            if not b:
                break
            got += b
        if got != msg:
            sys.exit("sequential: connection %d echoed %r" % (i, got))
        s.close()
    dt = time.time() - t0
    print("sequential %d connections ok in %.3f s (%.0f/s)" % (n, dt, n / dt))


def concurrent(host, port, n, size):
    sel = selectors.DefaultSelector()
    datas = []
    for i in range(n):
        s = connect(host, port, 20)
        s.setblocking(False)
        d = os.urandom(size)
        st = {"s": s, "out": memoryview(d), "in": bytearray(), "want": d, "done": False}
        datas.append(st)
        sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE, st)
    deadline = time.time() + 60
    left = n
    while left and time.time() < deadline:
        for key, ev in sel.select(1):
            st = key.data
            s = st["s"]
            if ev & selectors.EVENT_WRITE and len(st["out"]):
                try:
                    k = s.send(st["out"])
                    st["out"] = st["out"][k:]
                except BlockingIOError:
                    pass
                if not len(st["out"]):
                    s.shutdown(socket.SHUT_WR)
                    sel.modify(s, selectors.EVENT_READ, st)
            if ev & selectors.EVENT_READ:
                try:
                    b = s.recv(1 << 16)
                except BlockingIOError:
                    continue
                if b:
                    st["in"] += b
                else:
                    sel.unregister(s)
                    s.close()
                    st["done"] = True
                    left -= 1
    bad = [i for i, st in enumerate(datas) if not st["done"] or bytes(st["in"]) != st["want"]]
    if bad:
        sys.exit("concurrent: %d of %d connections failed (first %d)" % (len(bad), n, bad[0]))
    print("concurrent %d connections of %d bytes ok" % (n, size))


def rr(host, port, seconds):
    t0 = time.time()
    n = 0
    while time.time() - t0 < seconds:
        s = connect(host, port, 10)
        s.sendall(b"ping")
        if s.recv(16) != b"ping":
            sys.exit("rr: bad answer")
        s.close()
        n += 1
    dt = time.time() - t0
    print("rr %d connections in %.2f s: %.0f conns/s" % (n, dt, n / dt))


def main():
    a = sys.argv[1:]
    if not a:
        sys.exit(__doc__)
    cmd = a[0]
    if cmd == "echo":
        echo(a[1], int(a[2]), int(a[3]), float(a[4]) if len(a) > 4 else 60)
    elif cmd == "recv":
        recv(a[1], int(a[2]), int(a[3]))
    elif cmd == "send":
        send(a[1], int(a[2]), int(a[3]))
    elif cmd == "sink":
        sink(int(a[1]), int(a[2]), int(a[3]))
    elif cmd == "sequential":
        sequential(a[1], int(a[2]), int(a[3]))
    elif cmd == "concurrent":
        concurrent(a[1], int(a[2]), int(a[3]), int(a[4]))
    elif cmd == "rr":
        rr(a[1], int(a[2]), float(a[3]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
