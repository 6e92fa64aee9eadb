#!/usr/bin/env python3
"""tcp-conns.py - how many concurrent DNS-over-TCP connections a server holds.

Opens connections one after the other and keeps every one open; each sends
one query (example.com SOA) and must get its answer (with --plain: no
query; the server must close its side at once, as apps/tcpperf --send=0
does, which shows it accepted the connection). Stops at the first
connection that fails (refused, reset, or no answer within --timeout) or at
--max. Then checks that the connections already held still answer (a
sample) and that UDP still answers, and prints one summary line:
  held N; next: refused|reset|timeout|none; held ones answer: K/S; udp: ok|lost

  tcp-conns.py HOST PORT [--max N] [--timeout S] [--plain]
"""
import argparse, socket, struct, sys, time


def query(qid):
    name = b"".join(bytes([len(p)]) + p for p in b"example.com".split(b".")) + b"\0"
    return struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 0) + name + struct.pack(">HH", 6, 1)


def ask_tcp(s, qid):
    q = query(qid)
    s.sendall(struct.pack(">H", len(q)) + q)
    hdr = b""
    while len(hdr) < 2:
        b = s.recv(2 - len(hdr))
        if not b:
            raise ConnectionResetError("closed")
        hdr += b
    n = struct.unpack(">H", hdr)[0]
    body = b""
    while len(body) < n:
        b = s.recv(n - len(body))
        if not b:
            raise ConnectionResetError("closed")
        body += b
    if struct.unpack(">H", body[:2])[0] != qid:
        raise ValueError("wrong answer id")


def ask_udp(host, port, timeout):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.settimeout(timeout)
    for _ in range(3):
        try:
            u.sendto(query(4242), (host, port))
            if struct.unpack(">H", u.recv(4096)[:2])[0] == 4242:
                return True
        except socket.timeout:
            pass
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("--max", type=int, default=5000)
    ap.add_argument("--timeout", type=float, default=5.0)
    ap.add_argument("--plain", action="store_true", help="handshake only, no DNS")
    a = ap.parse_args()
    held, why, t0 = [], "none (reached --max)", time.time()
    for i in range(a.max):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(a.timeout)
        try:
            s.connect((a.host, a.port))
            if not a.plain:
                ask_tcp(s, i & 0xFFFF)
            elif s.recv(1) != b"":
                raise ValueError("data from a silent server")
        except ConnectionRefusedError:
            why = "refused (RST)"
        except ConnectionResetError:
            why = "reset"
        except (socket.timeout, TimeoutError):
            why = "timeout"
        except (OSError, ValueError) as e:
            why = "error %s" % e
        else:
            held.append(s)
            if len(held) % 500 == 0:
                print("  %d held (%.0f s)" % (len(held), time.time() - t0), flush=True)
            continue
        s.close()
        break
    if a.plain:
        print("held %d; next: %s; %.0f s" % (len(held), why, time.time() - t0))
        for s in held:
            s.close()
        return 0
    sample = held[:: max(1, len(held) // 20)]
    ok = 0
    for j, s in enumerate(sample):
        try:
            ask_tcp(s, 60000 + j)
            ok += 1
        except (OSError, ValueError):
            pass
    udp = ask_udp(a.host, a.port, a.timeout)
    print("held %d; next: %s; held ones answer: %d/%d; udp: %s; %.0f s"
          % (len(held), why, ok, len(sample), "ok" if udp else "lost", time.time() - t0))
    for s in held:
        s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
