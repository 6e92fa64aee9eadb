/* parse.c - RFC 1035 master-file parser: $ORIGIN, $TTL, $INCLUDE (with
 * an optional origin; paths relative to the including file), @, relative
 * names, parentheses across lines, comments, quoted strings with \" and
 * \DDD escapes, class IN, TTLs defaulted as NSD does, and the record's
 * RDATA: presentation form of every type NSD knows (rdata.c), RFC 3597
 * "\# len hex" for any type. Errors are reported as "file:line: reason". */
#include "rdata.h"
#include <mica/hex.h>
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_TOKS 1024
#define MAX_INCLUDE_DEPTH 16

struct lex {
	const char *p, *end;
	int line, depth, paren_line;
	bool bad; /* an error in the current record */
	struct zfile *zf;
	const char *path;
};

static void zerr(struct zfile *zf, const char *path, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void zerr(struct zfile *zf, const char *path, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(zf->err, "%s:%d: ", path, line);
	vfprintf(zf->err, fmt, ap);
	fputc('\n', zf->err);
	va_end(ap);
	zf->nerrors++;
}

/* ---- tokenizer ---- */

static void lex_error(struct lex *lx, const char *what)
{
	if (!lx->bad)
		zerr(lx->zf, lx->path, lx->line, "%s", what);
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
				zerr(lx->zf, lx->path, lx->paren_line, "'(' without a matching ')'");
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

/* ---- names and periods ---- */

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

const char *zname_error(int r)
{
	return r == -2 ? "label longer than 63 bytes" : r == -3 ? "name longer than 255 bytes" : "bad name";
}

bool zparse_period(const char *s, size_t n, uint64_t max, uint32_t *out)
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
	if (total > max)
		return false;
	*out = (uint32_t)total;
	return true;
}

/* ---- records ---- */

struct pstate {
	uint8_t origin[MICA_DNS_NAME_MAX];
	uint8_t last_owner[MICA_DNS_NAME_MAX];
	bool have_owner, have_ttl, warned_ttl;
	uint32_t ttl;
	int depth; /* of $INCLUDE */
};

static void parse_text(struct zfile *zf, struct pstate *ps, const char *path, const char *text, size_t len);

static bool tok_is(const struct tok *t, const char *s)
{
	return !t->quoted && t->n == strlen(s) && strncasecmp(t->s, s, t->n) == 0;
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		perror("zonec");
		exit(1);
	}
	return p;
}

/* A path the zone keeps (records point at it for their errors). */
static const char *keep_path(struct zfile *zf, const char *path)
{
	zf->files = xrealloc(zf->files, (zf->nfiles + 1) * sizeof(char *));
	zf->files[zf->nfiles] = strdup(path);
	if (!zf->files[zf->nfiles]) {
		perror("zonec");
		exit(1);
	}
	return zf->files[zf->nfiles++];
}

/* The whole file in memory (NUL-terminated), or NULL. */
static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *text = NULL;
	size_t n = 0, cap = 0, got;
	do {
		if (n + 65536 > cap) {
			cap = cap ? cap * 2 : 1 << 20;
			text = xrealloc(text, cap);
		}
		got = fread(text + n, 1, cap - n - 1, f);
		n += got;
	} while (got > 0);
	fclose(f);
	text[n] = 0;
	*len = n;
	return text;
}

/* $INCLUDE FILE [ORIGIN]: FILE relative to the including file; the
 * origin is restored afterwards ($TTL and the last owner carry on, as
 * in NSD). */
static void include(struct zfile *zf, struct pstate *ps, const char *path, struct tok *t, int n)
{
	char file[4096], b[1024];
	uint8_t saved[MICA_DNS_NAME_MAX];
	if (n < 2 || n > 3) {
		zerr(zf, path, t[0].line, "$INCLUDE needs a file name and an optional origin");
		return;
	}
	tokstr(&t[1], b, sizeof(b));
	const char *slash = strrchr(path, '/');
	if (b[0] == '/' || !slash)
		snprintf(file, sizeof(file), "%s", b);
	else
		snprintf(file, sizeof(file), "%.*s/%s", (int)(slash - path), path, b);
	memcpy(saved, ps->origin, sizeof(saved));
	if (n == 3) {
		uint8_t name[MICA_DNS_NAME_MAX];
		int e = zname_from_text(t[2].s, t[2].n, ps->origin, name);
		if (e < 0) {
			zerr(zf, path, t[0].line, "$INCLUDE origin: %s", zname_error(e));
			return;
		}
		memcpy(ps->origin, name, sizeof(name));
	}
	size_t len;
	char *text = ps->depth < MAX_INCLUDE_DEPTH ? read_file(file, &len) : NULL;
	if (!text) {
		zerr(zf, path, t[0].line,
		     ps->depth < MAX_INCLUDE_DEPTH ? "cannot open $INCLUDE file '%s': %m"
		                                   : "$INCLUDE nested too deep at '%s'",
		     file);
	} else {
		ps->depth++;
		parse_text(zf, ps, keep_path(zf, file), text, len);
		ps->depth--;
		free(text);
	}
	memcpy(ps->origin, saved, sizeof(saved));
}

static void record(struct zfile *zf, struct pstate *ps, const char *path, struct tok *t, int n,
                   bool indented);

/* $ORIGIN, $TTL, $INCLUDE; $GENERATE is refused; other directives are
 * ignored with a warning (as NSD does) and the rest of the line is read
 * as a record of the last owner. */
static void directive(struct zfile *zf, struct pstate *ps, const char *path, struct tok *t, int n)
{
	char b[64];
	if (tok_is(&t[0], "$ORIGIN")) {
		uint8_t name[MICA_DNS_NAME_MAX];
		int e = n == 2 ? zname_from_text(t[1].s, t[1].n, ps->origin, name) : -1;
		if (n != 2 || e < 0)
			zerr(zf, path, t[0].line, "$ORIGIN needs one name (%s)",
			     n == 2 ? zname_error(e) : "missing");
		else
			memcpy(ps->origin, name, (size_t)mica_dns_name_len(name, MICA_DNS_NAME_MAX));
	} else if (tok_is(&t[0], "$TTL")) {
		if (n != 2 || !zparse_period(t[1].s, t[1].n, 0x7fffffff, &ps->ttl))
			zerr(zf, path, t[0].line, "$TTL needs one TTL value");
		else
			ps->have_ttl = true;
	} else if (tok_is(&t[0], "$INCLUDE")) {
		include(zf, ps, path, t, n);
	} else if (tok_is(&t[0], "$GENERATE")) {
		zerr(zf, path, t[0].line,
		     "$GENERATE is not supported (a BIND extension; NSD refuses it too)");
	} else {
		fprintf(zf->err, "%s:%d: warning: unknown directive '%s' ignored\n", path, t[0].line,
		        tokstr(&t[0], b, sizeof(b)));
		zf->nwarnings++;
		if (n > 1)
			record(zf, ps, path, t + 1, n - 1, true);
	}
}

static void add_rr(struct zfile *zf, const struct zrr *rr)
{
	if (zf->nrrs == zf->caprrs) {
		zf->caprrs = zf->caprrs ? zf->caprrs * 2 : 64;
		zf->rrs = xrealloc(zf->rrs, zf->caprrs * sizeof(*zf->rrs));
	}
	zf->rrs[zf->nrrs++] = *rr;
}

static bool other_class(const struct tok *t)
{
	return tok_is(t, "CH") || tok_is(t, "HS") || tok_is(t, "CS") ||
	       (!t->quoted && t->n > 5 && strncasecmp(t->s, "CLASS", 5) == 0 && !tok_is(t, "CLASS1"));
}

/* The TTL and class fields (either order, both optional); index of the
 * type, or -1 after an error. */
static int ttl_and_class(struct zfile *zf, const char *path, struct tok *t, int n, int i, struct zrr *rr,
                         bool *have_ttl)
{
	char b[300];
	bool have_class = false;
	*have_ttl = false;
	for (int k = 0; k < 2 && i < n; k++) {
		if (!*have_ttl && !t[i].quoted && isdigit((unsigned char)t[i].s[0])) {
			if (!zparse_period(t[i].s, t[i].n, 0x7fffffff, &rr->ttl)) {
				zerr(zf, path, t[i].line, "bad TTL '%s'", tokstr(&t[i], b, sizeof(b)));
				return -1;
			}
			*have_ttl = true;
			i++;
		} else if (!have_class && (tok_is(&t[i], "IN") || tok_is(&t[i], "CLASS1"))) {
			have_class = true;
			i++;
		} else if (!have_class && other_class(&t[i])) {
			zerr(zf, path, t[i].line, "class %s is not supported (only IN)",
			     tokstr(&t[i], b, sizeof(b)));
			return -1;
		}
	}
	return i;
}

/* A record without a TTL: $TTL, else NSD's default, with a warning. */
static void default_ttl(struct zfile *zf, struct pstate *ps, const char *path, int line, struct zrr *rr)
{
	if (ps->have_ttl) {
		rr->ttl = ps->ttl;
		return;
	}
	rr->ttl = ZONEC_DEFAULT_TTL;
	if (!ps->warned_ttl) {
		fprintf(zf->err,
		        "%s:%d: warning: no TTL and no $TTL: records without a TTL get %u (as in NSD)\n",
		        path, line, ZONEC_DEFAULT_TTL);
		zf->nwarnings++;
		ps->warned_ttl = true;
	}
}

static bool is_generic(const struct tok *t)
{
	return !t->quoted && t->n == 2 && memcmp(t->s, "\\#", 2) == 0;
}

/* RFC 3597: \# LENGTH HEX... */
static void rd_generic(struct ctx *c, struct rd *r)
{
	struct tok *t = field(c, "RDATA length");
	if (!t)
		return;
	uint64_t len = 0;
	bool ok = t->n > 0 && t->n <= 5;
	for (size_t i = 0; ok && i < t->n; i++) {
		ok = isdigit((unsigned char)t->s[i]);
		len = len * 10 + (uint64_t)(t->s[i] - '0');
	}
	if (!ok || len > 65535) {
		c->i--;
		cerr(c, "bad RDATA length in \\# form");
		return;
	}
	int hi = -1;
	while (c->i < c->n) {
		struct tok *h = &c->t[c->i++];
		for (size_t k = 0; k < h->n; k++) {
			int v = mica_hex_value(h->s[k]);
			if (v < 0 || h->quoted) {
				c->i--;
				cerr(c, "bad hex digit in \\# RDATA");
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
		cerr(c, "odd number of hex digits in \\# RDATA");
	else if (r->n != len)
		cerr(c, "\\# RDATA length does not match its data");
}

static void parse_rdata(struct ctx *c, struct rd *r)
{
	const struct rrtype *known = rrtype_by_type(c->type);
	char tn[32];
	if (c->i < c->n && is_generic(&c->t[c->i])) {
		c->i++;
		rd_generic(c, r);
		if (!c->bad && known && !rrtype_wire_ok(known, r->buf, r->n))
			cerr(c, "\\# RDATA is not valid for type %s", known->name);
		return;
	}
	if (!known) {
		cerr(c, "type %s needs RFC 3597 \\# RDATA", rrtype_name(c->type, tn, sizeof(tn)));
		return;
	}
	rdata_fields(c, known, r);
}

static void record(struct zfile *zf, struct pstate *ps, const char *path, struct tok *t, int n, bool indented)
{
	struct zrr rr = {.line = t[0].line, .file = path};
	char b[300];
	int i = 0;
	if (!indented) {
		int e = t[0].quoted ? -1 : zname_from_text(t[0].s, t[0].n, ps->origin, rr.owner);
		if (e < 0) {
			zerr(zf, path, t[0].line, "%s in owner '%s'", zname_error(e),
			     tokstr(&t[0], b, sizeof(b)));
			return;
		}
		memcpy(ps->last_owner, rr.owner, sizeof(rr.owner));
		ps->have_owner = true;
		i = 1;
	} else if (!ps->have_owner) {
		zerr(zf, path, t[0].line, "record without an owner name");
		return;
	} else {
		memcpy(rr.owner, ps->last_owner, sizeof(rr.owner));
	}
	rr.owner_len = (uint8_t)mica_dns_name_len(rr.owner, MICA_DNS_NAME_MAX);
	bool have_ttl;
	i = ttl_and_class(zf, path, t, n, i, &rr, &have_ttl);
	if (i < 0)
		return;
	if (i >= n) {
		zerr(zf, path, t[n - 1].line, "missing record type");
		return;
	}
	int type = t[i].quoted ? -1 : rrtype_from_text(t[i].s, t[i].n);
	if (type < 0) {
		zerr(zf, path, t[i].line, "unknown record type '%s'", tokstr(&t[i], b, sizeof(b)));
		return;
	}
	rr.type = (uint16_t)type;
	i++;
	if (!have_ttl)
		default_ttl(zf, ps, path, t[0].line, &rr);
	static struct rd r;
	r.n = 0;
	r.overflow = false;
	struct ctx c = {zf, path, ps->origin, t + i, n - i, 0, t[i - 1].line, false, rr.type};
	parse_rdata(&c, &r);
	if (c.bad)
		return;
	rr.rdlen = (uint16_t)r.n;
	rr.rdata = xrealloc(NULL, r.n);
	memcpy(rr.rdata, r.buf, r.n);
	add_rr(zf, &rr);
}

static void parse_text(struct zfile *zf, struct pstate *ps, const char *path, const char *text, size_t len)
{
	struct tok *toks = xrealloc(NULL, MAX_TOKS * sizeof(*toks));
	struct lex lx = {text, text + len, 1, 0, 0, false, zf, path};
	int n;
	bool indented;
	while (next_record(&lx, toks, &n, &indented)) {
		if (lx.bad)
			continue;
		if (!toks[0].quoted && toks[0].n > 0 && toks[0].s[0] == '$' && !indented)
			directive(zf, ps, path, toks, n);
		else
			record(zf, ps, path, toks, n, indented);
	}
	if (ps->depth == 0)
		zf->last_line = lx.line;
	free(toks);
}

void zparse(struct zfile *zf, const char *text, size_t len)
{
	struct pstate ps;
	memset(&ps, 0, sizeof(ps));
	memcpy(ps.origin, zf->origin, (size_t)mica_dns_name_len(zf->origin, MICA_DNS_NAME_MAX));
	parse_text(zf, &ps, zf->path, text, len);
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
	size_t len;
	char *text = read_file(path, &len);
	if (!text) {
		fprintf(err, "%s:0: cannot open: %m\n", path);
		zf->nerrors++;
		return -1;
	}
	zparse(zf, text, len);
	free(text);
	return zf->nerrors ? -1 : 0;
}

void zfile_free(struct zfile *zf)
{
	for (size_t i = 0; i < zf->nrrs; i++)
		free(zf->rrs[i].rdata);
	free(zf->rrs);
	for (size_t i = 0; i < zf->nfiles; i++)
		free(zf->files[i]);
	free(zf->files);
	zf->files = NULL;
	zf->nfiles = 0;
	zf->rrs = NULL;
	zf->nrrs = zf->caprrs = 0;
}
