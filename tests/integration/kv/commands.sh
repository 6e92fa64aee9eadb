#!/usr/bin/env bash
# commands.sh - apps/kv against redis-server (databases 1, appendonly
# yes, appendfsync always): the same redis-cli session (commands.txt:
# every command of the issue, their options, and the error cases - wrong
# arity, unknown commands, syntax errors, non-integers, overflow, a DB
# other than 0) must print the same on both. Then what only apps/kv says:
# SCAN (all keys, MATCH, COUNT), INFO and COMMAND for redis-cli, QUIT,
# protocol errors closing the connection as Redis does, a value over 512
# KiB refused with a clear error, pipelining of 10000 requests, and the
# device checks: no device, a device holding something else (refused,
# left unchanged).
# timeout: 120
. "$(dirname "$0")/common.sh"
need_cmd redis-server
img=$(kv_build unix)
port=$(free_port)
rport=$(free_port)
while [ "$rport" = "$port" ]; do rport=$(free_port); done
truncate -s 32M "$TMP/data.img"
kv_start "$TMP/kv.log" "$img" --block:data="$TMP/data.img" --listen=127.0.0.1:$port
kv_wait_serving "$TMP/kv.log"
mkdir "$TMP/redis"
start_bg redis-server --port "$rport" --bind 127.0.0.1 --databases 1 --appendonly yes --appendfsync always \
	--save "" --dir "$TMP/redis" > "$TMP/redis.log" 2>&1
for _ in $(seq 50); do redis-cli -p "$rport" ping > /dev/null 2>&1 && break; sleep 0.1; done
redis-cli -p "$port" < tests/integration/kv/commands.txt > "$TMP/mica.out" 2>&1
redis-cli -p "$rport" < tests/integration/kv/commands.txt > "$TMP/redis.out" 2>&1
if ! diff -u "$TMP/redis.out" "$TMP/mica.out"; then
	paste -d'|' tests/integration/kv/commands.txt "$TMP/mica.out" | head -120
	fail "apps/kv answers differ from redis-server (diff above: - redis, + mica)"
fi
echo "ok - $(wc -l < tests/integration/kv/commands.txt) commands answered as redis-server does"

cli() { redis-cli -p "$port" "$@"; }
for i in $(seq 1 300); do echo "SET key:$i v$i"; done | cli > /dev/null
[ "$(cli dbsize)" = 300 ] || fail "dbsize after 300 sets"
keys=$(cursor=0; while :; do out=$(cli scan "$cursor" count 7); cursor=$(echo "$out" | head -1); echo "$out" | tail -n +2; [ "$cursor" = 0 ] && break; done | sort -u | wc -l)
[ "$keys" = 300 ] || fail "SCAN in steps of 7 saw $keys of 300 keys"
[ "$(cli --scan --pattern 'key:1?' | sort | tr '\n' ' ')" = "key:10 key:11 key:12 key:13 key:14 key:15 key:16 key:17 key:18 key:19 " ] ||
	fail "SCAN MATCH key:1?"
echo "ok - SCAN sees every key, MATCH filters"
cli info | grep -q '^redis_version:' || fail "INFO"
cli info keyspace | grep -q '^db0:keys=300' || fail "INFO keyspace"
[ "$(cli command count)" -gt 20 ] || fail "COMMAND COUNT"
cli command info get | grep -q '^get$' || fail "COMMAND INFO get"
echo "ok - INFO, COMMAND"

# QUIT, protocol errors, a too large value, deep pipelining
/usr/bin/python3 - "$port" "$rport" <<'PY' || fail "raw protocol checks"
import socket, sys
def talk(port, data, read_all=True):
    s = socket.create_connection(("127.0.0.1", int(port)), timeout=10)
    s.sendall(data)
    out = b""
    while True:
        d = s.recv(1 << 20)
        if not d:
            break
        out += d
    return out
for port in sys.argv[1:]:
    assert talk(port, b"PING\r\nQUIT\r\nPING\r\n") == b"+PONG\r\n+OK\r\n", "QUIT"
    bad = talk(port, b"*1\r\n+PING\r\nPING\r\n")
    assert bad == b"-ERR Protocol error: expected '$', got '+'\r\n", bad
    bad = talk(port, b"*x\r\n")
    assert bad == b"-ERR Protocol error: invalid multibulk length\r\n", bad
    bad = talk(port, b'SET a "b\r\n')
    assert bad == b"-ERR Protocol error: unbalanced quotes in request\r\n", bad
port = sys.argv[1]
big = b"x" * (512 * 1024 + 1)
out = talk(port, b"*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$%d\r\n%s\r\nQUIT\r\n" % (len(big), big))
assert out.startswith(b"-ERR value or key too large (values up to 524288 bytes"), out[:100]
ok = b"x" * (512 * 1024)
out = talk(port, b"*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$%d\r\n%s\r\n*2\r\n$3\r\nGET\r\n$3\r\nbig\r\nQUIT\r\n" % (len(ok), ok))
assert out == b"+OK\r\n$%d\r\n%s\r\n+OK\r\n" % (len(ok), ok), out[:60]
reqs = b"".join(b"*3\r\n$3\r\nSET\r\n$4\r\np%03d\r\n$1\r\n%d\r\n*2\r\n$3\r\nGET\r\n$4\r\np%03d\r\n" % (i % 1000, i % 10, i % 1000) for i in range(10000))
out = talk(port, reqs + b"QUIT\r\n")
want = b"".join(b"+OK\r\n$1\r\n%d\r\n" % (i % 10) for i in range(10000)) + b"+OK\r\n"
assert out == want, "pipelined replies out of order or missing"
print("ok - QUIT, protocol errors as redis-server, 512 KiB values, 20000 pipelined requests in order")
PY
p=$KV_PID KV_PID=""
stop_app "$p" "$TMP/kv.log"

# the device: missing, foreign (never overwritten)
"$img" --listen=127.0.0.1:$port > "$TMP/out" 2>&1 && fail "started without a device"
grep -q "block device 'data'" "$TMP/out" || { cat "$TMP/out"; fail "no clear message without a device"; }
head -c 3M /dev/urandom > "$TMP/foreign.img"
sum=$(md5sum < "$TMP/foreign.img")
"$img" --block:data="$TMP/foreign.img" --listen=127.0.0.1:$port > "$TMP/out" 2>&1 && fail "started on a foreign device"
cat "$TMP/out"
grep -q "not a Mica key-value store" "$TMP/out" || fail "no clear message for a foreign device"
[ "$(md5sum < "$TMP/foreign.img")" = "$sum" ] || fail "the foreign device was written to"
echo "ok - no device and a foreign device are refused with a message; the foreign one is unchanged"
echo PASS
