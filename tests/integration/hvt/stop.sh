#!/usr/bin/env bash
# stop.sh - SIGTERM/SIGINT stop mica-hvt within a second whatever the guest
# does: a guest that sleeps in POLL stops cleanly with its own exit code;
# one that loops in start(), loops in its fault path, POLLs but ignores
# MICA_ESTOP, or keeps the monitor blocked writing to a stdout nobody reads
# is ended after the 500 ms grace period with 128 + the signal number and
# a report of where it was; a second signal ends the monitor at once. Each
# case's stop latency is printed: as the monitor counts it (from the
# signal's arrival to its exit) it must be under 1 s; as seen from outside
# (with process teardown and scheduling on a shared machine) under 3 s.
# timeout: 120
. "$(dirname "$0")/common.sh"
set -e
img=$(build_guest tests/hvt-guests/faults)
LIMIT_MS=1000

# start OUT ARGS...: boot the guest in the background, stdout to OUT.
start() {
	local out=$1
	shift
	"$MON" "$img" "$@" > "$out" 2> "$TMP/err" &
	pid=$!
	sleep 0.5 # let it get going (no wait on OUT: it may be a FIFO)
	child_running "$pid" || { cat "$out" "$TMP/err"; fail "$CASE: the guest ended by itself"; }
}

# stop SIGNAL WANT-RC REGEX: signal the monitor, wait, check, print latency.
stop() {
	local t0 t1
	t0=$(date +%s%N)
	kill -"$1" "$pid"
	for _ in $(seq 100); do child_running "$pid" || break; sleep 0.03; done
	if child_running "$pid"; then
		kill -KILL "$pid"
		fail "$CASE: mica-hvt still running 3 s after SIG$1 (killed)"
	fi
	set +e
	wait "$pid"
	RC=$?
	set -e
	t1=$(date +%s%N)
	ms=$(((t1 - t0) / 1000000))
	sed 's/^/    | /' "$TMP/err"
	# The monitor's own count, from the signal's arrival to its exit call.
	mon_ms=$(sed -En 's/.*stopped by SIG[A-Z]+ ([0-9]+)\.[0-9] ms after the signal.*/\1/p' "$TMP/err")
	echo "stop latency: $CASE: ${mon_ms:-?} ms in the monitor, ${ms} ms seen from outside (exit $RC)"
	[ "$RC" = "$2" ] || fail "$CASE: expected exit code $2, got $RC"
	grep -Eq "$3" "$TMP/err" || fail "$CASE: stderr does not match /$3/"
	[ -n "$mon_ms" ] || [ "$CASE" = "second signal" ] || fail "$CASE: the monitor did not say when it stopped"
	[ "${mon_ms:-0}" -lt "$LIMIT_MS" ] || fail "$CASE: took ${mon_ms} ms after the signal (limit $LIMIT_MS)"
	# From outside also process teardown and scheduling count: on a loaded
	# shared machine allow more.
	[ "$ms" -lt $((3 * LIMIT_MS)) ] || fail "$CASE: took ${ms} ms to exit (limit $((3 * LIMIT_MS)))"
}

CASE="idle in POLL (SIGTERM)"
start "$TMP/out" --do=sleep --ms=60000
stop TERM 0 'stopped by SIGTERM [0-9.]+ ms after the signal \(exit code 0\)'

CASE="idle in POLL (SIGINT)"
start "$TMP/out" --do=sleep --ms=60000
stop INT 0 'stopped by SIGINT [0-9.]+ ms after the signal \(exit code 0\)'

forced='stopped by SIGTERM: the guest did not stop within 500 ms'
CASE="looping in start()"
start "$TMP/out" --do=spin
stop TERM 143 "$forced"
grep -q 'RIP=' "$TMP/err" || fail "$CASE: no report of where the guest was"

CASE="looping in its fault path"
start "$TMP/out" --do=fault-loop
stop TERM 143 "$forced"

CASE="POLLing but ignoring MICA_ESTOP"
start "$TMP/out" --do=ignore-stop
stop TERM 143 "$forced"

CASE="looping in start() (SIGINT)"
start "$TMP/out" --do=spin
stop INT 130 'stopped by SIGINT: the guest did not stop within 500 ms'

# The monitor blocked in write(2): its stdout is a pipe nobody reads.
CASE="blocked writing the console"
mkfifo "$TMP/fifo"
sleep 60 < "$TMP/fifo" &
reader=$!
start "$TMP/fifo" --do=spam
stop TERM 143 "$forced"
kill_child "$reader"

# A second signal ends the monitor at once (well inside the grace period).
CASE="second signal"
start "$TMP/out" --do=spin
kill -TERM "$pid"
sleep 0.1
stop TERM 143 'second stop signal \(SIGTERM\): ended at once'
[ "$ms" -lt 1000 ] || fail "$CASE: took ${ms} ms after the second signal"
echo PASS
