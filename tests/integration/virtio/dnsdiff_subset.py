"""dnsdiff_subset.py - a subset of the NSD differential queries
(tests/integration/dns/dnsdiff.py) over UDP: every malformed or special
query and every STRIDE-th normal one, sent to two servers and compared
field by field with dnsdiff's compare().  Guests are emulated on the test
machines, so the full set (about 5000) is left to the tap target's test.
Usage:
    dnsdiff_subset.py STRIDE REF_HOST:PORT TEST_HOST:PORT ZONEFILE...
Exit 0 when the test server answered everything the reference did, the
same."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'dns'))
import dnsdiff  # noqa: E402
import dnswire as w  # noqa: E402


def main():
    stride = int(sys.argv[1])
    ref, test = [(h, int(p)) for h, p in (a.split(':') for a in sys.argv[2:4])]
    normal = [q for q in dnsdiff.normal_queries(sys.argv[4:]) if not q[2]]
    special = [q for q in dnsdiff.special_queries() if not q[2]]
    queries = normal[::stride] + special
    ndiff = answered = 0
    for label, msg, _ in queries:
        a = w.ask(ref, msg, False, timeout=0.5)
        b = w.ask(test, msg, False, timeout=3)
        if b is None and a is not None:
            b = w.ask(test, msg, False, timeout=3)  # one retry: emulated guests are slow
        answered += a is not None
        d = dnsdiff.compare(a, b)
        if d:
            ndiff += 1
            print('DIFF %s' % label)
            for x in d:
                print('    ' + x)
    print('%d UDP queries (%d normal of %d, %d special), %d answered by the reference, %d differences' %
          (len(queries), len(normal[::stride]), len(normal), len(special), answered, ndiff))
    return 1 if ndiff or answered < len(queries) // 2 else 0


if __name__ == '__main__':
    sys.exit(main())
