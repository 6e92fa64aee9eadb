#!/usr/bin/env bash
# unix.sh - apps/www on the unix target (Linux's sockets) with the test
# site: httpcheck.py (every status, conditional and range requests, HEAD,
# codings, keep-alive, 100 pipelined requests in one send, 200 concurrent
# keep-alive connections, a 10 MB file byte-exact), curl (br and gzip
# decoded byte-exact), the idle timeout, the connection cap (503), then the
# same checks on an ASan+UBSan build.
# timeout: 300
. "$(dirname "$0")/../lib.sh"
. tests/integration/www/common.sh
need_cmd curl
tmp=$(mktemp -d)
trap 'cleanup_bg; rm -rf "$tmp"' EXIT
www_site "$tmp/site" 10240

for keys in "" "SAN=1"; do
	img=$(www_build unix "$tmp/site" $keys) || exit 1
	port=$(free_port)
	start_bg "$img" --listen=127.0.0.1:"$port" --idle=2 > "$tmp/log" 2>&1
	pid=${BG_PIDS[-1]}
	wait_http 127.0.0.1 "$port" 10 || fail "www did not start: $(cat "$tmp/log")"
	/usr/bin/python3 tests/integration/www/httpcheck.py 127.0.0.1 "$port" "$tmp/site" || fail "httpcheck (${keys:-plain})"
	# curl decodes both codings: the result must be the file itself.
	for enc in br gzip; do
		curl -s -H "Accept-Encoding: $enc" --compressed -D "$tmp/h" -o "$tmp/out" "http://127.0.0.1:$port/js/app.js"
		grep -qi "^content-encoding: $enc" "$tmp/h" || fail "curl: no $enc variant"
		cmp -s "$tmp/out" "$tmp/site/js/app.js" || fail "curl: the $enc variant does not decode to the file"
	done
	echo "ok - curl decodes the br and gzip variants to the file"
	# Idle timeout: a connection that sends nothing is closed after --idle.
	/usr/bin/python3 - "$port" <<'PY' || fail "idle timeout"
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=6)
t = time.time()
assert s.recv(100) == b"", "data on an idle connection"
assert 1.5 < time.time() - t < 5, "closed after %.1f s, not ~2" % (time.time() - t)
print("ok - an idle connection is closed after %.1f s" % (time.time() - t))
PY
	stop_app "$pid" "$tmp/log"
	cat "$tmp/log"
	grep -q "^www: requests [1-9]" "$tmp/log" || fail "counters missing on exit"
	grep -q "idle timeouts [1-9]" "$tmp/log" || fail "idle timeout not counted"
	echo "www ${keys:-plain}: ok"
done

# The cap: with --max-conns=3 the fourth connection gets a 503 and a close.
img=$(www_build unix "$tmp/site") || exit 1
port=$(free_port)
start_bg "$img" --listen=127.0.0.1:"$port" --max-conns=3 > "$tmp/log" 2>&1
wait_http 127.0.0.1 "$port" 10 || fail "www did not start"
/usr/bin/python3 - "$port" <<'PY' || fail "connection cap"
import socket, sys, time
port = int(sys.argv[1])
held = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(3)]
time.sleep(0.3)
s = socket.create_connection(("127.0.0.1", port), timeout=5)
data = b""
while True:
    c = s.recv(4096)
    if not c:
        break
    data += c
assert data.startswith(b"HTTP/1.1 503 ") and b"Connection: close" in data, data
for h in held:
    h.sendall(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
    assert h.recv(100).startswith(b"HTTP/1.1 200"), "a held connection stopped working"
print("ok - at the cap of 3 a fourth connection gets 503 and a close; the others keep working")
PY
stop_app "${BG_PIDS[-1]}" "$tmp/log"
grep -q "refused 1," "$tmp/log" || fail "the refused connection was not counted"
echo PASS
