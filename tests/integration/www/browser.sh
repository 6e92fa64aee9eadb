#!/usr/bin/env bash
# browser.sh - a real browser loads the bundled site from the appliance on
# the tap target: headless Chromium (Debian's) fetches the page, its style
# sheet, its script and its picture; the page's script then fetches a JSON
# document and writes what it saw (the computed colour from the CSS, the
# picture's size, a field of the JSON) into the DOM, which --dump-dom
# prints. The appliance's access log must show every file served.
# timeout: 240
set -u
. "$(dirname "$0")/../net/lib.sh"
. "$ROOT/tests/integration/www/common.sh"
need_root_tap
command -v chromium > /dev/null || skip "needs chromium (see .ci/packages.txt)"
PROFILE=$(mktemp -d)
trap 'cleanup; rm -rf "$PROFILE"' EXIT
IMG=$(cd "$ROOT" && ./mica build apps/www -t tap | tail -1)
[ -x "$IMG" ] || fail "cannot build apps/www for tap"
netns_up
in_ns ip link set lo up
start_image "$IMG" --net:service=$TAP --ipv4=$GUEST_IP/24 --log-access
wait_log "serving" 10 || fail "www on tap did not start"
wait_http $GUEST_IP 80 10 in_ns || fail "no answer on $GUEST_IP:80"
# A fresh profile, nothing from outside: no background networking, no
# component updates, no sync; the namespace has no route but to the guest.
in_ns timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
	--disable-component-update --disable-sync --no-first-run --disable-dev-shm-usage \
	--user-data-dir="$PROFILE" --virtual-time-budget=10000 --dump-dom "http://$GUEST_IP/" \
	> "$PROFILE/dom.html" 2> "$PROFILE/chromium.log" || {
	tail -20 "$PROFILE/chromium.log"
	fail "chromium failed"
}
status=$(grep -o '<p id="status"[^<]*</p>' "$PROFILE/dom.html" || true)
echo "DOM: $status"
echo "$status" | grep -q 'data-ok="yes"' || fail "the page's script did not report success: $status"
echo "$status" | grep -q "css rgb(40, 110, 200)" || fail "the style sheet was not applied: $status"
echo "$status" | grep -q "image 48x48" || fail "the picture did not load: $status"
echo "$status" | grep -q "served by mica" || fail "the JSON document did not load: $status"
for f in '"GET / HTTP/1.1" 200' '"GET /css/site.css HTTP/1.1" 200' '"GET /js/app.js HTTP/1.1" 200' \
	'"GET /img/mica.png HTTP/1.1" 200' '"GET /data/facts.json HTTP/1.1" 200'; do
	grep -qF "$f" "$LOG" || fail "access log lacks $f"
done
echo "ok - access log shows the page, style sheet, script, picture and JSON served"
stop_image
grep "^www:" "$LOG" | tail -4
echo PASS
