# lib.sh - shared set-up for the TCP interop tests (sourced). Uses the
# direct-stack test helpers (../net/lib.sh: a namespace mica-t-PID with a
# tap, Linux at 10.77.0.1, Mica at 10.77.0.2, removed on exit) and adds
# the Linux-side peer (peer.py) and helpers to run Mica as a client.
. "$(dirname "${BASH_SOURCE[0]}")/../net/lib.sh"
PEER="/usr/bin/python3 $ROOT/tests/integration/tcp/peer.py"
[ -x /usr/bin/python3 ] || skip "needs /usr/bin/python3"

peer() { in_ns $PEER "$@"; }

# start_tap APP ARGS...: build APP for tap and run it on the namespace's tap.
start_tap() {
	local app=$1 img
	shift
	img=$(build "apps/$app" -t tap)
	start_image "$img" --net:service=$TAP --ipv4=$GUEST_IP/24 "$@"
}

# run_tap_client SECONDS APP ARGS...: run a Mica client to completion
# (bounded), its output in $LOG; returns its exit code.
run_tap_client() {
	local secs=$1 app=$2 img
	shift 2
	img=$(build "apps/$app" -t tap)
	in_ns timeout "$secs" "$img" --net:service=$TAP --ipv4=$GUEST_IP/24 "$@" > "$LOG" 2>&1
}
