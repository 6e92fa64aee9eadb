# lib.sh - shared set-up for the direct-stack integration tests (sourced).
# Makes a namespace mica-t-PID with a tap (Linux side 10.77.0.1/24), starts
# an image of the tap target on it, and removes everything on exit (trap).
# Every address used lives inside that namespace.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
MICA_LIB_FUNCS_ONLY=1 . "$ROOT/tests/integration/lib.sh" # stop_app, kill_child, need_cmd
. "$ROOT/tools/netns-run.sh"
NS=mica-t-$$
TAP=mtap0
HOST_IP=10.77.0.1
GUEST_IP=10.77.0.2
APP_PID=""
REF_PID=""
LOG=$(mktemp /tmp/mica-net-test.XXXXXX)

skip() { echo "$*"; exit 77; }
fail() { echo "FAIL: $*"; echo "--- unikernel log:"; cat "$LOG"; exit 1; }
in_ns() { ip netns exec "$NS" "$@"; }

need_root_tap() {
	[ "$(id -u)" = 0 ] || skip "needs root for network namespaces"
	[ -c /dev/net/tun ] || skip "needs /dev/net/tun"
}

# need_hvt: skip unless the hvt target, the monitor and /dev/kvm are here.
need_hvt() {
	[ -f "$ROOT/mk/target-hvt.mk" ] || skip "the hvt target does not exist yet"
	[ -r /dev/kvm ] || skip "needs /dev/kvm"
	# With /dev/kvm here, a monitor that does not build is a failure.
	make -s -C "$ROOT" build/monitor/mica-hvt > /dev/null || fail "cannot build build/monitor/mica-hvt"
}

cleanup() {
	local p
	for p in $APP_PID $REF_PID; do
		kill_child "$p"
		wait "$p" 2>/dev/null || true
	done
	mica_netns_down "$NS"
	rm -f "$LOG" "$LOG.ref"
}
trap cleanup EXIT

netns_up() { mica_netns_up "$NS" "$TAP" "$HOST_IP/24" || fail "cannot create namespace $NS"; }

# start_image IMAGE ARGS...: run it in the namespace, log to $LOG. The log
# is emptied here, not by the background job's redirection, so a wait_log
# right after a restart cannot match the previous run's lines.
start_image() {
	: > "$LOG"
	ip netns exec "$NS" "$@" >> "$LOG" 2>&1 &
	APP_PID=$!
}

# start_hvt IMAGE ARGS...: boot an hvt image under mica-hvt (--stats) with
# its device `service` on the namespace's tap at $GUEST_IP.
start_hvt() {
	local img=$1
	shift
	start_image "$ROOT/build/monitor/mica-hvt" --stats --net:service=$TAP "$img" --ipv4=$GUEST_IP/24 "$@"
}

# stop_image: SIGTERM, wait; the exit counters are then in $LOG. Fails
# unless it exits with 0 and a clean log (stop_app of ../lib.sh).
stop_image() {
	local pid=$APP_PID
	APP_PID=""
	stop_app "$pid" "$LOG"
}

# wait_log REGEX SECONDS
wait_log() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		grep -qE "$1" "$LOG" && return 0
		child_running "$APP_PID" || return 1
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

# dns_reference IMAGE: run apps/dns built for unix on the namespace's
# loopback (127.0.0.1:5353), the answers a unikernel must match; cleanup
# stops it. (No response-rate limiting: the tests ask fast from one source.)
dns_reference() {
	in_ns "$1" --listen=127.0.0.1:5353 --rrl=off > "$LOG.ref" 2>&1 &
	REF_PID=$!
}

# same_answers WHAT DIG-OPTIONS QUERY...: ask each query ("NAME TYPE") of
# the reference and of $GUEST_IP:53; fail when WHAT gives none or another.
same_answers() {
	local what=$1 opts=$2 q a b
	shift 2
	for q in "$@"; do
		a=$(in_ns dig $opts @127.0.0.1 -p 5353 +norec +noall +answer +authority $q)
		b=$(in_ns dig $opts @$GUEST_IP +norec +noall +answer +authority +tries=3 +time=2 $q)
		[ -n "$b" ] || fail "dig $opts $q: no answer from $what"
		[ "$a" = "$b" ] || fail "dig $opts $q differs: unix '$a' $what '$b'"
		echo "dig $opts $q: $(echo "$b" | head -1)"
	done
}

# need_dns: skip unless apps/dns and dig are here.
need_dns() {
	[ -f "$ROOT/apps/dns/app.mk" ] || skip "apps/dns does not exist yet"
	command -v dig > /dev/null || skip "needs dig (dnsutils)"
}

# start_dns_tap: the test zones ($Z) served by apps/dns on the tap target at
# $GUEST_IP:53 and by apps/dns on unix as the reference (dns_reference).
Z=$ROOT/tests/integration/dns/zones
start_dns_tap() {
	local tapimg uniximg
	tapimg=$(build apps/dns -t tap ZONE=$Z/example.com.zone ZONE=$Z/example.org.zone) || exit 1
	uniximg=$(build apps/dns -t unix ZONE=$Z/example.com.zone ZONE=$Z/example.org.zone) || exit 1
	netns_up
	dns_reference "$uniximg"
	start_image "$tapimg" --net:service=$TAP --ipv4=$GUEST_IP/24 --rrl=off # on $GUEST_IP:53 by default
	wait_log "serving|listening|zones" 10 || fail "dns on tap did not start"
	sleep 0.3
}

# closed_port_unreachable SECONDS: UDP to a closed port of $GUEST_IP must
# come back as ICMP port unreachable within SECONDS.
closed_port_unreachable() {
	in_ns /usr/bin/python3 - "$GUEST_IP" "$1" <<'PY' || fail "no ICMP port unreachable for a closed port"
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(float(sys.argv[2]))
s.connect((sys.argv[1], 9999))
s.send(b"anyone?")
try:
    s.recv(100)
    sys.exit("got an answer from a closed port")
except ConnectionRefusedError:
    print("closed port: ICMP port unreachable -> ECONNREFUSED")
except socket.timeout:
    sys.exit("timed out waiting for ICMP port unreachable")
PY
}
