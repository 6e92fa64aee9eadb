/* rdata_more.c - the structured RDATA fields: LOC (RFC 1876), APL
 * (RFC 3123), WKS (RFC 1035), the NSEC/NSEC3/CSYNC type bitmap (RFC 4034
 * 4.1.2), the NXT bitmap (RFC 2535) and SVCB/HTTPS SvcParams (RFC 9460,
 * with its checks: known keys, no duplicates, mandatory keys present). */
#include "rdata.h"
#include <arpa/inet.h>
#include <ctype.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- LOC ---- */

/* "[-]digits[.digits][m]" in units of 1/100 (metres to centimetres,
 * arc seconds to 1/1000 when scale is 1000). */
static bool decimal(const struct tok *t, long scale, bool allow_m, bool allow_neg, long *out)
{
	size_t i = 0, n = t->n;
	bool neg = false;
	if (allow_m && n > 0 && (t->s[n - 1] == 'm' || t->s[n - 1] == 'M'))
		n--;
	if (allow_neg && i < n && t->s[i] == '-') {
		neg = true;
		i++;
	}
	long whole = 0, frac = 0, fscale = scale;
	bool digits = false;
	for (; i < n && isdigit((unsigned char)t->s[i]); i++, digits = true)
		if (whole <= 100000000) /* past the limit: refused below, never overflows */
			whole = whole * 10 + (t->s[i] - '0');
	if (i < n && t->s[i] == '.') {
		for (i++; i < n && isdigit((unsigned char)t->s[i]); i++, digits = true) {
			if (fscale > 1) {
				fscale /= 10;
				frac += (t->s[i] - '0') * fscale;
			}
		}
	}
	if (!digits || i != n || whole > 100000000)
		return false;
	*out = (whole * scale + frac) * (neg ? -1 : 1);
	return true;
}

static bool is_hemisphere(const struct tok *t, const char *hs)
{
	return t->n == 1 &&
	       (toupper((unsigned char)t->s[0]) == hs[0] || toupper((unsigned char)t->s[0]) == hs[1]);
}

/* degrees [minutes [seconds]] hemisphere -> 2^31 +/- thousandths of arc seconds */
static bool loc_coord(struct ctx *c, const char *hs, uint32_t *out)
{
	long parts[3] = {0, 0, 0};
	int np = 0;
	while (c->i < c->n && np < 3 && !is_hemisphere(&c->t[c->i], hs)) {
		if (!decimal(&c->t[c->i], np == 2 ? 1000 : 1, false, false, &parts[np]))
			return false;
		c->i++;
		np++;
	}
	if (np == 0 || c->i >= c->n || !is_hemisphere(&c->t[c->i], hs))
		return false;
	long v = ((parts[0] * 60 + parts[1]) * 60) * 1000 + (np == 3 ? parts[2] : 0);
	if (toupper((unsigned char)c->t[c->i].s[0]) == hs[1])
		v = -v;
	c->i++;
	*out = (uint32_t)(2147483648ll + v);
	return true;
}

/* centimetres as RFC 1876's mantissa/exponent byte */
static uint8_t precsize(long cm)
{
	static const long pow10[10] = {1,      10,      100,      1000,      10000,
	                               100000, 1000000, 10000000, 100000000, 1000000000};
	int e = 0;
	while (e < 9 && cm >= pow10[e + 1])
		e++;
	long m = cm / pow10[e];
	if (m > 9)
		m = 9;
	return (uint8_t)(m << 4 | e);
}

void rd_loc(struct ctx *c, struct rd *r)
{
	uint32_t lat, lon;
	long alt, sz[3] = {100, 1000000, 1000}; /* 1m, 10000m, 10m */
	if (!loc_coord(c, "NS", &lat) || !loc_coord(c, "EW", &lon)) {
		cerr(c, "bad LOC latitude/longitude (d [m [s]] N|S d [m [s]] E|W)");
		return;
	}
	if (c->i >= c->n || !decimal(&c->t[c->i], 100, true, true, &alt)) {
		cerr(c, "bad LOC altitude");
		return;
	}
	c->i++;
	for (int k = 0; k < 3 && c->i < c->n; k++, c->i++) {
		if (!decimal(&c->t[c->i], 100, true, false, &sz[k])) {
			cerr(c, "bad LOC size or precision");
			return;
		}
	}
	rd_u8(r, 0);
	rd_u8(r, precsize(sz[0]));
	rd_u8(r, precsize(sz[1]));
	rd_u8(r, precsize(sz[2]));
	rd_u32(r, lat);
	rd_u32(r, lon);
	rd_u32(r, (uint32_t)(alt + 10000000));
}

/* ---- APL ---- */

void rd_apl(struct ctx *c, struct rd *r)
{
	for (; c->i < c->n && !c->bad; c->i++) {
		const struct tok *t = &c->t[c->i];
		char b[128], *p = b;
		tokstr(t, b, sizeof(b));
		bool neg = *p == '!';
		if (neg)
			p++;
		char *colon = strchr(p, ':'), *slash = colon ? strchr(colon, '/') : NULL;
		if (!colon || !slash) {
			cerr(c, "bad APL item '%s' ([!]afi:address/prefix)", b);
			return;
		}
		*colon = *slash = 0;
		int afi = atoi(p), af = afi == 1 ? AF_INET : afi == 2 ? AF_INET6 : -1;
		int max = afi == 1 ? 32 : 128, len = afi == 1 ? 4 : 16;
		uint8_t addr[16];
		char *end;
		long prefix = strtol(slash + 1, &end, 10);
		if (af < 0 || inet_pton(af, colon + 1, addr) != 1 || *end || slash[1] == 0 || prefix < 0 ||
		    prefix > max) {
			cerr(c, "bad APL item '%s'", tokstr(t, b, sizeof(b)));
			return;
		}
		while (len > 0 && addr[len - 1] == 0)
			len--;
		rd_u16(r, (unsigned)afi);
		rd_u8(r, (unsigned)prefix);
		rd_u8(r, (unsigned)len | (neg ? 0x80u : 0));
		rd_put(r, addr, (size_t)len);
	}
}

/* ---- WKS ---- */

void rd_wks(struct ctx *c, struct rd *r)
{
	struct tok *t = field(c, "WKS protocol");
	char b[64];
	if (!t)
		return;
	tokstr(t, b, sizeof(b));
	struct protoent *pe = getprotobyname(b);
	int proto = pe ? pe->p_proto : atoi(b);
	const char *pname = proto == 6 ? "tcp" : proto == 17 ? "udp" : b;
	uint8_t bits[8192];
	int maxport = -1;
	memset(bits, 0, sizeof(bits));
	if (c->i >= c->n) {
		cerr(c, "missing WKS services");
		return;
	}
	for (; c->i < c->n; c->i++) {
		tokstr(&c->t[c->i], b, sizeof(b));
		char *end;
		long port = strtol(b, &end, 10);
		if (*end || !b[0]) {
			struct servent *se = getservbyname(b, pname);
			if (!se) {
				cerr(c, "unknown WKS service '%s'", b);
				return;
			}
			port = ntohs((uint16_t)se->s_port);
		}
		if (port < 0 || port > 65535) {
			cerr(c, "bad WKS port '%s'", b);
			return;
		}
		bits[port / 8] |= (uint8_t)(0x80 >> (port % 8));
		if (port > maxport)
			maxport = (int)port;
	}
	rd_u8(r, (unsigned)proto);
	rd_put(r, bits, (size_t)maxport / 8 + 1);
}

/* ---- type bitmaps ---- */

void rd_bitmap(struct ctx *c, struct rd *r)
{
	static uint8_t win[256][32];
	uint8_t used[256];
	memset(used, 0, sizeof(used));
	for (; c->i < c->n; c->i++) {
		const struct tok *t = &c->t[c->i];
		int type = rrtype_from_text(t->s, t->n);
		if (type < 0) {
			char b[64];
			cerr(c, "bad type '%s' in type bitmap", tokstr(t, b, sizeof(b)));
			return;
		}
		int w = type >> 8, bit = type & 0xff;
		if (!used[w]) {
			memset(win[w], 0, 32);
			used[w] = 1;
		}
		win[w][bit / 8] |= (uint8_t)(0x80 >> (bit % 8));
		if (bit / 8 + 1 > used[w])
			used[w] = (uint8_t)(bit / 8 + 1);
	}
	for (int w = 0; w < 256; w++) {
		if (!used[w])
			continue;
		rd_u8(r, (unsigned)w);
		rd_u8(r, used[w]);
		rd_put(r, win[w], used[w]);
	}
}

void rd_nxt(struct ctx *c, struct rd *r)
{
	uint8_t bits[16];
	int len = 0;
	memset(bits, 0, sizeof(bits));
	for (; c->i < c->n; c->i++) {
		const struct tok *t = &c->t[c->i];
		int type = rrtype_from_text(t->s, t->n);
		if (type < 0 || type >= 128) {
			char b[64];
			cerr(c, "bad type '%s' in NXT bitmap (types below 128)", tokstr(t, b, sizeof(b)));
			return;
		}
		bits[type / 8] |= (uint8_t)(0x80 >> (type % 8));
		if (type / 8 + 1 > len)
			len = type / 8 + 1;
	}
	rd_put(r, bits, (size_t)len);
}

/* ---- SVCB / HTTPS SvcParams ---- */

static int svc_key(const char *s, size_t n)
{
	static const char *const names[] = {"mandatory", "alpn", "no-default-alpn", "port",
	                                    "ipv4hint",  "ech",  "ipv6hint",        "dohpath"};
	for (int k = 0; k < 8; k++)
		if (strlen(names[k]) == n && strncasecmp(names[k], s, n) == 0)
			return k;
	if (n > 3 && n <= 8 && strncasecmp(s, "key", 3) == 0) {
		long v = 0;
		for (size_t i = 3; i < n; i++) {
			if (!isdigit((unsigned char)s[i]))
				return -1;
			v = v * 10 + (s[i] - '0');
		}
		return v <= 65535 ? (int)v : -1;
	}
	return -1;
}

struct svc_param {
	int key;
	uint16_t len;
	uint8_t *val;
};

/* Split a comma-separated value (with "\," escapes) into items. */
static int split_list(const uint8_t *v, size_t n, uint8_t items[][256], size_t lens[], int max)
{
	int k = 0;
	size_t o = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || v[i] == ',') {
			if (k >= max)
				return -1;
			lens[k++] = o;
			o = 0;
			continue;
		}
		if (v[i] == '\\' && i + 1 < n)
			i++;
		if (o >= 255)
			return -1;
		items[k][o++] = v[i];
	}
	return k;
}

static bool svc_value(struct ctx *c, int key, const uint8_t *v, size_t n, struct rd *out)
{
	static uint8_t items[256][256];
	size_t lens[256];
	char b[300];
	int k;
	switch (key) {
	case 0: /* mandatory */
		k = split_list(v, n, items, lens, 256);
		for (int i = 0; i < k; i++) {
			int mk = svc_key((const char *)items[i], lens[i]);
			if (mk <= 0)
				return false;
			rd_u16(out, (unsigned)mk);
		}
		return k > 0;
	case 1: /* alpn */
		k = split_list(v, n, items, lens, 256);
		for (int i = 0; i < k; i++) {
			if (lens[i] == 0)
				return false;
			rd_u8(out, (unsigned)lens[i]);
			rd_put(out, items[i], lens[i]);
		}
		return k > 0;
	case 2: return n == 0; /* no-default-alpn */
	case 3: {              /* port */
		long p = 0;
		for (size_t i = 0; i < n; i++) {
			if (!isdigit(v[i]))
				return false;
			p = p * 10 + (v[i] - '0');
			if (p > 65535)
				return false;
		}
		rd_u16(out, (unsigned)p);
		return n > 0;
	}
	case 4:
	case 6: /* ipv4hint, ipv6hint */
		k = split_list(v, n, items, lens, 256);
		for (int i = 0; i < k; i++) {
			uint8_t a[16];
			if (lens[i] >= sizeof(b))
				return false;
			memcpy(b, items[i], lens[i]);
			b[lens[i]] = 0;
			if (inet_pton(key == 4 ? AF_INET : AF_INET6, b, a) != 1)
				return false;
			rd_put(out, a, key == 4 ? 4 : 16);
		}
		return k > 0;
	case 5: { /* ech */
		static uint8_t bin[65535];
		int l = b64_decode((const char *)v, n, bin, sizeof(bin));
		if (l < 0)
			return false;
		rd_put(out, bin, (size_t)l);
		return true;
	}
	default: rd_put(out, v, n); return true;
	}
}

static int cmp_param(const void *a, const void *b)
{
	return ((const struct svc_param *)a)->key - ((const struct svc_param *)b)->key;
}

/* One "key[=value]" (the value possibly in the next, quoted, token). */
static bool svc_one(struct ctx *c, struct svc_param *p)
{
	const struct tok *t = &c->t[c->i];
	char b[300];
	size_t eq = 0;
	while (eq < t->n && t->s[eq] != '=')
		eq++;
	p->key = t->quoted ? -1 : svc_key(t->s, eq);
	if (p->key < 0) {
		cerr(c, "unknown SvcParamKey '%s'", tokstr(t, b, sizeof(b)));
		return false;
	}
	const char *vs = t->s + eq + 1;
	size_t vn = eq < t->n ? t->n - eq - 1 : 0;
	if (eq < t->n && vn == 0 && c->i + 1 < c->n && c->t[c->i + 1].quoted) {
		c->i++;
		vs = c->t[c->i].s;
		vn = c->t[c->i].n;
	}
	static uint8_t raw[65535];
	int rn = unescape(vs, vn, raw, sizeof(raw));
	struct rd *val = malloc(sizeof(*val));
	if (!val) {
		perror("zonec");
		exit(1);
	}
	val->n = 0;
	val->overflow = false;
	bool ok = rn >= 0 && svc_value(c, p->key, raw, (size_t)rn, val) && !val->overflow;
	if (!ok) {
		free(val);
		cerr(c, "bad value of SvcParam '%s'", tokstr(t, b, sizeof(b)));
		return false;
	}
	p->len = (uint16_t)val->n;
	p->val = malloc(val->n + 1);
	memcpy(p->val, val->buf, val->n);
	free(val);
	return true;
}

/* mandatory: no "mandatory" in it, no repeats, every key present */
static bool svc_mandatory_ok(struct ctx *c, const struct svc_param *ps, int np)
{
	for (int i = 0; i < np; i++) {
		if (ps[i].key != 0)
			continue;
		for (int a = 0; a < ps[i].len; a += 2) {
			int mk = ps[i].val[a] << 8 | ps[i].val[a + 1];
			bool found = false;
			for (int j = 0; j < np; j++)
				found |= ps[j].key == mk;
			for (int b = 0; b < a; b += 2)
				if ((ps[i].val[b] << 8 | ps[i].val[b + 1]) == mk) {
					cerr(c, "SvcParamKey %d listed twice in mandatory", mk);
					return false;
				}
			if (!found) {
				cerr(c, "mandatory SvcParamKey %d is missing", mk);
				return false;
			}
		}
	}
	return true;
}

void rd_svcparams(struct ctx *c, struct rd *r)
{
	struct svc_param ps[64] = {{0, 0, NULL}};
	int np = 0;
	for (; c->i < c->n && !c->bad; c->i++) {
		if (np == 64) {
			cerr(c, "too many SvcParams");
			break;
		}
		if (!svc_one(c, &ps[np]))
			break;
		for (int j = 0; j < np; j++)
			if (ps[j].key == ps[np].key)
				cerr(c, "SvcParamKey %d given twice", ps[np].key);
		np++;
	}
	qsort(ps, (size_t)np, sizeof(ps[0]), cmp_param);
	if (!c->bad && svc_mandatory_ok(c, ps, np)) {
		for (int i = 0; i < np; i++) {
			rd_u16(r, (unsigned)ps[i].key);
			rd_u16(r, ps[i].len);
			rd_put(r, ps[i].val, ps[i].len);
		}
	}
	for (int i = 0; i < np; i++)
		free(ps[i].val);
}
