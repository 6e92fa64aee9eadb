/* feed.c - the incremental part of the request parser: finds where a
 * request head ends (the first empty line) in input that may arrive one
 * byte at a time, enforces the size limits while it waits (414 for the
 * request line, 431 for the header section), keeps a split head in a
 * buffer that exists only while it is needed, and reads and drops small
 * request bodies so they never count as the next request. */
#include "http_impl.h"
#include <mica/libc.h>

/* Empty lines tolerated before a request line (RFC 9112 2.2), in bytes. */
#define HTTP_LEADING_EMPTY_MAX 64
#define HTTP_BUF_MAX (HTTP_LEADING_EMPTY_MAX + MICA_HTTP_LINE_MAX + 2 + MICA_HTTP_FIELDS_MAX + 3)
#define HTTP_BUF_MIN 512

enum scan_result { SCAN_MORE, SCAN_DONE, SCAN_414, SCAN_431, SCAN_400 };

void mica_http_parser_init(struct mica_http_parser *p)
{
	memset(p, 0, sizeof(*p));
	p->in_line1 = true;
}

void mica_http_parser_fini(struct mica_http_parser *p)
{
	free(p->buf);
	mica_http_parser_init(p);
}

bool mica_http_parser_busy(const struct mica_http_parser *p)
{
	return (p->len > 0 && !p->release) || p->drop > 0;
}

static void scan_reset(struct mica_http_parser *p)
{
	p->scan = p->line_start = p->head_start = p->fields_start = 0;
	p->in_line1 = true;
}

/* Scan b[p->scan, n) for line ends; on SCAN_DONE *end is one past the LF
 * of the empty line that ends the head. */
static enum scan_result scan(struct mica_http_parser *p, const uint8_t *b, size_t n, size_t *end)
{
	size_t i = p->scan;
	while (i < n) {
		const uint8_t *lf = memchr(b + i, '\n', n - i);
		if (!lf)
			break;
		size_t at = (size_t)(lf - b), content_end = at;
		if (content_end > p->line_start && b[content_end - 1] == '\r')
			content_end--;
		bool empty = content_end == p->line_start;
		i = at + 1;
		if (memchr(b + p->line_start, '\r', content_end - p->line_start))
			return SCAN_400; /* a bare CR */
		if (p->in_line1) {
			if (content_end - p->line_start > MICA_HTTP_LINE_MAX)
				return SCAN_414;
			if (empty) {
				if (i > HTTP_LEADING_EMPTY_MAX)
					return SCAN_400;
				p->head_start = (uint32_t)i;
			} else {
				p->in_line1 = false;
				p->fields_start = (uint32_t)i;
			}
		} else if (empty) {
			*end = i;
			return SCAN_DONE;
		} else if (i - p->fields_start > MICA_HTTP_FIELDS_MAX) {
			return SCAN_431;
		}
		p->line_start = (uint32_t)i;
	}
	p->scan = (uint32_t)n;
	if (p->in_line1 && n - p->line_start > MICA_HTTP_LINE_MAX + 1)
		return SCAN_414;
	if (!p->in_line1 && n - p->fields_start > MICA_HTTP_FIELDS_MAX + 2)
		return SCAN_431;
	return SCAN_MORE;
}

static void fail_request(struct mica_http_request *req, uint16_t status)
{
	memset(req, 0, sizeof(*req));
	req->error = status;
}

/* The head is b[p->head_start, end): parse it and set up the body. */
static void finish_head(struct mica_http_parser *p, const uint8_t *b, size_t end,
                        struct mica_http_request *req)
{
	http_parse_head(b + p->head_start, b + p->fields_start, b + p->fields_start, b + end, req);
	if (!req->error && req->chunked)
		req->error = 413;
	if (!req->error && req->content_length > MICA_HTTP_BODY_DROP_MAX)
		req->error = 413;
	if (req->error)
		req->keep_alive = false;
	else
		p->drop = req->content_length;
}

static int grow(struct mica_http_parser *p, size_t need)
{
	if (need <= p->cap)
		return MICA_OK;
	size_t cap = p->cap ? p->cap : HTTP_BUF_MIN;
	while (cap < need)
		cap *= 2;
	if (cap > HTTP_BUF_MAX)
		cap = HTTP_BUF_MAX;
	uint8_t *nb = realloc(p->buf, cap);
	if (!nb)
		return MICA_ENOMEM;
	p->buf = nb;
	p->cap = (uint32_t)cap;
	return MICA_OK;
}

static uint16_t scan_status(enum scan_result r)
{
	return r == SCAN_414 ? 414 : r == SCAN_431 ? 431 : 400;
}

/* Nothing buffered: parse in place when the whole head is here. */
static int feed_fresh(struct mica_http_parser *p, const uint8_t *data, size_t len, size_t *used,
                      struct mica_http_request *req)
{
	size_t end = 0;
	enum scan_result r = scan(p, data, len, &end);
	if (r == SCAN_DONE) {
		finish_head(p, data, end, req);
		scan_reset(p);
		*used = end;
		return MICA_HTTP_REQUEST;
	}
	if (r != SCAN_MORE) {
		fail_request(req, scan_status(r));
		*used = len;
		return MICA_HTTP_REQUEST;
	}
	int rc = grow(p, len);
	if (rc)
		return rc;
	memcpy(p->buf, data, len);
	p->len = (uint32_t)len;
	*used = len;
	return MICA_HTTP_NEED_MORE;
}

/* Part of a head is buffered: append, scan the new bytes. */
static int feed_buffered(struct mica_http_parser *p, const uint8_t *data, size_t len, size_t *used,
                         struct mica_http_request *req)
{
	size_t take = len;
	if (take > HTTP_BUF_MAX - p->len)
		take = HTTP_BUF_MAX - p->len;
	int rc = grow(p, p->len + take);
	if (rc)
		return rc;
	memcpy(p->buf + p->len, data, take);
	size_t old = p->len, end = 0;
	p->len += (uint32_t)take;
	enum scan_result r = scan(p, p->buf, p->len, &end);
	if (r == SCAN_DONE) {
		*used = end - old;
		p->len = (uint32_t)end;
		finish_head(p, p->buf, end, req);
		p->release = true;
		return MICA_HTTP_REQUEST;
	}
	*used = take;
	if (r != SCAN_MORE) {
		fail_request(req, scan_status(r));
		p->release = true;
		return MICA_HTTP_REQUEST;
	}
	return MICA_HTTP_NEED_MORE;
}

int mica_http_feed(struct mica_http_parser *p, const uint8_t *data, size_t len, size_t *used,
                   struct mica_http_request *req)
{
	*used = 0;
	if (p->release) {
		free(p->buf);
		p->buf = NULL;
		p->len = p->cap = 0;
		p->release = false;
		scan_reset(p);
	}
	if (p->drop > 0) {
		size_t n = p->drop < len ? (size_t)p->drop : len;
		p->drop -= n;
		*used = n;
		return MICA_HTTP_NEED_MORE;
	}
	if (len == 0)
		return MICA_HTTP_NEED_MORE;
	if (p->len == 0)
		return feed_fresh(p, data, len, used, req);
	return feed_buffered(p, data, len, used, req);
}
