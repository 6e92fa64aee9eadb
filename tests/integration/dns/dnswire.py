"""dnswire.py - a small DNS message builder/parser for the tests (no
dependencies beyond the standard library), and a UDP/TCP client."""
import random
import socket
import struct

TYPES = {'A': 1, 'NS': 2, 'MD': 3, 'MF': 4, 'CNAME': 5, 'SOA': 6, 'MB': 7, 'MG': 8, 'MR': 9,
         'NULL': 10, 'WKS': 11, 'PTR': 12, 'HINFO': 13, 'MINFO': 14, 'MX': 15, 'TXT': 16,
         'RP': 17, 'AFSDB': 18, 'X25': 19, 'ISDN': 20, 'RT': 21, 'NSAP': 22, 'SIG': 24,
         'KEY': 25, 'PX': 26, 'AAAA': 28, 'LOC': 29, 'NXT': 30, 'SRV': 33, 'NAPTR': 35,
         'KX': 36, 'CERT': 37, 'DNAME': 39, 'OPT': 41, 'APL': 42, 'DS': 43, 'SSHFP': 44,
         'IPSECKEY': 45, 'RRSIG': 46, 'NSEC': 47, 'DNSKEY': 48, 'DHCID': 49, 'NSEC3': 50,
         'NSEC3PARAM': 51, 'TLSA': 52, 'SMIMEA': 53, 'CDS': 59, 'CDNSKEY': 60,
         'OPENPGPKEY': 61, 'CSYNC': 62, 'ZONEMD': 63, 'SVCB': 64, 'HTTPS': 65, 'SPF': 99,
         'NID': 104, 'L32': 105, 'L64': 106, 'LP': 107, 'EUI48': 108, 'EUI64': 109,
         'IXFR': 251, 'AXFR': 252, 'MAILB': 253, 'MAILA': 254, 'ANY': 255, 'URI': 256,
         'CAA': 257, 'AVC': 258, 'DLV': 32769}
TYPE_NAMES = {v: k for k, v in TYPES.items()}
# RDATA layouts: which parts are domain names (compared case-insensitively),
# 16/32-bit numbers and character strings; other RDATA is compared as hex
NAME_RDATA = {2: 'n', 3: 'n', 4: 'n', 5: 'n', 7: 'n', 8: 'n', 9: 'n', 12: 'n', 14: 'nn',
              15: 'Hn', 6: 'nnIIIII', 17: 'nn', 18: 'Hn', 21: 'Hn', 26: 'Hnn', 33: 'HHHn',
              35: 'HHsssn', 36: 'Hn', 39: 'n', 107: 'Hn'}


def name_to_wire(name):
    if name in ('.', ''):
        return b'\0'
    out = b''
    for label in name.rstrip('.').split('.'):
        lb = label.encode()
        out += bytes([len(lb)]) + lb
    return out + b'\0'


def query(name, qtype, qid=None, rd=False, edns=None, do=False, qclass=1, opcode=0,
          cd=False, ad=False, ednsver=0, options=b''):
    qid = random.randrange(65536) if qid is None else qid
    flags = (opcode << 11) | (0x100 if rd else 0) | (0x10 if cd else 0) | (0x20 if ad else 0)
    t = TYPES.get(qtype, qtype) if isinstance(qtype, str) else qtype
    msg = struct.pack('!HHHHHH', qid, flags, 1, 0, 0, 1 if edns else 0)
    msg += (name_to_wire(name) if isinstance(name, str) else name) + struct.pack('!HH', t, qclass)
    if edns:
        msg += b'\0' + struct.pack('!HHBBHH', 41, edns, 0, ednsver, 0x8000 if do else 0,
                                   len(options)) + options
    return msg


class Bad(Exception):
    pass


def read_name(msg, off):
    labels, jumps, end = [], 0, None
    while True:
        if off >= len(msg):
            raise Bad('name past end')
        c = msg[off]
        if c & 0xc0 == 0xc0:
            if off + 1 >= len(msg):
                raise Bad('pointer past end')
            ptr = ((c & 0x3f) << 8) | msg[off + 1]
            if end is None:
                end = off + 2
            jumps += 1
            if jumps > 64 or ptr >= off:
                raise Bad('bad pointer')
            off = ptr
            continue
        if c & 0xc0:
            raise Bad('bad label type')
        off += 1
        if c == 0:
            break
        labels.append(msg[off:off + c])
        off += c
    return b'.'.join(labels).decode('latin1') + '.', (end if end is not None else off)


def parse_rdata(msg, off, rdlen, rtype):
    layout = NAME_RDATA.get(rtype)
    if not layout:
        return msg[off:off + rdlen].hex()
    parts, p = [], off
    for ch in layout:
        if ch == 'n':
            n, p = read_name(msg, p)
            parts.append(n.lower())
        elif ch == 'H':
            parts.append(str(struct.unpack_from('!H', msg, p)[0]))
            p += 2
        elif ch == 's':
            parts.append(msg[p + 1:p + 1 + msg[p]].hex())
            p += 1 + msg[p]
        else:
            parts.append(str(struct.unpack_from('!I', msg, p)[0]))
            p += 4
    if p != off + rdlen:
        raise Bad('rdata length mismatch')
    return ' '.join(parts)


def parse(msg):
    """Parse a response into a dict; raise Bad on malformed input."""
    if len(msg) < 12:
        raise Bad('short')
    qid, flags, qd, an, ns, ar = struct.unpack_from('!HHHHHH', msg, 0)
    r = {'id': qid, 'flags': flags & 0xfff0, 'rcode': flags & 0xf, 'counts': (qd, an, ns, ar),
         'question': [], 'sections': [[], [], []], 'opt': None, 'size': len(msg)}
    off = 12
    for _ in range(qd):
        n, off = read_name(msg, off)
        t, c = struct.unpack_from('!HH', msg, off)
        off += 4
        r['question'].append((n, t, c))
    for si, cnt in enumerate((an, ns, ar)):
        for _ in range(cnt):
            n, off = read_name(msg, off)
            if off + 10 > len(msg):
                raise Bad('rr header past end')
            t, c, ttl, rdlen = struct.unpack_from('!HHIH', msg, off)
            off += 10
            if off + rdlen > len(msg):
                raise Bad('rdata past end')
            if t == 41:
                r['opt'] = {'size': c, 'ext_rcode': ttl >> 24, 'version': (ttl >> 16) & 255,
                            'do': bool(ttl & 0x8000), 'options': msg[off:off + rdlen].hex(),
                            'owner': n}
            else:
                r['sections'][si].append((n, t, c, ttl, parse_rdata(msg, off, rdlen, t)))
            off += rdlen
    if off != len(msg):
        raise Bad('trailing bytes')
    return r


def ask(addr, msg, tcp=False, timeout=1.0):
    """Send one query; the raw response, or None on timeout."""
    if tcp:
        s = socket.create_connection(addr, timeout=timeout)
        try:
            s.sendall(struct.pack('!H', len(msg)) + msg)
            return read_tcp(s)
        except (socket.timeout, ConnectionError):
            return None
        finally:
            s.close()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    try:
        s.sendto(msg, addr)
        while True:
            data, _ = s.recvfrom(65535)
            if len(data) >= 2 and len(msg) >= 2 and data[:2] != msg[:2]:
                continue
            return data
    except socket.timeout:
        return None
    finally:
        s.close()


def read_exact(s, n):
    buf = b''
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise ConnectionError('closed')
        buf += chunk
    return buf


def read_tcp(s):
    n = struct.unpack('!H', read_exact(s, 2))[0]
    return read_exact(s, n)
