#!/usr/bin/env bash
# Differential test against NSD: the same three zones served by NSD and by
# apps/dns (memoised, NOMEMO=1, and under ASan+UBSan) on loopback; about
# 4000 queries (every name x 16 types, with and without EDNS, DO, CD, RD,
# TCP, mixed case, 512-byte limit, truncation, delegation, wildcards, empty
# non-terminals, out-of-zone, odd classes and opcodes, malformed messages)
# compared field by field by dnsdiff.py. Zero differences required.
# timeout: 600
. "$(dirname "$0")/../lib.sh"
need_cmd nsd nsd-checkconf
. tests/integration/dns/nsd.sh
Z=tests/integration/dns/zones
ZONES="$Z/example.com.zone $Z/example.org.zone $Z/child.example.com.zone"
tmp=$(mktemp -d)
trap 'cleanup_bg; rm -rf "$tmp"' EXIT
nsd_port=$(free_port)
start_nsd "$tmp" "$nsd_port" $ZONES
for keys in "" "NOMEMO=1" "SAN=1"; do
	img=$(./mica build apps/dns -t unix $(printf "ZONE=%s " $ZONES) $keys | tail -1)
	port=$(free_port)
	start_bg "$img" --listen=127.0.0.1:"$port" --rrl=off > "$tmp/mica.log" 2>&1 # NSD's rrl is off too
	pid=${BG_PIDS[-1]}
	wait_dns "$port"
	/usr/bin/python3 tests/integration/dns/dnsdiff.py 127.0.0.1:"$nsd_port" 127.0.0.1:"$port" \
		$ZONES || fail "differences with NSD (${keys:-memo})"
	stop_app "$pid" "$tmp/mica.log"
	cat "$tmp/mica.log"
	grep -q "^dns: queries [0-9]" "$tmp/mica.log" || fail "counters missing on exit"
	case $keys in
	*NOMEMO*) grep -q "memo hits 0" "$tmp/mica.log" || fail "NOMEMO build used a memo";;
	*) grep -q "memo hits [1-9]" "$tmp/mica.log" || fail "memo build served nothing from the memo";;
	esac
	echo "== ${keys:-memo}: no differences with NSD"
done
