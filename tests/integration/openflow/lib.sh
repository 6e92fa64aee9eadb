# lib.sh - shared set-up for the OpenFlow tests (sourced): namespaces named
# mica-of-PID-*, Open vSwitch's userspace datapath in a namespace of its
# own (ovsdb-server and ovs-vswitchd from a temporary OVS_RUNDIR, started
# and stopped by PID), hosts in namespaces on veth or tap links, and a
# cleanup that removes all of it by name and PID (trap).
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
MICA_LIB_FUNCS_ONLY=1 . "$ROOT/tests/integration/lib.sh" # kill_child; fail and skip are this file's
OFP=mica-of-$$
OFDIR=$(mktemp -d /tmp/mica-of.XXXXXX)
PIDS=()
NSS=()

skip() { echo "SKIPPED: $*"; exit 77; }
fail() {
	echo "FAIL: $*"
	for f in "$OFDIR"/*.log; do [ -f "$f" ] && { echo "--- $f"; tail -n 40 "$f"; }; done
	exit 1
}
need_root() { [ "$(id -u)" = 0 ] || skip "needs root for network namespaces"; }
need_ovs() {
	for c in ovsdb-server ovs-vswitchd ovs-vsctl ovs-ofctl ovsdb-tool; do
		command -v $c > /dev/null || skip "needs Open vSwitch ($c; package openvswitch-switch)"
	done
}

of_cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill_child "$p"; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	for p in "${NSS[@]}"; do ip netns del "$p" 2>/dev/null; done
	rm -rf "$OFDIR"
}
trap of_cleanup EXIT

# ns_add NAME: a namespace $OFP-NAME with loopback up.
ns_add() {
	ip netns add "$OFP-$1" || fail "cannot create namespace $OFP-$1"
	NSS+=("$OFP-$1")
	ip -n "$OFP-$1" link set lo up
	# NO_IPV6=1: hosts send only what the test makes them send
	[ -z "${NO_IPV6:-}" ] || in_ns "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
}
in_ns() { local n=$1; shift; ip netns exec "$OFP-$n" "$@"; }

# bg NAME NS CMD...: start CMD in namespace $OFP-NS (NS "-": this one) in
# the background, log to $OFDIR/NAME.log; its PID is $PID_NAME.
bg() {
	local name=$1 ns=$2; shift 2
	if [ "$ns" = - ]; then
		"$@" > "$OFDIR/$name.log" 2>&1 &
	else
		ip netns exec "$OFP-$ns" "$@" > "$OFDIR/$name.log" 2>&1 &
	fi
	PIDS+=($!)
	eval "PID_$name=$!"
}

# host_veth HOST IF ADDR/LEN PEERNS PEERIF: a host namespace HOST with
# interface IF at ADDR, linked to PEERIF in namespace PEERNS.
host_veth() {
	ns_add "$1"
	ip link add "$2" netns "$OFP-$1" type veth peer name "$5" netns "$OFP-$4" || fail "veth $2"
	ip -n "$OFP-$1" addr add "$3" dev "$2"
	ip -n "$OFP-$1" link set "$2" up
	ip -n "$OFP-$4" link set "$5" up
	# checksums are real on the wire between namespaces
	in_ns "$1" ethtool -K "$2" tx off > /dev/null 2>&1 || true
}

# host_tap HOST TAP ADDR/LEN: a host namespace with a tap interface the
# switch (running in the root namespace) attaches to; the tap is moved into
# the namespace after the switch opened it.
host_tap_make() {
	ns_add "$1"
	ip tuntap add "$2" mode tap || fail "tap $2"
}
host_tap_move() {
	ip link set "$2" netns "$OFP-$1" || fail "move tap $2"
	ip -n "$OFP-$1" addr add "$3" dev "$2"
	ip -n "$OFP-$1" link set "$2" up
}

# ovs_start NS: ovsdb-server and ovs-vswitchd in namespace NS.
ovs_start() {
	local ns=$1 d=$OFDIR
	export OVS_RUNDIR=$d OVS_LOGDIR=$d OVS_DBDIR=$d OVS_SYSCONFDIR=$d
	ovsdb-tool create "$d/conf.db" /usr/share/openvswitch/vswitch.ovsschema || fail "ovsdb-tool create"
	bg ovsdb "$ns" ovsdb-server "$d/conf.db" --remote=punix:"$d/db.sock" --unixctl="$d/ovsdb.ctl" \
		--no-chdir
	local i
	for i in $(seq 50); do [ -S "$d/db.sock" ] && break; sleep 0.1; done
	VSCTL="ovs-vsctl --db=unix:$d/db.sock --timeout=10"
	$VSCTL --no-wait init || fail "ovs-vsctl init"
	bg vswitchd "$ns" ovs-vswitchd unix:"$d/db.sock" --unixctl="$d/vswitchd.ctl" --no-chdir \
		-vconsole:off -vfile:info --log-file="$d/vswitchd.file.log"
	for i in $(seq 50); do [ -S "$d/vswitchd.ctl" ] && break; sleep 0.1; done
	[ -S "$d/vswitchd.ctl" ] || fail "ovs-vswitchd did not start"
}

# wait_for SECONDS CMD...: retry CMD every 0.2 s until it succeeds.
wait_for() {
	local t=$1 i; shift
	for i in $(seq $((t * 5))); do "$@" > /dev/null 2>&1 && return 0; sleep 0.2; done
	return 1
}

# transfer FROM TO ADDR: 1 MiB over TCP from host FROM to host TO at ADDR,
# compared by checksum.
transfer() {
	head -c 1048576 /dev/urandom > "$OFDIR/data"
	ip netns exec "$OFP-$2" timeout 20 nc -l 5001 > "$OFDIR/recv" &
	local l=$!
	sleep 0.3
	in_ns "$1" timeout 20 nc -N -w 5 "$3" 5001 < "$OFDIR/data" || { wait $l; return 1; }
	wait $l
	cmp -s "$OFDIR/data" "$OFDIR/recv"
}

# switch_up PORTS IMAGE ARGS...: namespace `sw` with a tap ctl0 (Linux
# side 10.9.0.1/24) for the switch's control device, taps p1..pN for its
# ports, the switch (tap target) started in it with --ipv4=10.9.0.2/24,
# then each tap pI moved into a host namespace hI at 10.0.0.I/24.
switch_up() {
	local n=$1 img=$2 i args=(); shift 2
	ns_add sw
	in_ns sw ip tuntap add ctl0 mode tap || fail "tap ctl0"
	in_ns sw ip addr add 10.9.0.1/24 dev ctl0
	in_ns sw ip link set ctl0 up
	for i in $(seq "$n"); do
		in_ns sw ip tuntap add p$i mode tap || fail "tap p$i"
		args+=("--net:port$i=p$i")
	done
	if [ "${SWITCH_HVT:-}" ]; then # a KVM guest: devices go to the monitor
		bg ofswitch sw "$ROOT/build/monitor/mica-hvt" --stats --net:control=ctl0 "${args[@]}" "$img" \
			--ipv4=10.9.0.2/24 "$@"
	else
		bg ofswitch sw "$img" --net:control=ctl0 --ipv4=10.9.0.2/24 "${args[@]}" "$@"
	fi
	wait_for 20 grep -q "dpid" "$OFDIR/ofswitch.log" || fail "switch did not start"
	for i in $(seq "$n"); do
		ns_add h$i
		ip -n "$OFP-sw" link set p$i netns "$OFP-h$i" || fail "move p$i"
		ip -n "$OFP-h$i" addr add 10.0.0.$i/24 dev p$i
		ip -n "$OFP-h$i" link set p$i up
	done
}
