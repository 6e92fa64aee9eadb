#!/usr/bin/env bash
# crash-unix.sh - apps/kv on unix under a pipelined write load from 8
# connections (ackclient.py records every acknowledged SET and DEL), then
# kill -9 at a random moment, restart on the same device, and every
# acknowledged write is there, no value torn, no lost write come back.
# Rounds on one device (the log goes on after each crash; the device is
# small, so compactions run between crashes). KV_ROUNDS sets the count;
# bench/storage-crash.sh runs many.
# timeout: 300
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/crash_lib.sh"
img=$(kv_build unix)
CRASH_HOST=127.0.0.1
CRASH_PORT=$(free_port)
CRASH_STATE=$TMP/state.json
CRASH_CLIENT=""
CRASH_LOAD="--keys 400"
dev=$TMP/data.img
truncate -s 24M "$dev"
crash_up() {
	kv_start "$TMP/kv.log" "$img" --block:data="$dev" --listen=127.0.0.1:$CRASH_PORT
	kv_wait_serving "$TMP/kv.log"
	grep -E "recovered|formatted" "$TMP/kv.log" | sed 's/^/    /'
}
crash_kill() { kv_kill9; }
crash_rounds "${KV_ROUNDS:-4}" 0.5 2.5
grep -E "compact" "$TMP/kv.log" || true
p=$KV_PID KV_PID=""
stop_app "$p" "$TMP/kv.log"
echo PASS
