#!/usr/bin/env bash
# ZONEMD (RFC 8976) is verified when a zone is built: a zone signed with
# ZONEMD records by ldns-signzone (SHA-384 and SHA-512) builds and serves
# them; the same file with one record changed fails ./mica build with
# file:line naming the ZONEMD, and builds with NOZONEMD=1; a ZONEMD whose
# serial is not the SOA's is an error, one of an unknown hash a warning.
# (Serving ZONEMD with DO is compared with NSD in dnssec-diff.sh.)
# timeout: 120
. "$(dirname "$0")/../lib.sh"
need_cmd ldns-keygen ldns-signzone
tmp=$(mktemp -d)
trap 'cleanup_bg; rm -rf "$tmp"' EXIT
Z=sec.example
cp tests/integration/dns/corpus/sec.example.unsigned "$tmp/$Z.in"
(
	cd "$tmp"
	k=$(ldns-keygen -a ECDSAP256SHA256 $Z)
	ldns-signzone -z 1:1 -z 1:2 -o $Z -f $Z.zone $Z.in "$k"
) || fail "signing failed"
build/tools/zonec --check "$tmp/$Z.zone" || fail "a zone with correct ZONEMDs does not check"
img=$(./mica build apps/dns -t unix ZONE="$tmp/$Z.zone" | tail -1)
port=$(free_port)
start_bg "$img" --listen=127.0.0.1:"$port" --rrl=off > "$tmp/mica.log" 2>&1
pid=${BG_PIDS[-1]}
. tests/integration/dns/nsd.sh
wait_dns "$port"
n=$(dig +short @127.0.0.1 -p "$port" $Z ZONEMD | wc -l)
[ "$n" -eq 2 ] || fail "ZONEMD RRset not served ($n records)"
stop_app "$pid" "$tmp/mica.log"
# one record changed: the digest no longer matches
mkdir "$tmp/bad"
sed 's/192\.0\.2\.80/192.0.2.81/' "$tmp/$Z.zone" > "$tmp/bad/$Z.zone"
line=$(grep -n 'ZONEMD' "$tmp/bad/$Z.zone" | grep -v RRSIG | tail -1 | cut -d: -f1)
set +e
out=$(./mica build apps/dns -t unix ZONE="$tmp/bad/$Z.zone" 2>&1); rc=$?
set -e
echo "$out" | grep ZONEMD
[ $rc -ne 0 ] || fail "a zone whose ZONEMD does not match built"
grep -q "$Z.zone:[0-9]*: ZONEMD digest (hash [12]) does not match" <<<"$out" || fail "no file:line for the ZONEMD"
./mica build apps/dns -t unix ZONE="$tmp/bad/$Z.zone" NOZONEMD=1 > /dev/null || fail "NOZONEMD=1 does not build"
build/tools/zonec --no-zonemd --check "$tmp/bad/$Z.zone" || fail "--no-zonemd still checks"
# a serial that is not the SOA's; a hash we do not know (warning only)
printf '$TTL 300\n@ SOA ns hm 7 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n@ ZONEMD 6 1 1 %s\n' \
	"$(printf '%096d' 0)" > "$tmp/serial.zone"
set +e
out=$(build/tools/zonec --check "$tmp/serial.zone" 2>&1); rc=$?
set -e
[ $rc -eq 1 ] && grep -q "serial.zone:5: ZONEMD serial 6 is not the SOA serial 7" <<<"$out" || fail "serial: $out"
printf '$TTL 300\n@ SOA ns hm 7 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n@ ZONEMD 7 1 240 00\n' > "$tmp/unknown.zone"
out=$(build/tools/zonec --check "$tmp/unknown.zone" 2>&1) || fail "an unknown ZONEMD hash is an error: $out"
grep -q "warning: ZONEMD scheme 1 hash 240 is not supported" <<<"$out" || fail "no warning: $out"
echo "ok: ZONEMD checked at build time ($line)"
