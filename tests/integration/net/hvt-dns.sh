#!/usr/bin/env bash
# hvt-dns.sh - apps/dns in a KVM guest under mica-hvt on a tap in a private
# namespace: dig gets the same answers as from apps/dns on unix (run in the
# same namespace on its loopback). A small share: guests are emulated here.
# timeout: 180
set -u
. "$(dirname "$0")/lib.sh"
need_root_tap
[ -f "$ROOT/apps/dns/app.mk" ] || skip "apps/dns does not exist yet"
[ -f "$ROOT/mk/target-hvt.mk" ] || skip "the hvt target does not exist yet"
[ -x "$ROOT/build/monitor/mica-hvt" ] || skip "build/monitor/mica-hvt is not built yet"
[ -r /dev/kvm ] || skip "needs /dev/kvm"
command -v dig > /dev/null || skip "needs dig (dnsutils)"
HVTIMG=$(build apps/dns -t hvt) || exit 1
UNIXIMG=$(build apps/dns -t unix) || exit 1
netns_up
ULOG=$(mktemp /tmp/mica-dns-unix.XXXXXX)
in_ns "$UNIXIMG" --listen=127.0.0.1:5353 > "$ULOG" 2>&1 &
UPID=$!
trap 'kill $UPID 2>/dev/null; rm -f "$ULOG"; cleanup' EXIT
# First the tap target on the same tap: it turns on the tap's offloads,
# which stay on the device; the monitor must turn them off again.
TAPIMG=$(build apps/dns -t tap) || exit 1
start_image "$TAPIMG" --net:service=$TAP --ipv4=$GUEST_IP/24 --listen=$GUEST_IP:53
wait_log "serving|listening|zones" 10 || fail "dns did not start on the tap target"
stop_image
start_image "$ROOT/build/monitor/mica-hvt" --stats --net:service=$TAP "$HVTIMG" \
	--ipv4=$GUEST_IP/24 --listen=$GUEST_IP:53
wait_log "serving|listening|zones" 30 || fail "dns did not start under mica-hvt"
for q in "example.com SOA" "www.example.com A" "example.com MX" "nope.example.com A" "example.com TXT"; do
	a=$(in_ns dig @127.0.0.1 -p 5353 +norec +noall +answer +authority $q)
	b=$(in_ns dig @$GUEST_IP +norec +noall +answer +authority +tries=3 +time=3 $q)
	[ -n "$b" ] || fail "dig $q: no answer from hvt"
	[ "$a" = "$b" ] || fail "dig $q differs: unix '$a' hvt '$b'"
	echo "dig $q: $(echo "$b" | head -1)"
done
stop_image
cat "$LOG"
echo PASS
