#!/usr/bin/env bash
# netns-run.sh - run a Mica image (tap process or hvt monitor) on a tap
# device inside a private network namespace that is removed afterwards.
#
#   tools/netns-run.sh [--ns NAME] [--tap IF] [--host ADDR/LEN] [--guest ADDR] -- CMD ARGS...
#
# Creates namespace NAME (default mica-PID) holding tap IF (default mtap0)
# whose Linux side has ADDR/LEN (default 10.77.0.1/24), prints how to reach
# the guest address (default 10.77.0.2), runs CMD inside the namespace with
# every "@TAP@" in ARGS replaced by the tap's name, and deletes the namespace
# when CMD ends or on Ctrl-C/TERM. The exit code is CMD's.
#
# Sourced (". tools/netns-run.sh"), it only defines the functions
#   mica_netns_up NS TAP HOSTADDR/LEN   create the namespace, tap and address
#   mica_netns_down NS                  delete it (and what runs in it)
#   mica_image_netifs IMAGE             the network devices an image declares
# for tests and other run scripts.
set -u

mica_netns_up() {
	local ns=$1 tap=$2 addr=$3
	ip netns add "$ns" || return 1
	ip -n "$ns" link set lo up &&
	ip -n "$ns" tuntap add dev "$tap" mode tap &&
	ip -n "$ns" addr add "$addr" dev "$tap" &&
	ip -n "$ns" link set "$tap" up || { ip netns del "$ns" 2>/dev/null; return 1; }
}

mica_netns_down() {
	local ns=$1 pids
	pids=$(ip netns pids "$ns" 2>/dev/null) || true
	[ -z "$pids" ] || kill $pids 2>/dev/null || true
	ip netns del "$ns" 2>/dev/null || true
}

mica_image_netifs() {
	objcopy -O binary --only-section=.mica.manifest "$1" /dev/stdout 2>/dev/null |
		tr '\0' '\n' | sed -n 's/^net://p'
}

# Is the script being sourced? Then stop after defining the functions.
if [ "${BASH_SOURCE[0]}" != "$0" ]; then
	return 0
fi

ns=mica-$$ tap=mtap0 host=10.77.0.1/24 guest=10.77.0.2
while [ $# -gt 0 ]; do
	case $1 in
		--ns) ns=$2; shift 2;;
		--tap) tap=$2; shift 2;;
		--host) host=$2; shift 2;;
		--guest) guest=$2; shift 2;;
		--) shift; break;;
		*) echo "netns-run: unexpected '$1' (see the top of $0)" >&2; exit 2;;
	esac
done
[ $# -ge 1 ] || { echo "netns-run: missing -- CMD" >&2; exit 2; }
if [ "$(id -u)" != 0 ] || [ ! -c /dev/net/tun ]; then
	echo "netns-run: needs root and /dev/net/tun to make a network namespace with a tap" >&2
	exit 1
fi
args=()
for a in "$@"; do args+=("${a//@TAP@/$tap}"); done

child=""
cleanup() {
	[ -z "$child" ] || wait "$child" 2>/dev/null
	mica_netns_down "$ns"
	echo "mica: removed network namespace $ns" >&2
}
trap cleanup EXIT
trap '[ -z "$child" ] || kill -TERM "$child" 2>/dev/null' INT TERM

mica_netns_up "$ns" "$tap" "$host" || { echo "netns-run: cannot create namespace $ns" >&2; exit 1; }
cat >&2 <<MSG
mica: network namespace $ns: Linux side ${host} on $tap, Mica at $guest
mica: query it with:  ip netns exec $ns dig @$guest example.com
mica:          or:    ip netns exec $ns ping $guest
mica: Ctrl-C stops it and removes the namespace.
MSG
ip netns exec "$ns" "${args[@]}" &
child=$!
rc=0
wait "$child" || rc=$?
# A signal interrupted wait: wait for the child to finish for real.
while kill -0 "$child" 2>/dev/null; do wait "$child" || rc=$?; done
child=""
exit $rc
