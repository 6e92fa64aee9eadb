#!/usr/bin/env bash
# DNSSEC serving of pre-signed zones, against NSD: corpus/sec.example.unsigned
# is signed here three ways - NSEC with ZONEMD (ldns-signzone), NSEC3 with salt and
# iterations (ldns-signzone -n), NSEC3 opt-out (dnssec-signzone -3 -A) -
# and each is served by NSD and by apps/dns (memo and NOMEMO); dnsdiff.py
# asks every name x type with DO in most variants (RRSIGs, NSEC/NSEC3
# proofs, DS at referrals, truncation at 512 bytes with DO). Zero
# differences required. Then delv validates answers from Mica against
# the zone's key as trust anchor (positive, NXDOMAIN, NODATA, wildcard).
# timeout: 600
. "$(dirname "$0")/../lib.sh"
need_cmd nsd nsd-checkconf ldns-keygen ldns-signzone dnssec-keygen dnssec-signzone delv
. tests/integration/dns/nsd.sh
tmp=$(mktemp -d)
trap 'cleanup_bg; rm -rf "$tmp"' EXIT
Z=sec.example
cp tests/integration/dns/corpus/sec.example.unsigned "$tmp/$Z.zone"
(
	cd "$tmp"
	ksk=$(ldns-keygen -a ECDSAP256SHA256 -k $Z) zsk=$(ldns-keygen -a ECDSAP256SHA256 $Z)
	mkdir nsec nsec3 optout bind
	ldns-signzone -z 1:1 -z 1:2 -o $Z -f nsec/$Z.zone $Z.zone "$ksk" "$zsk" # with ZONEMD
	ldns-signzone -n -t 5 -s c0ffee -o $Z -f nsec3/$Z.zone $Z.zone "$ksk" "$zsk"
	cd bind
	dnssec-keygen -q -K . -a ECDSAP256SHA256 -f KSK $Z >/dev/null
	dnssec-keygen -q -K . -a ECDSAP256SHA256 $Z >/dev/null
	dnssec-signzone -q -S -K . -3 abcd -H 2 -A -o $Z -f ../optout/$Z.zone ../$Z.zone >/dev/null
	cat ./K$Z.*.key | grep -v '^;' > ../optout.keys
	cat ../K$Z.*.key > ../ldns.keys
) || fail "signing failed"
# trust anchors for delv: the KSKs (flags 257)
anchor() {  # keyfile -> trust-anchors clause
	sed 's/;.*//' "$1" | awk '$4 == "DNSKEY" || $3 == "DNSKEY" { for (i = 1; i <= NF; i++) if ($i == "DNSKEY") {
		printf "trust-anchors { %s static-key %s %s %s \"", $1, $(i+1), $(i+2), $(i+3);
		for (j = i + 4; j <= NF; j++) printf "%s", $j; print "\"; };" } }' |
		grep ' 257 ' | head -1
}
for variant in nsec nsec3 optout; do
	zone=$tmp/$variant/$Z.zone
	mkdir -p "$tmp/nsd-$variant"
	nsd_port=$(free_port)
	start_nsd "$tmp/nsd-$variant" "$nsd_port" "$zone"
	nsd_pid=$NSD_PID
	for keys in "" "NOMEMO=1"; do
		img=$(./mica build apps/dns -t unix ZONE="$zone" $keys | tail -1)
		port=$(free_port)
		start_bg "$img" --listen=127.0.0.1:"$port" --rrl=off > "$tmp/mica.log" 2>&1 # NSD rrl is off too
		pid=${BG_PIDS[-1]}
		wait_dns "$port"
		DNSDIFF_DO=1 /usr/bin/python3 tests/integration/dns/dnsdiff.py 127.0.0.1:"$nsd_port" \
			127.0.0.1:"$port" "$zone" || fail "$variant: differences with NSD (${keys:-memo})"
		if [ -z "$keys" ]; then
			if [ $variant = optout ]; then keyfile=$tmp/optout.keys; else keyfile=$tmp/ldns.keys; fi
			anchor "$keyfile" > "$tmp/anchor.conf"
			[ -s "$tmp/anchor.conf" ] || fail "no KSK for the trust anchor"
			for q in "www.$Z A" "nx.$Z A" "www.$Z MX" "x.y.w.$Z A" "x.y.w.$Z MX" "deep.ent.x.$Z AAAA" \
				"ent.x.$Z A" "$Z DNSKEY" "insecure.$Z DS" "secure.$Z DS" "alias.$Z A"; do
				set -- $q
				out=$(delv @127.0.0.1 -p "$port" -a "$tmp/anchor.conf" +root="$Z" "$1" "$2" 2>&1) || true
				ok="; fully validated\|; negative response, fully validated"
				# a wildcard answer whose next closer name lies in an opt-out
				# span is insecure by design (RFC 5155 9.2); NSD's is too
				[ $variant = optout ] && [ "$1" = "x.y.w.$Z" ] && ok="$ok\|; unsigned answer"
				grep -q "$ok" <<<"$out" || { echo "$out"; fail "$variant: delv does not validate $q from Mica"; }
			done
			echo "== $variant: delv validates Mica's answers"
		fi
		stop_app "$pid" "$tmp/mica.log"
		echo "== $variant ${keys:-memo}: no differences with NSD"
	done
	kill_child "$nsd_pid"
done
