#!/usr/bin/env bash
# sendfile.sh - large bodies of apps/www on unix leave with sendfile from
# the executable (platform/unix: references into the image's verified
# read-only data), byte-exact: keep-alive responses of a 10 MB and a 1 MB
# file, single ranges, HEAD, pipelining and a slow reader (bodycheck.py);
# the exit counters must show the bytes went by sendfile and none from
# memory. Then the same with MICA_NET_SENDFILE=0: the fallback sends the
# references from memory, and no byte goes by sendfile.
# timeout: 180
. "$(dirname "$0")/../lib.sh"
. tests/integration/www/common.sh
tmp=$(mktemp -d)
trap 'cleanup_bg; rm -rf "$tmp"' EXIT
www_site "$tmp/site" 10240
img=$(www_build unix "$tmp/site") || exit 1

counter() { # LOG FIELD: the number after "net: tcp sendfile" (bytes) or "memory"
	sed -n "s/^net: tcp sendfile \([0-9]*\) bytes in [0-9]* calls, references sent from memory \([0-9]*\) bytes/\\$2/p" "$1"
}

for mode in sendfile memory; do
	port=$(free_port)
	if [ $mode = sendfile ]; then
		start_bg "$img" --listen=127.0.0.1:"$port" > "$tmp/log" 2>&1
	else
		start_bg env MICA_NET_SENDFILE=0 "$img" --listen=127.0.0.1:"$port" > "$tmp/log" 2>&1
	fi
	pid=${BG_PIDS[-1]}
	wait_http 127.0.0.1 "$port" 10 || fail "www did not start: $(cat "$tmp/log")"
	/usr/bin/python3 tests/integration/www/bodycheck.py 127.0.0.1 "$port" "$tmp/site" || fail "bodycheck ($mode)"
	stop_app "$pid" "$tmp/log"
	grep "^net: tcp sendfile" "$tmp/log" || fail "no sendfile counters on exit ($mode): $(cat "$tmp/log")"
	by_file=$(counter "$tmp/log" 1) by_memory=$(counter "$tmp/log" 2)
	if [ $mode = sendfile ]; then
		# 40 whole files (10 of 10 MB) alone are over 100 MB.
		[ "${by_file:-0}" -gt 100000000 ] || fail "sendfile carried only ${by_file:-0} bytes"
		[ "${by_memory:-1}" = 0 ] || fail "$by_memory bytes of references were sent from memory"
		echo "ok - $by_file bytes left by sendfile, none from memory"
	else
		[ "${by_file:-1}" = 0 ] || fail "MICA_NET_SENDFILE=0 still sent $by_file bytes by sendfile"
		[ "${by_memory:-0}" -gt 100000000 ] || fail "only ${by_memory:-0} bytes of references sent from memory"
		echo "ok - MICA_NET_SENDFILE=0: $by_memory bytes of references sent from memory, none by sendfile"
	fi
done
echo PASS
