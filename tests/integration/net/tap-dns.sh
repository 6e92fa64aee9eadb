#!/usr/bin/env bash
# tap-dns.sh - apps/dns on the tap target answers like apps/dns on unix:
# both serve the same two zones inside one namespace (unix on its loopback,
# tap on 10.77.0.2), dig spot checks, malformed traffic (abuse.py), then
# every UDP query of the DNS differential test compared field by field
# (dnsdiff_udp.py): the unikernel still answers, and answers the same.
# timeout: 300
set -u
. "$(dirname "$0")/lib.sh"
need_root_tap
need_dns
start_dns_tap
same_answers tap "" "example.com SOA" "www.example.com A" "example.com MX" "example.org NS" \
	"nope.example.com A"
# The malformed traffic of tap-robust.sh first: answers must not change.
# (scapy is in .ci/packages.txt: without it this part would pass unseen.)
/usr/bin/python3 -c 'import scapy' 2> /dev/null || fail "needs python3-scapy for /usr/bin/python3"
mac=$(grep -o 'mac [0-9a-f:]*' "$LOG" | head -1 | cut -d' ' -f2)
in_ns /usr/bin/python3 "$(dirname "$0")/abuse.py" $TAP "$mac" $GUEST_IP $HOST_IP > /dev/null ||
	fail "abuse.py failed"
echo "sent the malformed traffic of abuse.py"
in_ns /usr/bin/python3 "$(dirname "$0")/dnsdiff_udp.py" 127.0.0.1:5353 $GUEST_IP:53 \
	$Z/example.com.zone $Z/example.org.zone | tail -20
[ "${PIPESTATUS[0]}" -eq 0 ] || fail "tap and unix answers differ"
stop_image
cat "$LOG" | tail -8
echo PASS
