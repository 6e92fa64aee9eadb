"""dnsdiff_udp.py - the queries of tests/integration/dns/dnsdiff.py that go
over UDP, sent to two servers and compared with its compare() (the tap
target's TCP is tested separately).  Usage:
    dnsdiff_udp.py REF_HOST:PORT TEST_HOST:PORT ZONEFILE...
Exit 0 when there is no difference."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'dns'))
import dnsdiff  # noqa: E402
import dnswire as w  # noqa: E402


def main():
    ref, test = [(h, int(p)) for h, p in (a.split(':') for a in sys.argv[1:3])]
    queries = [q for q in dnsdiff.normal_queries(sys.argv[3:]) + dnsdiff.special_queries() if not q[2]]
    ndiff = answered = 0
    for label, msg, _ in queries:
        a = w.ask(ref, msg, False, timeout=0.5)
        b = w.ask(test, msg, False, timeout=0.5)
        answered += a is not None
        d = dnsdiff.compare(a, b)
        if d:
            ndiff += 1
            print('DIFF %s' % label)
            for x in d:
                print('    ' + x)
    print('%d UDP queries, %d answered by the reference, %d differences' % (len(queries), answered, ndiff))
    return 1 if ndiff or answered < len(queries) // 2 else 0


if __name__ == '__main__':
    sys.exit(main())
