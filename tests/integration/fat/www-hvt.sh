#!/usr/bin/env bash
# www-hvt.sh - apps/www SITE=block in a KVM guest under mica-hvt: the site
# is a FAT32 volume attached with --block:site=IMG. Kept small (every
# guest instruction is emulated on the CI machines): a few pages byte-exact
# and a 404 over the guest's own stack, then a file changed with mcopy on
# the host is served without a restart; the monitor's counters on exit.
# timeout: 240
set -u
. "$(dirname "$0")/../net/lib.sh"
. "$ROOT/tests/integration/www/common.sh"
PATH=$PATH:/usr/sbin:/sbin
need_root_tap
need_hvt
need_cmd curl mkfs.fat mcopy
export MTOOLS_SKIP_CHECK=1 TZ=UTC LC_ALL=C.UTF-8
work=$(mktemp -d)
trap 'cleanup; rm -rf "$work"' EXIT
www_site "$work/site" 64 small
IMG=$(cd "$ROOT" && ./mica build apps/www -t hvt SITE=block | tail -1)
[ -x "$IMG" ] || fail "./mica build apps/www -t hvt SITE=block failed"
mkfs.fat -F 32 -C "$work/site.img" 40960 > /dev/null || fail "mkfs.fat"
(cd "$work/site" && mcopy -s -m -i "$work/site.img" ./* ::/) || fail "mcopy the site onto the volume"
netns_up
start_image "$ROOT/build/monitor/mica-hvt" --stats --net:service=$TAP --block:site="$work/site.img" "$IMG" \
	--ipv4=$GUEST_IP/24 --site-poll=1 --idle=60
wait_log "serving" 60 || fail "www did not start under mica-hvt: $(tail -5 "$LOG")"
grep "site from block device" "$LOG"
for p in index.html page600.html css/site.css big.bin; do
	in_ns curl -s --max-time 20 -o "$work/out" "http://$GUEST_IP/$p" || fail "GET /$p"
	cmp -s "$work/out" "$work/site/$p" || fail "/$p is not the file on the volume"
done
[ "$(in_ns curl -s --max-time 20 -o /dev/null -w '%{http_code}' "http://$GUEST_IP/nope")" = 404 ] || fail "no 404"
echo "ok - pages byte-exact and a 404 from the volume in the guest"
printf '<html>changed under the guest</html>\n' > "$work/new.html"
mcopy -o -i "$work/site.img" "$work/new.html" ::/index.html || fail "mcopy the new index.html"
ok=
for _ in $(seq 40); do
	in_ns curl -s --max-time 5 "http://$GUEST_IP/" | cmp -s - "$work/new.html" && ok=1 && break
	sleep 0.5
done
[ -n "$ok" ] || fail "the changed index.html was not served within 20 s: $(tail -3 "$LOG")"
echo "ok - a file changed with mcopy is served without a restart"
stop_image
grep -iE "^www: requests|exits|site" "$LOG" | tail -6
echo PASS
