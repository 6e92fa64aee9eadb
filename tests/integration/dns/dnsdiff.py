"""dnsdiff.py - send the same queries to two DNS servers and compare the
answers field by field: header flags, RCODE, counts, question, each
section as RRsets (owner, type, class) with their TTLs and RDATA, and the
EDNS OPT record.  Usage:
    dnsdiff.py REF_HOST:PORT TEST_HOST:PORT ZONEFILE...
Exit 0 when there is no difference, 1 otherwise."""
import os
import random
import re
import struct
import sys
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dnswire as w  # noqa: E402

random.seed(20261127)


def owners(path, origin=None, out=None, types=None, depth=0):
    """Owner names and record types of a master file (enough of the
    syntax for our zones: $ORIGIN, $INCLUDE, relative names, parentheses)."""
    if origin is None:
        origin = re.sub(r'\.(zone|db)$', '', os.path.basename(path)) + '.'
    names = [] if out is None else out
    types = set() if types is None else types
    depth_paren = 0
    for line in open(path):
        line = line.split(';')[0]
        toks = line.split()
        if depth_paren == 0 and toks:
            if toks[0].upper() == '$ORIGIN':
                origin = toks[1]
            elif toks[0].upper() == '$INCLUDE' and depth < 5:
                inc = os.path.join(os.path.dirname(path), toks[1])
                owners(inc, toks[2] if len(toks) > 2 else origin, names, types, depth + 1)
            elif not toks[0].startswith('$'):
                rest = toks if line[0].isspace() else toks[1:]
                if not line[0].isspace():
                    tok = toks[0]
                    n = origin if tok == '@' else tok if tok.endswith('.') else tok + '.' + origin
                    if n.lower() not in [x.lower() for x in names]:
                        names.append(n)
                for t in rest[:3]:
                    if t.upper() in w.TYPES:
                        types.add(w.TYPES[t.upper()])
                        break
                    if t.upper().startswith('TYPE') and t[4:].isdigit():
                        types.add(int(t[4:]))
                        break
        depth_paren += line.count('(') - line.count(')')
    return (names, types) if out is None else None


def mixcase(name):
    return ''.join(c.upper() if random.random() < 0.5 else c for c in name)


def query_names(zones):
    names = []
    for z in zones:
        own = owners(z)[0]
        names += own
        apex = own[0]
        for n in own:
            names.append('nx.' + n)             # NXDOMAIN / wildcard / below a cut
        names += ['a.b.nx.' + apex, '*.' + apex]
    names += ['www.example.net.', 'example.', 'com.', '.', 'sub.nx.w.example.com.',
              'deep.x.w.example.com.', 'x.cw.example.com.', 'nx.c.example.com.',
              'nothere.example.com.', 'ns.deleg.example.com.', 'a.ns.deleg.example.com.',
              'x.child.example.com.', 'a.occluded.deleg.example.com.']
    if any('dname.example' in z for z in zones):  # below the DNAMEs of corpus/dname.example.zone
        l63 = 'q' * 63
        names += ['a.b.org.dname.example.', 'www.org.dname.example.', 'inc.org.dname.example.',
                  'nx.org.dname.example.', 'x.out.dname.example.', 'a.in.dname.example.',
                  'a.b.in.dname.example.', 'x.tocname.dname.example.', 'x.both.dname.example.',
                  'x.loop.dname.example.', 'x.chain1.dname.example.', 'x.generic.dname.example.',
                  'x.long.dname.example.', '%s.%s.long.dname.example.' % (l63, l63),
                  'x.deleg.dname.example.', 'x.viacname.dname.example.']
    return names


QTYPES = ['A', 'AAAA', 'NS', 'MX', 'TXT', 'SOA', 'CNAME', 'SRV', 'PTR', 'CAA', 65280, 731,
          'ANY', 'DS', 'DNSKEY', 99]

# (label, how to build the query, transport)
VARIANTS = [
    ('udp', dict(), False),
    ('udp-edns-do-rd', dict(edns=1232, do=True, rd=True), False),
    ('udp-edns4096', dict(edns=4096), False),
    ('tcp', dict(rd=True), True),
    ('udp-edns512-cd-mixed', dict(edns=512, cd=True, mixed=True), False),
    ('tcp-edns-do', dict(edns=4096, do=True, mixed=True), True),
]


def zone_types(zones):
    """QTYPES plus every type the zones hold."""
    found = set()
    for z in zones:
        found |= owners(z)[1]
    if os.environ.get('DNSDIFF_QTYPES') == 'zone':  # only the zones' types, A and ANY
        return sorted(found | {1, 255})
    if os.environ.get('DNSDIFF_SKIP_XFR'):
        return [t for t in QTYPES if t != 'ANY'] + sorted(found - known_types())
    return QTYPES + sorted(found - known_types())


def known_types():
    return set(w.TYPES.get(t, t) if isinstance(t, str) else t for t in QTYPES)


def normal_queries(zones):
    out = []
    if os.environ.get('DNSDIFF_DO'):  # signed zones: DO in most variants
        global VARIANTS
        VARIANTS = [(l, dict(kw, do=True), t) if 'edns' in kw else (l, kw, t) for l, kw, t in VARIANTS]
    qtypes = zone_types(zones)
    for i, name in enumerate(query_names(zones)):
        for j, t in enumerate(qtypes):
            picks = [0, 1, 2 + (i + j) % (len(VARIANTS) - 2)]
            for v in picks:
                label, kw, tcp = VARIANTS[v]
                kw = dict(kw)
                n = mixcase(name) if kw.pop('mixed', False) else name
                out.append(('%s %s %s' % (n, t, label), w.query(n, t, **kw), tcp))
    return out


def raw(qid, flags, counts, body):
    return struct.pack('!HHHHHH', qid, flags, *counts) + body


def special_queries():
    q = w.query
    wire = w.name_to_wire('www.example.com.')
    qs = struct.pack('!HH', 1, 1)
    opt = b'\0' + struct.pack('!HHBBHH', 41, 1232, 0, 0, 0, 0)
    out = [
        ('class CH', q('version.bind.', 'TXT', qclass=3), False),
        ('class CH edns', q('www.example.com.', 'A', qclass=3, edns=1232), False),
        ('class HS', q('www.example.com.', 'A', qclass=4), False),
        ('class HS edns', q('www.example.com.', 'A', qclass=4, edns=1232), False),
        ('class ANY', q('www.example.com.', 'A', qclass=255), False),
        ('class ANY nx', q('nx.c.example.com.', 'A', qclass=255), False),
        ('class ANY nodata', q('ns1.example.com.', 'MX', qclass=255), False),
        ('class ANY referral', q('x.deleg.example.com.', 'A', qclass=255), False),
        ('opcode IQUERY', q('www.example.com.', 'A', opcode=1), False),
        ('opcode STATUS', q('www.example.com.', 'A', opcode=2), False),
        ('opcode NOTIFY apex', q('example.com.', 'SOA', opcode=4), False),
        ('opcode NOTIFY other', q('www.example.com.', 'SOA', opcode=4), False),
        ('opcode UPDATE', q('example.com.', 'SOA', opcode=5), False),
        ('opcode 15', q('example.com.', 'SOA', opcode=15, rd=True), False),
        ('edns version 1', q('www.example.com.', 'A', edns=1232, ednsver=1), False),
        ('edns version 1 do', q('www.example.com.', 'A', edns=1232, ednsver=1, do=True), False),
        ('edns nsid option', q('www.example.com.', 'A', edns=1232, options=b'\x00\x03\x00\x00'), False),
        ('edns bad option len', q('www.example.com.', 'A', edns=1232, options=b'\x00\x03\x00\x09'), False),
        ('edns size 100', q('big.example.com.', 'A', edns=100), False),
        ('edns size 600 bigtxt', q('bigtxt.example.com.', 'TXT', edns=600), False),
        ('edns size 1232 bigtxt', q('bigtxt.example.com.', 'TXT', edns=1232), False),
        ('ad bit', q('www.example.com.', 'A', ad=True), False),
        ('tc bit', raw(7, 0x0200, (1, 0, 0, 0), wire + qs), False),
        ('aa+z bits', raw(8, 0x0440, (1, 0, 0, 0), wire + qs), False),
        ('rcode in query', raw(9, 0x0003, (1, 0, 0, 0), wire + qs), False),
        ('qdcount 0', raw(10, 0x0100, (0, 0, 0, 0), b''), False),
        ('qdcount 0 with opt', raw(11, 0x0100, (0, 0, 0, 1), opt), False),
        ('qdcount 2', raw(12, 0x0100, (2, 0, 0, 0), wire + qs + wire + qs), False),
        ('ancount 1', raw(13, 0, (1, 1, 0, 0), wire + qs + b'\xc0\x0c' + struct.pack('!HHIH', 1, 1, 0, 4) + b'1234'), False),
        ('arcount non-opt', raw(14, 0, (1, 0, 0, 1), wire + qs + b'\xc0\x0c' + struct.pack('!HHIH', 1, 1, 0, 4) + b'1234'), False),
        ('two opt', raw(15, 0, (1, 0, 0, 2), wire + qs + opt + opt), False),
        ('trailing garbage', raw(16, 0, (1, 0, 0, 0), wire + qs + b'garbage'), False),
        ('pointer in qname', raw(17, 0, (1, 0, 0, 0), b'\x03www\xc0\x0c' + qs), False),
        ('compression loop', raw(18, 0, (1, 0, 0, 0), b'\xc0\x0c' + qs), False),
        ('label 64', raw(19, 0, (1, 0, 0, 0), b'\x40' + b'a' * 64 + b'\0' + qs), False),
        ('name 256', raw(20, 0, (1, 0, 0, 0), (b'\x3f' + b'a' * 63) * 4 + b'\x02ab\0' + qs), False),
        ('name 255', raw(21, 0, (1, 0, 0, 0), (b'\x3f' + b'a' * 63) * 3 + b'\x3da' + b'a' * 60 + b'\0' + qs), False),
        ('truncated question', raw(22, 0, (1, 0, 0, 0), wire[:5]), False),
        ('no qtype', raw(23, 0, (1, 0, 0, 0), wire + b'\0'), False),
        ('qtype 0', q('www.example.com.', 0), False),
        ('axfr udp', q('example.com.', 'AXFR'), False),
        ('axfr tcp', q('example.com.', 'AXFR'), True),
        ('ixfr udp', q('example.com.', 'IXFR'), False),
        ('ixfr tcp edns', q('example.com.', 'IXFR', edns=1232), True),
        ('axfr udp edns', q('example.com.', 'AXFR', edns=1232, do=True), False),
        ('axfr tcp edns', q('example.com.', 'AXFR', edns=1232, do=True), True),
        ('ixfr udp edns', q('example.com.', 'IXFR', edns=1232), False),
        ('axfr other zone tcp', q('example.org.', 'AXFR', edns=1232), True),
        ('axfr www tcp', q('www.example.com.', 'AXFR'), True),
        ('ixfr www udp', q('www.example.com.', 'IXFR', edns=1232), False),
        ('axfr no zone tcp', q('example.net.', 'AXFR', edns=1232), True),
        ('opt not root', raw(24, 0, (1, 0, 0, 1), wire + qs + b'\x01a\0' + opt[1:]), False),
        ('bad opt rdlen', raw(25, 0, (1, 0, 0, 1), wire + qs + b'\0' + struct.pack('!HHBBHH', 41, 1232, 0, 0, 0, 50)), False),
        ('qr set', raw(26, 0x8000, (1, 0, 0, 0), wire + qs), False),
        ('header 11 bytes', raw(27, 0, (1, 0, 0, 0), b'')[:11], False),
        ('empty', b'', False),
        ('garbage', bytes(random.randrange(256) for _ in range(40)), False),
        ('tcp qdcount 2', raw(28, 0, (2, 0, 0, 0), wire + qs + wire + qs), True),
    ]
    return out


def rrsets(section):
    sets = {}
    for n, t, c, ttl, rd in section:
        sets.setdefault((n.lower(), t, c), []).append((ttl, rd))
    return {k: sorted(v) for k, v in sets.items()}


def compare(a, b):
    """List of differences between two responses (raw bytes or None)."""
    if a is None or b is None:
        return [] if a is b else ['reference %s, test %s' % ('dropped' if a is None else 'answered',
                                                             'dropped' if b is None else 'answered')]
    try:
        ra = w.parse(a)
    except w.Bad as e:
        return ['reference unparseable: %s' % e]
    try:
        rb = w.parse(b)
    except w.Bad as e:
        return ['test unparseable: %s' % e]
    diffs = []
    for k in ('flags', 'rcode', 'counts', 'question', 'opt'):
        if ra[k] != rb[k]:
            diffs.append('%s: %r != %r' % (k, ra[k], rb[k]))
    for i, sec in enumerate(('answer', 'authority', 'additional')):
        sa, sb = rrsets(ra['sections'][i]), rrsets(rb['sections'][i])
        if sa != sb:
            diffs.append('%s: %r != %r' % (sec, sa, sb))
    return diffs


def main():
    ref = sys.argv[1].split(':')
    test = sys.argv[2].split(':')
    ref, test = (ref[0], int(ref[1])), (test[0], int(test[1]))
    zones = sys.argv[3:]
    specials = special_queries()
    if os.environ.get('DNSDIFF_SKIP_XFR'):  # primary and secondary: transfers, NOTIFY and
        # the RRset ANY picks (RFC 8482 leaves it open; it follows storage order) differ
        specials = [x for x in specials if not x[0].startswith(('axfr', 'ixfr', 'opcode NOTIFY'))]
    queries = normal_queries(zones) + specials
    kinds = Counter()
    ndiff = 0
    for label, msg, tcp in queries:
        a = w.ask(ref, msg, tcp, timeout=0.5)
        b = w.ask(test, msg, tcp, timeout=0.5)
        d = compare(a, b)
        if a is not None:
            try:
                r = w.parse(a)
                kinds['rcode%d' % r['rcode']] += 1
                kinds['tc'] += bool(r['flags'] & 0x200)
            except w.Bad:
                pass
        else:
            kinds['dropped'] += 1
        if d:
            ndiff += 1
            print('DIFF %s%s' % (label, ' (tcp)' if tcp else ''))
            for x in d:
                print('    ' + x)
    print('%d queries (%s), %d differences' % (len(queries), ', '.join(
        '%s %d' % kv for kv in sorted(kinds.items())), ndiff))
    return 1 if ndiff else 0


if __name__ == '__main__':
    sys.exit(main())
