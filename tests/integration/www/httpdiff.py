#!/usr/bin/python3
"""httpdiff.py MICA_PORT NGINX_PORT - the same requests to apps/www and to
nginx (both on 127.0.0.1, serving the same site): normal and malformed.
Where both follow the RFC the status, the headers that matter
(Content-Type's media type, Content-Length, Content-Range, Content-Encoding,
Location's path, Allow) and the body must agree. Each deliberate
difference is listed in DIFFERENT with the status each side must give (and
documented in docs/www.md), so a change on either side is noticed."""
import socket
import sys

MICA, NGINX = int(sys.argv[1]), int(sys.argv[2])
H = b"Host: t\r\n"

# name, request
SAME = [
    ("GET /", b"GET / HTTP/1.1\r\n" + H + b"\r\n"),
    ("GET /index.html", b"GET /index.html HTTP/1.1\r\n" + H + b"\r\n"),
    ("GET css", b"GET /css/site.css HTTP/1.1\r\n" + H + b"\r\n"),
    ("GET png", b"GET /img/mica.png HTTP/1.1\r\n" + H + b"\r\n"),
    ("GET json", b"GET /data/facts.json HTTP/1.1\r\n" + H + b"\r\n"),
    ("GET 600-byte page", b"GET /page600.html HTTP/1.1\r\n" + H + b"\r\n"),
    ("GET 1 MB", b"GET /1mb.bin HTTP/1.1\r\n" + H + b"\r\n"),
    ("GET empty file", b"GET /empty.txt HTTP/1.1\r\n" + H + b"\r\n"),
    ("GET with query", b"GET /index.html?a=1&b HTTP/1.1\r\n" + H + b"\r\n"),
    ("GET percent-encoded", b"GET /%69ndex.html HTTP/1.1\r\n" + H + b"\r\n"),
    ("GET UTF-8 name", b"GET /caf%C3%A9%20%26%20more.txt HTTP/1.1\r\n" + H + b"\r\n"),
    ("GET directory", b"GET /docs HTTP/1.1\r\n" + H + b"\r\n"),
    ("GET directory/", b"GET /docs/ HTTP/1.1\r\n" + H + b"\r\n"),
    ("GET missing", b"GET /missing.html HTTP/1.1\r\n" + H + b"\r\n"),
    ("HEAD /", b"HEAD / HTTP/1.1\r\n" + H + b"\r\n"),
    ("HEAD missing", b"HEAD /missing HTTP/1.1\r\n" + H + b"\r\n"),
    ("HTTP/1.0", b"GET / HTTP/1.0\r\n\r\n"),
    ("HTTP/1.0 keep-alive", b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"),
    ("absolute-form", b"GET http://t/css/site.css HTTP/1.1\r\n" + H + b"\r\n"),
    ("LF line ends", b"GET / HTTP/1.1\n" + H.replace(b"\r\n", b"\n") + b"\n"),
    ("range first-last", b"GET /js/app.js HTTP/1.1\r\n" + H + b"Range: bytes=0-9\r\n\r\n"),
    ("range suffix", b"GET /js/app.js HTTP/1.1\r\n" + H + b"Range: bytes=-7\r\n\r\n"),
    ("range open", b"GET /js/app.js HTTP/1.1\r\n" + H + b"Range: bytes=100-\r\n\r\n"),
    ("range past the end", b"GET /js/app.js HTTP/1.1\r\n" + H + b"Range: bytes=100-999999\r\n\r\n"),
    ("range unsatisfiable", b"GET /js/app.js HTTP/1.1\r\n" + H + b"Range: bytes=999999-\r\n\r\n"),
    ("range of 1 MB", b"GET /1mb.bin HTTP/1.1\r\n" + H + b"Range: bytes=500000-599999\r\n\r\n"),
    ("range bad unit", b"GET /js/app.js HTTP/1.1\r\n" + H + b"Range: items=0-9\r\n\r\n"),
    ("If-Modified-Since old", b"GET / HTTP/1.1\r\n" + H + b"If-Modified-Since: Sat, 01 Jan 2000 00:00:00 GMT\r\n\r\n"),
    ("If-None-Match other", b"GET / HTTP/1.1\r\n" + H + b"If-None-Match: \"nope\"\r\n\r\n"),
    ("If-None-Match *", b"GET / HTTP/1.1\r\n" + H + b"If-None-Match: *\r\n\r\n"),
    ("POST existing", b"POST /index.html HTTP/1.1\r\n" + H + b"Content-Length: 0\r\n\r\n"),
    ("PUT", b"PUT /index.html HTTP/1.1\r\n" + H + b"Content-Length: 3\r\n\r\nabc"),
    ("DELETE", b"DELETE /index.html HTTP/1.1\r\n" + H + b"\r\n"),
    ("no Host in 1.1", b"GET / HTTP/1.1\r\n\r\n"),
    ("two Hosts", b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
    ("CL and TE", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
    ("two Content-Lengths", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 1\r\nContent-Length: 2\r\n\r\nab"),
    ("bad Content-Length", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: abc\r\n\r\n"),
    ("HTTP/2.0 line", b"GET / HTTP/2.0\r\n" + H + b"\r\n"),
    ("HTTP/3.0 line", b"GET / HTTP/3.0\r\n" + H + b"\r\n"),
    ("9 KB target", b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\n" + H + b"\r\n"),
    ("/../ escape", b"GET /../etc/passwd HTTP/1.1\r\n" + H + b"\r\n"),
    ("encoded NUL", b"GET /index.html%00 HTTP/1.1\r\n" + H + b"\r\n"),
    ("bad escape", b"GET /%zz HTTP/1.1\r\n" + H + b"\r\n"),
    ("space in target", b"GET /a b HTTP/1.1\r\n" + H + b"\r\n"),
    ("bad method chars", b"G(T / HTTP/1.1\r\n" + H + b"\r\n"),
    ("lower-case version", b"GET / http/1.1\r\n" + H + b"\r\n"),
    ("space before colon", b"GET / HTTP/1.1\r\n" + H + b"X-A : b\r\n\r\n"),
    ("obs-fold", b"GET / HTTP/1.1\r\n" + H + b"X-A: b\r\n c\r\n\r\n"),
]

# name, request, mica status, nginx status, why (docs/www.md says the same)
DIFFERENT = [
    ("several ranges", b"GET /js/app.js HTTP/1.1\r\n" + H + b"Range: bytes=0-1,5-6\r\n\r\n", 200, 206,
     "apps/www sends the whole body (RFC 9110 allows it); nginx sends multipart/byteranges"),
    ("unknown method", b"BREW / HTTP/1.1\r\n" + H + b"\r\n", 501, 405,
     "RFC 9110 15.6.2: 501 for a method the server does not recognise"),
    ("POST missing file", b"POST /missing HTTP/1.1\r\n" + H + b"Content-Length: 0\r\n\r\n", 405, 404,
     "apps/www refuses the method before looking the path up"),
    ("dot segment", b"GET /docs/../index.html HTTP/1.1\r\n" + H + b"\r\n", 400, 200,
     "apps/www refuses dot segments instead of resolving them"),
    ("encoded slash", b"GET /docs%2Findex.html HTTP/1.1\r\n" + H + b"\r\n", 400, 200,
     "apps/www refuses %2F: one segment must not name two"),
    ("17 KB header", b"GET / HTTP/1.1\r\n" + H + b"X-Big: " + b"b" * 17000 + b"\r\n\r\n", 431, 400,
     "apps/www uses 431 (RFC 6585); nginx uses 400"),
    ("chunked body", b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 413, 405,
     "apps/www does not read chunked bodies: 413 and close"),
    ("100 KB body", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 100000\r\n\r\n", 413, 405,
     "apps/www drops bodies up to 64 KiB, refuses larger ones with 413"),
    ("directory without index", b"GET /noindex/ HTTP/1.1\r\n" + H + b"\r\n", 404, 403,
     "no directory listings: apps/www says 404, nginx 403"),
    ("If-Modified-Since later", b"GET / HTTP/1.1\r\n" + H + b"If-Modified-Since: Fri, 01 Jan 2100 00:00:00 GMT\r\n\r\n",
     304, 200, "RFC 9110 13.1.3: not modified since a later date; nginx's default is an exact match"),
]

# nginx maps .js to application/javascript; apps/www to text/javascript (RFC 9239).
MEDIA_SAME = {"application/javascript": "text/javascript"}


def ask(port, req):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(req)
    s.shutdown(socket.SHUT_WR)
    data = b""
    try:
        while True:
            c = s.recv(1 << 20)
            if not c:
                break
            data += c
    except (socket.timeout, ConnectionResetError):
        pass
    s.close()
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return 0, {}, b""
    lines = data[:end].decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    fields = {}
    for line in lines[1:]:
        k, v = line.split(":", 1)
        fields[k.strip().lower()] = v.strip()
    body = data[end + 4:]
    if "content-length" in fields:
        body = body[:int(fields["content-length"])]
    return status, fields, body


def norm(fields):
    out = {}
    for k in ("content-length", "content-range", "content-encoding", "allow"):
        if k in fields:
            out[k] = fields[k]
    if "content-type" in fields:
        media = fields["content-type"].split(";")[0].strip()
        out["media-type"] = MEDIA_SAME.get(media, media)
    if "location" in fields:
        loc = fields["location"]
        out["location"] = loc[loc.index("/", loc.index("//") + 2):] if "//" in loc else loc
    return out


def main():
    bad = 0
    for name, req in SAME:
        ms, mf, mb = ask(MICA, req)
        ns, nf, nb = ask(NGINX, req)
        errors = []
        if ms != ns:
            errors.append("status mica %d nginx %d" % (ms, ns))
        elif ms in (200, 206):
            if norm(mf) != norm(nf):
                errors.append("headers mica %s nginx %s" % (norm(mf), norm(nf)))
            if mb != nb:
                errors.append("bodies differ (%d and %d bytes)" % (len(mb), len(nb)))
        elif ms in (301, 416):  # (nginx sends no Allow with 405; apps/www does, RFC 9110 15.5.6)
            keys = {301: "location", 416: "content-range"}[ms]
            if norm(mf).get(keys) != norm(nf).get(keys):
                errors.append("%s mica %s nginx %s" % (keys, norm(mf).get(keys), norm(nf).get(keys)))
        print("%-24s %s" % (name, "same: %d" % ms if not errors else "DIFFERS: " + "; ".join(errors)))
        bad += bool(errors)
    for name, req, want_mica, want_nginx, why in DIFFERENT:
        ms, _, _ = ask(MICA, req)
        ns, _, _ = ask(NGINX, req)
        ok = ms == want_mica and ns == want_nginx
        print("%-24s %s mica %d, nginx %d (%s)" % (name, "deliberate:" if ok else "UNEXPECTED:", ms, ns, why))
        bad += not ok
    # Conditional requests with each server's own validators.
    for port, who in ((MICA, "mica"), (NGINX, "nginx")):
        _, f, _ = ask(port, b"GET /css/site.css HTTP/1.1\r\n" + H + b"\r\n")
        for hdr in (b"If-None-Match: " + f["etag"].encode(), b"If-Modified-Since: " + f["last-modified"].encode()):
            st, _, body = ask(port, b"GET /css/site.css HTTP/1.1\r\n" + H + hdr + b"\r\n\r\n")
            if st != 304 or body:
                print("conditional on %s: %s gave %d" % (who, hdr.split(b":")[0].decode(), st))
                bad += 1
    print("conditional requests with each server's own ETag and Last-Modified: 304 on both")
    print("%d requests compared, %d problems" % (len(SAME) + len(DIFFERENT), bad))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
