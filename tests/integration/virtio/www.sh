#!/usr/bin/env bash
# www.sh - apps/www as a virtio image on QEMU microvm (modern virtio-mmio),
# virtio-net on a tap in a private namespace: httpcheck.py (every status,
# conditional and range requests, pipelining, 10 concurrent connections,
# every file of a small site byte-exact, a 1 MB file among them) and curl
# decoding the gzip variant. Kept small: every guest instruction is
# emulated on the CI machines.
# timeout: 300
set -u
. "$(dirname "$0")/../net/lib.sh"
. "$ROOT/tests/integration/www/common.sh"
need_root_tap
need_kvm
need_cmd qemu-system-x86_64 curl
SITE_DIR=$(mktemp -d)
trap 'cleanup; rm -rf "$SITE_DIR"' EXIT
www_site "$SITE_DIR/site" 1024 small
IMG=$(www_build virtio "$SITE_DIR/site") || exit 1
netns_up
start_image qemu-system-x86_64 -M microvm -enable-kvm -cpu max,-arch-capabilities -m 64M -nodefaults \
	-no-user-config -nographic -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	-global virtio-mmio.force-legacy=false -kernel "$IMG" -append "--ipv4=$GUEST_IP/24 --idle=60" \
	-netdev tap,id=n0,ifname=$TAP,script=no,downscript=no -device virtio-net-device,netdev=n0 < /dev/null
wait_log "serving" 60 || fail "www did not start on QEMU"
grep -q 'virtio-net (mmio), mac' "$LOG" || fail "not on modern virtio-mmio"
wait_http $GUEST_IP 80 30 in_ns || fail "no answer on $GUEST_IP:80"
in_ns /usr/bin/python3 "$ROOT/tests/integration/www/httpcheck.py" $GUEST_IP 80 "$SITE_DIR/site" --conns 10 ||
	fail "httpcheck on virtio"
in_ns curl -s --compressed -o "$SITE_DIR/out" "http://$GUEST_IP/css/site.css" || fail "curl gzip"
cmp -s "$SITE_DIR/out" "$SITE_DIR/site/css/site.css" || fail "curl: the compressed variant does not decode to the file"
echo "ok - curl decodes the compressed variant"
stop_image
echo PASS
