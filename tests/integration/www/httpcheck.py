#!/usr/bin/python3
"""httpcheck.py HOST PORT SITE_DIR [--conns N] [--quick]

End-to-end checks of apps/www with Python's http.client and raw sockets:
every status the server sends (200 206 301 304 400 404 405 413 414 416
431 501 505), conditional and range requests, HEAD, content codings,
keep-alive and Connection: close, 100 pipelined requests in one send,
N concurrent keep-alive connections, a byte-at-a-time request, a body that
must not be taken for the next request, and every file of SITE_DIR
byte-exact (big.bin included). Prints one line per check; exits 1 on the
first failure."""
import email.utils
import gzip
import hashlib
import http.client
import os
import socket
import sys
import time
import urllib.parse

HOST, PORT, SITE = sys.argv[1], int(sys.argv[2]), sys.argv[3]
CONNS = int(sys.argv[sys.argv.index("--conns") + 1]) if "--conns" in sys.argv else 200
QUICK = "--quick" in sys.argv
TIMEOUT = 30


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def ok(msg):
    print("ok -", msg)


def expect(cond, msg):
    if not cond:
        fail(msg)


def conn():
    return http.client.HTTPConnection(HOST, PORT, timeout=TIMEOUT)


def get(path, headers=None, method="GET", c=None):
    own = c is None
    c = c or conn()
    c.request(method, path, headers=headers or {})
    r = c.getresponse()
    body = r.read()
    if own:
        c.close()
    return r, body


def disk(rel):
    with open(os.path.join(SITE, rel), "rb") as f:
        return f.read()


def raw(data, read_all=True, timeout=10):
    """Send bytes on a fresh connection; return everything until the server closes."""
    s = socket.create_connection((HOST, PORT), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.sendall(data)
    out = b""
    try:
        while True:
            chunk = s.recv(1 << 20)
            if not chunk:
                break
            out += chunk
            if not read_all:
                break
    except socket.timeout:
        out += b"<timeout>"
    s.close()
    return out


def parse_responses(data, heads):
    """Split a stream of responses; heads[i] is True when response i answers HEAD."""
    out = []
    pos = 0
    for is_head in heads:
        end = data.find(b"\r\n\r\n", pos)
        if end < 0:
            fail("stream ended after %d responses" % len(out))
        head = data[pos:end].decode("latin-1").split("\r\n")
        status = int(head[0].split()[1])
        fields = {}
        for line in head[1:]:
            k, v = line.split(":", 1)
            fields[k.strip().lower()] = v.strip()
        n = 0 if is_head or status == 304 else int(fields.get("content-length", "0"))
        body = data[end + 4:end + 4 + n]
        pos = end + 4 + n
        out.append((status, fields, body))
    return out, data[pos:]


def check_basic():
    r, body = get("/")
    expect(r.status == 200, "GET / status %d" % r.status)
    expect(body == disk("index.html"), "GET / body differs from index.html")
    expect(r.getheader("Content-Type") == "text/html; charset=utf-8", "Content-Type %s" % r.getheader("Content-Type"))
    expect(r.getheader("Server") == "mica", "Server %s" % r.getheader("Server"))
    date = email.utils.parsedate_to_datetime(r.getheader("Date")).timestamp()
    expect(abs(date - time.time()) < 5, "Date is not now: %s" % r.getheader("Date"))
    etag = r.getheader("ETag")
    expect(etag and etag.startswith('"') and etag.endswith('"'), "strong ETag: %s" % etag)
    expect(r.getheader("Last-Modified"), "Last-Modified missing")
    expect(r.getheader("Vary") == "Accept-Encoding", "Vary %s" % r.getheader("Vary"))
    expect(int(r.getheader("Content-Length")) == len(body), "Content-Length")
    h, hbody = get("/", method="HEAD")
    expect(h.status == 200 and hbody == b"", "HEAD / has a body or status %d" % h.status)
    expect(h.getheader("Content-Length") == r.getheader("Content-Length"), "HEAD Content-Length differs")
    expect(h.getheader("ETag") == etag, "HEAD ETag differs")
    ok("GET and HEAD /: 200, headers, body = index.html")
    types = {"css/site.css": "text/css; charset=utf-8", "js/app.js": "text/javascript; charset=utf-8",
             "img/mica.png": "image/png", "data/facts.json": "application/json; charset=utf-8",
             "big.bin": "application/octet-stream", "empty.txt": "text/plain; charset=utf-8"}
    for rel, t in types.items():
        r, body = get("/" + rel, {"Accept-Encoding": "identity"})
        expect(r.status == 200 and r.getheader("Content-Type") == t, "%s: %d %s" % (rel, r.status, r.getheader("Content-Type")))
        expect(body == disk(rel), "%s: body differs" % rel)
    ok("Content-Type of html, css, js, png, json, bin, txt; bodies byte-exact")


def check_every_file():
    c = conn()
    n = 0
    for d, _, files in os.walk(SITE):
        for name in files:
            rel = os.path.relpath(os.path.join(d, name), SITE)
            if QUICK and os.path.getsize(os.path.join(SITE, rel)) > (2 << 20):
                continue
            r, body = get("/" + urllib.parse.quote(rel), c=c)
            expect(r.status == 200, "/%s: %d" % (rel, r.status))
            expect(hashlib.sha256(body).digest() == hashlib.sha256(disk(rel)).digest(), "/%s differs" % rel)
            n += 1
    c.close()
    ok("%d files byte-exact on one keep-alive connection" % n)


def check_big():
    data = disk("big.bin")
    t = time.time()
    r, body = get("/big.bin")
    expect(r.status == 200 and hashlib.sha256(body).hexdigest() == hashlib.sha256(data).hexdigest(),
           "big.bin (%d bytes) not byte-exact" % len(data))
    ok("big.bin, %d bytes, byte-exact (sha256) in %.2f s" % (len(data), time.time() - t))
    mid = len(data) // 2
    r, body = get("/big.bin", {"Range": "bytes=%d-%d" % (mid, mid + 999)})
    expect(r.status == 206 and body == data[mid:mid + 1000], "range in the middle of big.bin")
    ok("a range from the middle of big.bin")


def check_codings():
    css = disk("css/site.css")
    r, body = get("/css/site.css", {"Accept-Encoding": "gzip"})
    expect(r.getheader("Content-Encoding") == "gzip" and gzip.decompress(body) == css, "gzip variant")
    gz_etag = r.getheader("ETag")
    r, body = get("/css/site.css", {"Accept-Encoding": "gzip, br"})
    expect(r.getheader("Content-Encoding") == "br" and len(body) < len(css), "br preferred when both are fine")
    expect(r.getheader("ETag") not in (gz_etag, None), "br and gzip share an ETag")
    r, body = get("/css/site.css", {"Accept-Encoding": "br;q=0.5, gzip;q=0.9"})
    expect(r.getheader("Content-Encoding") == "gzip", "q-values: gzip;q=0.9 over br;q=0.5")
    r, body = get("/css/site.css", {"Accept-Encoding": "br;q=0, gzip;q=0"})
    expect(r.getheader("Content-Encoding") is None and body == css, "q=0 for both: identity")
    r, body = get("/css/site.css", {"Accept-Encoding": "*;q=0.1, identity;q=0.05"})
    expect(r.getheader("Content-Encoding") in ("br", "gzip"), "*;q=0.1 allows a coding")
    r, body = get("/css/site.css", {"Accept-Encoding": "identity"})
    expect(r.getheader("Content-Encoding") is None and body == css and r.getheader("Vary") == "Accept-Encoding",
           "identity with Vary")
    r, body = get("/img/mica.png", {"Accept-Encoding": "gzip, br"})
    expect(r.getheader("Content-Encoding") is None and r.getheader("Vary") is None, "png is not compressed")
    ok("Accept-Encoding with q-values picks br, gzip or identity; Vary; png stays identity")


def check_conditional():
    r, _ = get("/js/app.js")
    etag, lm = r.getheader("ETag"), r.getheader("Last-Modified")
    r, body = get("/js/app.js", {"If-None-Match": etag})
    expect(r.status == 304 and body == b"" and r.getheader("ETag") == etag, "If-None-Match: 304 with ETag")
    expect(r.getheader("Content-Length") is None, "304 has no Content-Length")
    r, _ = get("/js/app.js", {"If-None-Match": '"other", W/' + etag})
    expect(r.status == 304, "weak comparison in a list")
    r, _ = get("/js/app.js", {"If-None-Match": "*"})
    expect(r.status == 304, "If-None-Match: *")
    r, _ = get("/js/app.js", {"If-None-Match": '"other"', "If-Modified-Since": lm})
    expect(r.status == 200, "If-None-Match wins over If-Modified-Since")
    r, _ = get("/js/app.js", {"If-Modified-Since": lm})
    expect(r.status == 304, "If-Modified-Since = Last-Modified: 304")
    r, _ = get("/js/app.js", {"If-Modified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"})
    expect(r.status == 200, "older If-Modified-Since: 200")
    r, _ = get("/js/app.js", {"If-Modified-Since": "garbage"})
    expect(r.status == 200, "invalid If-Modified-Since is ignored")
    r, _ = get("/js/app.js", {"If-None-Match": etag}, method="HEAD")
    expect(r.status == 304, "HEAD conditional: 304")
    ok("If-None-Match and If-Modified-Since: 304 and 200 as RFC 9110 13.2.2 orders them")


def check_ranges():
    js = disk("js/app.js")
    n = len(js)
    cases = [("bytes=0-9", js[0:10], "0-9"), ("bytes=-5", js[-5:], "%d-%d" % (n - 5, n - 1)),
             ("bytes=10-", js[10:], "10-%d" % (n - 1)), ("bytes=5-99999", js[5:], "5-%d" % (n - 1))]
    for rng, want, cr in cases:
        r, body = get("/js/app.js", {"Range": rng, "Accept-Encoding": "identity"})
        expect(r.status == 206 and body == want, "%s: %d" % (rng, r.status))
        expect(r.getheader("Content-Range") == "bytes %s/%d" % (cr, n), "%s: Content-Range %s" % (rng, r.getheader("Content-Range")))
    r, body = get("/js/app.js", {"Range": "bytes=%d-" % n})
    expect(r.status == 416 and r.getheader("Content-Range") == "bytes */%d" % n, "416 with bytes */len")
    r, body = get("/js/app.js", {"Range": "bytes=0-1,5-6"})
    expect(r.status == 200 and body == js, "several ranges: 200 with all")
    r, body = get("/js/app.js", {"Range": "bytes=9-3"})
    expect(r.status == 200, "invalid range ignored")
    r, _ = get("/js/app.js")
    etag = r.getheader("ETag")
    r, body = get("/js/app.js", {"Range": "bytes=0-3", "If-Range": etag})
    expect(r.status == 206 and body == js[:4], "If-Range with the ETag: 206")
    r, body = get("/js/app.js", {"Range": "bytes=0-3", "If-Range": '"stale"'})
    expect(r.status == 200 and body == js, "If-Range stale: 200 with all")
    r, body = get("/js/app.js", {"Range": "bytes=0-3"}, method="HEAD")
    expect(r.status == 200, "HEAD ignores Range")
    r, body = get("/css/site.css", {"Range": "bytes=0-3", "Accept-Encoding": "gzip"})
    expect(r.status == 206 and r.getheader("Content-Encoding") == "gzip" and len(body) == 4, "range of the gzip variant")
    ok("Range: 206 for first-last, suffix, open; 416; several ranges 200; If-Range")


def check_paths():
    r, body = get("/docs")
    expect(r.status == 301 and r.getheader("Location") == "/docs/", "301 to /docs/: %d %s" % (r.status, r.getheader("Location")))
    r, body = get("/docs?x=1")
    expect(r.status == 301 and r.getheader("Location") == "/docs/?x=1", "301 keeps the query")
    r, body = get("/docs/")
    expect(r.status == 200 and body == disk("docs/index.html"), "/docs/ serves docs/index.html")
    r, body = get("/index.html?v=2&x")
    expect(r.status == 200 and body == disk("index.html"), "query ignored")
    r, body = get("/%69ndex.html")
    expect(r.status == 200, "percent-decoded path")
    r, body = get("/caf%C3%A9%20%26%20more.txt")
    expect(r.status == 200 and body == disk("caf\u00e9 & more.txt"), "percent-encoded UTF-8 name")
    r, body = get("/missing.html")
    expect(r.status == 404 and b"404" in body and len(body) < 200, "404 with a small body")
    r, body = get("/noindex/")
    expect(r.status == 404, "directory without index.html: 404")
    r, body = get("/noindex")
    expect(r.status == 301, "/noindex: 301")
    for bad in ["/a/../index.html", "/..", "/%2e%2e/index.html", "/docs%2Findex.html", "/index.html%00", "/%zz"]:
        out = raw(b"GET " + bad.encode() + b" HTTP/1.1\r\nHost: h\r\n\r\n")
        expect(out.startswith(b"HTTP/1.1 400 "), "%s: %r" % (bad, out[:40]))
        expect(b"Connection: close" in out, "%s: 400 must close" % bad)
    r, body = get("http://other.example/index.html")
    expect(r.status == 200, "absolute-form target")
    ok("301 for directories, index.html, 404, percent-decoding, .. / %2F / %00 refused with 400")


def check_methods():
    for m in ["POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE"]:
        r, body = get("/", method=m)
        expect(r.status == 405 and r.getheader("Allow") == "GET, HEAD", "%s: %d" % (m, r.status))
    r, body = get("/", method="BREW")
    expect(r.status == 501, "unknown method: %d" % r.status)
    ok("405 with Allow for POST PUT DELETE OPTIONS PATCH TRACE; 501 for an unknown method")


MALFORMED = [
    (b"GET / HTTP/1.1\r\nHost: h\r\nX: a\rb\r\n\r\n", 400, "bare CR"),
    (b"GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n", 400, "obs-fold"),
    (b"GET / HTTP/1.1\r\nHost : h\r\n\r\n", 400, "space before colon"),
    (b"GET / HTTP/1.1\r\n\r\n", 400, "no Host"),
    (b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "two Hosts"),
    (b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, "CL and TE"),
    (b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx", 400, "two Content-Lengths"),
    (b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1x\r\n\r\nx", 400, "bad Content-Length"),
    (b"G@T / HTTP/1.1\r\nHost: h\r\n\r\n", 400, "invalid method"),
    (b"GET /a b HTTP/1.1\r\nHost: h\r\n\r\n", 400, "space in target"),
    (b"GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505, "HTTP/2.0"),
    (b"GET / HTTP/1.1\r\nHost: h\r\n" + b"X-Big: " + b"b" * 17000 + b"\r\n\r\n", 431, "17 KB of headers"),
    (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: h\r\n\r\n", 414, "9 KB target"),
    (b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 100000\r\n\r\n", 413, "100 KB body"),
    (b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 413, "chunked body"),
]


def check_malformed():
    for req, status, what in MALFORMED:
        out = raw(req)
        expect(out.startswith(b"HTTP/1.1 %d " % status), "%s: want %d, got %r" % (what, status, out[:60]))
        expect(b"\r\nConnection: close\r\n" in out and out.count(b"HTTP/1.1 ") == 1, "%s: must close after" % what)
    ok("%d malformed requests: 400 / 413 / 414 / 431 / 505 and the connection closed" % len(MALFORMED))


def check_keepalive():
    c = conn()
    for _ in range(5):
        r, body = get("/css/site.css", c=c)
        expect(r.status == 200 and not r.will_close, "keep-alive")
    r, body = get("/", {"Connection": "close"}, c=c)
    expect(r.status == 200 and r.getheader("Connection") == "close", "Connection: close answered")
    c.close()
    out = raw(b"GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n")
    expect(out.count(b"HTTP/1.1 200") == 1, "nothing answered after Connection: close")
    out = raw(b"GET / HTTP/1.0\r\n\r\n")
    expect(out.startswith(b"HTTP/1.1 200") and b"Connection: close" in out, "HTTP/1.0 closes by default")
    out = raw(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /css/site.css HTTP/1.0\r\n\r\n")
    expect(out.count(b"HTTP/1.1 200") == 2 and b"Connection: keep-alive" in out, "HTTP/1.0 keep-alive")
    ok("keep-alive, Connection: close, HTTP/1.0 with and without keep-alive")


def check_pipelining():
    paths = ["/", "/css/site.css", "/missing", "/js/app.js", "/docs"]
    reqs, heads, want = b"", [], []
    for i in range(100):
        p = paths[i % len(paths)]
        method = "HEAD" if i % 7 == 3 else "GET"
        reqs += ("%s %s HTTP/1.1\r\nHost: h\r\n\r\n" % (method, p)).encode()
        heads.append(method == "HEAD")
        want.append((p, {"/missing": 404, "/docs": 301}.get(p, 200)))
    reqs += b"GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
    heads.append(False)
    want.append(("/", 200))
    s = socket.create_connection((HOST, PORT), timeout=TIMEOUT)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.sendall(reqs)  # all in one send
    data = b""
    while True:
        chunk = s.recv(1 << 20)
        if not chunk:
            break
        data += chunk
    s.close()
    resps, rest = parse_responses(data, heads)
    expect(rest == b"", "bytes after the last response")
    for i, ((status, fields, body), (p, st)) in enumerate(zip(resps, want)):
        expect(status == st, "pipelined #%d %s: %d" % (i, p, status))
        if st == 200 and not heads[i]:
            rel = {"/": "index.html"}.get(p, p[1:])
            expect(body == disk(rel), "pipelined #%d %s: body" % (i, p))
    ok("101 pipelined requests (%d bytes in one send): answered in order" % len(reqs))


def check_concurrent():
    socks = []
    for i in range(CONNS):
        s = socket.create_connection((HOST, PORT), timeout=TIMEOUT)
        socks.append(s)
    req = b"GET /page600.html HTTP/1.1\r\nHost: h\r\n\r\n"
    page = disk("page600.html")
    for rnd in range(2):
        for s in socks:
            s.sendall(req)
        for i, s in enumerate(socks):
            data = b""
            while b"\r\n\r\n" not in data or len(data) < data.index(b"\r\n\r\n") + 4 + len(page):
                chunk = s.recv(65536)
                expect(chunk, "connection %d closed in round %d" % (i, rnd))
                data += chunk
            expect(data.startswith(b"HTTP/1.1 200") and data.endswith(page), "connection %d round %d" % (i, rnd))
    for s in socks:
        s.close()
    ok("%d concurrent keep-alive connections, two requests each" % CONNS)


def check_slow_and_body():
    s = socket.create_connection((HOST, PORT), timeout=TIMEOUT)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for b in b"GET /css/site.css HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n":
        s.send(bytes([b]))
        time.sleep(0.002)
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    expect(data.startswith(b"HTTP/1.1 200") and data.endswith(disk("css/site.css")), "request sent one byte at a time")
    smuggle = b"GET /missing HTTP/1.1\r\nHost: h\r\n\r\n"
    out = raw(b"POST /index.html HTTP/1.1\r\nHost: h\r\nContent-Length: %d\r\n\r\n" % len(smuggle) + smuggle +
              b"GET /css/site.css HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
    expect(out.startswith(b"HTTP/1.1 405") and out.count(b"HTTP/1.1 ") == 2 and b"404" not in out.split(b"\r\n")[0]
           and b"HTTP/1.1 200" in out, "a body must be dropped, not served: %r" % out[:200])
    ok("a request one byte per segment; a request body dropped, not taken as a request")


def main():
    checks = [check_basic, check_codings, check_conditional, check_ranges, check_paths, check_methods,
              check_malformed, check_keepalive, check_pipelining, check_slow_and_body, check_concurrent,
              check_every_file, check_big]
    t = time.time()
    for c in checks:
        c()
    print("all checks passed in %.1f s" % (time.time() - t))


if __name__ == "__main__":
    main()
