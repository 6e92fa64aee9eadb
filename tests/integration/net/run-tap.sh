#!/usr/bin/env bash
# run-tap.sh - the user's path: `./mica run apps/X -t tap` makes a private
# namespace, prints the exact command to query the app, the printed command
# works, and SIGTERM (as Ctrl-C would) stops the app and removes the namespace.
# timeout: 60
set -u
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
MICA_LIB_FUNCS_ONLY=1 . "$ROOT/tests/integration/lib.sh" # stop_app
cd "$ROOT"
[ "$(id -u)" = 0 ] && [ -c /dev/net/tun ] || { echo "needs root and /dev/net/tun"; exit 77; }
app=apps/dns
[ -f apps/dns/app.mk ] || app=apps/echo
out=$(mktemp /tmp/mica-run-tap.XXXXXX)
pid=""
trap 'kill_child "$pid"; sleep 1; rm -f "$out"' EXIT
./mica run $app -t tap > "$out" 2>&1 &
pid=$!
for _ in $(seq 1 100); do grep -q "query it with" "$out" && break; sleep 0.1; done
cat "$out"
ns=$(sed -n 's/.*query it with: *ip netns exec \(mica-[0-9]*\) .*/\1/p' "$out")
[ -n "$ns" ] || { echo "FAIL: no namespace printed"; exit 1; }
ip netns list | grep -q "^$ns" || { echo "FAIL: namespace $ns does not exist"; exit 1; }
sleep 0.5
if [ $app = apps/dns ]; then
	cmd=$(sed -n 's/.*query it with: *//p' "$out")
	ans=$($cmd +short +tries=2 +time=1) || { echo "FAIL: '$cmd' failed"; exit 1; }
	echo "$cmd -> $ans"
	[ "$ans" = 192.0.2.1 ] || { echo "FAIL: unexpected answer '$ans'"; exit 1; }
else
	ip netns exec "$ns" ping -c 3 -i 0.2 -q 10.77.0.2 | grep -q " 0% packet loss" || { echo "FAIL: no ping"; exit 1; }
fi
# SIGTERM stands in for Ctrl-C: a background job of a script ignores SIGINT.
p=$pid pid=""
stop_app "$p" "$out" # exit code 0 and no crash in the log
cat "$out" | tail -4
ip netns list | grep -q "^$ns" && { echo "FAIL: namespace $ns left behind"; ip netns del "$ns"; exit 1; }
grep -q "removed network namespace $ns" "$out" || { echo "FAIL: no removal message"; exit 1; }
[ "$(grep -c "removed network namespace" "$out")" -eq 1 ] || { echo "FAIL: namespace removed more than once"; exit 1; }
echo "exit code 0; namespace $ns removed"
echo PASS
