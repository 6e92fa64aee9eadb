# crash_lib.sh - sourced by the kill -9 tests of apps/kv (not a test
# itself): rounds of a write load from ackclient.py, kill -9 at a random
# moment, restart on the same device, and every acknowledged write must be
# there with no value torn. The caller defines
#   crash_up      start apps/kv on the device and wait until it serves
#   crash_kill    kill -9 it (the process or mica-hvt) and wait until gone
# and sets CRASH_HOST, CRASH_PORT, CRASH_STATE (a file), CRASH_LOAD (more
# options for ackclient.py load, e.g. "--max-len 2000") and CRASH_CLIENT
# (a command prefix that runs the client where the server's address is
# reachable, e.g. "ip netns exec NS"; it must exec, so a signal to the
# background job reaches the client).
ACKCLIENT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/ackclient.py

# shellcheck disable=SC2086
crash_verify() {
	$CRASH_CLIENT /usr/bin/python3 "$ACKCLIENT" verify "$CRASH_HOST" "$CRASH_PORT" "$CRASH_STATE" ||
		fail "$1: an acknowledged write is missing or a value is wrong after kill -9"
}

# crash_rounds ROUNDS MIN_SECONDS MAX_SECONDS: the kill comes MIN..MAX
# seconds into each round's load (random, seeded by the round).
crash_rounds() {
	local rounds=$1 lo=$2 hi=$3 r loader wait_s
	rm -f "$CRASH_STATE"
	for ((r = 1; r <= rounds; r++)); do
		crash_up
		[ "$r" -eq 1 ] || crash_verify "round $r"
		$CRASH_CLIENT /usr/bin/python3 "$ACKCLIENT" load "$CRASH_HOST" "$CRASH_PORT" "$CRASH_STATE" \
			--seconds 60 --seed "$r" $CRASH_LOAD > "$CRASH_STATE.load" 2>&1 &
		loader=$!
		wait_s=$(/usr/bin/python3 -c "import random; print(random.Random($r).uniform($lo, $hi))")
		sleep "$wait_s"
		crash_kill
		sleep 0.3 # replies already on their way still count
		kill_child "$loader" # (it may have seen the end itself)
		wait "$loader" || { cat "$CRASH_STATE.load"; fail "round $r: the client saw an error reply"; }
		printf "round %d: killed after %.1f s; %s\n" "$r" "$wait_s" "$(cat "$CRASH_STATE.load")"
	done
	crash_up
	crash_verify "after the last round"
}
