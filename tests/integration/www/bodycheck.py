#!/usr/bin/env python3
"""bodycheck.py HOST PORT SITE_DIR - large bodies byte-exact, however they
are sent (sendfile from the executable on unix, or from memory): many
keep-alive requests for big.bin and 1mb.bin on a few connections, single
ranges at page and odd offsets (each must be exactly its slice), HEAD,
two pipelined requests in one send, and a slow reader with a small receive
buffer (the server's sends are cut short and must go on where they
stopped). A helper of tests/integration/www/sendfile.sh."""
import os
import random
import socket
import sys
import time

host, port, site = sys.argv[1], int(sys.argv[2]), sys.argv[3]
files = {name: open(os.path.join(site, name), "rb").read() for name in ("big.bin", "1mb.bin")}


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


class Conn:
    def __init__(self, rcvbuf=0):
        self.s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.s.settimeout(30)
        self.s.connect((host, port))
        self.buf = b""

    def fill(self, slow=False):
        chunk = self.s.recv(4096 if slow else 1 << 20)
        if not chunk:
            fail("connection closed early")
        self.buf += chunk
        if slow:
            time.sleep(0.0005)

    def response(self, head_only=False, slow=False):
        while b"\r\n\r\n" not in self.buf:
            self.fill(slow)
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        fields = {k.strip().lower(): v.strip() for k, v in (ln.split(":", 1) for ln in lines[1:])}
        n = 0 if head_only else int(fields.get("content-length", "0"))
        while len(self.buf) < n:
            self.fill(slow)
        body, self.buf = self.buf[:n], self.buf[n:]
        return status, fields, body

    def get(self, path, extra="", method="GET", slow=False):
        self.s.sendall(("%s /%s HTTP/1.1\r\nHost: t\r\n%s\r\n" % (method, path, extra)).encode())
        return self.response(method == "HEAD", slow)


def whole(c, name):
    status, _, body = c.get(name)
    if status != 200 or body != files[name]:
        fail("GET /%s: status %d, %d bytes, not the file" % (name, status, len(body)))


rng = random.Random(11)
conns = [Conn() for _ in range(3)]
for i in range(40):  # keep-alive: 40 responses per connection, the two files mixed
    c = conns[i % 3]
    whole(c, "1mb.bin" if i % 4 else "big.bin")
print("ok - 40 keep-alive responses of big.bin (10 MB) and 1mb.bin byte-exact on 3 connections")

c = conns[0]
n = 0
for name, data in files.items():
    size = len(data)
    spans = [(0, 4095), (4096, 8191), (1, size - 2), (size - 1, size - 1), (0, 0)]
    spans += [(a, min(size - 1, a + rng.randrange(1, 3 << 20))) for a in (rng.randrange(size) for _ in range(25))]
    for first, last in spans:
        status, fields, body = c.get(name, "Range: bytes=%d-%d\r\n" % (first, last))
        want = data[first : last + 1]
        if status != 206 or body != want:
            fail("Range %d-%d of %s: status %d, %d bytes (want %d)" % (first, last, name, status, len(body), len(want)))
        if fields.get("content-range") != "bytes %d-%d/%d" % (first, last, size):
            fail("Range %d-%d of %s: Content-Range %r" % (first, last, name, fields.get("content-range")))
        n += 1
print("ok - %d single ranges (page-aligned, odd, whole-but-ends, last byte) are exactly their slices" % n)

status, fields, body = c.get("big.bin", method="HEAD")
if status != 200 or fields.get("content-length") != str(len(files["big.bin"])):
    fail("HEAD /big.bin: %d %r" % (status, fields))
whole(c, "1mb.bin")  # nothing of a body followed the HEAD response
print("ok - HEAD sends no body; the next response on the connection is intact")

c.s.sendall(b"GET /1mb.bin HTTP/1.1\r\nHost: t\r\n\r\nGET /big.bin HTTP/1.1\r\nHost: t\r\n\r\n")
for name in ("1mb.bin", "big.bin"):
    status, _, body = c.response()
    if status != 200 or body != files[name]:
        fail("pipelined /%s: status %d, %d bytes" % (name, status, len(body)))
print("ok - two pipelined large responses in order, byte-exact")

slow = Conn(rcvbuf=8192)
for name in ("1mb.bin", "1mb.bin"):
    status, _, body = slow.get(name, slow=True)
    if status != 200 or body != files[name]:
        fail("slow reader /%s: status %d, %d bytes" % (name, status, len(body)))
print("ok - a slow reader with an 8 KiB receive buffer gets 1mb.bin byte-exact twice")
for x in conns + [slow]:
    x.s.close()
