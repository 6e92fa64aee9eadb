#!/usr/bin/env bash
# crash-tap.sh - apps/kv on the tap target (Mica's own TCP/IP on a tap in
# a namespace of this test) under ackclient.py's write load, kill -9 of
# the process at a random moment, restart on the same device: every
# acknowledged write is there, no value torn, no lost write come back.
# KV_ROUNDS rounds (default 3); bench/storage-crash.sh runs many.
# timeout: 300
set -u
. "$(dirname "$0")/../net/lib.sh"
. "$ROOT/tests/integration/kv/crash_lib.sh"
need_root_tap
DIR=$(mktemp -d)
trap 'cleanup; rm -rf "$DIR"' EXIT
IMG=$(build apps/kv -t tap) || exit 1
netns_up
truncate -s 24M "$DIR/data.img"
CRASH_HOST=$GUEST_IP
CRASH_PORT=6379
CRASH_STATE=$DIR/state.json
CRASH_CLIENT="ip netns exec $NS"
CRASH_LOAD="--keys 400 --max-len 30000"
crash_up() {
	: > "$LOG" # the last run's "serving on" must not count
	start_image "$IMG" --net:service=$TAP --ipv4=$GUEST_IP/24 --block:data="$DIR/data.img"
	wait_log "serving on" 20 || fail "apps/kv on tap did not start"
	grep -E "recovered|formatted" "$LOG" | sed 's/^/    /'
}
crash_kill() {
	kill_child "$APP_PID" KILL
	wait "$APP_PID" 2>/dev/null
	APP_PID=""
}
crash_rounds "${KV_ROUNDS:-3}" 0.5 2.5
in_ns redis-cli -h $GUEST_IP dbsize
stop_image
grep -E "^kv: " "$LOG"
echo PASS
