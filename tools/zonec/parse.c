/* parse.c - RFC 1035 master-file parser: $ORIGIN, $TTL, @, relative names,
 * parentheses across lines, comments, quoted strings with \" and \DDD
 * escapes, class IN, and the RDATA of A AAAA NS CNAME SOA MX TXT PTR SRV
 * CAA plus RFC 3597 "\# len hex" for any type. Errors are reported as
 * "file:line: reason". */
#include "zonec.h"
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_TOKS 1024

struct tok {
	const char *s;
	size_t n;
	bool quoted;
	int line;
};

struct lex {
	const char *p, *end;
	int line, depth, paren_line;
	bool bad; /* an error in the current record */
	struct zfile *zf;
};

static void zerr(struct zfile *zf, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void zerr(struct zfile *zf, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(zf->err, "%s:%d: ", zf->path, line);
	vfprintf(zf->err, fmt, ap);
	fputc('\n', zf->err);
	va_end(ap);
	zf->nerrors++;
}

/* ---- tokenizer ---- */

static void lex_error(struct lex *lx, const char *what)
{
	if (!lx->bad)
		zerr(lx->zf, lx->line, "%s", what);
	lx->bad = true;
}

static void scan_quoted(struct lex *lx, struct tok *t)
{
	const char *s = ++lx->p;
	while (lx->p < lx->end && *lx->p != '"' && *lx->p != '\n') {
		if (*lx->p == '\\' && lx->p + 1 < lx->end && lx->p[1] != '\n')
			lx->p++;
		lx->p++;
	}
	t->s = s;
	t->n = (size_t)(lx->p - s);
	t->quoted = true;
	if (lx->p < lx->end && *lx->p == '"')
		lx->p++;
	else
		lex_error(lx, "unterminated quoted string");
}

static void scan_word(struct lex *lx, struct tok *t)
{
	const char *s = lx->p;
	while (lx->p < lx->end && *lx->p && !strchr(" \t\r\n;()\"", *lx->p)) {
		if (*lx->p == '\\' && lx->p + 1 < lx->end && lx->p[1] != '\n')
			lx->p++;
		lx->p++;
	}
	t->s = s;
	t->n = (size_t)(lx->p - s);
	t->quoted = false;
}

/* Gather the tokens of one logical record (a line, or several joined by
 * parentheses). *indented: the record began with white space. */
static bool next_record(struct lex *lx, struct tok *toks, int *ntoks, bool *indented)
{
	int n = 0;
	bool line_start = true;
	*indented = false;
	lx->bad = false;
	for (;;) {
		if (lx->p >= lx->end) {
			if (lx->depth > 0) {
				zerr(lx->zf, lx->paren_line, "'(' without a matching ')'");
				lx->depth = 0;
				lx->bad = true;
			}
			*ntoks = n;
			return n > 0;
		}
		char c = *lx->p;
		if (c == '\n') {
			lx->p++;
			lx->line++;
			if (lx->depth == 0 && n > 0) {
				*ntoks = n;
				return true;
			}
			if (lx->depth == 0)
				*indented = false;
			line_start = true;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r') {
			if (line_start && n == 0 && lx->depth == 0)
				*indented = true;
			lx->p++;
			continue;
		}
		line_start = false;
		if (c == '\0') {
			lex_error(lx, "NUL byte in the file");
			lx->p++;
			continue;
		}
		if (c == ';') {
			while (lx->p < lx->end && *lx->p != '\n')
				lx->p++;
			continue;
		}
		if (c == '(') {
			if (lx->depth++ == 0)
				lx->paren_line = lx->line;
			lx->p++;
			continue;
		}
		if (c == ')') {
			if (lx->depth == 0)
				lex_error(lx, "')' without a matching '('");
			else
				lx->depth--;
			lx->p++;
			continue;
		}
		struct tok t;
		t.line = lx->line;
		if (c == '"')
			scan_quoted(lx, &t);
		else
			scan_word(lx, &t);
		if (n < MAX_TOKS)
			toks[n++] = t;
		else
			lex_error(lx, "too many fields in one record");
	}
}

/* ---- fields ---- */

/* Unescape \X and \DDD; returns the length, or -1. */
static int unescape(const char *s, size_t n, uint8_t *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned c = (unsigned char)s[i];
		if (c == '\\') {
			if (i + 1 >= n)
				return -1;
			if (i + 3 < n && isdigit((unsigned char)s[i + 1]) &&
			    isdigit((unsigned char)s[i + 2]) && isdigit((unsigned char)s[i + 3])) {
				c = (unsigned)((s[i + 1] - '0') * 100 + (s[i + 2] - '0') * 10 +
				               (s[i + 3] - '0'));
				if (c > 255)
					return -1;
				i += 3;
			} else if (isdigit((unsigned char)s[i + 1])) {
				return -1;
			} else {
				c = (unsigned char)s[++i];
			}
		}
		if (o >= cap)
			return -2;
		out[o++] = (uint8_t)c;
	}
	return (int)o;
}

int zname_from_text(const char *s, size_t n, const uint8_t *origin, uint8_t out[MICA_DNS_NAME_MAX])
{
	if (n == 1 && s[0] == '@') {
		memcpy(out, origin, (size_t)mica_dns_name_len(origin, MICA_DNS_NAME_MAX));
		return 0;
	}
	if (n == 1 && s[0] == '.') {
		out[0] = 0;
		return 0;
	}
	size_t o = 0, i = 0;
	bool absolute = false;
	while (i < n) {
		/* one label: up to an unescaped dot */
		size_t start = i;
		while (i < n && s[i] != '.') {
			if (s[i] == '\\')
				i++;
			i++;
		}
		if (i > n)
			return -1;
		if (i == start)
			return -1; /* empty label */
		uint8_t label[256];
		int l = unescape(s + start, i - start, label, sizeof(label));
		if (l <= 0)
			return -1;
		if (l > MICA_DNS_LABEL_MAX)
			return -2;
		if (o + 1 + (size_t)l + 1 > MICA_DNS_NAME_MAX)
			return -3;
		out[o++] = (uint8_t)l;
		memcpy(out + o, label, (size_t)l);
		o += (size_t)l;
		if (i < n) { /* the dot */
			i++;
			if (i == n)
				absolute = true;
		}
	}
	if (absolute) {
		out[o] = 0;
		return 0;
	}
	int ol = mica_dns_name_len(origin, MICA_DNS_NAME_MAX);
	if (o + (size_t)ol > MICA_DNS_NAME_MAX)
		return -3;
	memcpy(out + o, origin, (size_t)ol);
	return 0;
}

static const char *name_error(int r)
{
	return r == -2 ? "label longer than 63 bytes" : r == -3 ? "name longer than 255 bytes" : "bad name";
}

static bool parse_u32(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	if (n == 0 || n > 10)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

/* A TTL: seconds, or BIND-style units (1h30m, 2d, 1w). */
static bool parse_ttl(const char *s, size_t n, uint32_t *out)
{
	uint64_t total = 0, cur = 0;
	bool digits = false, unit = false;
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = (char)tolower((unsigned char)s[i]);
		if (isdigit((unsigned char)c)) {
			cur = cur * 10 + (uint64_t)(c - '0');
			digits = true;
			if (cur > 0xffffffffull)
				return false;
			continue;
		}
		uint64_t mul = c == 's'   ? 1
		               : c == 'm' ? 60
		               : c == 'h' ? 3600
		               : c == 'd' ? 86400
		               : c == 'w' ? 604800
		                          : 0;
		if (!mul || !digits)
			return false;
		total += cur * mul;
		cur = 0;
		digits = false;
		unit = true;
	}
	if (digits)
		total += cur;
	else if (!unit)
		return false;
	if (total > 0x7fffffffull)
		return false;
	*out = (uint32_t)total;
	return true;
}

/* ---- RDATA ---- */

struct rd {
	uint8_t buf[65535];
	size_t n;
	bool overflow;
};

static void rd_put(struct rd *r, const void *p, size_t n)
{
	if (r->n + n > sizeof(r->buf)) {
		r->overflow = true;
		return;
	}
	memcpy(r->buf + r->n, p, n);
	r->n += n;
}
static void rd_u8(struct rd *r, unsigned v)
{
	uint8_t b = (uint8_t)v;
	rd_put(r, &b, 1);
}
static void rd_u16(struct rd *r, unsigned v)
{
	rd_u8(r, v >> 8);
	rd_u8(r, v & 0xff);
}
static void rd_u32(struct rd *r, uint32_t v)
{
	rd_u16(r, v >> 16);
	rd_u16(r, v & 0xffff);
}

struct ctx {
	struct zfile *zf;
	const uint8_t *origin;
	struct tok *t; /* rdata tokens */
	int n, i;
	int line;
	bool bad;
};

static void cerr(struct ctx *c, const char *fmt, const char *arg)
{
	if (c->bad)
		return;
	char msg[512];
	snprintf(msg, sizeof(msg), fmt, arg);
	zerr(c->zf, c->i < c->n ? c->t[c->i].line : c->line, "%s", msg);
	c->bad = true;
}

static struct tok *field(struct ctx *c, const char *what)
{
	if (c->i >= c->n) {
		cerr(c, "missing %s", what);
		return NULL;
	}
	return &c->t[c->i++];
}

static char *tokstr(const struct tok *t, char *buf, size_t size)
{
	size_t n = t->n < size - 1 ? t->n : size - 1;
	memcpy(buf, t->s, n);
	buf[n] = 0;
	return buf;
}

static void f_name(struct ctx *c, struct rd *r, const char *what)
{
	struct tok *t = field(c, what);
	if (!t)
		return;
	uint8_t name[MICA_DNS_NAME_MAX];
	int e = t->quoted ? -1 : zname_from_text(t->s, t->n, c->origin, name);
	if (e < 0) {
		char b[300];
		c->i--;
		char msg[400];
		snprintf(msg, sizeof(msg), "%s in %s '%s'", name_error(e), what, tokstr(t, b, sizeof(b)));
		cerr(c, "%s", msg);
		return;
	}
	rd_put(r, name, (size_t)mica_dns_name_len(name, MICA_DNS_NAME_MAX));
}

static void f_int(struct ctx *c, struct rd *r, const char *what, int bytes)
{
	struct tok *t = field(c, what);
	if (!t)
		return;
	uint64_t v;
	uint64_t max = bytes == 1 ? 0xff : bytes == 2 ? 0xffff : 0xffffffffull;
	if (!parse_u32(t->s, t->n, max, &v)) {
		char b[64], msg[160];
		c->i--;
		snprintf(msg, sizeof(msg), "bad %s '%s'", what, tokstr(t, b, sizeof(b)));
		cerr(c, "%s", msg);
		return;
	}
	if (bytes == 1)
		rd_u8(r, (unsigned)v);
	else if (bytes == 2)
		rd_u16(r, (unsigned)v);
	else
		rd_u32(r, (uint32_t)v);
}

static void f_ttl(struct ctx *c, struct rd *r, const char *what)
{
	struct tok *t = field(c, what);
	uint32_t v;
	if (!t)
		return;
	if (!parse_ttl(t->s, t->n, &v)) {
		char b[64], msg[160];
		c->i--;
		snprintf(msg, sizeof(msg), "bad %s '%s'", what, tokstr(t, b, sizeof(b)));
		cerr(c, "%s", msg);
		return;
	}
	rd_u32(r, v);
}

static void f_string(struct ctx *c, struct rd *r, const char *what, bool length_prefix)
{
	struct tok *t = field(c, what);
	if (!t)
		return;
	uint8_t buf[65535];
	int n = unescape(t->s, t->n, buf, length_prefix ? 255 : sizeof(buf));
	if (n < 0) {
		c->i--;
		cerr(c, n == -2 ? "%s longer than 255 bytes" : "bad escape in %s", what);
		return;
	}
	if (length_prefix)
		rd_u8(r, (unsigned)n);
	rd_put(r, buf, (size_t)n);
}

static void rd_a(struct ctx *c, struct rd *r)
{
	struct tok *t = field(c, "IPv4 address");
	char b[64];
	struct in_addr a;
	if (!t)
		return;
	if (t->n >= sizeof(b) || inet_pton(AF_INET, tokstr(t, b, sizeof(b)), &a) != 1) {
		c->i--;
		cerr(c, "bad IPv4 address '%s'", tokstr(t, b, sizeof(b)));
		return;
	}
	rd_put(r, &a, 4);
}

static void rd_aaaa(struct ctx *c, struct rd *r)
{
	struct tok *t = field(c, "IPv6 address");
	char b[128];
	struct in6_addr a;
	if (!t)
		return;
	if (t->n >= sizeof(b) || inet_pton(AF_INET6, tokstr(t, b, sizeof(b)), &a) != 1) {
		c->i--;
		cerr(c, "bad IPv6 address '%s'", tokstr(t, b, sizeof(b)));
		return;
	}
	rd_put(r, &a, 16);
}

static void rd_caa(struct ctx *c, struct rd *r)
{
	f_int(c, r, "CAA flags", 1);
	struct tok *t = field(c, "CAA tag");
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++) {
		if (!isalnum((unsigned char)t->s[i]) || t->quoted || t->n > 255) {
			char b[300];
			c->i--;
			cerr(c, "bad CAA tag '%s'", tokstr(t, b, sizeof(b)));
			return;
		}
	}
	if (t->n == 0) {
		cerr(c, "empty CAA tag%s", "");
		return;
	}
	rd_u8(r, (unsigned)t->n);
	rd_put(r, t->s, t->n);
	f_string(c, r, "CAA value", false);
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = (char)tolower((unsigned char)ch);
	return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

/* RFC 3597: \# LENGTH HEX... */
static void rd_generic(struct ctx *c, struct rd *r)
{
	uint64_t len;
	struct tok *t = field(c, "RDATA length");
	if (!t)
		return;
	if (!parse_u32(t->s, t->n, 65535, &len)) {
		c->i--;
		cerr(c, "bad RDATA length in \\# form%s", "");
		return;
	}
	int hi = -1;
	while (c->i < c->n) {
		struct tok *h = &c->t[c->i++];
		for (size_t k = 0; k < h->n; k++) {
			int v = hexval(h->s[k]);
			if (v < 0 || h->quoted) {
				c->i--;
				cerr(c, "bad hex digit in \\# RDATA%s", "");
				return;
			}
			if (hi < 0) {
				hi = v;
			} else {
				rd_u8(r, (unsigned)(hi << 4 | v));
				hi = -1;
			}
		}
	}
	if (hi >= 0)
		cerr(c, "odd number of hex digits in \\# RDATA%s", "");
	else if (r->n != len)
		cerr(c, "\\# RDATA length does not match its data%s", "");
}

/* Known types given in \# form must still hold well-formed names. */
static bool names_ok(uint16_t type, const uint8_t *p, size_t n)
{
	size_t skip = type == MICA_DNS_MX ? 2 : type == MICA_DNS_SRV ? 6 : 0;
	int names = type == MICA_DNS_SOA ? 2 : 1;
	switch (type) {
	case MICA_DNS_NS:
	case MICA_DNS_CNAME:
	case MICA_DNS_PTR:
	case MICA_DNS_MX:
	case MICA_DNS_SRV:
	case MICA_DNS_SOA: break;
	case MICA_DNS_A: return n == 4;
	case MICA_DNS_AAAA: return n == 16;
	default: return true;
	}
	if (n < skip)
		return false;
	size_t o = skip;
	for (int k = 0; k < names; k++) {
		int l = mica_dns_name_len(p + o, n - o);
		if (l < 0)
			return false;
		o += (size_t)l;
	}
	return type == MICA_DNS_SOA ? n - o == 20 : n == o;
}

struct typename
{
	const char *name;
	uint16_t type;
};
static const struct typename types[] = {
    {"A", MICA_DNS_A},     {"NS", MICA_DNS_NS},   {"CNAME", MICA_DNS_CNAME}, {"SOA", MICA_DNS_SOA},
    {"PTR", MICA_DNS_PTR}, {"MX", MICA_DNS_MX},   {"TXT", MICA_DNS_TXT},     {"AAAA", MICA_DNS_AAAA},
    {"SRV", MICA_DNS_SRV}, {"CAA", MICA_DNS_CAA},
};

static int type_from_text(const struct tok *t)
{
	char b[32];
	if (t->quoted || t->n >= sizeof(b))
		return -1;
	tokstr(t, b, sizeof(b));
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcasecmp(b, types[i].name) == 0)
			return types[i].type;
	uint64_t v;
	if (strncasecmp(b, "TYPE", 4) == 0 && parse_u32(b + 4, strlen(b + 4), 65535, &v) && v > 0)
		return (int)v;
	return -1;
}

static bool is_known(uint16_t type)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (types[i].type == type)
			return true;
	return false;
}

static void parse_rdata(struct ctx *c, uint16_t type, struct rd *r)
{
	if (c->i < c->n && !c->t[c->i].quoted && c->t[c->i].n == 2 && memcmp(c->t[c->i].s, "\\#", 2) == 0) {
		c->i++;
		rd_generic(c, r);
		if (!c->bad && !names_ok(type, r->buf, r->n))
			cerr(c, "\\# RDATA is not valid for its type%s", "");
		return;
	}
	if (!is_known(type)) {
		cerr(c, "type %s needs RFC 3597 \\# RDATA", "TYPEnnn");
		return;
	}
	switch (type) {
	case MICA_DNS_A: rd_a(c, r); break;
	case MICA_DNS_AAAA: rd_aaaa(c, r); break;
	case MICA_DNS_NS: f_name(c, r, "name server"); break;
	case MICA_DNS_CNAME: f_name(c, r, "CNAME target"); break;
	case MICA_DNS_PTR: f_name(c, r, "PTR target"); break;
	case MICA_DNS_MX:
		f_int(c, r, "MX preference", 2);
		f_name(c, r, "mail exchange");
		break;
	case MICA_DNS_SRV:
		f_int(c, r, "SRV priority", 2);
		f_int(c, r, "SRV weight", 2);
		f_int(c, r, "SRV port", 2);
		f_name(c, r, "SRV target");
		break;
	case MICA_DNS_SOA:
		f_name(c, r, "SOA primary name server");
		f_name(c, r, "SOA mailbox");
		f_int(c, r, "SOA serial", 4);
		f_ttl(c, r, "SOA refresh");
		f_ttl(c, r, "SOA retry");
		f_ttl(c, r, "SOA expire");
		f_ttl(c, r, "SOA minimum");
		break;
	case MICA_DNS_TXT:
		do
			f_string(c, r, "TXT string", true);
		while (c->i < c->n && !c->bad);
		break;
	case MICA_DNS_CAA: rd_caa(c, r); break;
	}
	if (!c->bad && c->i < c->n) {
		char b[64];
		cerr(c, "trailing data '%s'", tokstr(&c->t[c->i], b, sizeof(b)));
	}
	if (!c->bad && r->overflow)
		cerr(c, "RDATA longer than 65535 bytes%s", "");
}

/* ---- records ---- */

struct pstate {
	uint8_t origin[MICA_DNS_NAME_MAX];
	uint8_t last_owner[MICA_DNS_NAME_MAX];
	bool have_owner, have_ttl, have_last_ttl;
	uint32_t ttl, last_ttl;
};

static bool tok_is(const struct tok *t, const char *s)
{
	return !t->quoted && t->n == strlen(s) && strncasecmp(t->s, s, t->n) == 0;
}

static void directive(struct zfile *zf, struct pstate *ps, struct tok *t, int n)
{
	char b[64];
	if (tok_is(&t[0], "$ORIGIN")) {
		uint8_t name[MICA_DNS_NAME_MAX];
		int e = n == 2 ? zname_from_text(t[1].s, t[1].n, ps->origin, name) : -1;
		if (n != 2 || e < 0)
			zerr(zf, t[0].line, "$ORIGIN needs one name (%s)",
			     n == 2 ? name_error(e) : "missing");
		else
			memcpy(ps->origin, name, (size_t)mica_dns_name_len(name, MICA_DNS_NAME_MAX));
	} else if (tok_is(&t[0], "$TTL")) {
		if (n != 2 || !parse_ttl(t[1].s, t[1].n, &ps->ttl))
			zerr(zf, t[0].line, "$TTL needs one TTL value");
		else
			ps->have_ttl = true;
	} else if (tok_is(&t[0], "$INCLUDE")) {
		zerr(zf, t[0].line, "$INCLUDE is not supported (one file per zone)");
	} else {
		zerr(zf, t[0].line, "unknown directive '%s'", tokstr(&t[0], b, sizeof(b)));
	}
}

static void add_rr(struct zfile *zf, const struct zrr *rr)
{
	if (zf->nrrs == zf->caprrs) {
		zf->caprrs = zf->caprrs ? zf->caprrs * 2 : 64;
		zf->rrs = realloc(zf->rrs, zf->caprrs * sizeof(*zf->rrs));
		if (!zf->rrs) {
			perror("zonec");
			exit(1);
		}
	}
	zf->rrs[zf->nrrs++] = *rr;
}

static void record(struct zfile *zf, struct pstate *ps, struct tok *t, int n, bool indented)
{
	struct zrr rr = {.line = t[0].line};
	char b[300];
	int i = 0;
	if (!indented) {
		int e = t[0].quoted ? -1 : zname_from_text(t[0].s, t[0].n, ps->origin, rr.owner);
		if (e < 0) {
			zerr(zf, t[0].line, "%s in owner '%s'", name_error(e), tokstr(&t[0], b, sizeof(b)));
			return;
		}
		memcpy(ps->last_owner, rr.owner, sizeof(rr.owner));
		ps->have_owner = true;
		i = 1;
	} else if (!ps->have_owner) {
		zerr(zf, t[0].line, "record without an owner name");
		return;
	} else {
		memcpy(rr.owner, ps->last_owner, sizeof(rr.owner));
	}
	rr.owner_len = (uint8_t)mica_dns_name_len(rr.owner, MICA_DNS_NAME_MAX);
	bool have_ttl = false, have_class = false;
	for (int k = 0; k < 2 && i < n; k++) {
		if (!have_ttl && !t[i].quoted && isdigit((unsigned char)t[i].s[0])) {
			if (!parse_ttl(t[i].s, t[i].n, &rr.ttl)) {
				zerr(zf, t[i].line, "bad TTL '%s'", tokstr(&t[i], b, sizeof(b)));
				return;
			}
			have_ttl = true;
			i++;
		} else if (!have_class && (tok_is(&t[i], "IN") || tok_is(&t[i], "CLASS1"))) {
			have_class = true;
			i++;
		} else if (!have_class &&
		           (tok_is(&t[i], "CH") || tok_is(&t[i], "HS") || tok_is(&t[i], "CS") ||
		            (t[i].n > 5 && strncasecmp(t[i].s, "CLASS", 5) == 0))) {
			zerr(zf, t[i].line, "class %s is not supported (only IN)",
			     tokstr(&t[i], b, sizeof(b)));
			return;
		}
	}
	if (i >= n) {
		zerr(zf, t[n - 1].line, "missing record type");
		return;
	}
	int type = type_from_text(&t[i]);
	if (type < 0) {
		zerr(zf, t[i].line, "unknown record type '%s'", tokstr(&t[i], b, sizeof(b)));
		return;
	}
	rr.type = (uint16_t)type;
	i++;
	if (!have_ttl) {
		if (ps->have_ttl) {
			rr.ttl = ps->ttl;
		} else if (ps->have_last_ttl) {
			rr.ttl = ps->last_ttl;
		} else {
			zerr(zf, t[0].line, "no TTL given and no $TTL before this record");
			return;
		}
	}
	ps->last_ttl = rr.ttl;
	ps->have_last_ttl = true;
	static struct rd r;
	r.n = 0;
	r.overflow = false;
	struct ctx c = {zf, ps->origin, t + i, n - i, 0, t[i - 1].line, false};
	parse_rdata(&c, rr.type, &r);
	if (c.bad)
		return;
	rr.rdlen = (uint16_t)r.n;
	rr.rdata = malloc(r.n ? r.n : 1);
	if (!rr.rdata) {
		perror("zonec");
		exit(1);
	}
	memcpy(rr.rdata, r.buf, r.n);
	add_rr(zf, &rr);
}

void zparse(struct zfile *zf, const char *text, size_t len)
{
	static struct tok toks[MAX_TOKS];
	struct lex lx = {text, text + len, 1, 0, 0, false, zf};
	struct pstate ps = {0};
	memcpy(ps.origin, zf->origin, (size_t)mica_dns_name_len(zf->origin, MICA_DNS_NAME_MAX));
	int n;
	bool indented;
	while (next_record(&lx, toks, &n, &indented)) {
		if (lx.bad)
			continue;
		if (!toks[0].quoted && toks[0].n > 0 && toks[0].s[0] == '$' && !indented)
			directive(zf, &ps, toks, n);
		else
			record(zf, &ps, toks, n, indented);
	}
	zf->last_line = lx.line;
}

int zparse_file(struct zfile *zf, const char *path, FILE *err)
{
	memset(zf, 0, sizeof(*zf));
	zf->path = path;
	zf->err = err;
	/* origin from the file name: dir/example.com.zone -> example.com. */
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	char nm[256];
	snprintf(nm, sizeof(nm), "%s", base);
	char *dot = strrchr(nm, '.');
	if (dot && (!strcmp(dot, ".zone") || !strcmp(dot, ".db") || !strcmp(dot, ".txt")))
		*dot = 0;
	uint8_t root[1] = {0};
	if (zname_from_text(nm, strlen(nm), root, zf->origin) < 0)
		zf->origin[0] = 0;
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(err, "%s:0: cannot open: %m\n", path);
		zf->nerrors++;
		return -1;
	}
	char *text = NULL;
	size_t len = 0, cap = 0, got;
	do {
		if (len + 65536 > cap) {
			cap = cap ? cap * 2 : 1 << 20;
			text = realloc(text, cap);
			if (!text) {
				perror("zonec");
				exit(1);
			}
		}
		got = fread(text + len, 1, cap - len, f);
		len += got;
	} while (got > 0);
	fclose(f);
	zparse(zf, text, len);
	free(text);
	return zf->nerrors ? -1 : 0;
}

void zfile_free(struct zfile *zf)
{
	for (size_t i = 0; i < zf->nrrs; i++)
		free(zf->rrs[i].rdata);
	free(zf->rrs);
	zf->rrs = NULL;
	zf->nrrs = zf->caprrs = 0;
}
