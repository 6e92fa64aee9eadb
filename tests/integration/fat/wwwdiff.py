#!/usr/bin/env python3
# wwwdiff.py PORT_COMPILED PORT_BLOCK SITE_DIR - compare apps/www serving a
# compiled-in site with apps/www SITE=block serving the same files from a
# FAT volume: for every file, directory and some missing paths, the status,
# the body and every header must agree, except Date, Vary (the compiled
# site has precompressed variants, the volume none), ETag (the volume's
# comes from the file's metadata) and Last-Modified (FAT keeps times to
# 2 seconds). Then the block site alone: conditional requests with its
# ETag and date (304), a range (206), HEAD.
# (A helper program of tests/integration/fat/www-unix.sh; not a test itself.)
import email.utils, http.client, os, sys, urllib.parse

pc, pb, site = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
SKIP = {"date", "vary", "etag", "last-modified"}
bad = 0


def get(port, path, method="GET", headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request(method, path, headers=headers or {})
    r = c.getresponse()
    body = r.read()
    hs = [(k.lower(), v) for k, v in r.getheaders()]
    c.close()
    return r.status, hs, body


def fail(msg):
    global bad
    bad += 1
    print("FAIL:", msg)


paths = ["/", "/missing", "/docs", "/noindex/", "/noindex/missing.txt", "/a/b/c"]
for root, dirs, files in os.walk(site):
    rel = os.path.relpath(root, site)
    base = "" if rel == "." else "/" + rel
    for d in dirs:
        paths += [base + "/" + d, base + "/" + d + "/"]
    for f in files:
        paths.append(base + "/" + f)
n = 0
for p in sorted(paths):
    q = urllib.parse.quote(p)
    sc, hc, bc = get(pc, q)
    sb, hb, bb = get(pb, q)
    if sc != sb:
        fail(f"{p}: status {sc} compiled, {sb} block")
        continue
    if bc != bb:
        fail(f"{p}: bodies differ ({len(bc)} vs {len(bb)} bytes)")
    a = [h for h in hc if h[0] not in SKIP]
    b = [h for h in hb if h[0] not in SKIP]
    if a != b:
        fail(f"{p}: headers differ:\n  compiled {a}\n  block    {b}")
    lc, lb = dict(hc).get("last-modified"), dict(hb).get("last-modified")
    if (lc is None) != (lb is None):
        fail(f"{p}: Last-Modified on one side only")
    elif lc:
        tc = email.utils.parsedate_to_datetime(lc).timestamp()
        tb = email.utils.parsedate_to_datetime(lb).timestamp()
        if abs(tc - tb) > 2:
            fail(f"{p}: Last-Modified {lc} vs {lb}")
    if sc == 200 and not dict(hb).get("etag", "").startswith('"'):
        fail(f"{p}: no strong ETag on the block site")
    n += 1
print(f"ok - {n} paths answered alike by the compiled and the block site")

# conditional and range requests on the block site
s, h, body = get(pb, "/index.html")
etag, lm = dict(h)["etag"], dict(h)["last-modified"]
s2, h2, b2 = get(pb, "/index.html", headers={"If-None-Match": etag})
if s2 != 304 or b2 or dict(h2).get("etag") != etag:
    fail(f"If-None-Match: {s2}")
s3, _, _ = get(pb, "/index.html", headers={"If-Modified-Since": lm})
if s3 != 304:
    fail(f"If-Modified-Since: {s3}")
s4, h4, b4 = get(pb, "/index.html", headers={"Range": "bytes=5-14"})
if s4 != 206 or b4 != body[5:15]:
    fail(f"Range: {s4}")
s5, h5, b5 = get(pb, "/index.html", method="HEAD")
if s5 != 200 or b5 or dict(h5).get("content-length") != str(len(body)):
    fail(f"HEAD: {s5}")
print("ok - 304 by ETag and by date, 206, HEAD on the block site")
sys.exit(1 if bad else 0)
