#!/usr/bin/env bash
# tap.sh - apps/www on the tap target (Mica's own TCP/IP, tap offload on)
# in a private namespace: httpcheck.py from the Linux side (every status,
# conditional and range requests, HEAD, codings, keep-alive, 100 pipelined
# requests in one send, 200 concurrent keep-alive connections, a 10 MB file
# byte-exact) and curl; the default listen address is the interface's,
# port 80.
# timeout: 300
set -u
. "$(dirname "$0")/../net/lib.sh"
. "$ROOT/tests/integration/www/common.sh"
need_root_tap
command -v curl > /dev/null || skip "needs curl"
SITE_DIR=$(mktemp -d)
trap 'cleanup; rm -rf "$SITE_DIR"' EXIT
www_site "$SITE_DIR/site" 10240
IMG=$(www_build tap "$SITE_DIR/site") || exit 1
netns_up
start_image "$IMG" --net:service=$TAP --ipv4=$GUEST_IP/24 --idle=5
wait_log "serving" 10 || fail "www on tap did not start"
wait_http $GUEST_IP 80 10 in_ns || fail "no answer on $GUEST_IP:80 (the default address)"
in_ns /usr/bin/python3 "$ROOT/tests/integration/www/httpcheck.py" $GUEST_IP 80 "$SITE_DIR/site" || fail "httpcheck on tap"
for enc in br gzip; do
	in_ns curl -s -H "Accept-Encoding: $enc" --compressed -o "$SITE_DIR/out" "http://$GUEST_IP/css/site.css" || fail "curl $enc"
	cmp -s "$SITE_DIR/out" "$SITE_DIR/site/css/site.css" || fail "curl: $enc variant does not decode to the file"
done
echo "ok - curl decodes the br and gzip variants"
stop_image
grep -E "^www|^net" "$LOG"
grep -q "^www: requests [1-9]" "$LOG" || fail "counters missing on exit"
echo PASS
