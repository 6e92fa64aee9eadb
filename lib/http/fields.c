/* fields.c - values of the request fields a static server acts on:
 * Accept-Encoding with q-values (RFC 9110 12.5.3), Range (14.2, one range
 * of bytes), If-None-Match and If-Range entity tags (13.1.2, 13.1.5). */
#include "http_impl.h"
#include <mica/libc.h>

/* qvalue = "0" ["." 0*3DIGIT] / "1" ["." 0*3"0"]; thousandths, or -1. */
static int parse_qvalue(struct mica_http_str s)
{
	if (s.len == 0 || s.len > 5 || (s.p[0] != '0' && s.p[0] != '1'))
		return -1;
	int q = (s.p[0] - '0') * 1000;
	if (s.len > 1) {
		if (s.p[1] != '.')
			return -1;
		int scale = 100;
		for (size_t i = 2; i < s.len; i++, scale /= 10) {
			if (s.p[i] < '0' || s.p[i] > '9')
				return -1;
			q += (s.p[i] - '0') * scale;
		}
	}
	return q > 1000 ? -1 : q;
}

/* "coding [ OWS ; OWS q=qvalue ]": the coding name and its q (-1: bad). */
static int accept_element(struct mica_http_str e, struct mica_http_str *name)
{
	const uint8_t *semi = memchr(e.p, ';', e.len);
	*name = http_trim((struct mica_http_str){e.p, semi ? (size_t)(semi - e.p) : e.len});
	if (!semi)
		return 1000;
	struct mica_http_str w =
	    http_trim((struct mica_http_str){semi + 1, e.len - (size_t)(semi + 1 - e.p)});
	if (w.len < 2 || (w.p[0] != 'q' && w.p[0] != 'Q') || w.p[1] != '=')
		return -1;
	return parse_qvalue((struct mica_http_str){w.p + 2, w.len - 2});
}

void mica_http_parse_accept(struct mica_http_str v, struct mica_http_accept *a)
{
	size_t pos = 0;
	struct mica_http_str e, name;
	a->present = true;
	while (http_list_next(v, &pos, &e)) {
		int q = accept_element(e, &name);
		if (q < 0)
			continue;
		if (http_str_ieq(name, "gzip") || http_str_ieq(name, "x-gzip"))
			a->gzip = (int16_t)q;
		else if (http_str_ieq(name, "br"))
			a->br = (int16_t)q;
		else if (http_str_ieq(name, "identity"))
			a->identity = (int16_t)q;
		else if (name.len == 1 && name.p[0] == '*')
			a->star = (int16_t)q;
	}
}

int mica_http_accept_q(const struct mica_http_accept *a, const char *name)
{
	bool identity = strcmp(name, "identity") == 0;
	int named = identity                    ? a->identity
	            : strcmp(name, "gzip") == 0 ? a->gzip
	            : strcmp(name, "br") == 0   ? a->br
	                                        : -1;
	if (named >= 0)
		return named;
	if (a->star >= 0)
		return a->star;
	return identity ? 1000 : 0;
}

enum mica_http_range_result mica_http_parse_range(struct mica_http_str v, uint64_t size, uint64_t *first,
                                                  uint64_t *last)
{
	if (v.len < 6 || !http_str_ieq((struct mica_http_str){v.p, 6}, "bytes="))
		return MICA_HTTP_RANGE_NONE;
	struct mica_http_str set = {v.p + 6, v.len - 6}, e, extra;
	size_t pos = 0;
	if (!http_list_next(set, &pos, &e) || http_list_next(set, &pos, &extra))
		return MICA_HTTP_RANGE_NONE; /* none, or several: send it all */
	const uint8_t *dash = memchr(e.p, '-', e.len);
	if (!dash)
		return MICA_HTTP_RANGE_NONE;
	struct mica_http_str a = {e.p, (size_t)(dash - e.p)}, b = {dash + 1, e.len - a.len - 1};
	uint64_t x, y;
	if (a.len == 0) { /* suffix: the last y bytes */
		if (!http_parse_digits(b, &y))
			return MICA_HTTP_RANGE_NONE;
		if (y == 0 || size == 0)
			return MICA_HTTP_RANGE_UNSATISFIABLE;
		*first = y >= size ? 0 : size - y;
		*last = size - 1;
		return MICA_HTTP_RANGE_OK;
	}
	if (!http_parse_digits(a, &x))
		return MICA_HTTP_RANGE_NONE;
	y = UINT64_MAX;
	if (b.len && (!http_parse_digits(b, &y) || y < x))
		return MICA_HTTP_RANGE_NONE;
	if (x >= size)
		return MICA_HTTP_RANGE_UNSATISFIABLE;
	*first = x;
	*last = y < size - 1 ? y : size - 1;
	return MICA_HTTP_RANGE_OK;
}

static bool etagc(uint8_t c)
{
	return c == 0x21 || (c >= 0x23 && c != 0x7f);
}

/* Entity tag at s[*pos]: sets *opaque (with quotes) and *weak; false if malformed. */
static bool next_etag(struct mica_http_str s, size_t *pos, struct mica_http_str *opaque, bool *weak)
{
	size_t i = *pos;
	*weak = i + 1 < s.len && s.p[i] == 'W' && s.p[i + 1] == '/';
	if (*weak)
		i += 2;
	if (i >= s.len || s.p[i] != '"')
		return false;
	size_t start = i++;
	while (i < s.len && s.p[i] != '"') {
		if (!etagc(s.p[i]))
			return false;
		i++;
	}
	if (i >= s.len)
		return false;
	*opaque = (struct mica_http_str){s.p + start, i + 1 - start};
	*pos = i + 1;
	return true;
}

static bool str_eq(struct mica_http_str a, struct mica_http_str b)
{
	return a.len == b.len && memcmp(a.p, b.p, a.len) == 0;
}

bool mica_http_etag_listed(struct mica_http_str v, struct mica_http_str etag)
{
	v = http_trim(v);
	if (v.len == 1 && v.p[0] == '*')
		return true;
	size_t pos = 0;
	for (;;) {
		while (pos < v.len && (v.p[pos] == ' ' || v.p[pos] == '\t' || v.p[pos] == ','))
			pos++;
		if (pos >= v.len)
			return false;
		struct mica_http_str tag;
		bool weak;
		if (!next_etag(v, &pos, &tag, &weak))
			return false;
		if (str_eq(tag, etag))
			return true;
	}
}

bool mica_http_etag_strong_equal(struct mica_http_str v, struct mica_http_str etag)
{
	v = http_trim(v);
	size_t pos = 0;
	struct mica_http_str tag;
	bool weak;
	return next_etag(v, &pos, &tag, &weak) && pos == v.len && !weak && str_eq(tag, etag);
}
