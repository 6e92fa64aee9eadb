#!/usr/bin/python3
# udpblast.py - packets/s through a switch: `send ADDR PORT SECONDS` sends
# 64-byte UDP datagrams as fast as one core can for SECONDS; `recv PORT
# SECONDS` counts what arrives and prints "received N".
import socket, sys, time
mode = sys.argv[1]
if mode == "send":
    addr, port, secs = sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect((addr, port))
    msg, n, end = b"x" * 22, 0, time.time() + secs
    while time.time() < end:
        for _ in range(256):
            try:
                s.send(msg)
                n += 1
            except OSError:
                pass
    print("sent", n)
else:
    port, secs = int(sys.argv[2]), float(sys.argv[3])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind(("0.0.0.0", port))
    s.settimeout(1.0)
    n, end = 0, time.time() + secs
    while time.time() < end:
        try:
            s.recv(64)
            n += 1
        except socket.timeout:
            pass
    print("received", n)
