/* request.c - parse one complete request head (RFC 9112 3 and 5): the
 * request line (method SP target SP HTTP/1.x, single spaces), then every
 * field line (token ":" OWS value OWS), keeping the fields a static server
 * uses. Anything that could frame the message differently from another
 * parser is refused with 400: obs-fold, whitespace before the colon, a
 * bare CR or other control characters, Content-Length with
 * Transfer-Encoding, a repeated or malformed Content-Length, a missing or
 * repeated Host. */
#include "http_impl.h"
#include <mica/libc.h>

static const struct {
	const char *name;
	enum mica_http_method m;
} methods[] = {
    {"GET", MICA_HTTP_GET},         {"HEAD", MICA_HTTP_HEAD},     {"POST", MICA_HTTP_POST},
    {"PUT", MICA_HTTP_PUT},         {"DELETE", MICA_HTTP_DELETE}, {"CONNECT", MICA_HTTP_CONNECT},
    {"OPTIONS", MICA_HTTP_OPTIONS}, {"TRACE", MICA_HTTP_TRACE},   {"PATCH", MICA_HTTP_PATCH},
};

static bool is_ctl(uint8_t c)
{
	return c < 0x20 || c == 0x7f;
}

static bool parse_method(struct mica_http_str s, struct mica_http_request *req)
{
	if (s.len == 0)
		return false;
	for (size_t i = 0; i < s.len; i++)
		if (!http_is_tchar(s.p[i]))
			return false;
	req->method_str = s;
	req->method = MICA_HTTP_OTHER;
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strlen(methods[i].name) == s.len && memcmp(methods[i].name, s.p, s.len) == 0)
			req->method = methods[i].m;
	return true;
}

/* "HTTP/" DIGIT "." DIGIT; returns 0 if fine, else 400 or 505. */
static uint16_t parse_version(struct mica_http_str s, struct mica_http_request *req)
{
	if (s.len != 8 || memcmp(s.p, "HTTP/", 5) != 0 || s.p[6] != '.')
		return 400;
	uint8_t major = s.p[5], minor = s.p[7];
	if (major < '0' || major > '9' || minor < '0' || minor > '9')
		return 400;
	if (major != '1')
		return 505;
	req->minor = minor == '0' ? 0 : 1;
	return 0;
}

static bool prefix_ieq(struct mica_http_str s, const char *lit)
{
	size_t n = strlen(lit);
	struct mica_http_str head = {s.p, n};
	return s.len >= n && http_str_ieq(head, lit);
}

/* Split an origin path into path and query at the first '?'. */
static void split_query(struct mica_http_str s, struct mica_http_request *req)
{
	const uint8_t *q = memchr(s.p, '?', s.len);
	size_t plen = q ? (size_t)(q - s.p) : s.len;
	req->path = (struct mica_http_str){s.p, plen};
	req->query = q ? (struct mica_http_str){q + 1, s.len - plen - 1} : (struct mica_http_str){NULL, 0};
}

/* origin-form, absolute-form (http/https), asterisk-form for OPTIONS,
 * authority-form for CONNECT. */
static bool parse_target(struct mica_http_str t, struct mica_http_request *req)
{
	if (t.len == 0)
		return false;
	for (size_t i = 0; i < t.len; i++)
		if (is_ctl(t.p[i]) || t.p[i] == ' ' || t.p[i] == '#')
			return false;
	req->target = t;
	if (t.p[0] == '/') {
		split_query(t, req);
		return true;
	}
	if (t.len == 1 && t.p[0] == '*')
		return req->method == MICA_HTTP_OPTIONS;
	if (req->method == MICA_HTTP_CONNECT)
		return true;
	size_t skip = prefix_ieq(t, "http://") ? 7 : prefix_ieq(t, "https://") ? 8 : 0;
	if (!skip)
		return false;
	struct mica_http_str rest = {t.p + skip, t.len - skip};
	size_t a = 0;
	while (a < rest.len && rest.p[a] != '/' && rest.p[a] != '?')
		a++;
	if (a == 0)
		return false;
	req->host = (struct mica_http_str){rest.p, a};
	req->absolute_form = true;
	if (a < rest.len && rest.p[a] == '/') {
		split_query((struct mica_http_str){rest.p + a, rest.len - a}, req);
	} else {
		static const uint8_t slash = '/';
		req->path = (struct mica_http_str){&slash, 1};
		req->query = a < rest.len ? (struct mica_http_str){rest.p + a + 1, rest.len - a - 1}
		                          : (struct mica_http_str){NULL, 0};
	}
	return true;
}

static uint16_t parse_request_line(struct mica_http_str line, struct mica_http_request *req)
{
	const uint8_t *sp1 = memchr(line.p, ' ', line.len);
	if (!sp1)
		return 400;
	const uint8_t *sp2 = line.p + line.len - 1; /* the last space */
	while (sp2 > sp1 && *sp2 != ' ')
		sp2--;
	if (sp2 == sp1)
		return 400;
	for (size_t i = 0; i < line.len; i++)
		if (is_ctl(line.p[i]))
			return 400;
	if (!parse_method((struct mica_http_str){line.p, (size_t)(sp1 - line.p)}, req))
		return 400;
	if (!parse_target((struct mica_http_str){sp1 + 1, (size_t)(sp2 - sp1 - 1)}, req))
		return 400;
	return parse_version((struct mica_http_str){sp2 + 1, (size_t)(line.p + line.len - sp2 - 1)}, req);
}

/* uri-host [":" port]: reg-name, IPv4 or [IP-literal] characters only. */
static bool host_ok(struct mica_http_str h)
{
	for (size_t i = 0; i < h.len; i++) {
		uint8_t c = h.p[i];
		bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		          strchr("-._~%!$&'()*+,;=:[]", c) != NULL;
		if (!ok || c == 0)
			return false;
	}
	return true;
}

struct field_state {
	bool has_host, has_cl, has_te, te_chunked_last, conn_close, conn_keep_alive;
	unsigned n_chunked;
};

static uint16_t take_transfer_encoding(struct mica_http_str v, struct field_state *st)
{
	size_t pos = 0;
	struct mica_http_str e;
	bool any = false;
	while (http_list_next(v, &pos, &e)) {
		any = true;
		st->te_chunked_last = http_str_ieq(e, "chunked");
		if (st->te_chunked_last)
			st->n_chunked++;
	}
	st->has_te = true;
	return any ? 0 : 400;
}

static void take_connection(struct mica_http_str v, struct field_state *st)
{
	size_t pos = 0;
	struct mica_http_str e;
	while (http_list_next(v, &pos, &e)) {
		if (http_str_ieq(e, "close"))
			st->conn_close = true;
		else if (http_str_ieq(e, "keep-alive"))
			st->conn_keep_alive = true;
	}
}

/* One field the server cares about; returns 0 or an error status. */
static uint16_t take_field(struct mica_http_str name, struct mica_http_str v, struct mica_http_request *req,
                           struct field_state *st)
{
	if (http_str_ieq(name, "host")) {
		if (st->has_host || !host_ok(v))
			return 400;
		st->has_host = true;
		if (!req->absolute_form)
			req->host = v;
	} else if (http_str_ieq(name, "content-length")) {
		if (st->has_cl || !http_parse_digits(v, &req->content_length))
			return 400;
		st->has_cl = true;
	} else if (http_str_ieq(name, "transfer-encoding")) {
		return take_transfer_encoding(v, st);
	} else if (http_str_ieq(name, "connection")) {
		take_connection(v, st);
	} else if (http_str_ieq(name, "if-none-match")) {
		if (req->n_if_none_match < MICA_HTTP_MAX_LIST_FIELDS)
			req->if_none_match[req->n_if_none_match++] = v;
		else
			req->if_none_match_overflow = true;
	} else if (http_str_ieq(name, "if-modified-since")) {
		if (!req->if_modified_since.p)
			req->if_modified_since = v;
	} else if (http_str_ieq(name, "if-range")) {
		if (!req->if_range.p)
			req->if_range = v;
	} else if (http_str_ieq(name, "range")) {
		req->range_repeated = req->range.p != NULL;
		req->range = v;
	} else if (http_str_ieq(name, "accept-encoding")) {
		mica_http_parse_accept(v, &req->accept);
	}
	return 0;
}

/* One field line [p, e) without its line end. */
static uint16_t parse_field_line(const uint8_t *p, const uint8_t *e, struct mica_http_request *req,
                                 struct field_state *st)
{
	if (p == e || *p == ' ' || *p == '\t')
		return 400; /* obs-fold, or whitespace after the request line */
	const uint8_t *c = p;
	while (c < e && http_is_tchar(*c))
		c++;
	if (c == p || c == e || *c != ':')
		return 400; /* no name, no colon, a space before it, or a bad name */
	for (const uint8_t *q = c + 1; q < e; q++)
		if (*q != '\t' && is_ctl(*q))
			return 400;
	struct mica_http_str name = {p, (size_t)(c - p)};
	struct mica_http_str v = http_trim((struct mica_http_str){c + 1, (size_t)(e - c - 1)});
	return take_field(name, v, req, st);
}

static uint16_t parse_fields(const uint8_t *p, const uint8_t *end, struct mica_http_request *req,
                             struct field_state *st)
{
	while (p < end) {
		const uint8_t *lf = memchr(p, '\n', (size_t)(end - p));
		if (!lf)
			return 400;
		const uint8_t *e = lf > p && lf[-1] == '\r' ? lf - 1 : lf;
		if (e == p)
			return 0; /* the empty line that ends the head */
		uint16_t err = parse_field_line(p, e, req, st);
		if (err)
			return err;
		p = lf + 1;
	}
	return 400;
}

static uint16_t check_framing(struct mica_http_request *req, const struct field_state *st)
{
	if (req->minor == 1 && !st->has_host && !req->absolute_form)
		return 400;
	if (st->has_te) {
		/* RFC 9112 6.1 and 6.3: TE with CL, TE in HTTP/1.0, or a final
		 * coding other than chunked cannot be framed safely. */
		if (st->has_cl || req->minor == 0 || !st->te_chunked_last || st->n_chunked != 1)
			return 400;
		req->chunked = true;
	}
	return 0;
}

void http_parse_head(const uint8_t *line, const uint8_t *line_end, const uint8_t *fields, const uint8_t *end,
                     struct mica_http_request *req)
{
	memset(req, 0, sizeof(*req));
	req->accept.gzip = req->accept.br = req->accept.identity = req->accept.star = -1;
	/* The request line without its LF or CRLF. */
	const uint8_t *le = line_end - 1;
	if (le > line && le[-1] == '\r')
		le--;
	struct field_state st = {0};
	uint16_t err = parse_request_line((struct mica_http_str){line, (size_t)(le - line)}, req);
	if (!err)
		err = parse_fields(fields, end, req, &st);
	if (!err)
		err = check_framing(req, &st);
	if (err) {
		req->error = err;
		req->keep_alive = false;
		return;
	}
	req->keep_alive = req->minor == 1 ? !st.conn_close : st.conn_keep_alive && !st.conn_close;
}
