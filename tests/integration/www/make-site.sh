# make-site.sh DIR [BIG_KB] [small] - the test site: the bundled example
# site, plus a 600-byte page, a 1 MB file (not with "small") and a BIG_KB
# (default 10240) KiB file of deterministic pseudo-random bytes (big.bin),
# a directory without an index, a name that needs percent-encoding and an
# empty file.
# (A helper of the www tests and bench/www.sh; not a test itself.)
set -euo pipefail
dir=$1 kb=${2:-10240} small=${3:-}
root=$(cd "$(dirname "$0")/../../.." && pwd)
mkdir -p "$dir"
cp -r "$root/apps/www/site/." "$dir/"
/usr/bin/python3 - "$dir" "$kb" "$small" <<'PY'
import os, random, sys
d, kb, small = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "small"
rng = random.Random(20261128)
def blob(n):
    return rng.getrandbits(8 * n).to_bytes(n, "little") if n else b""
head = b"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>600 bytes</title></head><body>\n"
tail = b"</body></html>\n"
words = b"".join(b"<p>mica %04d</p>\n" % i for i in range(40))
page = (head + words)[: 600 - len(tail)] + tail
assert len(page) == 600
open(os.path.join(d, "page600.html"), "wb").write(page)
if not small:
    open(os.path.join(d, "1mb.bin"), "wb").write(blob(1 << 20))
open(os.path.join(d, "big.bin"), "wb").write(blob(kb << 10))
open(os.path.join(d, "empty.txt"), "wb").write(b"")
os.makedirs(os.path.join(d, "noindex"), exist_ok=True)
open(os.path.join(d, "noindex", "a.txt"), "w").write("no index here\n")
open(os.path.join(d, "caf\u00e9 & more.txt"), "w", encoding="utf-8").write("percent-encoded name\n")
PY
