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
# TCP, then with all of it in TCP): the body arrives whole, then our FIN;
# no reset. The reader is held to 64 KB/s at every moment and keeps a
# 16 KB receive buffer, so it can take the last bytes no earlier than
# 3.5 s after the request, however late the guest runs; the timeout is due
# 1 s after the tail went into TCP (~1 s after the request, or at the
# guest's first turn after a late one: the reader cannot run ahead of it).
# (curl --limit-rate could not ensure that: it keeps to the rate only on
# average, reads all its socket holds at once, and Linux let that socket
# take the whole body in ~2 s.)
start_hvt "$IMG" --idle=1
wait_log "serving" 30 || fail "www (--idle=1) did not start under mica-hvt"
in_ns /usr/bin/python3 - "$GUEST_IP" "$SITE_DIR/site/big.bin" <<'PY' || fail "slow read of big.bin with --idle=1"
import socket, sys, time
rate, want = 64 * 1024, open(sys.argv[2], "rb").read()
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)  # before connect: a small window
s.settimeout(10)
s.connect((sys.argv[1], 80))
s.sendall(b"GET /big.bin HTTP/1.1\r\nHost: t\r\n\r\n")
got, t0 = b"", time.monotonic()
while True:
    ahead = len(got) / rate - (time.monotonic() - t0)
    if ahead > 0:
        time.sleep(ahead)
    chunk = s.recv(4096)
    if not chunk:
        break  # the idle close: our FIN after the body
    got += chunk
head, _, body = got.partition(b"\r\n\r\n")
assert head.startswith(b"HTTP/1.1 200"), head[:40]
assert body == want, "big.bin truncated or changed by an idle close (%d bytes)" % len(body)
print("ok - big.bin whole at 64 KB/s in %.1f s, then the server's FIN" % (time.monotonic() - t0))
PY
stop_image
grep -q "idle timeouts [1-9]" "$LOG" || fail "the idle timeout never fired"
[ "$(counter tcp_rst_tx)" = 0 ] || fail "resets sent during an idle close"
echo "ok - an idle close during a slow 256 KB body delivers all of it"
echo PASS
