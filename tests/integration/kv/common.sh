# common.sh - sourced by the key-value appliance tests (not a test itself):
# build apps/kv, start it on a device file, wait for it, stop it.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
need_cmd redis-cli
TMP=$(mktemp -d)
KV_PID=""
kv_cleanup() {
	kill_child "$KV_PID" KILL
	cleanup_bg
	rm -rf "$TMP"
}
trap kv_cleanup EXIT

# kv_build TARGET: prints the image path.
kv_build() {
	./mica build apps/kv -t "$1" 2>"$TMP/build.err" | tail -1 || { cat "$TMP/build.err" >&2; fail "build of apps/kv for $1"; }
}

# kv_start LOG IMAGE-OR-COMMAND ARGS...: run it in the background ($KV_PID).
kv_start() {
	local log=$1
	shift
	: > "$log" # emptied now: the last run's "serving on" must not count
	"$@" > "$log" 2>&1 &
	KV_PID=$!
}

# kv_wait_serving LOG [SECONDS]: the app says it serves (or fail).
kv_wait_serving() {
	local i
	for ((i = 0; i < ${2:-20} * 10; i++)); do
		grep -q "serving on" "$1" && return 0
		child_running "$KV_PID" || { cat "$1"; fail "apps/kv exited"; }
		sleep 0.1
	done
	cat "$1"
	fail "apps/kv did not start serving"
}

# kv_kill9: the crash. Waits until the process is gone.
kv_kill9() {
	kill_child "$KV_PID" KILL
	wait "$KV_PID" 2>/dev/null || true
	KV_PID=""
}
