#!/usr/bin/env bash
# differential.sh - apps/www (unix) and nginx serve the same test site on
# loopback; httpdiff.py sends both the same normal and malformed requests
# and compares status, the headers that matter and bodies where both
# follow the RFC, and checks each documented deliberate difference.
# timeout: 180
. "$(dirname "$0")/../lib.sh"
. tests/integration/www/common.sh
. tests/integration/www/nginx-conf.sh
need_cmd nginx
tmp=$(mktemp -d)
trap 'cleanup_bg; rm -rf "$tmp"' EXIT
www_site "$tmp/site" 64
img=$(www_build unix "$tmp/site") || exit 1
mport=$(free_port) nport=$(free_port)
start_bg "$img" --listen=127.0.0.1:"$mport" > "$tmp/mica.log" 2>&1
mpid=${BG_PIDS[-1]}
www_nginx_conf "$tmp/nginx" "$tmp/site" "$nport"
start_bg nginx -c "$tmp/nginx/nginx.conf" -g 'daemon off;'
wait_http 127.0.0.1 "$mport" 10 || fail "apps/www did not start"
wait_http 127.0.0.1 "$nport" 10 || fail "nginx did not start: $(cat "$tmp/nginx/error.log")"
/usr/bin/python3 tests/integration/www/httpdiff.py "$mport" "$nport" || fail "differences with nginx"
stop_app "$mpid" "$tmp/mica.log"
echo PASS
