#!/usr/bin/env bash
# unix.sh - the asynchronous block layer on the unix target, with io_uring
# and with the inline engine (MICA_BLK_ENGINE=inline): 6 MB written in
# pieces from one sector to 1.5 MiB with 16 requests in flight, the last
# one FUA, then a flush; read back in other pieces and checked; a range
# not written reads zero tags (a mismatch is reported); requests the
# platform must refuse at once are refused; a misaligned start sector
# (not a multiple of 8) goes through the buffered descriptor and still
# reads back; a file that is not whole sectors is refused.
# timeout: 120
. "$(dirname "$0")/common.sh"
img=$(build_blkasync unix)
disk=$TMP/disk.img
for engine in uring inline; do
	echo "== $engine"
	rm -f "$disk"; truncate -s 16M "$disk"
	export MICA_BLK_ENGINE=$engine
	"$img" --block:disk="$disk" --do=write --sector=8 --kib=6000 --seed=3 --depth=16 > "$TMP/out" 2>&1 || { cat "$TMP/out"; fail "write"; }
	expect_out "$TMP/out" 'wrote 6000 KiB in [0-9]+ requests \(1[0-6] in flight at most\), flushed'
	"$img" --block:disk="$disk" --do=read --sector=8 --kib=6000 --seed=3 --depth=16 > "$TMP/out" 2>&1 || { cat "$TMP/out"; fail "read"; }
	expect_out "$TMP/out" 'read 6000 KiB .* every tag matches'
	"$img" --block:disk="$disk" --do=read --sector=8 --kib=64 --seed=4 > "$TMP/out" 2>&1 && fail "a wrong seed matched"
	expect_out "$TMP/out" 'mismatch in sector 8'
	"$img" --block:disk="$disk" --do=write --sector=12345 --kib=300 --seed=9 --depth=3 > "$TMP/out" 2>&1 || { cat "$TMP/out"; fail "misaligned write"; }
	"$img" --block:disk="$disk" --do=read --sector=12345 --kib=300 --seed=9 > "$TMP/out" 2>&1 || { cat "$TMP/out"; fail "misaligned read"; }
	"$img" --block:disk="$disk" --do=errors > "$TMP/out" 2>&1 || { cat "$TMP/out"; fail "errors"; }
	expect_out "$TMP/out" 'read past the end: out of bounds'
	expect_out "$TMP/out" 'zero sectors: invalid argument'
done
/usr/bin/python3 - "$disk" <<'PY' || fail "the file does not hold the tags the guest wrote"
import struct, sys
d = open(sys.argv[1], 'rb').read()
M = (1 << 64) - 1
for s in range(8, 8 + 12000):
    t = ((s + 1) * 0x9e3779b97f4a7c15 & M) ^ 3
    assert d[s * 512:s * 512 + 8] == struct.pack('<Q', t), s
    assert d[s * 512 + 504:(s + 1) * 512] == struct.pack('<Q', ~t & M), s
assert d[:8 * 512] == bytes(8 * 512)
print('host: tags in place')
PY
head -c 1000 /dev/zero > "$TMP/odd.img"
"$img" --block:disk="$TMP/odd.img" --do=read > "$TMP/out" 2>&1 && fail "odd-sized file accepted"
expect_out "$TMP/out" 'not a whole number of 512-byte sectors'
echo PASS
