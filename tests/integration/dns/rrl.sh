#!/usr/bin/env bash
# Response-rate limiting of apps/dns (unix target, on by default with NSD's
# defaults: 200 qps per /24 and class, slip 2): one source (127.0.0.1)
# floods 3000 queries for one name within about a second; it gets its
# first answers whole, then every second limited answer truncated (TC,
# no records) and the others not at all, while another source
# (127.0.1.1, another /24) asking at the same time gets every answer
# whole. The counters printed on exit agree. With --rrl=off the same
# flood is answered in full.
# timeout: 120
. "$(dirname "$0")/../lib.sh"
. tests/integration/dns/nsd.sh
tmp=$(mktemp -d)
trap 'cleanup_bg; rm -rf "$tmp"' EXIT
img=$(./mica build apps/dns -t unix | tail -1)

# flood PORT: prints "whole TC missing victim-whole victim-TC victim-missing".
flood() {
	/usr/bin/python3 - "$1" <<'PY'
import socket, struct, sys, time
port = int(sys.argv[1])
def query(qid, name=b"\x03www\x07example\x03com\x00"):
    return struct.pack("!HHHHHH", qid, 0, 1, 0, 0, 0) + name + struct.pack("!HH", 1, 1)
def sock(addr):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
    s.bind((addr, 0))
    s.setblocking(False)
    return s
att, vic = sock("127.0.0.1"), sock("127.0.1.1")
got = {}    # qid -> TC bit, for the flooding source
vgot = {}
def drain(s, into):
    while True:
        try:
            d = s.recv(4096)
        except BlockingIOError:
            return
        qid, flags, qd, an = struct.unpack("!HHHH", d[:8])
        into[qid] = bool(flags & 0x0200)
        if flags & 0x0200:
            assert an == 0 and len(d) == 12 + 17 + 4, "a slip answer carries records"
N, V = 3000, 30
sent_v = 0
for i in range(N):
    att.sendto(query(i), ("127.0.0.1", port))
    if i % 100 == 99:
        time.sleep(0.001)  # about 50k queries/s at most: all in one second
        drain(att, got)
        vic.sendto(query(sent_v), ("127.0.0.1", port))
        sent_v += 1
        drain(vic, vgot)
deadline = time.monotonic() + 1.0
while time.monotonic() < deadline:
    drain(att, got)
    drain(vic, vgot)
    time.sleep(0.01)
whole = sum(1 for tc in got.values() if not tc)
tc = sum(1 for tc in got.values() if tc)
vwhole = sum(1 for t in vgot.values() if not t)
vtc = sum(1 for t in vgot.values() if t)
print(whole, tc, N - len(got), vwhole, vtc, sent_v - len(vgot))
PY
}

port=$(free_port)
start_bg "$img" --listen=127.0.0.1:"$port" > "$tmp/log" 2>&1
pid=${BG_PIDS[-1]}
wait_dns "$port"
read -r whole tc missing vwhole vtc vmissing < <(flood "$port")
echo "flooding source: $whole whole, $tc truncated, $missing not answered"
echo "other source: $vwhole whole, $vtc truncated, $vmissing not answered"
stop_app "$pid" "$tmp/log"
grep "^rrl" "$tmp/log"
[ "$whole" -ge 200 ] && [ "$whole" -le 1000 ] || fail "flooding source got $whole whole answers, expected about 400"
[ "$tc" -ge 300 ] || fail "only $tc truncated (slip) answers"
[ "$missing" -ge 300 ] || fail "only $missing answers dropped"
[ "$vwhole" -eq 30 ] && [ "$vtc" -eq 0 ] || fail "the other source was limited: $vwhole whole, $vtc truncated of 30"
read -r limited slipped dropped < <(sed -n 's/^rrl: .* limited \([0-9]*\) (slipped \([0-9]*\), dropped \([0-9]*\)).*/\1 \2 \3/p' "$tmp/log")
[ -n "$limited" ] || fail "no rrl counters on exit"
[ "$slipped" -eq "$tc" ] || fail "server slipped $slipped, client saw $tc truncated"
[ $((slipped + dropped)) -eq "$limited" ] || fail "slipped $slipped + dropped $dropped != limited $limited"
[ $((dropped - slipped)) -le 1 ] && [ $((slipped - dropped)) -le 1 ] || fail "slip 2 should halve: slipped $slipped, dropped $dropped"
grep -q "^rrl: limited positive $limited$" "$tmp/log" || fail "limited answers not counted as positive"

# Off: the same flood is answered in full.
port=$(free_port)
start_bg "$img" --listen=127.0.0.1:"$port" --rrl=off > "$tmp/log" 2>&1
pid=${BG_PIDS[-1]}
wait_dns "$port"
read -r whole tc missing vwhole vtc vmissing < <(flood "$port")
echo "--rrl=off: flooding source: $whole whole, $tc truncated, $missing not answered"
stop_app "$pid" "$tmp/log"
grep -q "^rrl: off" "$tmp/log" || fail "no 'rrl: off' on exit"
# Whatever the kernel did not drop before the app saw it is answered whole.
kdrops=$(sed -n 's/^net: udp .* rx-kernel-drops \([0-9]*\);.*/\1/p' "$tmp/log")
[ "$tc" -eq 0 ] && [ $((whole + vwhole + kdrops)) -eq 3030 ] ||
	fail "--rrl=off: $whole of 3000 and $vwhole of 30 answered whole, $tc truncated, ${kdrops:-?} dropped by the kernel"
echo "ok"
