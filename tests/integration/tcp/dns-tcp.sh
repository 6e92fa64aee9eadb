#!/usr/bin/env bash
# dns-tcp.sh - DNS over TCP through Mica's TCP: apps/dns on the tap target
# and apps/dns on unix (Linux's TCP) serve the same zones in one namespace;
# dig +tcp answers must match, including several queries on one kept-open
# connection and a large (truncated-over-UDP) answer if the zone has one.
# timeout: 120
set -u
. "$(dirname "$0")/lib.sh"
need_root_tap
need_dns
start_dns_tap
same_answers tap +tcp "example.com SOA" "www.example.com A" "example.com MX" "example.org NS" \
	"nope.example.com A" "example.com ANY"
a=$(in_ns dig +tcp +keepopen @127.0.0.1 -p 5353 +norec +short example.com SOA www.example.com A example.org NS)
b=$(in_ns dig +tcp +keepopen @$GUEST_IP +norec +short +time=2 example.com SOA www.example.com A example.org NS)
[ "$a" = "$b" ] || fail "queries on one kept-open connection differ: unix '$a' tap '$b'"
echo "3 queries on one TCP connection: same answers"
stop_image
grep -E "^net" "$LOG"
[ "$(counter tcp_accepted)" -ge 7 ] || fail "expected >= 7 TCP connections accepted"
echo PASS
