#!/usr/bin/env bash
# mac.sh - a net device's MAC is the same on every run (derived from the
# device and tap names) unless --net-mac:NAME=MAC gives one, on the hvt
# target (mica-hvt's NET_INFO) and on the tap target; a malformed or
# unattached --net-mac is refused before boot. On a tap in a private
# namespace this test creates and deletes.
# timeout: 120
. "$(dirname "$0")/common.sh"
set -e
tap_netns mac
img=$(build_guest tests/hvt-guests/netecho)
tapimg=$(./mica build apps/echo -t tap | tail -1)
ip -n "$ns" link set "$tap" up

# mac_of REGEX CMD...: run CMD in the namespace until its output shows a MAC
# (matched by REGEX with the MAC in group 1), stop it, print the MAC.
mac_of() {
	local re=$1 mac=""
	shift
	ip netns exec "$ns" "$@" > "$TMP/run" 2>&1 &
	mon_pid=$!
	for _ in $(seq 100); do
		mac=$(sed -En "s/$re/\\1/p" "$TMP/run" | head -1)
		[ -n "$mac" ] && break
		child_running "$mon_pid" || break
		sleep 0.05
	done
	kill_child "$mon_pid"
	wait "$mon_pid" 2>/dev/null || true
	mon_pid=
	[ -n "$mac" ] || { cat "$TMP/run" >&2; fail "no MAC printed by: $*"; }
	echo "$mac"
}
hvt_re='^netecho: mac ([0-9a-f:]{17}) .*'
tap_re='.*service on tap [^,]*, mac ([0-9a-f:]{17}),.*'

a=$(mac_of "$hvt_re" "$MON" --net:net0="$tap" "$img")
b=$(mac_of "$hvt_re" "$MON" --net:net0="$tap" "$img")
echo "hvt: derived MAC $a, then $b"
[ "$a" = "$b" ] || fail "hvt: the MAC changed between runs ($a, $b)"
case $a in ?[26ae]:*) ;; *) fail "hvt: $a is not a locally administered unicast MAC" ;; esac
c=$(mac_of "$hvt_re" "$MON" --net-mac:net0=02:11:22:33:44:55 --net:net0="$tap" "$img")
echo "hvt: --net-mac gives $c"
[ "$c" = 02:11:22:33:44:55 ] || fail "hvt: --net-mac:net0=02:11:22:33:44:55 gave $c"

a=$(mac_of "$tap_re" "$tapimg" --net:service="$tap" --ipv4=10.79.0.2/24)
b=$(mac_of "$tap_re" "$tapimg" --net:service="$tap" --ipv4=10.79.0.2/24)
echo "tap: derived MAC $a, then $b"
[ "$a" = "$b" ] || fail "tap: the MAC changed between runs ($a, $b)"
c=$(mac_of "$tap_re" "$tapimg" --net:service="$tap" --net-mac:service=0a:00:00:00:00:07 --ipv4=10.79.0.2/24)
echo "tap: --net-mac gives $c"
[ "$c" = 0a:00:00:00:00:07 ] || fail "tap: --net-mac:service=0a:00:00:00:00:07 gave $c"

run_mon --net-mac:net0=01:00:5e:00:00:01 --net:net0="$tap" "$img"
expect 2 'expected a unicast MAC address'
run_mon --net-mac:other=02:00:00:00:00:01 --net:net0="$tap" "$img"
expect 2 "no net device 'other' is attached"
set +e
ip netns exec "$ns" timeout 10 "$tapimg" --net:service="$tap" --net-mac:service=zz --ipv4=10.79.0.2/24 > "$TMP/out" 2>&1
RC=$?
set -e
sed 's/^/    | /' "$TMP/out"
[ "$RC" != 0 ] || fail "tap: --net-mac:service=zz was accepted"
grep -q 'expected a unicast MAC address' "$TMP/out" || fail "tap: no clear message for a bad --net-mac"
echo PASS
