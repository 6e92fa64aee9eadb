#!/usr/bin/env bash
# fuzz-frames.sh - run the libFuzzer target build/fuzz/net_frames (raw
# frames into the direct stack's receive path) for FUZZ_FRAMES_SECONDS
# (default 30), starting from a few valid frames made with scapy. Any
# crash, leak or sanitizer report fails the test.
# timeout: 120
# lane: background
. "$(dirname "$0")/../lib.sh"
build_fuzzers build/fuzz/net_frames
work=$(mktemp -d)
trap 'cleanup_bg; rm -rf "$work"' EXIT
mkdir "$work/corpus"
# Seeds made with scapy (in .ci/packages.txt); without them the fuzzer
# would start blind and still pass, so their absence is a failure.
/usr/bin/python3 -c 'import scapy' 2> /dev/null || fail "needs python3-scapy for /usr/bin/python3"
/usr/bin/python3 - "$work/corpus" <<'PY' || fail "cannot make the seed frames"
import struct, sys
from scapy.all import Ether, IP, UDP, TCP, ICMP, ARP, BOOTP, DHCP, fragment
mac, peer = "02:00:00:00:00:02", "02:00:00:00:00:01"
g, h = "10.77.0.2", "10.77.0.1"
e = Ether(dst=mac, src=peer)
seeds = {
    "arp": [Ether(dst="ff:ff:ff:ff:ff:ff", src=peer) / ARP(op=1, hwsrc=peer, psrc=h, pdst=g)],
    "ping": [e / IP(src=h, dst=g) / ICMP() / b"abcdefgh"],
    "udp": [e / IP(src=h, dst=g) / UDP(sport=999, dport=7) / b"hello"],
    "tcp": [e / IP(src=h, dst=g) / TCP(sport=999, dport=7, flags="S", seq=1000,
                                       options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (1, 0)),
                                                ("WScale", 7)]),
            e / IP(src=h, dst=g) / TCP(sport=999, dport=7, flags="A", seq=1001, ack=1) / b"data",
            e / IP(src=h, dst=g) / TCP(sport=999, dport=7, flags="FA", seq=1005, ack=1),
            e / IP(src=h, dst=g) / TCP(sport=998, dport=9, flags="R", seq=5)],
    "frags": [e / f for f in fragment(IP(src=h, dst=g) / UDP(dport=7) / (b"z" * 2000), fragsize=800)],
    "dhcp": [e / IP(src=h, dst="255.255.255.255") / UDP(sport=67, dport=68) /
             BOOTP(op=2, yiaddr="10.77.0.50", chaddr=bytes.fromhex("020000000003")) /
             DHCP(options=[("message-type", "offer"), ("server_id", h), ("lease_time", 60), "end"])],
}
for name, frames in seeds.items():
    with open(f"{sys.argv[1]}/{name}", "wb") as f:
        for fr in frames:
            b = bytes(fr)
            f.write(struct.pack(">H", len(b)) + b)
PY
echo "seeds: $(ls "$work/corpus" | wc -l)"
run_fuzzer "$work" build/fuzz/net_frames "${FUZZ_FRAMES_SECONDS:-30}" "$work/corpus"
