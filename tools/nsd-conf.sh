#!/usr/bin/env bash
# tools/nsd-conf.sh - write the NSD config of a reference server for the
# tests and benchmarks: pidfile, logs and state all in DIR, one server
# process, no rate limiting, no remote control; never a system service.
#   tools/nsd-conf.sh DIR ADDR PORT ZONEFILE...
# writes DIR/nsd.conf (zone name = file name minus .zone or .db) and checks
# it with nsd-checkconf; exits non-zero if the config is bad.
set -eu
[ $# -ge 4 ] || { echo "usage: tools/nsd-conf.sh DIR ADDR PORT ZONEFILE..." >&2; exit 2; }
dir=$1 addr=$2 port=$3
shift 3
conf=$dir/nsd.conf
cat > "$conf" <<CONF
server:
	ip-address: $addr@$port
	port: $port
	username: ""
	chroot: ""
	database: ""
	zonesdir: ""
	pidfile: "$dir/nsd.pid"
	xfrdfile: "$dir/xfrd.state"
	zonelistfile: "$dir/zone.list"
	logfile: "$dir/nsd.log"
	server-count: 1
	verbosity: 1
	hide-version: yes
	hide-identity: yes
	rrl-ratelimit: 0
	rrl-whitelist-ratelimit: 0
remote-control:
	control-enable: no
CONF
for z in "$@"; do
	name=$(basename "$z")
	name=${name%.zone}
	name=${name%.db}
	printf 'zone:\n\tname: %s\n\tzonefile: "%s"\n' "$name" "$(cd "$(dirname "$z")" && pwd)/$(basename "$z")" >> "$conf"
done
nsd-checkconf "$conf"
