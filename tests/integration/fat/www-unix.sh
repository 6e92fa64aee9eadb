#!/usr/bin/env bash
# www-unix.sh - apps/www SITE=block on unix: the site is a FAT32 volume
# made with mkfs.fat and filled with mcopy. Against the same files
# compiled in (SITE=DIR), every path gets the same status, body and
# headers (wwwdiff.py: all but Date, Vary, ETag, Last-Modified); then the
# volume is changed with mcopy, mdel and mmd while the server runs and
# the changes are served without a restart (new body, new ETag, 404 for
# the deleted file); a volume that is not FAT and a missing device are
# refused at start with a clear message.
# timeout: 240
. "$(dirname "$0")/../lib.sh"
. tests/integration/www/common.sh
PATH=$PATH:/usr/sbin:/sbin
need_cmd curl mkfs.fat mcopy mdel mmd
export MTOOLS_SKIP_CHECK=1 TZ=UTC LC_ALL=C.UTF-8
tmp=$(mktemp -d)
trap 'cleanup_bg; rm -rf "$tmp"' EXIT
www_site "$tmp/site" 512 small
compiled=$(www_build unix "$tmp/site") || exit 1
block=$(cd "$WWW_ROOT" && ./mica build apps/www -t unix SITE=block | tail -1)
[ -x "$block" ] || fail "./mica build apps/www -t unix SITE=block failed"
mkfs.fat -F 32 -n SITE -C "$tmp/site.img" 40960 > /dev/null || fail "mkfs.fat"
(cd "$tmp/site" && mcopy -s -m -i "$tmp/site.img" ./* ::/) || fail "mcopy the site onto the volume"

pc=$(free_port)
start_bg "$compiled" --listen=127.0.0.1:"$pc" > "$tmp/compiled.log" 2>&1
pb=$(free_port)
start_bg "$block" --block:site="$tmp/site.img" --listen=127.0.0.1:"$pb" --site-poll=1 > "$tmp/block.log" 2>&1
bpid=${BG_PIDS[-1]}
wait_http 127.0.0.1 "$pc" 10 || fail "compiled www did not start: $(cat "$tmp/compiled.log")"
wait_http 127.0.0.1 "$pb" 10 || fail "block www did not start: $(cat "$tmp/block.log")"
grep "site from block device" "$tmp/block.log"
/usr/bin/python3 tests/integration/fat/wwwdiff.py "$pc" "$pb" "$tmp/site" || fail "the block site differs from the compiled one"

# Change the volume under the running server.
etag0=$(curl -s -D - -o /dev/null "http://127.0.0.1:$pb/" | sed -n 's/^ETag: //Ip' | tr -d '\r')
printf '<html><body>changed on the volume</body></html>\n' > "$tmp/new.html"
mcopy -o -i "$tmp/site.img" "$tmp/new.html" ::/index.html || fail "mcopy the new index.html"
mdel -i "$tmp/site.img" ::/page600.html || fail "mdel"
mmd -i "$tmp/site.img" ::/fresh || fail "mmd"
mcopy -i "$tmp/site.img" "$tmp/new.html" ::/fresh/index.html || fail "mcopy into the new directory"
ok=
for _ in $(seq 50); do
	if curl -s "http://127.0.0.1:$pb/" | cmp -s - "$tmp/new.html" &&
		[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$pb/page600.html")" = 404 ] &&
		curl -s "http://127.0.0.1:$pb/fresh/" | cmp -s - "$tmp/new.html"; then
		ok=1
		break
	fi
	sleep 0.2
done
[ -n "$ok" ] || fail "the changed volume was not served within 10 s: $(tail -3 "$tmp/block.log")"
etag1=$(curl -s -D - -o /dev/null "http://127.0.0.1:$pb/" | sed -n 's/^ETag: //Ip' | tr -d '\r')
[ -n "$etag1" ] && [ "$etag1" != "$etag0" ] || fail "the ETag did not change ($etag0 -> $etag1)"
echo "ok - mcopy, mdel, mmd on the volume served without a restart (ETag $etag0 -> $etag1)"
grep "site volume changed" "$tmp/block.log" | tail -1
stop_app "$bpid" "$tmp/block.log"

# Refusals at start.
head -c 4M /dev/zero > "$tmp/zero.img"
"$block" --block:site="$tmp/zero.img" --listen=127.0.0.1:"$pb" > "$tmp/zero.log" 2>&1 && fail "a zeroed volume was served"
grep -q "not a FAT volume" "$tmp/zero.log" || fail "no clear message for a volume that is not FAT: $(cat "$tmp/zero.log")"
"$block" --listen=127.0.0.1:"$pb" > "$tmp/none.log" 2>&1 && fail "started without its block device"
grep -q "block device 'site'" "$tmp/none.log" || fail "no clear message without the device: $(cat "$tmp/none.log")"
echo "ok - a volume that is not FAT and a missing device are refused at start"
echo PASS
