#!/usr/bin/env bash
# Malformed queries and TCP behaviour (robust.py) against apps/dns, plain
# and under ASan+UBSan: bad messages are answered FORMERR or dropped, are
# counted, and the server keeps answering; TCP pipelining, split writes,
# bad lengths, the connection limit and the idle timeout.
# timeout: 300
. "$(dirname "$0")/../lib.sh"
. tests/integration/dns/nsd.sh
tmp=$(mktemp -d)
trap 'cleanup_bg; rm -rf "$tmp"' EXIT
for keys in "" "SAN=1"; do
	img=$(./mica build apps/dns -t unix $keys | tail -1)
	port=$(free_port)
	start_bg "$img" --listen=127.0.0.1:"$port" --tcp-idle=1 --tcp-max=8 > "$tmp/log" 2>&1
	pid=${BG_PIDS[-1]}
	wait_dns "$port"
	/usr/bin/python3 tests/integration/dns/robust.py "$port" 1 | tee "$tmp/out" || fail "robust.py (${keys:-plain})"
	stop_app "$pid" "$tmp/log" INT
	cat "$tmp/log"
	want_drop=$(sed -n 's/^expect dropped>=\([0-9]*\).*/\1/p' "$tmp/out")
	want_formerr=$(sed -n 's/.*formerr>=\([0-9]*\)$/\1/p' "$tmp/out")
	dropped=$(sed -n 's/^dns: queries .* dropped \([0-9]*\),.*/\1/p' "$tmp/log")
	formerr=$(sed -n 's/^dns: answers formerr \([0-9]*\)$/\1/p' "$tmp/log")
	[ "${dropped:-0}" -ge "$want_drop" ] || fail "dropped counter $dropped < $want_drop"
	[ "${formerr:-0}" -ge "$want_formerr" ] || fail "formerr counter $formerr < $want_formerr"
	grep -q "idle timeouts [2-9]" "$tmp/log" || fail "idle timeouts not counted"
	grep -q "bad lengths 3" "$tmp/log" || fail "bad TCP lengths not counted"
	grep -q "refused [1-9]" "$tmp/log" || fail "refused TCP connections not counted"
	echo "== ${keys:-plain}: ok (dropped $dropped, formerr $formerr)"
done
