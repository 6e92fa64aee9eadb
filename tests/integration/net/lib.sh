# lib.sh - shared set-up for the direct-stack integration tests (sourced).
# Makes a namespace mica-t-PID with a tap (Linux side 10.77.0.1/24), starts
# an image of the tap target on it, and removes everything on exit (trap).
# Every address used lives inside that namespace.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
. "$ROOT/tools/netns-run.sh"
NS=mica-t-$$
TAP=mtap0
HOST_IP=10.77.0.1
GUEST_IP=10.77.0.2
APP_PID=""
LOG=$(mktemp /tmp/mica-net-test.XXXXXX)

skip() { echo "$*"; exit 77; }
fail() { echo "FAIL: $*"; echo "--- unikernel log:"; cat "$LOG"; exit 1; }
in_ns() { ip netns exec "$NS" "$@"; }

need_root_tap() {
	[ "$(id -u)" = 0 ] || skip "needs root for network namespaces"
	[ -c /dev/net/tun ] || skip "needs /dev/net/tun"
}

cleanup() {
	if [ -n "$APP_PID" ] && kill -0 "$APP_PID" 2>/dev/null; then
		kill "$APP_PID" 2>/dev/null; wait "$APP_PID" 2>/dev/null
	fi
	mica_netns_down "$NS"
	rm -f "$LOG"
}
trap cleanup EXIT

netns_up() { mica_netns_up "$NS" "$TAP" "$HOST_IP/24" || fail "cannot create namespace $NS"; }

# start_image IMAGE ARGS...: run it in the namespace, log to $LOG.
start_image() {
	ip netns exec "$NS" "$@" > "$LOG" 2>&1 &
	APP_PID=$!
}

# stop_image: SIGTERM, wait; the exit counters are then in $LOG.
stop_image() {
	kill -TERM "$APP_PID" 2>/dev/null
	wait "$APP_PID" 2>/dev/null
	APP_PID=""
}

# wait_log REGEX SECONDS
wait_log() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		grep -qE "$1" "$LOG" && return 0
		kill -0 "$APP_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# counter NAME: value of a counter from the exit statistics (0 if absent).
counter() {
	local v
	v=$(grep -o "[ ]$1=[0-9]*" "$LOG" | tail -1 | cut -d= -f2)
	echo "${v:-0}"
}

# udp_echo PORT TEXT: one round trip from the Linux side (prints the reply).
udp_echo() {
	in_ns /usr/bin/python3 - "$GUEST_IP" "$1" "$2" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.sendto(sys.argv[3].encode(), (sys.argv[1], int(sys.argv[2])))
print(s.recvfrom(65535)[0].decode())
PY
}

# build ARGS...: ./mica build; prints the image. Use as IMG=$(build ...) || exit 1.
build() {
	local img
	img=$(cd "$ROOT" && ./mica build "$@" | tail -1)
	if [ -z "$img" ] || [ ! -x "$img" ]; then
		echo "FAIL: ./mica build $* failed" >&2
		return 1
	fi
	echo "$img"
}
