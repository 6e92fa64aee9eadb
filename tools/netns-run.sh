#!/usr/bin/env bash
# netns-run.sh - run a Mica image (tap process or hvt monitor) on a tap
# device inside a private network namespace that is removed afterwards.
#
#   tools/netns-run.sh [--ns NAME] [--tap IF] [--host ADDR/LEN] [--guest ADDR]
#                      [--image IMAGE] -- CMD ARGS...
#
# Creates namespace NAME (default mica-PID) holding tap IF (default mtap0)
# whose Linux side has ADDR/LEN (default 10.77.0.1/24), prints how to reach
# the guest address (default 10.77.0.2), runs CMD inside the namespace with
# every "@TAP@" in ARGS replaced by the tap's name, and deletes the namespace
# when CMD ends or on Ctrl-C/TERM. The exit code is CMD's.
# With --image (the Mica image CMD boots, directly on tap or under mica-hvt),
# "@NETIF@" becomes the image's (first) network device name, and the boot
# arguments of mica_guest_defaults are appended. So both targets run as
#   netns-run.sh --image IMG -- IMG --net:@NETIF@=@TAP@ ARGS...
#   netns-run.sh --image IMG -- mica-hvt --net:@NETIF@=@TAP@ IMG ARGS...
#
# Sourced (". tools/netns-run.sh"), it only defines the functions
#   mica_netns_up NS TAP HOSTADDR/LEN   create the namespace, tap and address
#   mica_netns_down NS                  delete it (and what runs in it)
#   mica_image_netifs IMAGE             the network devices an image declares
#   mica_guest_defaults GUEST IMAGE ARGS...  boot arguments to add (see below)
# for tests and other run scripts.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/children.sh"

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
	readelf -p .mica.manifest "$1" 2>/dev/null | sed -n 's/^ *\[ *[0-9a-f]*\] *net://p'
}

# Boot arguments that make IMAGE serve on GUEST in the namespace, given the
# ARGS it already has: --ipv4=GUEST/24 unless --ipv4 is there. (Apps serve
# on their device's address by default on direct targets: --listen=auto,
# see mica_net_listen_addr in include/mica/net.h.) One per line.
mica_guest_defaults() {
	local guest=$1
	shift 2
	case " $* " in *" --ipv4="*) ;; *) echo "--ipv4=$guest/24";; esac
}

# Is the script being sourced? Then stop after defining the functions.
if [ "${BASH_SOURCE[0]}" != "$0" ]; then
	return 0
fi

ns=mica-$$ tap=mtap0 host=10.77.0.1/24 guest=10.77.0.2 image=""
while [ $# -gt 0 ]; do
	case $1 in
		--ns) ns=$2; shift 2;;
		--tap) tap=$2; shift 2;;
		--host) host=$2; shift 2;;
		--guest) guest=$2; shift 2;;
		--image) image=$2; shift 2;;
		--) shift; break;;
		*) echo "netns-run: unexpected '$1' (see the top of $0)" >&2; exit 2;;
	esac
done
[ $# -ge 1 ] || { echo "netns-run: missing -- CMD" >&2; exit 2; }
if [ "$(id -u)" != 0 ] || [ ! -c /dev/net/tun ]; then
	echo "netns-run: needs root and /dev/net/tun to make a network namespace with a tap" >&2
	exit 1
fi
netif=""
if [ -n "$image" ]; then
	netif=$(mica_image_netifs "$image" | head -1)
	[ -n "$netif" ] || { echo "netns-run: $image declares no network device" >&2; exit 2; }
	mapfile -t extra < <(mica_guest_defaults "$guest" "$image" "$@")
	set -- "$@" "${extra[@]+"${extra[@]}"}"
fi
args=()
for a in "$@"; do a=${a//@TAP@/$tap}; args+=("${a//@NETIF@/$netif}"); done

child=""
# Subshells inherit the traps; only this script itself may run them. (The
# process id comes from /proc: $BASHPID can be stale in a fresh fork.)
read -r main_pid _ < /proc/self/stat
is_main() { local me; read -r me _ < /proc/self/stat; [ "$me" = "$main_pid" ]; }
cleanup() {
	is_main || return 0
	[ -z "$child" ] || wait "$child" 2>/dev/null
	mica_netns_down "$ns"
	echo "mica: removed network namespace $ns" >&2
}
trap cleanup EXIT
# Ctrl-C/TERM: ask CMD to stop; if it has not within 5 s, kill it.
killer=""
stop_child() {
	is_main && [ -n "$child" ] || return 0
	kill_child "$child"
	[ -n "$killer" ] || { sh -c 'sleep 5; kill -KILL "$1" 2>/dev/null' sh "$child" & killer=$!; }
}
trap stop_child INT TERM

mica_netns_up "$ns" "$tap" "$host" || { echo "netns-run: cannot create namespace $ns" >&2; exit 1; }
cat >&2 <<MSG
mica: network namespace $ns: Linux side ${host} on $tap, Mica at $guest
mica: query it with:  ip netns exec $ns dig @$guest example.com
mica:          or:    ip netns exec $ns ping $guest
mica: Ctrl-C stops it and removes the namespace.
MSG
ip netns exec "$ns" "${args[@]}" &
child=$!
# A trapped signal interrupts wait while CMD may still run: wait again;
# then collect CMD's own exit status (bash keeps it once reaped). Whether
# it runs is asked of bash's job table, not of its PID, which another
# process may hold once CMD is reaped.
while child_running "$child"; do wait "$child" 2>/dev/null || true; done
rc=0
wait "$child" 2>/dev/null || rc=$?
kill_child "$killer"
child=""
exit $rc
