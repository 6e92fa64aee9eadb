#!/usr/bin/python3
"""echo_client.py - check an echo server: UDP round trips, one large TCP
transfer, and N concurrent TCP clients each getting its own bytes back.
usage: echo_client.py HOST PORT [CLIENTS]"""
import asyncio, os, socket, sys

host, port = sys.argv[1], int(sys.argv[2])
clients = int(sys.argv[3]) if len(sys.argv) > 3 else 100

def udp_round_trips(n=50):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    for i in range(n):
        msg = os.urandom(1 + i * 20)
        s.sendto(msg, (host, port))
        data, _ = s.recvfrom(65536)
        assert data == msg, f"udp datagram {i} came back different"
    print(f"udp: {n} round trips ok")

async def tcp_client(i, size):
    r, w = await asyncio.open_connection(host, port)
    payload = os.urandom(size) + f"client-{i}".encode()
    w.write(payload)
    await w.drain()
    got = await asyncio.wait_for(r.readexactly(len(payload)), 30)
    assert got == payload, f"client {i} got someone else's bytes"
    w.close()
    await w.wait_closed()

async def main():
    await tcp_client(-1, 4 * 1024 * 1024)
    print("tcp: 4 MiB echoed ok")
    await asyncio.wait_for(asyncio.gather(*(tcp_client(i, 1000 + 37 * i) for i in range(clients))), 60)
    print(f"tcp: {clients} concurrent clients ok")

udp_round_trips()
asyncio.run(main())
