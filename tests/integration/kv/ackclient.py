#!/usr/bin/env python3
"""ackclient.py - a Redis-protocol client that records which writes were
acknowledged, for the crash tests of apps/kv (and of redis-server).

  ackclient.py load HOST PORT STATE [--conns N] [--keys K] [--seconds S] [--seed N]
                                    [--max-len BYTES] [--max-pending N]
      N connections, each owning the keys i with i % N == its number, send
      pipelines of SET (values from 1 byte to 100 KB or --max-len, at most
      --max-pending commands unanswered per connection; each carrying its key,
      version and length and a pattern derived from them) and DEL. Every
      reply is matched to its command (one connection keeps its order), so
      the client knows which writes were acknowledged. It runs until the
      server goes away (kill -9), S seconds pass or SIGTERM comes (a
      server whose TCP died with it sends no reset), then writes STATE.
  ackclient.py verify HOST PORT STATE
      GET every key: its value must be that of its last acknowledged write
      or of a later one the client sent (never older, never torn or
      foreign); a key whose last acknowledged write was a DEL (or that
      never had one acknowledged) may be absent. What it saw becomes the
      new floor in STATE: the unacknowledged writes after it are marked
      lost, so a later round fails if one of them comes back.
Exit 0 when all is well; 1 with the offending keys listed otherwise.
"""
import json
import random
import select
import signal
import socket
import sys
import time


def enc(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def value(key, version, length):
    head = ("%s:%d:%d:" % (key, version, length)).encode()
    seed = (hash_str(key) * 1000003 + version) & 0xFFFFFFFF
    body = bytes(((seed + i * 7919) >> 3) & 0xFF for i in range(max(0, length - len(head))))
    return (head + body)[:max(length, len(head))]


def hash_str(s):
    h = 2166136261
    for c in s.encode():
        h = ((h ^ c) * 16777619) & 0xFFFFFFFF
    return h


class Reader:
    """Incremental parser of RESP2 replies."""

    def __init__(self):
        self.buf = b""

    def feed(self, data):
        self.buf += data

    def next(self):
        """(True, reply) for a whole reply (None for a null bulk), else
        (False, None)."""
        r = self._parse(0)
        if r is None:
            return False, None
        val, pos = r
        self.buf = self.buf[pos:]
        return True, val

    def _parse(self, pos):
        end = self.buf.find(b"\r\n", pos)
        if end < 0:
            return None
        t, line = self.buf[pos:pos + 1], self.buf[pos + 1:end]
        if t in (b"+", b"-"):
            return (t + line).decode(errors="replace"), end + 2
        if t == b":":
            return int(line), end + 2
        if t == b"$":
            n = int(line)
            if n < 0:
                return None, end + 2
            if len(self.buf) < end + 2 + n + 2:
                return None
            return self.buf[end + 2:end + 2 + n], end + 2 + n + 2
        if t == b"*":
            n = int(line)
            items, p = [], end + 2
            for _ in range(max(n, 0)):
                r = self._parse(p)
                if r is None:
                    return None
                items.append(r[0])
                p = r[1]
            return items, p
        raise ValueError("bad reply type %r" % t)


def pick_len(rnd, max_len):
    r = rnd.random()
    if r < 0.7:
        n = rnd.randint(1, 300)
    elif r < 0.97:
        n = rnd.randint(300, 20000)
    else:
        n = rnd.randint(20000, 100000)
    return min(n, max_len)


stop = []  # load: a SIGTERM came


def load(host, port, state_path, conns=8, keys=200, seconds=30, seed=1, max_len=100000, max_pending=64):
    rnd = random.Random(seed)
    socks = []
    for _ in range(conns):
        s = socket.create_connection((host, port), timeout=5)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.setblocking(False)
        socks.append(s)
    # per key: versions sent (kind, version) in order; last acknowledged index
    sent = {("k%d" % k): [] for k in range(keys)}
    acked = {("k%d" % k): -1 for k in range(keys)}
    try:  # the history goes on from the last run (the server kept it)
        st = json.load(open(state_path))
        sent.update(st["sent"])
        acked.update(st["acked"])
    except (OSError, ValueError):
        pass
    pending = [[] for _ in range(conns)]  # per connection: (key, index) in order
    readers = [Reader() for _ in range(conns)]
    outbuf = [b"" for _ in range(conns)]
    alive = [True] * conns
    deadline = time.monotonic() + seconds
    errors = 0
    while any(alive) and time.monotonic() < deadline and not stop:
        for c in range(conns):
            if alive[c] and not outbuf[c] and len(pending[c]) < max_pending:
                batch = []
                for _ in range(rnd.randint(1, min(32, max_pending))):
                    k = "k%d" % (rnd.randrange(keys // conns) * conns + c)
                    v = len(sent[k]) + 1
                    if rnd.random() < 0.1:
                        sent[k].append(["del", v, 0])
                        batch.append(enc("DEL", k))
                    else:
                        n = pick_len(rnd, max_len)
                        sent[k].append(["set", v, n])
                        batch.append(enc("SET", k, value(k, v, n)))
                    pending[c].append((k, len(sent[k]) - 1))
                outbuf[c] = b"".join(batch)
        rl = [socks[c] for c in range(conns) if alive[c]]
        wl = [socks[c] for c in range(conns) if alive[c] and outbuf[c]]
        r, w, _ = select.select(rl, wl, [], 0.2)
        for s in w:
            c = socks.index(s)
            try:
                n = s.send(outbuf[c])
                outbuf[c] = outbuf[c][n:]
            except OSError:
                alive[c] = False
        for s in r:
            c = socks.index(s)
            try:
                data = s.recv(1 << 20)
            except OSError:
                data = b""
            if not data:
                alive[c] = False
                continue
            readers[c].feed(data)
            while True:
                whole, rep = readers[c].next()
                if not whole:
                    break
                k, idx = pending[c].pop(0)
                if isinstance(rep, str) and rep.startswith("-"):
                    errors += 1
                    print("error reply for %s: %s" % (k, rep))
                    continue
                acked[k] = max(acked[k], idx)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # done: a late SIGTERM changes nothing
    for s in socks:
        s.close()
    json.dump({"sent": sent, "acked": acked}, open(state_path, "w"))
    n_acked = sum(1 for k in acked if acked[k] >= 0)
    total = sum(a + 1 for a in acked.values() if a >= 0)
    print("load: %d writes sent, %d acknowledged (%d keys), %d error replies" %
          (sum(len(v) for v in sent.values()), total, n_acked, errors))
    return 0 if errors == 0 else 1


def verify(host, port, state_path):
    st = json.load(open(state_path))
    sent, acked = st["sent"], st["acked"]
    s = socket.create_connection((host, port), timeout=30)
    keys = sorted(sent)
    s.sendall(b"".join(enc("GET", k) for k in keys))
    rd = Reader()
    got = []
    while len(got) < len(keys):
        data = s.recv(1 << 20)
        if not data:
            print("verify: the server closed the connection")
            return 1
        rd.feed(data)
        while len(got) < len(keys):
            whole, rep = rd.next()
            if not whole:
                break
            got.append(rep)
    bad = 0
    for k, v in zip(keys, got):
        a = acked[k]
        hist = sent[k]
        later = hist[a:] if a >= 0 else hist
        if v is None:
            dels = [i for i in range(max(a, 0), len(hist)) if hist[i][0] == "del"]
            if a < 0 or dels:
                settle(hist, acked, k, dels[-1] if dels else -1)
                continue
            print("verify: %s absent, but write %d (%s) was acknowledged" % (k, a + 1, hist[a][0]))
            bad += 1
            continue
        if isinstance(v, str):
            print("verify: %s: error reply %s" % (k, v))
            bad += 1
            continue
        try:
            key, ver, n = v.split(b":", 3)[:3]
            key, ver, n = key.decode(), int(ver), int(n)
        except ValueError:
            print("verify: %s holds a foreign or torn value (%d bytes)" % (k, len(v)))
            bad += 1
            continue
        ok = key == k and any(h[0] == "set" and h[1] == ver for h in later) and v == value(k, ver, n)
        if not ok:
            print("verify: %s holds version %d (%d bytes); last acknowledged %d, sent up to %d" %
                  (k, ver, len(v), a + 1, len(hist)))
            bad += 1
            continue
        settle(hist, acked, k, ver - 1)
    print("verify: %d keys checked, %d wrong" % (len(keys), bad))
    if bad:
        return 1
    json.dump({"sent": sent, "acked": acked}, open(state_path, "w"))
    return 0


def settle(hist, acked, k, seen):
    """The server shows write `seen` (index; -1: none) of k: it is the
    floor now, and the writes sent after it were lost in the crash."""
    for i in range(seen + 1, len(hist)):
        hist[i][0] = "lost"
    acked[k] = seen


def main():
    args = sys.argv[1:]
    mode, host, port, state = args[0], args[1], int(args[2]), args[3]
    opts = {}
    i = 4
    while i < len(args):
        opts[args[i].lstrip("-").replace("-", "_")] = int(args[i + 1])
        i += 2
    if mode == "load":
        signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
        return load(host, port, state, **opts)
    return verify(host, port, state)


if __name__ == "__main__":
    sys.exit(main())
