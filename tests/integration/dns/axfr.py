"""axfr.py - transfer a zone over TCP and print its records, one per line,
sorted (owner type ttl rdata), after checking that the transfer starts and
ends with the SOA. Usage: axfr.py HOST:PORT ZONE [SOURCE_IP]
Exit 2 when the transfer is refused or malformed."""
import os
import socket
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dnswire as w  # noqa: E402


def main():
    host, port = sys.argv[1].split(':')
    zone = sys.argv[2]
    s = socket.socket()
    if len(sys.argv) > 3:
        s.bind((sys.argv[3], 0))
    s.settimeout(5)
    s.connect((host, int(port)))
    q = w.query(zone, 'AXFR')
    s.sendall(struct.pack('!H', len(q)) + q)
    rrs, soas, msgs = [], 0, 0
    while soas < 2:
        r = w.parse(w.read_tcp(s))
        msgs += 1
        if r['rcode'] != 0:
            print('rcode %d' % r['rcode'])
            return 2
        for n, t, c, ttl, rd in r['sections'][0]:
            if t == 6:
                soas += 1
                if (soas == 1) != (not rrs):
                    print('SOA not first')
                    return 2
            rrs.append((n.lower(), t, ttl, rd))
    if rrs[-1][1] != 6:
        print('SOA not last')
        return 2
    for rr in sorted(set(rrs[:-1])):
        print('%s %d %d %s' % rr)
    print('; %d records in %d messages' % (len(rrs), msgs), file=sys.stderr)
    return 0


if __name__ == '__main__':
    sys.exit(main())
