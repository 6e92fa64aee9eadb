#!/usr/bin/env bash
# hvt.sh - apps/www in a KVM guest under mica-hvt, kept small (every
# guest instruction is emulated on the CI machines): httpcheck.py with a
# 2 MB big file and 20 concurrent connections, curl, and the VM exits per
# request from the monitor's statistics.
# timeout: 300
set -u
. "$(dirname "$0")/../net/lib.sh"
. "$ROOT/tests/integration/www/common.sh"
need_root_tap
need_hvt
command -v curl > /dev/null || skip "needs curl"
SITE_DIR=$(mktemp -d)
trap 'cleanup; rm -rf "$SITE_DIR"' EXIT
www_site "$SITE_DIR/site" 256 small
IMG=$(www_build hvt "$SITE_DIR/site") || exit 1
netns_up
# --idle=60: a 256 KB body takes ~10 s in the emulated guest; an idle
# close while it is still queued in TCP loses its tail on hvt (a TCP issue,
# docs/www.md "Known gaps"), so the timeout must not fire during it.
start_hvt "$IMG" --idle=60
wait_log "serving" 30 || fail "www did not start under mica-hvt"
wait_http $GUEST_IP 80 30 in_ns || fail "no answer on $GUEST_IP:80 (the default address)"
in_ns /usr/bin/python3 "$ROOT/tests/integration/www/httpcheck.py" $GUEST_IP 80 "$SITE_DIR/site" --conns 20 ||
	fail "httpcheck under hvt"
in_ns curl -s -H "Accept-Encoding: br" --compressed -o "$SITE_DIR/out" "http://$GUEST_IP/css/site.css" || fail "curl br"
cmp -s "$SITE_DIR/out" "$SITE_DIR/site/css/site.css" || fail "curl: br variant does not decode to the file"
echo "ok - curl decodes the br variant"
sleep 1
stop_image
grep -iE "^www|exits" "$LOG" | tail -8
grep -q "^www: requests [1-9]" "$LOG" || fail "counters missing on exit"
echo PASS
