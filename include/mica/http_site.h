/* http_site.h - a static web site compiled into the image, and the
 * decisions a server makes for one request against it (lib/http/site.c,
 * lib/http/reply.c).
 *
 * tools/sitec turns a directory tree into a `struct mica_http_site`: one
 * entry per file and per directory, sorted by path. Every file has its
 * headers written once at build time - Content-Type, Last-Modified, a
 * strong ETag, Vary, Content-Encoding - as a block of field lines ending in
 * the empty line, and its body follows that block in read-only memory, so
 * a whole 200 response is a short dynamic prefix (status, Date,
 * Content-Length, Connection) plus one contiguous piece of the image.
 * Compressed variants exist only where they are smaller. */
#ifndef MICA_HTTP_SITE_H
#define MICA_HTTP_SITE_H

#include "http.h"

enum mica_http_encoding { MICA_HTTP_IDENTITY, MICA_HTTP_GZIP, MICA_HTTP_BR, MICA_HTTP_NENC };

struct mica_http_variant {
	const uint8_t *head;    /* field lines + CRLF, then body_len bytes of body; NULL: absent */
	const uint8_t *head304; /* the fields of a 304 (Server, ETag, Last-Modified, Vary) + CRLF */
	uint32_t head_len, head304_len;
	uint64_t body_len;
	const char *etag; /* with its quotes */
	uint32_t etag_len;
};

enum mica_http_entry_kind {
	MICA_HTTP_ENTRY_FILE, /* var[] holds the representations */
	MICA_HTTP_ENTRY_DIR,  /* a directory named without its slash: 301 to path + "/" */
};

struct mica_http_entry {
	const char *path; /* decoded, from '/', e.g. "/css/site.css" or "/docs/" */
	uint32_t path_len;
	uint8_t kind;
	int64_t mtime; /* Last-Modified, Unix seconds */
	struct mica_http_variant var[MICA_HTTP_NENC];
};

struct mica_http_site {
	const struct mica_http_entry *entries; /* sorted by path bytes */
	uint32_t nentries;
};

/* Content-Type of a file by the extension of name[0, len) (text types with
 * "; charset=utf-8", unknown ones application/octet-stream), and whether
 * compressing the format can pay off (lib/http/media.c). */
const char *mica_http_media_type(const char *name, size_t len, bool *compressible);

/* The entry for a decoded path, or NULL. */
const struct mica_http_entry *mica_http_site_find(const struct mica_http_site *s, const uint8_t *path,
                                                  size_t len);

/* What to answer. For 200/206/304 `var` is the chosen representation. */
struct mica_http_reply {
	uint16_t status;
	bool body;                           /* send the body (false for HEAD) */
	const struct mica_http_entry *entry; /* 200/206/304, and 301 */
	const struct mica_http_variant *var;
	uint64_t first, len; /* the slice of the body for 200/206 */
};

/* Decide the answer to a request that parsed without error: method (405
 * with Allow, 501), path (400 for a refused one, 404, 301 to add the
 * slash), representation by Accept-Encoding, If-None-Match /
 * If-Modified-Since (304), Range with If-Range (206, 416). */
void mica_http_site_reply(const struct mica_http_site *s, const struct mica_http_request *req,
                          struct mica_http_reply *r);

/* The representation Accept-Encoding prefers among those the entry has. */
const struct mica_http_variant *mica_http_choose_variant(const struct mica_http_entry *e,
                                                         const struct mica_http_accept *a);

/* Write the part of the response head that changes per request into o:
 * status line, Date (date: MICA_HTTP_DATE_LEN chars), Content-Length,
 * Content-Range, Connection. For 200/206/304 the entry's static block
 * (var->head or var->head304) follows it, then the body slice. For other
 * statuses the whole response (head and small HTML body; no body for
 * HEAD) is written; `req` may be NULL for a request that failed to parse.
 * `close` adds Connection: close; a kept-alive HTTP/1.0 request gets
 * Connection: keep-alive. */
void mica_http_write_head(struct mica_http_out *o, const struct mica_http_reply *r,
                          const struct mica_http_request *req, const char *date, bool close);

#endif
