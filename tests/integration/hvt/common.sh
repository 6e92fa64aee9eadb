# common.sh - sourced by the hvt integration tests (not a test itself).
# Skips (exit 77) when /dev/kvm is missing; builds the monitor and guests;
# helpers to run a guest and check the monitor's report.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
cd "$ROOT"
MON=$ROOT/build/monitor/mica-hvt
if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
	echo "skipped: /dev/kvm is missing or not accessible"
	exit 77
fi
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
