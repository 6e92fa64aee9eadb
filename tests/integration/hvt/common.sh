# common.sh - sourced by the hvt integration tests (not a test itself).
# Skips (exit 77) when /dev/kvm is missing; builds the monitor and guests;
# helpers to run a guest and check the monitor's report.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
cd "$ROOT"
MICA_LIB_FUNCS_ONLY=1 . "$ROOT/tests/integration/lib.sh" # need_kvm, kill_child; fail is this file's
MON=$ROOT/build/monitor/mica-hvt
need_kvm
make -s build/monitor/mica-hvt >/dev/null || { echo "FAIL: cannot build mica-hvt"; exit 1; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

fail() { echo "FAIL: $*"; exit 1; }

# build_guest DIR: prints the image path.
build_guest() {
	./mica build "$1" -t hvt 2>"$TMP/build.err" | tail -1 || { cat "$TMP/build.err"; fail "build of $1"; }
}

# run_mon ARGS...: run the monitor; output in $TMP/out, exit code in $RC.
run_mon() {
	set +e
	timeout 60 "$MON" "$@" > "$TMP/out" 2>&1
	RC=$?
	set -e
	sed 's/^/    | /' "$TMP/out"
}

# expect RC REGEX: the last run exited with RC and printed REGEX.
expect() {
	[ "$RC" = "$1" ] || fail "expected exit code $1, got $RC"
	[ -z "$2" ] || grep -Eq "$2" "$TMP/out" || fail "output does not match /$2/"
}

# tap_netns TAG: skip unless root, ip(8) and /dev/net/tun are here; create
# namespace $ns (mica-hvt-TAG-PID, IPv6 off) holding tap $tap (down). It is
# deleted on exit, after killing $mon_pid if that is set.
tap_netns() {
	[ "$(id -u)" = 0 ] || { echo "skipped: needs root for network namespaces and taps"; exit 77; }
	command -v ip > /dev/null || { echo "skipped: no ip(8)"; exit 77; }
	[ -c /dev/net/tun ] || { echo "skipped: no /dev/net/tun"; exit 77; }
	ns=mica-hvt-$1-$$
	tap=mhvt$$
	mon_pid=
	trap 'kill_child "$mon_pid"; ip netns del "$ns" 2>/dev/null; rm -rf "$TMP"' EXIT
	ip netns add "$ns"
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ip -n "$ns" tuntap add "$tap" mode tap
}
