#!/usr/bin/env bash
# Zone transfer out and NOTIFY: apps/dns serves zones/example.com.zone,
# zones/signed.example.zone and a generated 3000-name zone with --allow-transfer=127.0.0.1/32 and
# --notify pointing at an NSD configured as their secondary (request-xfr
# from Mica, allow-notify from 127.0.0.1). NSD must get the NOTIFYs (Mica
# counts them acknowledged), transfer the zones from Mica (it asks IXFR:
# answered with a full transfer) and then answer exactly as Mica does
# (dnsdiff.py, DO in most variants; transfers, NOTIFY and ANY left out).
# An AXFR from Mica holds the same records as one from the secondary,
# between two SOAs (and dig AXFR and kdig AXFR get them all); from
# 127.0.0.2 (not allowed) it is REFUSED.
# timeout: 300
. "$(dirname "$0")/../lib.sh"
need_cmd nsd nsd-checkconf kdig dig
. tests/integration/dns/nsd.sh
Z=tests/integration/dns/zones
ZONES="$Z/example.com.zone $Z/signed.example.zone"
tmp=$(mktemp -d)
trap 'cleanup_bg; rm -rf "$tmp"' EXIT
# and a zone of 3000 names: its transfer takes many messages
/usr/bin/python3 bench/gen-zone.py 3000 "$tmp"
ALL="$ZONES $tmp/bench.test.zone"
mica_port=$(free_port)
nsd_port=$(free_port)
# NSD as a secondary of Mica: its own config, state and zone files in $tmp
mkdir -p "$tmp/sec"
cat > "$tmp/nsd.conf" <<CONF
server:
	ip-address: 127.0.0.1@$nsd_port
	port: $nsd_port
	username: ""
	chroot: ""
	database: ""
	zonesdir: "$tmp/sec"
	pidfile: "$tmp/nsd.pid"
	xfrdfile: "$tmp/xfrd.state"
	zonelistfile: "$tmp/zone.list"
	logfile: "$tmp/nsd.log"
	xfrdir: "$tmp/sec"
	server-count: 1
	verbosity: 2
	hide-version: yes
	rrl-ratelimit: 0
	rrl-whitelist-ratelimit: 0
remote-control:
	control-enable: no
CONF
for name in example.com signed.example bench.test; do
	printf 'zone:\n\tname: %s\n\tzonefile: "%s.zone"\n\trequest-xfr: 127.0.0.1@%s NOKEY\n\tallow-notify: 127.0.0.1 NOKEY\n\tprovide-xfr: 127.0.0.1 NOKEY\n' \
		"$name" "$name" "$mica_port" >> "$tmp/nsd.conf"
done
nsd-checkconf "$tmp/nsd.conf" || fail "bad secondary config"
start_bg nsd -d -c "$tmp/nsd.conf" -P "$tmp/nsd.pid"
nsd_pid=${BG_PIDS[-1]}
img=$(./mica build apps/dns -t unix $(printf "ZONE=%s " $ALL) | tail -1)
start_bg "$img" --listen=127.0.0.1:"$mica_port" --rrl=off --allow-transfer=127.0.0.1/32 \
	--notify=127.0.0.1:"$nsd_port" > "$tmp/mica.log" 2>&1
pid=${BG_PIDS[-1]}
wait_dns "$mica_port"
# the secondary loads the zones (after the NOTIFY; its own retry would take minutes)
for name in example.com signed.example bench.test; do
	for _ in $(seq 1 100); do
		dig +norec +short @127.0.0.1 -p "$nsd_port" "$name" SOA 2>/dev/null | grep -q . && break
		sleep 0.2
	done
	dig +norec +short @127.0.0.1 -p "$nsd_port" "$name" SOA | grep -q . ||
		{ tail -20 "$tmp/nsd.log"; fail "the NSD secondary did not load $name from Mica"; }
done
echo "== NSD loaded the zones from Mica"
grep -i "notify" "$tmp/nsd.log" | head -3 || true
DNSDIFF_DO=1 DNSDIFF_SKIP_XFR=1 /usr/bin/python3 tests/integration/dns/dnsdiff.py 127.0.0.1:"$nsd_port" 127.0.0.1:"$mica_port" \
	$ZONES || fail "the secondary answers differently from Mica"
echo "== the secondary answers as Mica does"
# AXFR: the records Mica sends are the ones the secondary loaded (it
# sends them back by AXFR too), between two SOAs
for f in $ALL; do
	name=$(basename "$f" .zone)
	/usr/bin/python3 tests/integration/dns/axfr.py 127.0.0.1:"$mica_port" "$name" > "$tmp/mica.axfr" ||
		fail "AXFR of $name from Mica"
	/usr/bin/python3 tests/integration/dns/axfr.py 127.0.0.1:"$nsd_port" "$name" > "$tmp/nsd.axfr" ||
		fail "AXFR of $name from the secondary"
	diff "$tmp/mica.axfr" "$tmp/nsd.axfr" || fail "the secondary holds other records of $name"
	kdig +tcp @127.0.0.1 -p "$mica_port" "$name" AXFR > "$tmp/kdig.axfr"
	tail -3 "$tmp/kdig.axfr"
	# dig and kdig count the same records (both SOAs included)
	nk=$(sed -n 's/^;; Received .* \([0-9]*\) records)$/\1/p' "$tmp/kdig.axfr")
	nd=$(dig +tcp @127.0.0.1 -p "$mica_port" "$name" AXFR | grep -v '^;' | grep -c .)
	[ -n "$nk" ] && [ "$nk" -eq "$nd" ] || fail "dig AXFR $name: $nd records, kdig: $nk"
	echo "== AXFR $name: $(wc -l < "$tmp/mica.axfr") records, the same on the secondary; dig AXFR: $nd"
done
# not allowed: REFUSED (as NSD without provide-xfr for that address)
kdig +tcp -b 127.0.0.2 @127.0.0.1 -p "$mica_port" example.com AXFR > "$tmp/refused" 2>&1 || true
grep -q "REFUSED" "$tmp/refused" || { cat "$tmp/refused"; fail "AXFR from 127.0.0.2 was not refused"; }
echo "== AXFR from 127.0.0.2 refused"
stop_app "$pid" "$tmp/mica.log"
cat "$tmp/mica.log"
grep -q "acknowledged 3$" "$tmp/mica.log" || fail "the NOTIFYs were not acknowledged"
grep -q "^dns: transfers [1-9]" "$tmp/mica.log" || fail "no transfer counted"
kill_child "$nsd_pid"
