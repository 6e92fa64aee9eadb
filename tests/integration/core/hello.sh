#!/usr/bin/env bash
# hello on unix: prints its line, waits on its timer, exits with --exit=N.
# timeout: 120
. "$(dirname "$0")/../lib.sh"
set +e
out=$(./mica run apps/hello -t unix -- --exit=3 --wait-ms=50 2>&1); rc=$?
set -e
[ $rc -eq 3 ] || fail "exit code $rc, want 3: $out"
grep -q "Hello from Mica!" <<<"$out" || fail "greeting missing: $out"
start=$(date +%s%N)
./mica run apps/hello -t unix -- --wait-ms=200 >/dev/null
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ $ms -ge 200 ] || fail "timer fired early: exited after ${ms} ms, asked to wait 200 ms"
echo "hello: exit 3 ok, 200 ms wait took $ms ms"
