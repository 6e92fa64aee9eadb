#!/usr/bin/env bash
# tap-dhcp.sh - the DHCP client against dnsmasq in the namespace: apps/dns
# (apps/echo if there is no apps/dns) starts without --ipv4, takes the
# leased address (and the router option), answers dig (or UDP echo) and
# ping on it, and renews the lease at T1 (dnsmasq is told T1=4s, T2=7s).
# timeout: 90
set -u
. "$(dirname "$0")/lib.sh"
need_root_tap
command -v dnsmasq > /dev/null || skip "needs dnsmasq (dnsmasq-base)"
if [ -f "$ROOT/apps/dns/app.mk" ]; then
	command -v dig > /dev/null || fail "needs dig (dnsutils) to ask apps/dns"
	IMG=$(build apps/dns -t tap) || exit 1
	APPARGS=--listen=0.0.0.0:53
	# ask: an answer from the app on the leased address
	ask() { in_ns dig @$GUEST_IP +short +tries=2 +time=1 www.example.com A | grep -qx 192.0.2.80; }
else
	IMG=$(build apps/echo -t tap) || exit 1
	APPARGS=--port=7
	ask() { [ "$(udp_echo 7 "$1")" = "$1" ]; }
fi
netns_up
D=$(mktemp -d /tmp/mica-dhcp.XXXXXX)
dnsmasq_pid=""
trap 'kill_child "$dnsmasq_pid"; cleanup; rm -rf "$D"' EXIT
ip netns exec "$NS" dnsmasq --keep-in-foreground --port=0 --no-resolv --no-hosts -u root \
	--interface=$TAP --bind-interfaces --pid-file="$D/pid" --dhcp-leasefile="$D/leases" \
	--dhcp-range=10.77.0.50,10.77.0.60,255.255.255.0,2m --dhcp-option=option:router,$HOST_IP \
	--dhcp-option=option:T1,4 --dhcp-option=option:T2,7 \
	--no-ping --log-dhcp --log-facility="$D/dnsmasq.log" &
dnsmasq_pid=$!
sleep 0.5
[ -f "$D/pid" ] || fail "dnsmasq did not start"

start_image "$IMG" --net:service=$TAP $APPARGS
wait_log "dhcp: bound" 20 || { cat "$D/dnsmasq.log"; fail "no DHCP lease taken"; }
addr=$(grep -o 'dhcp: bound [0-9.]*' "$LOG" | cut -d' ' -f3)
echo "leased $addr"
case $addr in 10.77.0.5[0-9]|10.77.0.60) ;; *) fail "address $addr is not from the pool";; esac
grep -q "gateway 10.77.0.1" "$LOG" || fail "router option not applied"
grep -q "$addr" "$D/leases" || fail "dnsmasq has no lease for $addr"
GUEST_IP=$addr
ask via-dhcp || fail "no answer on the leased address"
in_ns ping -c 5 -i 0.05 -q "$addr" | grep -q " 0% packet loss" || fail "ping on the leased address failed"
wait_log "dhcp: renewed" 15 || { cat "$D/dnsmasq.log"; fail "no renewal at T1"; }
echo "renewed: $(grep 'dhcp: renewed' "$LOG" | head -1)"
grep -c "DHCPACK" "$D/dnsmasq.log" | grep -qv '^[01]$' || fail "dnsmasq did not ack a renewal"
ask after-renew || fail "no answer after renewal"
stop_image
cat "$LOG"
[ "$(counter dhcp_ack)" -ge 2 ] || fail "dhcp_ack counter below 2"
echo PASS
