#!/usr/bin/python3
"""gen-zone.py - write the benchmark zone and a dnsperf query file.

usage: gen-zone.py N DIR
DIR/bench.test.zone: N host names (A; every 4th also AAAA; every 10th MX).
DIR/queries: 50 000 queries: 75% A, 10% AAAA, 5% MX, 10% NXDOMAIN, random
names, the same for the same N (seeded)."""
import random
import sys

n, d = int(sys.argv[1]), sys.argv[2]
random.seed(n)
with open(d + '/bench.test.zone', 'w') as z:
    z.write('$ORIGIN bench.test.\n$TTL 3600\n@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n'
            '@ NS ns1\n@ NS ns2\nns1 A 192.0.2.1\nns2 A 192.0.2.2\n')
    for i in range(n):
        z.write('host%d A 10.%d.%d.%d\n' % (i, i >> 16 & 255, i >> 8 & 255, i & 255))
        if i % 4 == 0:
            z.write('host%d AAAA 2001:db8::%x\n' % (i, i))
        if i % 10 == 0:
            z.write('host%d MX 10 host%d\n' % (i, (i + 1) % n))
with open(d + '/queries', 'w') as q:
    for _ in range(50000):
        i = random.randrange(n)
        r = random.random()
        if r < 0.1:
            q.write('nx%d.bench.test A\n' % i)
        elif r < 0.2:
            q.write('host%d.bench.test AAAA\n' % i)
        elif r < 0.25:
            q.write('host%d.bench.test MX\n' % (i - i % 10))
        else:
            q.write('host%d.bench.test A\n' % i)
