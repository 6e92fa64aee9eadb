#!/usr/bin/env bash
# crash-hvt.sh - apps/kv in a KVM guest under mica-hvt (block device
# `data` through the monitor, one fdatasync per batch of requests): a
# small write load from ackclient.py (every guest instruction is emulated
# on the CI machines), kill -9 of mica-hvt at a random moment, restart on
# the same device: every acknowledged write is there, no value torn, no
# lost write come back. KV_ROUNDS rounds (default 2); bench/storage-crash.sh
# runs many.
# timeout: 400
set -u
. "$(dirname "$0")/../net/lib.sh"
. "$ROOT/tests/integration/kv/crash_lib.sh"
need_root_tap
need_hvt
DIR=$(mktemp -d)
trap 'cleanup; rm -rf "$DIR"' EXIT
IMG=$(build apps/kv -t hvt) || exit 1
netns_up
truncate -s 8M "$DIR/data.img"
CRASH_HOST=$GUEST_IP
CRASH_PORT=6379
CRASH_STATE=$DIR/state.json
CRASH_CLIENT="ip netns exec $NS"
CRASH_LOAD="--conns 4 --keys 100 --max-len 3000 --max-pending 16"
crash_up() {
	: > "$LOG" # the last run's "serving on" must not count
	start_image "$ROOT/build/monitor/mica-hvt" --stats --mem=64 --net:service=$TAP --block:data="$DIR/data.img" "$IMG" \
		--ipv4=$GUEST_IP/24 --max-keys=10000 --cache-mb=4
	wait_log "serving on" 60 || fail "apps/kv under mica-hvt did not start"
	grep -E "recovered|formatted" "$LOG" | sed 's/^/    /'
}
crash_kill() {
	kill_child "$APP_PID" KILL
	wait "$APP_PID" 2>/dev/null
	APP_PID=""
}
crash_rounds "${KV_ROUNDS:-2}" 3 8
stop_image
grep -E "^kv: |exits|BLOCK|POLL" "$LOG"
echo PASS
