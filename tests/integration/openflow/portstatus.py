#!/usr/bin/python3
# portstatus.py - not a test: a minimal OpenFlow controller that checks
# what apps/ofswitch says when the link of one of its ports goes down and
# up: a PORT_STATUS each time, with OFPPS_LINK_DOWN set and cleared, and
# the same state in the port descriptions (1.3: PORT_DESC, 1.0: the
# FEATURES_REPLY's port list).
#   portstatus.py VERSION(10|13) LISTEN_IP PORT_NO NETNS IFNAME
# It takes the link down and up itself (ip -n NETNS link set IFNAME ...).
import socket, struct, subprocess, sys, time

OFPT_HELLO, OFPT_ECHO_REQUEST, OFPT_ECHO_REPLY = 0, 2, 3
OFPT_FEATURES_REQUEST, OFPT_FEATURES_REPLY, OFPT_PORT_STATUS = 5, 6, 12
LINK_DOWN = 1


class Conn:
    def __init__(self, sock, ver):
        self.s, self.ver, self.buf, self.xid = sock, ver, b"", 100

    def send(self, typ, body=b""):
        self.xid += 1
        self.s.sendall(struct.pack("!BBHI", self.ver, typ, 8 + len(body), self.xid) + body)
        return self.xid

    def next(self, want, deadline):
        """The next message of type `want` (answering ECHO on the way)."""
        while time.time() < deadline:
            while len(self.buf) >= 8:
                ver, typ, length, xid = struct.unpack("!BBHI", self.buf[:8])
                if length < 8:
                    raise SystemExit("FAIL: bad length from the switch")
                if len(self.buf) < length:
                    break
                body, self.buf = self.buf[8:length], self.buf[length:]
                if typ == OFPT_ECHO_REQUEST:
                    self.s.sendall(struct.pack("!BBHI", self.ver, OFPT_ECHO_REPLY, 8 + len(body), xid) + body)
                if typ == want:
                    return ver, body
            self.s.settimeout(max(0.05, deadline - time.time()))
            try:
                chunk = self.s.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                raise SystemExit("FAIL: the switch closed the connection")
            self.buf += chunk
        raise SystemExit("FAIL: no message of type %d in time" % want)

    def port_states(self):
        """port_no -> state, from PORT_DESC (1.3) or FEATURES_REPLY (1.0)."""
        out = {}
        if self.ver == 4:
            self.send(18, struct.pack("!HH4x", 13, 0))  # MULTIPART_REQUEST PORT_DESC
            _, body = self.next(19, time.time() + 5)
            for off in range(8, len(body) - 63, 64):
                no, = struct.unpack("!I", body[off:off + 4])
                out[no], = struct.unpack("!I", body[off + 36:off + 40])
        else:
            self.send(OFPT_FEATURES_REQUEST)
            _, body = self.next(OFPT_FEATURES_REPLY, time.time() + 5)
            for off in range(24, len(body) - 47, 48):
                no, = struct.unpack("!H", body[off:off + 2])
                out[no], = struct.unpack("!I", body[off + 28:off + 32])
        return out

    def port_status(self, port_no, deadline):
        while True:
            _, body = self.next(OFPT_PORT_STATUS, deadline)
            reason = body[0]
            if self.ver == 4:
                no, = struct.unpack("!I", body[8:12])
                state, = struct.unpack("!I", body[8 + 36:8 + 40])
            else:
                no, = struct.unpack("!H", body[8:10])
                state, = struct.unpack("!I", body[8 + 28:8 + 32])
            if no == port_no:
                return reason, state


def main():
    ver = 4 if sys.argv[1] == "13" else 1
    ip, port_no, ns, ifname = sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((ip, 6653))
    ls.listen(1)
    ls.settimeout(30)
    s, _ = ls.accept()
    c = Conn(s, ver)
    hello = struct.pack("!HHI", 1, 8, 1 << ver) if ver == 4 else b""
    c.send(OFPT_HELLO, hello)
    got_ver, _ = c.next(OFPT_HELLO, time.time() + 10)
    c.send(OFPT_FEATURES_REQUEST)
    c.next(OFPT_FEATURES_REPLY, time.time() + 5)
    # the host's end came up after the switch attached: wait until it says so
    deadline = time.time() + 5
    while c.port_states().get(port_no, LINK_DOWN) & LINK_DOWN:
        if time.time() > deadline:
            raise SystemExit("FAIL: port %d never reported up" % port_no)
        time.sleep(0.2)
    print("ok: port %d up in the port descriptions" % port_no)
    subprocess.run(["ip", "-n", ns, "link", "set", ifname, "down"], check=True)
    t = time.time()
    reason, state = c.port_status(port_no, t + 5)
    if not state & LINK_DOWN or reason != 2:
        raise SystemExit("FAIL: PORT_STATUS after link down: reason %d state %#x" % (reason, state))
    print("ok: PORT_STATUS MODIFY, LINK_DOWN, %.2f s after the link went down" % (time.time() - t))
    st = c.port_states()
    if not st.get(port_no, 0) & LINK_DOWN or any(v & LINK_DOWN for k, v in st.items() if k != port_no):
        raise SystemExit("FAIL: port descriptions after link down: %r" % st)
    print("ok: port descriptions: %r" % st)
    subprocess.run(["ip", "-n", ns, "link", "set", ifname, "up"], check=True)
    reason, state = c.port_status(port_no, time.time() + 5)
    if state & LINK_DOWN:
        raise SystemExit("FAIL: PORT_STATUS after link up still says LINK_DOWN")
    if c.port_states().get(port_no, LINK_DOWN) & LINK_DOWN:
        raise SystemExit("FAIL: port %d still down in the port descriptions" % port_no)
    print("ok: PORT_STATUS and port descriptions up again (OpenFlow %s)" % sys.argv[1])
    s.close()
    ls.close()


main()
