# tests/integration/dns/nsd.sh - start NSD as a reference server on
# loopback, with its own config (tools/nsd-conf.sh), pidfile and logs in a
# directory of ours (never as a system service). Source after ../lib.sh; uses start_bg, so
# NSD is killed by PID when the script exits.
#   start_nsd DIR PORT ZONEFILE...     (zone name = file name minus .zone)

# Wait until a DNS server answers on 127.0.0.1:PORT (max ~10 s).
wait_dns() {
	/usr/bin/python3 - "$1" <<'PY' || fail "no DNS answer on 127.0.0.1:$1"
import socket, struct, sys, time
port = int(sys.argv[1])
q = struct.pack('!HHHHHH', 1, 0, 1, 0, 0, 0) + b'\0' + struct.pack('!HH', 6, 1)
for _ in range(100):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(0.1)
    try:
        s.sendto(q, ('127.0.0.1', port)); s.recv(512); sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
PY
}

start_nsd() {
	local dir=$1 port=$2; shift 2
	"$(dirname "${BASH_SOURCE[0]}")/../../../tools/nsd-conf.sh" "$dir" 127.0.0.1 "$port" "$@" ||
		fail "bad nsd config"
	start_bg nsd -d -c "$dir/nsd.conf" -P "$dir/nsd.pid"
	NSD_PID=${BG_PIDS[-1]}
	wait_dns "$port"
}
