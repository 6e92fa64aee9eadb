#!/usr/bin/env bash
# malformed.sh - truncated messages, bad lengths, unknown types and huge
# counts to both apps (apps/ofctl on unix, apps/ofswitch on tap built with
# SAN=1): every one is answered with an OpenFlow ERROR, the app keeps
# serving, a fresh connection works. Then the codec's fuzzer for 20 s.
# timeout: 300
set -uo pipefail
. "$(dirname "$0")/lib.sh"
need_root
[ -c /dev/net/tun ] || skip "needs /dev/net/tun"
make -s -C "$ROOT" > /dev/null || fail "build"
CTL=$("$ROOT/mica" build apps/ofctl -t unix SAN=1) || fail "cannot build apps/ofctl"
SW=$("$ROOT/mica" build apps/ofswitch -t tap PORTS=2 SAN=1) || fail "cannot build apps/ofswitch"
PY=/usr/bin/python3

ns_add c
bg ofctl c "$CTL" --listen=127.0.0.1:6653
wait_for 10 in_ns c bash -c 'exec 3<>/dev/tcp/127.0.0.1/6653' || fail "ofctl did not start"
in_ns c $PY "$ROOT/tests/integration/openflow/malformed.py" switch 127.0.0.1 6653 || fail "ofctl: malformed messages"
child_running "$PID_ofctl" || fail "ofctl died"

switch_up 2 "$SW" --controller=10.9.0.1:6653
in_ns sw $PY "$ROOT/tests/integration/openflow/malformed.py" controller 6653 || fail "ofswitch: malformed messages"
child_running "$PID_ofswitch" || fail "ofswitch died"
kill_child "$PID_ofctl"; kill_child "$PID_ofswitch"; wait $PID_ofctl $PID_ofswitch
grep -q "runtime error\|AddressSanitizer" "$OFDIR"/*.log && fail "sanitizer report"

# the codec's fuzzer, briefly (make fuzz builds it; `build/fuzz/openflow` runs it longer)
if [ -x "$ROOT/build/fuzz/openflow" ]; then
	"$ROOT/build/fuzz/openflow" -max_total_time=10 -max_len=4096 > "$OFDIR/fuzz.log" 2>&1 || fail "fuzzer found a crash"
	tail -1 "$OFDIR/fuzz.log"
fi
echo PASS
