"""robust.py - malformed queries and TCP behaviour against a running
apps/dns: every bad message is answered FORMERR (or NOTIMP) or dropped,
and a good query right after it is still answered. Also: several queries
on one TCP connection, split writes, bad TCP lengths, the idle timeout.
Usage: robust.py PORT IDLE_SECONDS; prints the expected minimum counters."""
import os
import random
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dnswire as w  # noqa: E402

PORT = int(sys.argv[1])
IDLE = float(sys.argv[2])
ADDR = ('127.0.0.1', PORT)
random.seed(7)
fails = []


def check(cond, what):
    if not cond:
        fails.append(what)
        print('FAIL: ' + what)


def still_answers(after):
    r = w.ask(ADDR, w.query('www.example.com.', 'A'), timeout=1)
    check(r is not None and w.parse(r)['rcode'] == 0, 'no answer after ' + after)


def hdr(qid, flags, qd, an=0, ns=0, ar=0):
    return struct.pack('!HHHHHH', qid, flags, qd, an, ns, ar)


WIRE = w.name_to_wire('www.example.com.') + struct.pack('!HH', 1, 1)
bad = [
    ('empty datagram', b'', None),
    ('truncated header', b'\x12\x34\x01', None),
    ('11-byte header', hdr(1, 0, 1)[:11], None),
    ('response (QR set)', hdr(2, 0x8000, 1) + WIRE, None),
    ('qdcount 0', hdr(3, 0, 0), 1),
    ('qdcount 2', hdr(4, 0, 2) + WIRE + WIRE, 1),
    ('compression loop', hdr(5, 0, 1) + b'\xc0\x0c' + struct.pack('!HH', 1, 1), 1),
    ('forward pointer', hdr(6, 0, 1) + b'\xc0\x20' + struct.pack('!HH', 1, 1) + b'\0' * 20, 1),
    ('long label', hdr(7, 0, 1) + b'\x40' + b'a' * 64 + b'\0' + struct.pack('!HH', 1, 1), 1),
    ('counts beyond data', hdr(8, 0, 1, 0, 0, 3) + WIRE, 1),
    ('ancount without data', hdr(9, 0, 1, 2) + WIRE, 1),
    ('name past end', hdr(10, 0, 1) + b'\x05ab', 1),
    ('opcode 9', hdr(11, 9 << 11, 1) + WIRE, 4),
]
expect_dropped, expect_formerr = 0, 0
for label, msg, rcode in bad:
    r = w.ask(ADDR, msg, timeout=0.3)
    if rcode is None:
        check(r is None, '%s: answered, expected a drop' % label)
        expect_dropped += 1
    else:
        check(r is not None and (w.parse(r)['rcode'] == rcode), '%s: expected rcode %d' % (label, rcode))
        expect_formerr += rcode == 1
    still_answers(label)
for i in range(200):                    # random garbage: FORMERR or dropped
    msg = bytes(random.randrange(256) for _ in range(random.randrange(0, 80)))
    r = w.ask(ADDR, msg, timeout=0.05)
    if r is not None:
        check(w.parse(r)['rcode'] in (0, 1, 2, 3, 4, 5, 9), 'garbage %d: odd answer' % i)
still_answers('garbage')

# TCP: three queries in one write, answered in order; then one split in bytes
s = socket.create_connection(ADDR, timeout=3)
qs = [w.query(n, 'A', qid=100 + i) for i, n in enumerate(['www.example.com.', 'nx.c.example.com.', 'mail.example.com.'])]
s.sendall(b''.join(struct.pack('!H', len(q)) + q for q in qs))
ids = [w.parse(w.read_tcp(s))['id'] for _ in qs]
check(ids == [100, 101, 102], 'pipelined TCP answers out of order: %r' % ids)
q = w.query('web.example.com.', 'A', qid=200)
for b in struct.pack('!H', len(q)) + q:
    s.sendall(bytes([b]))
    time.sleep(0.001)
check(w.parse(w.read_tcp(s))['id'] == 200, 'byte-by-byte TCP query')
s.close()

# TCP lengths no query can have: the connection is closed (and counted)
for n, label in ((5, 'length 5'), (0, 'length 0'), (60000, 'length 60000')):
    s = socket.create_connection(ADDR, timeout=3)
    s.sendall(struct.pack('!H', n) + b'x' * min(n, 100))
    try:
        closed = s.recv(10) == b''
    except ConnectionResetError:
        closed = True
    check(closed, 'TCP %s did not close the connection' % label)
    s.close()
    expect_dropped += 1
still_answers('bad TCP lengths')

# More connections than --tcp-max=8: the extra ones are reset, the
# others keep working
time.sleep(0.5)      # earlier connections are gone
conns = []
for _ in range(12):
    try:
        conns.append(socket.create_connection(ADDR, timeout=3))
    except OSError:
        conns.append(None)  # reset while connecting: refused
time.sleep(0.3)
served = 0
for i, s in enumerate(conns):
    if s is None:
        continue
    try:
        q = w.query('www.example.com.', 'A', qid=300 + i)
        s.sendall(struct.pack('!H', len(q)) + q)
        served += w.parse(w.read_tcp(s))['id'] == 300 + i
    except (ConnectionError, socket.timeout, OSError):
        pass
    s.close()
check(served == 8, 'with --tcp-max=8, %d of 12 connections were served' % served)
time.sleep(0.2)
still_answers('too many TCP connections')

# Idle connections are closed after --tcp-idle seconds
s = socket.create_connection(ADDR, timeout=IDLE + 3)
t0 = time.time()
try:
    data = s.recv(10)
except ConnectionResetError:
    data = b''
took = time.time() - t0
check(data == b'' and IDLE * 0.8 <= took <= IDLE + 2, 'idle connection closed after %.1fs' % took)
s.close()
# A half-sent query also times out, and the server goes on answering
s = socket.create_connection(ADDR, timeout=IDLE + 3)
s.sendall(b'\x00\x30\x12')
try:
    data = s.recv(10)
except ConnectionResetError:
    data = b''
check(data == b'', 'partial TCP query not timed out')
s.close()
still_answers('idle timeouts')
print('expect dropped>=%d formerr>=%d' % (expect_dropped, expect_formerr))
sys.exit(1 if fails else 0)
