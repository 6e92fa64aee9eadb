/* site.c - the decisions of a static server for one request against a
 * compiled site (RFC 9110): method, path lookup with the directory
 * redirect, choice of representation by Accept-Encoding, conditional
 * requests (13.2.2: If-None-Match, else If-Modified-Since, for GET and
 * HEAD) and one byte range (14.2, only for GET, guarded by If-Range). */
#include <mica/http_site.h>
#include <mica/libc.h>
#include "http_impl.h"

static int entry_cmp(const struct mica_http_entry *e, const uint8_t *path, size_t len)
{
	size_t n = e->path_len < len ? e->path_len : len;
	int c = memcmp(e->path, path, n);
	if (c)
		return c;
	return e->path_len < len ? -1 : e->path_len > len ? 1 : 0;
}

const struct mica_http_entry *mica_http_site_find(const struct mica_http_site *s, const uint8_t *path,
                                                  size_t len)
{
	uint32_t lo = 0, hi = s->nentries;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = entry_cmp(&s->entries[mid], path, len);
		if (c == 0)
			return &s->entries[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct mica_http_variant *mica_http_choose_variant(const struct mica_http_entry *e,
                                                         const struct mica_http_accept *a)
{
	static const char *const names[MICA_HTTP_NENC] = {"identity", "gzip", "br"};
	int best = MICA_HTTP_IDENTITY, best_q = 0;
	/* Ties go to the later (smaller) coding: br, then gzip, then identity. */
	for (int i = 0; i < MICA_HTTP_NENC; i++) {
		if (!e->var[i].head)
			continue;
		int q = mica_http_accept_q(a, names[i]);
		/* Identity that was not named is acceptable, but any coding the
		 * client named as acceptable is preferred to it. */
		if (i == MICA_HTTP_IDENTITY && a->identity < 0 && a->star < 0)
			q = 1;
		if (q > 0 && q >= best_q) {
			best = i;
			best_q = q;
		}
	}
	return &e->var[best];
}

static struct mica_http_str var_etag(const struct mica_http_variant *v)
{
	return (struct mica_http_str){(const uint8_t *)v->etag, v->etag_len};
}

static bool not_modified(const struct mica_http_entry *e, const struct mica_http_variant *v,
                         const struct mica_http_request *req)
{
	if (req->n_if_none_match || req->if_none_match_overflow) {
		if (req->if_none_match_overflow)
			return false;
		for (unsigned i = 0; i < req->n_if_none_match; i++)
			if (mica_http_etag_listed(req->if_none_match[i], var_etag(v)))
				return true;
		return false;
	}
	int64_t since;
	if (req->if_modified_since.p && mica_http_parse_date(req->if_modified_since, &since) == MICA_OK)
		return e->mtime <= since;
	return false;
}

/* If-Range: the range applies only when the validator still matches. */
static bool if_range_holds(const struct mica_http_entry *e, const struct mica_http_variant *v,
                           const struct mica_http_request *req)
{
	if (!req->if_range.p)
		return true;
	struct mica_http_str ir = http_trim(req->if_range);
	if (ir.len && (ir.p[0] == '"' || ir.p[0] == 'W'))
		return mica_http_etag_strong_equal(ir, var_etag(v));
	int64_t t;
	return mica_http_parse_date(ir, &t) == MICA_OK && t == e->mtime;
}

static void file_reply(const struct mica_http_entry *e, const struct mica_http_request *req,
                       struct mica_http_reply *r)
{
	const struct mica_http_variant *v = mica_http_choose_variant(e, &req->accept);
	r->var = v;
	r->entry = e;
	if (not_modified(e, v, req)) {
		r->status = 304;
		r->body = false;
		return;
	}
	r->status = 200;
	r->first = 0;
	r->len = v->body_len;
	if (req->method != MICA_HTTP_GET || !req->range.p || req->range_repeated ||
	    !if_range_holds(e, v, req))
		return;
	uint64_t first, last;
	switch (mica_http_parse_range(req->range, v->body_len, &first, &last)) {
	case MICA_HTTP_RANGE_OK:
		r->status = 206;
		r->first = first;
		r->len = last - first + 1;
		break;
	case MICA_HTTP_RANGE_UNSATISFIABLE: r->status = 416; break;
	case MICA_HTTP_RANGE_NONE: break;
	}
}

void mica_http_site_reply(const struct mica_http_site *s, const struct mica_http_request *req,
                          struct mica_http_reply *r)
{
	memset(r, 0, sizeof(*r));
	r->body = req->method != MICA_HTTP_HEAD;
	if (req->method == MICA_HTTP_OTHER) {
		r->status = 501;
		return;
	}
	if (req->method != MICA_HTTP_GET && req->method != MICA_HTTP_HEAD) {
		r->status = 405;
		return;
	}
	uint8_t path[MICA_HTTP_PATH_MAX];
	size_t len;
	if (mica_http_decode_path(req->path, path, sizeof(path), &len) != MICA_OK) {
		r->status = 400;
		return;
	}
	const struct mica_http_entry *e = mica_http_site_find(s, path, len);
	if (!e) {
		r->status = 404;
	} else if (e->kind == MICA_HTTP_ENTRY_DIR) {
		r->status = 301;
		r->entry = e;
	} else {
		file_reply(e, req, r);
	}
}
