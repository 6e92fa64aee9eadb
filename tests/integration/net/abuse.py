# abuse.py - malformed traffic for the direct stack (run with Debian's
# /usr/bin/python3 and scapy inside the test's namespace).
#   abuse.py TAP GUEST_MAC GUEST_IP HOST_IP
# Each case is sent COUNT times; the test then checks the drop counters.
import sys
from scapy.all import Ether, IP, UDP, ICMP, ARP, Raw, sendp, fragment, conf

conf.verb = 0
tap, mac, gip, hip = sys.argv[1:5]
COUNT = 20
eth = Ether(dst=mac, type=0x0800)

def raw_ip(pkt, **fix):
    """Build bytes of pkt with fields patched after checksums were computed."""
    b = bytearray(bytes(pkt))
    for off, val in fix.items():
        b[int(off[1:])] = val
    return bytes(b)

cases = {
    "runt": [Ether(dst=mac, type=0x0800) / Raw(b"\x45\x00\x00")],
    "bad_hlen": [eth / Raw(raw_ip(IP(src=hip, dst=gip) / UDP(dport=7) / b"x", o0=0x43))],
    "bad_hlen_long": [eth / Raw(raw_ip(IP(src=hip, dst=gip) / UDP(dport=7) / b"x", o0=0x4f))],
    "bad_totlen": [eth / Raw(raw_ip(IP(src=hip, dst=gip) / UDP(dport=7) / b"x", o2=0x07, o3=0xd0))],
    "bad_ip_csum": [eth / IP(src=hip, dst=gip, chksum=0x1234) / UDP(dport=7) / b"x"],
    "bad_udp_csum": [eth / IP(src=hip, dst=gip) / UDP(dport=7, chksum=0x1234) / b"xyz"],
    "udp_len_too_big": [eth / IP(src=hip, dst=gip) / UDP(dport=7, len=500) / b"0123456789"],
    "bad_icmp_csum": [eth / IP(src=hip, dst=gip) / ICMP(chksum=0x4321) / b"ping"],
}
for name, pkts in cases.items():
    sendp(pkts * COUNT, iface=tap)
    print(f"sent {COUNT} x {name}")

# Overlapping fragments: offset 0 (24 bytes) and offset 8 (24 bytes).
for i in range(COUNT):
    body = bytes(UDP(sport=1000, dport=7) / (b"A" * 40))
    a = IP(src=hip, dst=gip, id=5000 + i, proto=17, flags="MF", frag=0) / Raw(body[:24])
    b = IP(src=hip, dst=gip, id=5000 + i, proto=17, flags=0, frag=1) / Raw(body[8:32])
    sendp([eth / a, eth / b], iface=tap)
print(f"sent {COUNT} x overlapping fragments")

# Never completed: first fragments only.
for i in range(6):
    frags = fragment(IP(src=hip, dst=gip, id=7000 + i) / UDP(dport=7) / (b"B" * 3000), fragsize=1480)
    sendp(eth / frags[0], iface=tap)
print("sent 6 x incomplete fragment trains")

# ARP flood: requests for other hosts from many senders.
flood = [Ether(src="02:aa:00:00:%02x:%02x" % (i >> 8 & 255, i & 255), dst="ff:ff:ff:ff:ff:ff") /
         ARP(op=1, hwsrc="02:aa:00:00:%02x:%02x" % (i >> 8 & 255, i & 255),
             psrc="10.77.0.%d" % (100 + i % 100), pdst="10.77.0.%d" % (3 + i % 90))
         for i in range(1000)]
sendp(flood, iface=tap)
print("sent 1000 x ARP requests for other hosts")
