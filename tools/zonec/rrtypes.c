/* rrtypes.c - the RR types zonec knows by name (those NSD 4.6 knows), the
 * kinds of their RDATA fields, and the wire check of a known type given
 * in RFC 3597 "\#" form: it must have the type's layout, so that it means
 * exactly what the type means (a DNAME in \# form is a DNAME). */
#include "rdata.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* the field kinds of a type; the rest of the array is ZK_END */
#define F(...)              \
	{                   \
		__VA_ARGS__ \
	}

static const struct rrtype types[] = {
    {"A", 1, F(ZK_A)},
    {"NS", 2, F(ZK_NAME)},
    {"MD", 3, F(ZK_NAME)},
    {"MF", 4, F(ZK_NAME)},
    {"CNAME", 5, F(ZK_NAME)},
    {"SOA", 6, F(ZK_NAME, ZK_NAME, ZK_SERIAL, ZK_PERIOD, ZK_PERIOD, ZK_PERIOD, ZK_PERIOD)},
    {"MB", 7, F(ZK_NAME)},
    {"MG", 8, F(ZK_NAME)},
    {"MR", 9, F(ZK_NAME)},
    {"NULL", 10, F(ZK_NULL)},
    {"WKS", 11, F(ZK_A, ZK_WKS)},
    {"PTR", 12, F(ZK_NAME)},
    {"HINFO", 13, F(ZK_STR, ZK_STR)},
    {"MINFO", 14, F(ZK_NAME, ZK_NAME)},
    {"MX", 15, F(ZK_U16, ZK_NAME)},
    {"TXT", 16, F(ZK_STRS)},
    {"RP", 17, F(ZK_NAME, ZK_NAME)},
    {"AFSDB", 18, F(ZK_U16, ZK_NAME)},
    {"X25", 19, F(ZK_STR)},
    {"ISDN", 20, F(ZK_STR, ZK_STR_OPT)},
    {"RT", 21, F(ZK_U16, ZK_NAME)},
    {"NSAP", 22, F(ZK_NSAP)},
    {"SIG", 24, F(ZK_TYPE, ZK_ALG, ZK_U8, ZK_PERIOD, ZK_TIME, ZK_TIME, ZK_U16, ZK_NAME, ZK_B64)},
    {"KEY", 25, F(ZK_U16, ZK_U8, ZK_ALG, ZK_B64)},
    {"PX", 26, F(ZK_U16, ZK_NAME, ZK_NAME)},
    {"AAAA", 28, F(ZK_AAAA)},
    {"LOC", 29, F(ZK_LOC)},
    {"NXT", 30, F(ZK_NAME, ZK_NXT)},
    {"SRV", 33, F(ZK_U16, ZK_U16, ZK_U16, ZK_NAME)},
    {"NAPTR", 35, F(ZK_U16, ZK_U16, ZK_STR, ZK_STR, ZK_STR, ZK_NAME)},
    {"KX", 36, F(ZK_U16, ZK_NAME)},
    {"CERT", 37, F(ZK_CERT, ZK_U16, ZK_ALG, ZK_B64)},
    {"DNAME", 39, F(ZK_NAME)},
    {"OPT", 41, F(ZK_NULL)},
    {"APL", 42, F(ZK_APL)},
    {"DS", 43, F(ZK_U16, ZK_ALG, ZK_U8, ZK_HEX)},
    {"SSHFP", 44, F(ZK_U8, ZK_U8, ZK_HEX)},
    {"IPSECKEY", 45, F(ZK_U8, ZK_U8, ZK_U8, ZK_GATEWAY, ZK_B64_OPT)},
    {"RRSIG", 46, F(ZK_TYPE, ZK_ALG, ZK_U8, ZK_PERIOD, ZK_TIME, ZK_TIME, ZK_U16, ZK_NAME, ZK_B64)},
    {"NSEC", 47, F(ZK_NAME, ZK_BITMAP)},
    {"DNSKEY", 48, F(ZK_U16, ZK_U8, ZK_ALG, ZK_B64)},
    {"DHCID", 49, F(ZK_B64)},
    {"NSEC3", 50, F(ZK_U8, ZK_U8, ZK_U16, ZK_SALT, ZK_B32, ZK_BITMAP)},
    {"NSEC3PARAM", 51, F(ZK_U8, ZK_U8, ZK_U16, ZK_SALT)},
    {"TLSA", 52, F(ZK_U8, ZK_U8, ZK_U8, ZK_HEX)},
    {"SMIMEA", 53, F(ZK_U8, ZK_U8, ZK_U8, ZK_HEX)},
    {"CDS", 59, F(ZK_U16, ZK_ALG, ZK_U8, ZK_HEX)},
    {"CDNSKEY", 60, F(ZK_U16, ZK_U8, ZK_ALG, ZK_B64)},
    {"OPENPGPKEY", 61, F(ZK_B64)},
    {"CSYNC", 62, F(ZK_U32, ZK_U16, ZK_BITMAP)},
    {"ZONEMD", 63, F(ZK_U32, ZK_U8, ZK_U8, ZK_HEX)},
    {"SVCB", 64, F(ZK_U16, ZK_NAME, ZK_SVCPARAMS)},
    {"HTTPS", 65, F(ZK_U16, ZK_NAME, ZK_SVCPARAMS)},
    {"SPF", 99, F(ZK_STRS)},
    {"NID", 104, F(ZK_U16, ZK_ILNP64)},
    {"L32", 105, F(ZK_U16, ZK_A)},
    {"L64", 106, F(ZK_U16, ZK_ILNP64)},
    {"LP", 107, F(ZK_U16, ZK_NAME)},
    {"EUI48", 108, F(ZK_EUI48)},
    {"EUI64", 109, F(ZK_EUI64)},
    {"URI", 256, F(ZK_U16, ZK_U16, ZK_LONGSTR)},
    {"CAA", 257, F(ZK_U8, ZK_TAG, ZK_LONGSTR)},
    {"AVC", 258, F(ZK_STRS)},
    {"DLV", 32769, F(ZK_U16, ZK_ALG, ZK_U8, ZK_HEX)},
};

#define NTYPES (sizeof(types) / sizeof(types[0]))

const struct rrtype *rrtype_by_type(uint16_t type)
{
	for (size_t i = 0; i < NTYPES; i++)
		if (types[i].type == type)
			return &types[i];
	return NULL;
}

const struct rrtype *rrtype_by_name(const char *name)
{
	for (size_t i = 0; i < NTYPES; i++)
		if (strcasecmp(types[i].name, name) == 0)
			return &types[i];
	return NULL;
}

int rrtype_from_text(const char *s, size_t n)
{
	char b[32];
	if (n == 0 || n >= sizeof(b))
		return -1;
	memcpy(b, s, n);
	b[n] = 0;
	const struct rrtype *t = rrtype_by_name(b);
	if (t)
		return t->type;
	if (n < 5 || strncasecmp(b, "TYPE", 4) != 0)
		return -1;
	unsigned long v = 0;
	for (size_t i = 4; i < n; i++) {
		if (!isdigit((unsigned char)b[i]))
			return -1;
		v = v * 10 + (unsigned long)(b[i] - '0');
		if (v > 65535)
			return -1;
	}
	return v == 0 ? -1 : (int)v;
}

const char *rrtype_name(uint16_t type, char *buf, size_t size)
{
	const struct rrtype *t = rrtype_by_type(type);
	if (t)
		snprintf(buf, size, "%s", t->name);
	else
		snprintf(buf, size, "TYPE%u", type);
	return buf;
}

/* ---- wire layout of \# data ---- */

static bool optional_kind(uint8_t k)
{
	return k == ZK_STR_OPT || k == ZK_B64_OPT || k == ZK_APL;
}

/* Length of the field of kind k at p (n bytes left), or -1. `gw` is the
 * IPSECKEY gateway type read earlier. */
static long wire_field(uint8_t k, const uint8_t *p, size_t n, unsigned gw)
{
	switch (k) {
	case ZK_NAME: return mica_dns_name_len(p, n);
	case ZK_U8:
	case ZK_ALG: return n >= 1 ? 1 : -1;
	case ZK_U16:
	case ZK_TYPE:
	case ZK_CERT: return n >= 2 ? 2 : -1;
	case ZK_U32:
	case ZK_SERIAL:
	case ZK_PERIOD:
	case ZK_TIME:
	case ZK_A: return n >= 4 ? 4 : -1;
	case ZK_AAAA: return n >= 16 ? 16 : -1;
	case ZK_EUI48: return n >= 6 ? 6 : -1;
	case ZK_EUI64:
	case ZK_ILNP64: return n >= 8 ? 8 : -1;
	case ZK_STR:
	case ZK_STR_OPT:
	case ZK_TAG:
	case ZK_SALT:
	case ZK_B32: return n >= 1 && (size_t)p[0] + 1 <= n ? p[0] + 1 : -1;
	case ZK_APL: return n >= 4 && 4u + (p[3] & 0x7fu) <= n ? 4 + (p[3] & 0x7f) : -1;
	case ZK_SVCPARAMS:
		return n >= 4 && 4u + (size_t)(p[2] << 8 | p[3]) <= n ? 4 + (p[2] << 8 | p[3]) : -1;
	case ZK_GATEWAY:
		switch (gw) {
		case 1: return n >= 4 ? 4 : -1;
		case 2: return n >= 16 ? 16 : -1;
		case 3: return mica_dns_name_len(p, n);
		default: return 0;
		}
	default: return (long)n; /* the rest */
	}
}

bool rrtype_wire_ok(const struct rrtype *t, const uint8_t *p, size_t n)
{
	size_t o = 0;
	unsigned gw = 0;
	for (int i = 0; i < ZRR_MAX_FIELDS && t->kinds[i] != ZK_END; i++) {
		uint8_t k = t->kinds[i];
		bool repeat = k == ZK_APL || k == ZK_SVCPARAMS;
		do {
			if (o == n && (optional_kind(k) || repeat))
				break;
			long l = wire_field(k, p + o, n - o, gw);
			if (l < 0)
				return false;
			if (i == 1 && t->type == 45)
				gw = p[o];
			o += (size_t)l;
		} while (repeat && o < n);
	}
	return o == n;
}

/* RFC 4034 6.2 (as amended by RFC 6840 5.1): the types whose RDATA names
 * are lower case in canonical form. */
static bool canonical_lowercase(uint16_t t)
{
	switch (t) {
	case 2:
	case 3:
	case 4:
	case 5:
	case 6:
	case 7:
	case 8:
	case 9:
	case 12:
	case 14:
	case 15:
	case 17:
	case 18:
	case 21:
	case 24:
	case 26:
	case 30:
	case 33:
	case 35:
	case 36:
	case 38:
	case 39:
	case 46: return true;
	default: return false;
	}
}

void rrtype_canonical(uint16_t type, uint8_t *p, size_t n)
{
	const struct rrtype *t = rrtype_by_type(type);
	if (!t || !canonical_lowercase(type) || !rrtype_wire_ok(t, p, n))
		return;
	size_t o = 0;
	for (int i = 0; i < ZRR_MAX_FIELDS && t->kinds[i] != ZK_END && o < n; i++) {
		long l = wire_field(t->kinds[i], p + o, n - o, 0);
		if (l < 0)
			return;
		if (t->kinds[i] == ZK_NAME)
			mica_dns_name_lower(p + o, p + o, (size_t)l);
		o += (size_t)l;
	}
}
