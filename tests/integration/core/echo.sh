#!/usr/bin/env bash
# apps/echo on unix (and its ASan+UBSan build): UDP and TCP echo on loopback,
# socat as a client, 100 concurrent TCP clients each getting their own bytes.
# timeout: 300
. "$(dirname "$0")/../lib.sh"
need_cmd socat
for keys in "" "SAN=1"; do
	img=$(./mica build apps/echo -t unix $keys | tail -1)
	port=$(free_port)
	log=$(mktemp)
	start_bg "$img" --port="$port" --bind=127.0.0.1 > "$log" 2>&1
	pid=${BG_PIDS[-1]}
	wait_tcp "$port"
	[ "$(echo ping-udp | socat -t2 - UDP:127.0.0.1:$port)" = ping-udp ] || fail "socat UDP echo"
	[ "$(echo ping-tcp | socat -t2 - TCP:127.0.0.1:$port)" = ping-tcp ] || fail "socat TCP echo"
	/usr/bin/python3 tests/integration/core/echo_client.py 127.0.0.1 "$port" 100
	stop_app "$pid" "$log"
	cat "$log"
	grep -q "tcp connections 10[0-9]" "$log" || fail "counters missing on exit"
	rm -f "$log"
	echo "echo ${keys:-(plain)}: ok"
done
