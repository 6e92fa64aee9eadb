#!/usr/bin/env bash
# The corpus zones (every RR type NSD knows in presentation form, RFC 3597
# records, $INCLUDE, a file without $TTL, DNAMEs) served by NSD and by apps/dns:
# every owner asked for every type the zones hold (with and without EDNS,
# DO, TCP), answers compared by dnsdiff.py. Zero differences required.
# timeout: 300
. "$(dirname "$0")/../lib.sh"
need_cmd nsd nsd-checkconf
. tests/integration/dns/nsd.sh
C=tests/integration/dns/corpus
ZONES="$C/types.example.zone $C/nottl.example.zone $C/dname.example.zone"
tmp=$(mktemp -d)
trap 'cleanup_bg; rm -rf "$tmp"' EXIT
nsd_port=$(free_port)
# NSD reads $INCLUDE paths relative to its zonesdir: the corpus directory
tools/nsd-conf.sh "$tmp" 127.0.0.1 "$nsd_port" $ZONES >/dev/null
sed -i "s|zonesdir: \"\"|zonesdir: \"$(pwd)/$C\"|" "$tmp/nsd.conf"
start_bg nsd -d -c "$tmp/nsd.conf" -P "$tmp/nsd.pid"
wait_dns "$nsd_port"
for keys in "" "NOMEMO=1"; do
	img=$(./mica build apps/dns -t unix $(printf "ZONE=%s " $ZONES) $keys | tail -1)
	port=$(free_port)
	start_bg "$img" --listen=127.0.0.1:"$port" --rrl=off > "$tmp/mica.log" 2>&1 # NSD's rrl is off too
	pid=${BG_PIDS[-1]}
	wait_dns "$port"
	DNSDIFF_QTYPES=zone /usr/bin/python3 tests/integration/dns/dnsdiff.py 127.0.0.1:"$nsd_port" \
		127.0.0.1:"$port" $ZONES || fail "differences with NSD (${keys:-memo})"
	stop_app "$pid" "$tmp/mica.log"
	echo "== ${keys:-memo}: no differences with NSD"
done
