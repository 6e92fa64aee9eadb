/* rdata.c - RDATA in presentation form to wire form, field by field as
 * the type table says (rrtypes.c): names, numbers (cut to their width as
 * NSD does), periods, times, algorithms, addresses, strings, hex, base64,
 * base32hex and the IPSECKEY gateway. The structured kinds (LOC, APL, WKS,
 * SvcParams, type bitmaps) are in rdata_more.c. */
#define _DEFAULT_SOURCE
#include "rdata.h"
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

void rd_put(struct rd *r, const void *p, size_t n)
{
	if (r->n + n > sizeof(r->buf)) {
		r->overflow = true;
		return;
	}
	memcpy(r->buf + r->n, p, n);
	r->n += n;
}

void rd_u8(struct rd *r, unsigned v)
{
	uint8_t b = (uint8_t)v;
	rd_put(r, &b, 1);
}

void rd_u16(struct rd *r, unsigned v)
{
	rd_u8(r, (v >> 8) & 0xff);
	rd_u8(r, v & 0xff);
}

void rd_u32(struct rd *r, uint32_t v)
{
	rd_u16(r, v >> 16);
	rd_u16(r, v & 0xffff);
}

void cerr(struct ctx *c, const char *fmt, ...)
{
	if (c->bad)
		return;
	va_list ap;
	va_start(ap, fmt);
	int line = c->i < c->n ? c->t[c->i].line : c->line;
	char tn[32];
	fprintf(c->zf->err, "%s:%d: ", c->path, line);
	vfprintf(c->zf->err, fmt, ap);
	fprintf(c->zf->err, " in %s RDATA\n", rrtype_name(c->type, tn, sizeof(tn)));
	va_end(ap);
	c->zf->nerrors++;
	c->bad = true;
}

void cwarn(struct ctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(c->zf->err, "%s:%d: warning: ", c->path, c->line);
	vfprintf(c->zf->err, fmt, ap);
	fputc('\n', c->zf->err);
	va_end(ap);
	c->zf->nwarnings++;
}

struct tok *field(struct ctx *c, const char *what)
{
	if (c->i >= c->n) {
		cerr(c, "missing %s", what);
		return NULL;
	}
	return &c->t[c->i++];
}

char *tokstr(const struct tok *t, char *buf, size_t size)
{
	size_t n = t->n < size - 1 ? t->n : size - 1;
	memcpy(buf, t->s, n);
	buf[n] = 0;
	return buf;
}

int unescape(const char *s, size_t n, uint8_t *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned ch = (unsigned char)s[i];
		if (ch == '\\') {
			if (i + 1 >= n)
				return -1;
			if (i + 3 < n && isdigit((unsigned char)s[i + 1]) &&
			    isdigit((unsigned char)s[i + 2]) && isdigit((unsigned char)s[i + 3])) {
				ch = (unsigned)((s[i + 1] - '0') * 100 + (s[i + 2] - '0') * 10 +
				                (s[i + 3] - '0'));
				if (ch > 255)
					return -1;
				i += 3;
			} else if (isdigit((unsigned char)s[i + 1])) {
				return -1;
			} else {
				ch = (unsigned char)s[++i];
			}
		}
		if (o >= cap)
			return -2;
		out[o++] = (uint8_t)ch;
	}
	return (int)o;
}

/* Report a bad field, naming it and its text. */
static void bad_field(struct ctx *c, const struct tok *t, const char *what)
{
	char b[300];
	c->i--;
	cerr(c, "bad %s '%s'", what, tokstr(t, b, sizeof(b)));
}

static void f_name(struct ctx *c, struct rd *r, const char *what)
{
	struct tok *t = field(c, what);
	if (!t)
		return;
	uint8_t name[MICA_DNS_NAME_MAX];
	int e = zname_from_text(t->s, t->n, c->origin, name);
	if (e < 0) {
		char b[300];
		c->i--;
		cerr(c, "%s in %s '%s'", zname_error(e), what, tokstr(t, b, sizeof(b)));
		return;
	}
	rd_put(r, name, (size_t)mica_dns_name_len(name, MICA_DNS_NAME_MAX));
}

/* A decimal number as NSD reads it (strtol, then cut to the width). */
static bool strtol_full(const struct tok *t, long *v)
{
	char b[64], *end;
	if (t->n >= sizeof(b))
		return false;
	tokstr(t, b, sizeof(b));
	*v = strtol(b, &end, 10);
	return *end == 0;
}

static void f_int(struct ctx *c, struct rd *r, int bytes, const char *what)
{
	struct tok *t = field(c, what);
	long v;
	if (!t)
		return;
	if (!strtol_full(t, &v)) {
		bad_field(c, t, what);
		return;
	}
	if (bytes == 1)
		rd_u8(r, (unsigned)v);
	else if (bytes == 2)
		rd_u16(r, (unsigned)v);
	else
		rd_u32(r, (uint32_t)v);
}

static void f_serial(struct ctx *c, struct rd *r)
{
	struct tok *t = field(c, "SOA serial");
	uint64_t v = 0;
	if (!t)
		return;
	bool ok = t->n > 0 && t->n <= 10;
	for (size_t i = 0; ok && i < t->n; i++) {
		ok = isdigit((unsigned char)t->s[i]);
		v = v * 10 + (uint64_t)(t->s[i] - '0');
	}
	if (!ok || v > 0xffffffffull) {
		bad_field(c, t, "SOA serial");
		return;
	}
	rd_u32(r, (uint32_t)v);
}

static void f_period(struct ctx *c, struct rd *r, const char *what)
{
	struct tok *t = field(c, what);
	uint32_t v;
	if (!t)
		return;
	if (!zparse_period(t->s, t->n, 0xffffffffull, &v)) {
		bad_field(c, t, what);
		return;
	}
	rd_u32(r, v);
}

static void f_time(struct ctx *c, struct rd *r)
{
	struct tok *t = field(c, "signature time (YYYYMMDDHHmmSS)");
	char b[64];
	struct tm tm;
	if (!t)
		return;
	memset(&tm, 0, sizeof(tm));
	if (t->n >= sizeof(b) || !strptime(tokstr(t, b, sizeof(b)), "%Y%m%d%H%M%S", &tm)) {
		bad_field(c, t, "signature time (YYYYMMDDHHmmSS)");
		return;
	}
	rd_u32(r, (uint32_t)timegm(&tm));
}

static void f_type(struct ctx *c, struct rd *r)
{
	struct tok *t = field(c, "covered type");
	if (!t)
		return;
	int type = rrtype_from_text(t->s, t->n);
	if (type < 0) {
		bad_field(c, t, "covered type");
		return;
	}
	rd_u16(r, (unsigned)type);
}

struct mnemonic {
	const char *name;
	unsigned value;
};

static const struct mnemonic algorithms[] = {
    {"RSAMD5", 1},
    {"DH", 2},
    {"DSA", 3},
    {"ECC", 4},
    {"RSASHA1", 5},
    {"DSA-NSEC3-SHA1", 6},
    {"RSASHA1-NSEC3-SHA1", 7},
    {"RSASHA256", 8},
    {"RSASHA512", 10},
    {"ECC-GOST", 12},
    {"ECDSAP256SHA256", 13},
    {"ECDSAP384SHA384", 14},
    {"ED25519", 15},
    {"ED448", 16},
    {"INDIRECT", 252},
    {"PRIVATEDNS", 253},
    {"PRIVATEOID", 254},
    {NULL, 0},
};

static const struct mnemonic cert_types[] = {
    {"PKIX", 1},   {"SPKI", 2},    {"PGP", 3},   {"IPKIX", 4}, {"ISPKI", 5}, {"IPGP", 6},
    {"ACPKIX", 7}, {"IACPKIX", 8}, {"URI", 253}, {"OID", 254}, {NULL, 0},
};

/* A mnemonic from the table, else a number (bytes wide). */
static void f_mnemonic(struct ctx *c, struct rd *r, const struct mnemonic *m, int bytes, const char *what)
{
	struct tok *t = field(c, what);
	char b[64];
	long v;
	if (!t)
		return;
	tokstr(t, b, sizeof(b));
	for (; m->name; m++) {
		if (strcasecmp(m->name, b) == 0) {
			if (bytes == 1)
				rd_u8(r, m->value);
			else
				rd_u16(r, m->value);
			return;
		}
	}
	if (!strtol_full(t, &v)) {
		bad_field(c, t, what);
		return;
	}
	if (bytes == 1)
		rd_u8(r, (unsigned)v);
	else
		rd_u16(r, (unsigned)v);
}

static void f_addr(struct ctx *c, struct rd *r, int af)
{
	const char *what = af == AF_INET ? "IPv4 address" : "IPv6 address";
	struct tok *t = field(c, what);
	char b[128];
	uint8_t a[16];
	if (!t)
		return;
	if (t->n >= sizeof(b) || inet_pton(af, tokstr(t, b, sizeof(b)), a) != 1) {
		bad_field(c, t, what);
		return;
	}
	rd_put(r, a, af == AF_INET ? 4 : 16);
}

static void f_string(struct ctx *c, struct rd *r, bool length_byte, const char *what)
{
	struct tok *t = field(c, what);
	if (!t)
		return;
	static uint8_t buf[65535];
	int n = unescape(t->s, t->n, buf, length_byte ? 255 : sizeof(buf));
	if (n < 0) {
		c->i--;
		cerr(c, n == -2 ? "%s longer than 255 bytes" : "bad escape in %s", what);
		return;
	}
	if (length_byte)
		rd_u8(r, (unsigned)n);
	rd_put(r, buf, (size_t)n);
}

static void f_tag(struct ctx *c, struct rd *r)
{
	struct tok *t = field(c, "CAA tag");
	if (!t)
		return;
	bool ok = t->n > 0 && t->n <= 255;
	for (size_t i = 0; ok && i < t->n; i++)
		ok = isalnum((unsigned char)t->s[i]);
	if (!ok) {
		bad_field(c, t, "CAA tag");
		return;
	}
	rd_u8(r, (unsigned)t->n);
	rd_put(r, t->s, t->n);
}

/* Hex, base64 or base32hex spread over the remaining tokens. */
enum enc { ENC_HEX, ENC_B64 };

static void f_encoded(struct ctx *c, struct rd *r, enum enc e, bool optional, const char *what)
{
	static char text[140000];
	static uint8_t bin[65536];
	if (c->i >= c->n) {
		if (!optional)
			cerr(c, "missing %s", what);
		return;
	}
	size_t n = join_rest(c, text, sizeof(text));
	int len =
	    e == ENC_HEX ? hex_decode(text, n, bin, sizeof(bin)) : b64_decode(text, n, bin, sizeof(bin));
	if (len < 0) {
		c->i = c->n - 1;
		cerr(c, "bad %s (%s)", what, e == ENC_HEX ? "hex digits in pairs" : "base64");
		return;
	}
	rd_put(r, bin, (size_t)len);
}

static void f_salt(struct ctx *c, struct rd *r)
{
	struct tok *t = field(c, "NSEC3 salt");
	uint8_t bin[255];
	if (!t)
		return;
	if (t->n == 1 && t->s[0] == '-') {
		rd_u8(r, 0);
		return;
	}
	int len = t->n <= 510 ? hex_decode(t->s, t->n, bin, sizeof(bin)) : -1;
	if (len < 0) {
		bad_field(c, t, "NSEC3 salt");
		return;
	}
	rd_u8(r, (unsigned)len);
	rd_put(r, bin, (size_t)len);
}

static void f_b32(struct ctx *c, struct rd *r)
{
	struct tok *t = field(c, "NSEC3 next hashed owner");
	uint8_t bin[255];
	if (!t)
		return;
	int len = b32hex_decode(t->s, t->n, bin, sizeof(bin));
	if (len < 0) {
		bad_field(c, t, "NSEC3 next hashed owner (base32hex)");
		return;
	}
	rd_u8(r, (unsigned)len);
	rd_put(r, bin, (size_t)len);
}

static void f_nsap(struct ctx *c, struct rd *r)
{
	struct tok *t = field(c, "NSAP address");
	char hex[600];
	size_t n = 0;
	uint8_t bin[300];
	if (!t)
		return;
	bool ok = t->n > 2 && t->s[0] == '0' && (t->s[1] == 'x' || t->s[1] == 'X');
	for (size_t i = 2; ok && i < t->n; i++)
		if (t->s[i] != '.' && n < sizeof(hex))
			hex[n++] = t->s[i];
	int len = ok ? hex_decode(hex, n, bin, sizeof(bin)) : -1;
	if (len <= 0) {
		bad_field(c, t, "NSAP address (0x and hex digits)");
		return;
	}
	rd_put(r, bin, (size_t)len);
}

/* groups of `digits` hex digits (exactly, or 1..digits when !exact)
 * separated by sep: EUI-48/64 (xx-xx-..), ILNP64 (xxxx:xxxx:xxxx:xxxx). */
static void f_groups(struct ctx *c, struct rd *r, int groups, int digits, char sep, bool exact,
                     const char *what)
{
	struct tok *t = field(c, what);
	if (!t)
		return;
	uint8_t out[8];
	size_t o = 0, i = 0;
	for (int g = 0; g < groups; g++) {
		unsigned v = 0;
		int d = 0;
		while (i < t->n && isxdigit((unsigned char)t->s[i]) && d < digits) {
			v = v * 16 + (unsigned)(isdigit((unsigned char)t->s[i])
			                            ? t->s[i] - '0'
			                            : (tolower((unsigned char)t->s[i]) - 'a' + 10));
			i++;
			d++;
		}
		bool sep_ok = g + 1 == groups ? i == t->n : i < t->n && t->s[i] == sep;
		if (d == 0 || (exact && d != digits) || !sep_ok) {
			bad_field(c, t, what);
			return;
		}
		if (g + 1 < groups)
			i++;
		if (digits == 2) {
			out[o++] = (uint8_t)v;
		} else {
			out[o++] = (uint8_t)(v >> 8);
			out[o++] = (uint8_t)v;
		}
	}
	rd_put(r, out, o);
}

static void f_gateway(struct ctx *c, struct rd *r)
{
	unsigned gw = r->n >= 2 ? r->buf[1] : 0;
	switch (gw) {
	case 0: field(c, "IPSECKEY gateway ('.')"); break; /* any text, as NSD */
	case 1: f_addr(c, r, AF_INET); break;
	case 2: f_addr(c, r, AF_INET6); break;
	case 3: f_name(c, r, "IPSECKEY gateway"); break;
	default: cerr(c, "unknown IPSECKEY gateway type %u", gw);
	}
}

static void field_of_kind(struct ctx *c, uint8_t k, struct rd *r)
{
	switch (k) {
	case ZK_NAME: f_name(c, r, "domain name"); break;
	case ZK_U8: f_int(c, r, 1, "number"); break;
	case ZK_U16: f_int(c, r, 2, "number"); break;
	case ZK_U32: f_int(c, r, 4, "number"); break;
	case ZK_SERIAL: f_serial(c, r); break;
	case ZK_PERIOD: f_period(c, r, "time value"); break;
	case ZK_TIME: f_time(c, r); break;
	case ZK_TYPE: f_type(c, r); break;
	case ZK_ALG: f_mnemonic(c, r, algorithms, 1, "algorithm"); break;
	case ZK_CERT: f_mnemonic(c, r, cert_types, 2, "certificate type"); break;
	case ZK_A: f_addr(c, r, AF_INET); break;
	case ZK_AAAA: f_addr(c, r, AF_INET6); break;
	case ZK_STR: f_string(c, r, true, "character string"); break;
	case ZK_STR_OPT:
		if (c->i < c->n)
			f_string(c, r, true, "character string");
		break;
	case ZK_STRS:
		do
			f_string(c, r, true, "character string");
		while (c->i < c->n && !c->bad);
		break;
	case ZK_LONGSTR: f_string(c, r, false, "string"); break;
	case ZK_TAG: f_tag(c, r); break;
	case ZK_HEX: f_encoded(c, r, ENC_HEX, false, "hex data"); break;
	case ZK_B64: f_encoded(c, r, ENC_B64, false, "base64 data"); break;
	case ZK_B64_OPT: f_encoded(c, r, ENC_B64, true, "base64 data"); break;
	case ZK_SALT: f_salt(c, r); break;
	case ZK_B32: f_b32(c, r); break;
	case ZK_BITMAP: rd_bitmap(c, r); break;
	case ZK_NXT: rd_nxt(c, r); break;
	case ZK_LOC: rd_loc(c, r); break;
	case ZK_APL: rd_apl(c, r); break;
	case ZK_WKS: rd_wks(c, r); break;
	case ZK_GATEWAY: f_gateway(c, r); break;
	case ZK_SVCPARAMS: rd_svcparams(c, r); break;
	case ZK_NSAP: f_nsap(c, r); break;
	case ZK_EUI48: f_groups(c, r, 6, 2, '-', true, "EUI-48 address"); break;
	case ZK_EUI64: f_groups(c, r, 8, 2, '-', true, "EUI-64 address"); break;
	case ZK_ILNP64: f_groups(c, r, 4, 4, ':', false, "ILNP locator"); break;
	case ZK_NULL: cerr(c, "type NULL and OPT take only RFC 3597 \\# RDATA"); break;
	default: cerr(c, "internal: field kind %u", k);
	}
}

void rdata_fields(struct ctx *c, const struct rrtype *t, struct rd *r)
{
	for (int i = c->i; i < c->n; i++) {
		if (!c->t[i].quoted && c->t[i].n == 2 && memcmp(c->t[i].s, "\\#", 2) == 0) {
			c->i = i;
			cerr(c, "\\# may only start the RDATA");
			return;
		}
	}
	for (int i = 0; i < ZRR_MAX_FIELDS && t->kinds[i] != ZK_END && !c->bad; i++)
		field_of_kind(c, t->kinds[i], r);
	if (!c->bad && c->i < c->n) {
		char b[64];
		cerr(c, "trailing data '%s'", tokstr(&c->t[c->i], b, sizeof(b)));
	}
	if (!c->bad && r->overflow)
		cerr(c, "RDATA longer than 65535 bytes");
}
