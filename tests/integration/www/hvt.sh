#!/usr/bin/env bash
# hvt.sh - apps/www in a KVM guest under mica-hvt, kept small (every
# guest instruction is emulated on the CI machines): httpcheck.py with a
# 2 MB big file and 20 concurrent connections, curl, and the VM exits per
# request from the monitor's statistics; an idle timeout during a slow
# download closes gracefully after the whole body.
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
# --idle=60: a 256 KB body takes ~10 s in the emulated guest and
# httpcheck's connections wait their turn; the idle close during a slow
# body is checked on its own below.
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

# A slow reader and --idle=1: the timeout fires while the 256 KB body is
# still going out (first with the response's tail waiting for room in
# TCP, then with all of it in TCP): the body arrives whole, no reset.
start_hvt "$IMG" --idle=1
wait_log "serving" 30 || fail "www (--idle=1) did not start under mica-hvt"
in_ns curl -s --max-time 60 --limit-rate 32k -o "$SITE_DIR/big" "http://$GUEST_IP/big.bin" ||
	fail "curl of big.bin with --idle=1"
cmp -s "$SITE_DIR/big" "$SITE_DIR/site/big.bin" ||
	fail "big.bin truncated or changed by an idle close ($(stat -c %s "$SITE_DIR/big") bytes)"
sleep 1.5 # the idle close has happened by now, during the body or after it
stop_image
grep -q "idle timeouts [1-9]" "$LOG" || fail "the idle timeout never fired"
[ "$(counter tcp_rst_tx)" = 0 ] || fail "resets sent during an idle close"
echo "ok - an idle close during a slow 256 KB body delivers all of it"
echo PASS
