#!/usr/bin/env bash
# crash-unix.sh - apps/kv on unix under a pipelined write load from 8
# connections (ackclient.py records every acknowledged SET and DEL), then
# kill -9 at a random moment, restart on the same device, and every
# acknowledged write is there, no value torn. Rounds on one device (the
# log goes on after each crash; the device is small, so compactions run
# between crashes). KV_ROUNDS sets the count; bench/storage.sh runs many.
# timeout: 300
. "$(dirname "$0")/common.sh"
img=$(kv_build unix)
port=$(free_port)
dev=$TMP/data.img
truncate -s 24M "$dev"
rounds=${KV_ROUNDS:-4}
for ((r = 1; r <= rounds; r++)); do
	kv_start "$TMP/kv.log" "$img" --block:data="$dev" --listen=127.0.0.1:$port
	kv_wait_serving "$TMP/kv.log"
	grep -E "recovered|formatted" "$TMP/kv.log" | sed 's/^/    /'
	if [ "$r" -gt 1 ]; then
		/usr/bin/python3 tests/integration/kv/ackclient.py verify 127.0.0.1 "$port" "$TMP/state.json" ||
			fail "round $r: an acknowledged write is missing or a value is wrong after kill -9"
	fi
	/usr/bin/python3 tests/integration/kv/ackclient.py load 127.0.0.1 "$port" "$TMP/state.json" --seconds 20 \
		--seed "$r" --keys 400 > "$TMP/load.out" 2>&1 &
	loader=$!
	sleep "$(/usr/bin/python3 -c "import random; print(random.Random($r).uniform(0.5, 2.5))")"
	kv_kill9
	wait "$loader" || { cat "$TMP/load.out"; fail "round $r: the client saw an error reply"; }
	sed 's/^/    /' "$TMP/load.out"
done
kv_start "$TMP/kv.log" "$img" --block:data="$dev" --listen=127.0.0.1:$port
kv_wait_serving "$TMP/kv.log"
/usr/bin/python3 tests/integration/kv/ackclient.py verify 127.0.0.1 "$port" "$TMP/state.json" ||
	fail "last round: an acknowledged write is missing or a value is wrong after kill -9"
grep -E "recovered" "$TMP/kv.log"
p=$KV_PID KV_PID=""
stop_app "$p" "$TMP/kv.log"
echo PASS
