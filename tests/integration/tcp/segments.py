#!/usr/bin/python3
"""segments.py - packetdrill-style segment scripts against Mica's TCP
(apps/echo on the tap target), written with scapy.

Run inside the test namespace: segments.py IFACE MICA_IP. It speaks from a
made-up address (10.77.0.3, its own MAC) so Linux's own TCP stays out of
the way, and announces that address to Mica with an ARP request first.
Sequence numbers are modulo 2^32 (W()): Mica's ISN is random, and ours
starts a few bytes below 2^32 so that every script crosses the wrap.
Each check prints "ok - NAME" or exits non-zero with the reason."""
import random, select, sys, time
from scapy.all import ARP, Ether, IP, TCP, Raw, conf

conf.verb = 0
IFACE, MICA = sys.argv[1], sys.argv[2]
ME, MYMAC, PORT = "10.77.0.3", "02:00:00:00:00:33", 7
sock = conf.L2socket(iface=IFACE)
mica_mac = None


def W(x):
    """A sequence number: modulo 2^32."""
    return x % 2**32


def fail(msg):
    sys.exit("FAIL: " + msg)


def recv(pred, timeout=2.0):
    """The next frame from Mica matching pred, or None."""
    end = time.time() + timeout
    while time.time() < end:
        r, _, _ = select.select([sock], [], [], max(0, end - time.time()))
        if not r:
            break
        p = sock.recv()
        if p is None or not p.haslayer(Ether):
            continue
        if p[Ether].src == MYMAC:
            continue
        if pred(p):
            return p
    return None


def tcp_from_mica(sport):
    return lambda p: p.haslayer(TCP) and p[IP].src == MICA and p[TCP].dport == sport


def send(pkt):
    sock.send(Ether(src=MYMAC, dst=mica_mac) / pkt)


def announce():
    global mica_mac
    sock.send(Ether(src=MYMAC, dst="ff:ff:ff:ff:ff:ff") /
              ARP(op=1, hwsrc=MYMAC, psrc=ME, pdst=MICA))
    p = recv(lambda p: p.haslayer(ARP) and p[ARP].op == 2 and p[ARP].psrc == MICA)
    if not p:
        fail("no ARP reply from Mica")
    mica_mac = p[ARP].hwsrc


class Conn:
    """One connection from a fresh port, driven by hand. seq (ours) and ack
    (the next byte we expect from Mica) always hold wrapped values."""

    seq = property(lambda self: self._seq, lambda self, v: setattr(self, "_seq", W(v)))
    ack = property(lambda self: self._ack, lambda self, v: setattr(self, "_ack", W(v)))

    def __init__(self, opts=None, wnd=65535):
        self.sport = random.randint(20000, 60000)
        self.seq = 2**32 - random.randint(1, 8)  # crosses the wrap at once
        self.ack = 0
        self.wnd = wnd
        self.opts = opts if opts is not None else [("MSS", 1460)]

    def pkt(self, flags, seq=None, ack=None, data=b"", wnd=None, opts=None):
        t = TCP(sport=self.sport, dport=PORT, flags=flags,
                seq=W(self.seq if seq is None else seq),
                ack=W(self.ack if ack is None else ack) if "A" in flags else 0,
                window=self.wnd if wnd is None else wnd, options=opts or [])
        p = IP(src=ME, dst=MICA) / t
        return p / Raw(data) if data else p

    def syn(self):
        send(self.pkt("S", opts=self.opts))
        r = recv(tcp_from_mica(self.sport))
        if not r or r[TCP].flags != "SA":
            fail("no SYN-ACK (got %r)" % (r and r[TCP].flags))
        return r

    def open(self):
        r = self.syn()
        self.irs = r[TCP].seq
        self.ack = self.irs + 1
        self.seq += 1
        send(self.pkt("A"))
        return r

    def expect(self, what, pred=lambda t: True, timeout=2.0):
        r = recv(lambda p: tcp_from_mica(self.sport)(p) and pred(p[TCP]), timeout)
        if not r:
            fail("expected " + what)
        return r[TCP]

    def quiet(self, what, timeout=0.5):
        r = recv(tcp_from_mica(self.sport), timeout)
        if r:
            fail("unexpected segment (%s): %s" % (what, r[TCP].summary()))

    def data(self, payload, flags="PA"):
        send(self.pkt(flags, data=payload))
        self.seq += len(payload) + (1 if "F" in flags else 0)

    def reset(self):
        send(self.pkt("R", ack=0))


def opt(t, name):
    for k, v in t.options:
        if k == name:
            return v
    return None


def ok(name):
    print("ok - " + name, flush=True)


def handshake_options():
    c = Conn(opts=[("MSS", 1400), ("SAckOK", b""), ("Timestamp", (12345, 0)), ("NOP", None),
                   ("WScale", 7)])
    t = c.syn()[TCP]
    if opt(t, "MSS") != 1460 or opt(t, "WScale") is None or opt(t, "SAckOK") is None:
        fail("SYN-ACK options: %r" % t.options)
    ts = opt(t, "Timestamp")
    if not ts or ts[1] != 12345:
        fail("SYN-ACK timestamp does not echo ours: %r" % (ts,))
    c.reset()
    c2 = Conn(opts=[("MSS", 1000)])
    t = c2.syn()[TCP]
    if opt(t, "WScale") is not None or opt(t, "Timestamp") is not None or opt(t, "SAckOK") is not None:
        fail("options offered that the SYN did not have: %r" % t.options)
    c2.reset()
    ok("handshake options negotiated (MSS, window scale, SACK, timestamps; none unasked)")


def retransmitted_syn():
    c = Conn()
    a = c.syn()[TCP]
    b = c.syn()[TCP]
    if a.seq != b.seq:
        fail("a retransmitted SYN got a different ISN")
    # No ACK from us: Mica retransmits its SYN-ACK (initial RTO 1 s).
    r = c.expect("a retransmitted SYN-ACK", lambda t: t.flags == "SA" and t.seq == a.seq, 3.5)
    c.seq += 1
    c.ack = r.seq + 1
    c.reset()
    ok("retransmitted SYN answered with the same SYN-ACK; SYN-ACK retransmitted")


def out_of_window():
    c = Conn()
    c.open()
    send(c.pkt("PA", seq=c.seq + 10**6, data=b"far-away"))
    t = c.expect("an ACK for a segment beyond the window", lambda t: "A" in t.flags)
    if t.ack != c.seq or len(t.payload):
        fail("out-of-window answer acks %d (want %d)" % (t.ack, c.seq))
    send(c.pkt("PA", seq=c.seq - 5000, data=b"old-data"))
    t = c.expect("an ACK for an old segment", lambda t: "A" in t.flags)
    if t.ack != c.seq:
        fail("old segment answer acks %d" % t.ack)
    c.data(b"in-window")
    t = c.expect("the echo", lambda t: len(t.payload) > 0)
    if bytes(t.payload) != b"in-window":
        fail("echo %r" % bytes(t.payload))
    c.reset()
    ok("out-of-window and old segments get an ACK and are not delivered")


def blind_rst():
    c = Conn()
    c.open()
    send(c.pkt("R", seq=c.seq + 1000, ack=0))
    t = c.expect("a challenge ACK for an inexact RST", lambda t: t.flags == "A")
    if t.ack != c.seq:
        fail("challenge ACK acks %d" % t.ack)
    send(c.pkt("R", seq=c.seq + 10**7, ack=0))
    c.quiet("RST outside the window")
    send(c.pkt("S", seq=c.seq + 77))
    c.expect("a challenge ACK for a SYN", lambda t: t.flags == "A")
    c.data(b"still-alive")
    t = c.expect("the echo after the blind RST", lambda t: len(t.payload) > 0)
    c.ack = t.seq + len(t.payload)
    send(c.pkt("R", ack=0))
    c.data(b"gone?")
    c.expect("a RST after the exact RST closed it", lambda t: "R" in t.flags)
    ok("blind RST and SYN with wrong sequence numbers challenged, exact RST obeyed")


def zero_window():
    c = Conn(wnd=0)
    c.open()
    c.data(b"hello")
    c.expect("the ACK of our data", lambda t: t.ack == c.seq and not len(t.payload))
    t = c.expect("a zero-window probe", lambda t: not len(t.payload) and t.seq == W(c.ack - 1), 3.0)
    send(c.pkt("A", wnd=1000))
    t = c.expect("the echo once the window opens", lambda t: len(t.payload) > 0)
    if bytes(t.payload) != b"hello" or t.seq != c.ack:
        fail("after the window opened got %r at %d" % (bytes(t.payload), t.seq))
    c.reset()
    ok("zero window: Mica probes, then sends when it opens")


def fin_with_data():
    c = Conn()
    c.open()
    c.data(b"bye", flags="FPA")
    got, fin = b"", False
    end = time.time() + 3
    while time.time() < end and not fin:
        r = recv(tcp_from_mica(c.sport), 1)
        if not r:
            continue
        t = r[TCP]
        got += bytes(t.payload)
        if "F" in t.flags:
            fin = True
            if t.ack != c.seq:
                fail("FIN acks %d, want %d (data and FIN)" % (t.ack, c.seq))
            c.ack = t.seq + len(t.payload) + 1
    if got != b"bye" or not fin:
        fail("FIN with data: echo %r fin %s" % (got, fin))
    send(c.pkt("A"))
    ok("FIN with data: data delivered, FIN acknowledged, Mica closes too")


def dsack():
    c = Conn(opts=[("MSS", 1460), ("SAckOK", b"")])
    c.open()
    c.data(b"twice")
    c.expect("the echo", lambda t: len(t.payload) > 0)
    send(c.pkt("PA", seq=c.seq - 5, data=b"twice"))  # the same bytes again
    t = c.expect("an ACK with a DSACK block", lambda t: opt(t, "SAck") is not None)
    blocks = opt(t, "SAck")
    if t.ack != c.seq or tuple(blocks[:2]) != (W(c.seq - 5), c.seq):
        fail("DSACK block %r with ack %d, want (%d, %d)" % (blocks, t.ack, W(c.seq - 5), c.seq))
    c.reset()
    ok("a segment received twice is reported in a DSACK block (RFC 2883)")


announce()
for f in (handshake_options, retransmitted_syn, out_of_window, blind_rst, zero_window, fin_with_data, dsack):
    f()
print("all segment scripts passed")
