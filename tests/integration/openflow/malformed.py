#!/usr/bin/python3
# malformed.py - bad OpenFlow messages to a Mica app, which must answer
# each with an ERROR (of the right type) and stay up.
#   malformed.py switch HOST PORT   we are a switch, connecting to apps/ofctl
#   malformed.py controller PORT    we are the controller apps/ofswitch dials
import socket, struct, sys, time

V = 4  # OpenFlow 1.3


def msg(typ, body=b"", xid=7, ver=V, length=None):
    return struct.pack("!BBHI", ver, typ, 8 + len(body) if length is None else length, xid) + body


def read_msgs(s, wait=1.0):
    s.settimeout(wait)
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except socket.timeout:
        pass
    out = []
    while len(data) >= 8:
        ver, typ, length, xid = struct.unpack("!BBHI", data[:8])
        if length < 8 or length > len(data):
            break
        out.append((ver, typ, xid, data[8:length]))
        data = data[length:]
    return out


def oxm_match(tlvs=b""):
    m = struct.pack("!HH", 1, 4 + len(tlvs)) + tlvs
    return m + b"\0" * ((8 - len(m) % 8) % 8)


def flow_mod(match, instructions=b"", command=0):
    return struct.pack("!QQBBHHHIIIH2x", 0, 0, 0, command, 0, 0, 1, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0) + match + instructions


# (name, message, expected ERROR type or None for "any error")
CASES = [
    ("unknown type", msg(200), 1),
    ("bad version", msg(2, ver=3), 1),
    ("flow_mod shorter than its fixed part", msg(14, b"\0" * 12), 1),
    ("packet_out actions longer than the message", msg(13, struct.pack("!IIH6x", 0xFFFFFFFF, 1, 0xFFF0)), None),
    ("match TLV running past the match", msg(14, flow_mod(struct.pack("!HH", 1, 12) + struct.pack("!HBB", 0x8000, 3 << 1, 200) + b"\0" * 4)), None),
    ("huge action count", msg(14, flow_mod(oxm_match(), struct.pack("!HH4x", 4, 8 + 16 * 100) + struct.pack("!HHIH6x", 0, 16, 1, 0) * 100)), None),
    ("unknown multipart type", msg(18, struct.pack("!HH4x", 0x77, 0)), None),
    ("unknown OXM field", msg(14, flow_mod(oxm_match(struct.pack("!HBB", 0x8000, 99 << 1, 4) + b"\0" * 4))), None),
    ("instruction length 0", msg(14, flow_mod(oxm_match(), struct.pack("!HH4x", 4, 0))), None),
]


def run(s, role):
    s.sendall(msg(0, struct.pack("!HHI", 1, 8, 1 << V) , xid=1))
    msgs = read_msgs(s)
    assert any(t == 0 for _, t, _, _ in msgs), "no HELLO"
    errors = 0
    for name, m, want in CASES:
        s.sendall(m)
        got = [x for x in read_msgs(s, 0.5) if x[1] == 1]
        if not got:
            print("FAIL: no ERROR for", name)
            return False
        etype, code = struct.unpack("!HH", got[0][3][:4])
        if want is not None and etype != want:
            print("FAIL: %s: error type %d, wanted %d" % (name, etype, want))
            return False
        print("ok: %s -> ERROR type %d code %d" % (name, etype, code))
        errors += 1
    s.sendall(msg(2, b"alive", xid=99))
    if not any(t == 3 and x == 99 for _, t, x, _ in read_msgs(s)):
        print("FAIL: no ECHO_REPLY after the bad messages")
        return False
    # a length below the header cannot be framed: the peer closes
    s.sendall(struct.pack("!BBHI", V, 2, 4, 5))
    read_msgs(s, 1.0)
    print("ok: %d errors, still answering" % errors)
    return True


def main():
    role = sys.argv[1]
    if role == "switch":
        s = socket.create_connection((sys.argv[2], int(sys.argv[3])))
        ok = run(s, role)
        s.close()
        # a fresh connection still works
        s = socket.create_connection((sys.argv[2], int(sys.argv[3])))
        s.sendall(msg(0, struct.pack("!HHI", 1, 8, 1 << V), xid=1) + msg(2, b"x", xid=98))
        ok = ok and any(t == 3 for _, t, _, _ in read_msgs(s))
    else:
        ls = socket.socket()
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("10.9.0.1", int(sys.argv[2])))
        ls.listen(4)
        ls.settimeout(20)
        s, _ = ls.accept()
        ok = run(s, role)
        s.close()
        s, _ = ls.accept()  # the switch reconnects
        s.sendall(msg(0, struct.pack("!HHI", 1, 8, 1 << V), xid=1) + msg(2, b"x", xid=98))
        ok = ok and any(t == 3 for _, t, _, _ in read_msgs(s))
    print("PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


main()
