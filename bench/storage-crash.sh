#!/usr/bin/env bash
# bench/storage-crash.sh - the long crash loops of the key-value store
# (make test runs each a few rounds): prints each loop's result and time.
#
#   bench/storage-crash.sh [UNIT_ROUNDS] [UNIX_ROUNDS] [TAP_ROUNDS] [HVT_ROUNDS]
#                          (default 5000 300 100 20)
#
#   unit  tests/unit/kv/test_kv_crash: lib/kv on the fault injector, the
#         device stopped dead after a random number of writes (some torn)
#   unix  tests/integration/kv/crash-unix.sh: kill -9 of apps/kv on unix
#   tap   tests/integration/kv/crash-tap.sh: kill -9 of apps/kv on tap
#   hvt   tests/integration/kv/crash-hvt.sh: kill -9 of mica-hvt
# Every round checks that every acknowledged write is there, that no value
# is torn and that no lost write comes back. Needs what those tests need
# (root, /dev/net/tun, /dev/kvm); a loop that cannot run says SKIPPED.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
make -s build/unit/kv/test_kv_crash > /dev/null || exit 1
rc=0
run() { # NAME COMMAND...
	local name=$1 start=$SECONDS out r
	shift
	out=$("$@" 2>&1)
	r=$?
	case $r in
	0) echo "$name: PASS in $((SECONDS - start)) s: $(echo "$out" | grep -E ' rounds,|^round' | tail -1)" ;;
	77) echo "$name: SKIPPED: $(echo "$out" | tail -1)" ;;
	*) echo "$name: FAIL (exit $r) after $((SECONDS - start)) s"; echo "$out" | tail -30; rc=1 ;;
	esac
}
run "unit ${1:-5000} rounds" env KV_CRASH_ROUNDS="${1:-5000}" build/unit/kv/test_kv_crash
run "unix ${2:-300} rounds" env KV_ROUNDS="${2:-300}" tests/integration/kv/crash-unix.sh
run "tap ${3:-100} rounds" env KV_ROUNDS="${3:-100}" tests/integration/kv/crash-tap.sh
run "hvt ${4:-20} rounds" env KV_ROUNDS="${4:-20}" tests/integration/kv/crash-hvt.sh
exit $rc
