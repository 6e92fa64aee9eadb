/* http.h - HTTP/1.1 messages (RFC 9110, RFC 9112): an incremental request
 * parser and the pieces of a response (lib/http).
 *
 * The parser is strict where leniency lets two parties disagree about where
 * a request ends (request smuggling): Content-Length together with
 * Transfer-Encoding, a bad or repeated Content-Length, obs-fold, a bare CR,
 * whitespace before a colon, an invalid method or target are all 400 and
 * the connection must close. Limits: a request line over
 * MICA_HTTP_LINE_MAX bytes is 414, a header section over
 * MICA_HTTP_FIELDS_MAX bytes is 431, an HTTP version other than 1.x is 505.
 *
 * Input may arrive in pieces of any size, down to one byte per call. While
 * a request head is split across calls the parser keeps the bytes in a
 * buffer it allocates (freed when the request is done); a head that
 * arrives whole is parsed in place, without copying. A request body (which
 * a static server does not use) is read and dropped when it is at most
 * MICA_HTTP_BODY_DROP_MAX bytes with a Content-Length, refused with 413
 * otherwise - it never becomes the next request. */
#ifndef MICA_HTTP_H
#define MICA_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define MICA_HTTP_LINE_MAX 8192       /* request line, without CRLF */
#define MICA_HTTP_FIELDS_MAX 16384    /* header section, without the request line */
#define MICA_HTTP_BODY_DROP_MAX 65536 /* larger bodies are refused with 413 */
#define MICA_HTTP_MAX_LIST_FIELDS 8   /* If-None-Match lines kept per request */
#define MICA_HTTP_DATE_LEN 29         /* "Sun, 06 Nov 1994 08:49:37 GMT" */

/* A piece of a request: pointer and length, valid until the next call to
 * mica_http_feed (it points into the caller's data or the parser's buffer). */
struct mica_http_str {
	const uint8_t *p;
	size_t len;
};

enum mica_http_method {
	MICA_HTTP_OTHER = 0, /* a valid token we do not know: 501 */
	MICA_HTTP_GET,
	MICA_HTTP_HEAD,
	MICA_HTTP_POST,
	MICA_HTTP_PUT,
	MICA_HTTP_DELETE,
	MICA_HTTP_CONNECT,
	MICA_HTTP_OPTIONS,
	MICA_HTTP_TRACE,
	MICA_HTTP_PATCH,
};

/* Accept-Encoding, as q-values in thousandths (RFC 9110 12.5.3).
 * -1: the coding was not named. */
struct mica_http_accept {
	int16_t gzip, br, identity, star;
	bool present; /* the field was sent at all */
};

struct mica_http_request {
	/* 0 when the request is fine; else the status to answer with before
	 * closing the connection: 400, 413, 414, 431 or 505. */
	uint16_t error;
	enum mica_http_method method;
	uint8_t minor;      /* HTTP/1.minor (1.2 and up count as 1) */
	bool keep_alive;    /* the client allows another request after this */
	bool absolute_form; /* target was http://host/path */
	struct mica_http_str method_str;
	struct mica_http_str target; /* as sent */
	struct mica_http_str path;   /* origin path, still percent-encoded, without query */
	struct mica_http_str query;  /* after '?', without it (len 0: none) */
	struct mica_http_str host;
	struct mica_http_str if_modified_since, if_range, range;
	struct mica_http_str if_none_match[MICA_HTTP_MAX_LIST_FIELDS];
	uint8_t n_if_none_match;
	bool if_none_match_overflow; /* more lines than kept: treat as no match */
	bool range_repeated;         /* two Range fields: ignore both */
	struct mica_http_accept accept;
	uint64_t content_length; /* of a body to drop (0: none) */
	bool chunked;            /* Transfer-Encoding: chunked was sent (refused: 413) */
};

enum mica_http_event {
	MICA_HTTP_NEED_MORE, /* everything consumed, no complete request yet */
	MICA_HTTP_REQUEST,   /* a request head is complete: see the request */
};

/* Per-connection parser state. Small when idle: the buffer exists only
 * while a request head is split across calls. */
struct mica_http_parser {
	uint8_t *buf; /* head bytes kept across calls (malloc) */
	uint32_t len, cap;
	uint32_t scan;       /* bytes of buf already scanned for line ends */
	uint32_t line_start; /* offset of the line being scanned */
	uint32_t head_start; /* offset of the request line (after empty lines) */
	uint32_t fields_start;
	bool release;  /* buf holds a returned request: reset on next feed */
	bool in_line1; /* still scanning the request line */
	uint64_t drop; /* body bytes still to be read and dropped */
};

void mica_http_parser_init(struct mica_http_parser *p);
/* Free the buffer (the parser can be used again after init). */
void mica_http_parser_fini(struct mica_http_parser *p);
/* True while part of a request (or a body to drop) has been read. */
bool mica_http_parser_busy(const struct mica_http_parser *p);

/* Feed bytes. *used is set to how many were consumed. Returns
 * MICA_HTTP_REQUEST when a request head is complete (fills *req; check
 * req->error first), else MICA_HTTP_NEED_MORE after consuming everything.
 * After a request with req->error != 0 the connection must be closed; the
 * parser must not be fed again. Returns MICA_ENOMEM (negative) when the
 * buffer cannot grow. */
int mica_http_feed(struct mica_http_parser *p, const uint8_t *data, size_t len, size_t *used,
                   struct mica_http_request *req);

/* ---- Field values ---- */

/* Parse the Accept-Encoding value v, adding to *a (call once per field line). */
void mica_http_parse_accept(struct mica_http_str v, struct mica_http_accept *a);
/* q-value (thousandths) that *a gives coding `name` ("gzip", "br",
 * "identity"): the named value, else "*", else the default (identity: 1000
 * unless excluded; others 0 when the field was sent, 0 when absent). */
int mica_http_accept_q(const struct mica_http_accept *a, const char *name);

enum mica_http_range_result {
	MICA_HTTP_RANGE_NONE,          /* no usable single range: send the whole body */
	MICA_HTTP_RANGE_OK,            /* *first..*last (inclusive) */
	MICA_HTTP_RANGE_UNSATISFIABLE, /* 416 with Content-Range: bytes * /size */
};
/* A Range value against a body of `size` bytes (RFC 9110 14.2). Invalid
 * syntax, other units and several ranges give NONE (200 with all). */
enum mica_http_range_result mica_http_parse_range(struct mica_http_str v, uint64_t size, uint64_t *first,
                                                  uint64_t *last);

/* Does an If-None-Match value list `etag` ("\"...\"" with quotes) or "*"?
 * Weak comparison (RFC 9110 13.1.2). */
bool mica_http_etag_listed(struct mica_http_str v, struct mica_http_str etag);
/* Strong comparison of one entity tag with `etag` (for If-Range). */
bool mica_http_etag_strong_equal(struct mica_http_str v, struct mica_http_str etag);

/* ---- Dates (RFC 9110 5.6.7) ---- */
/* Write the IMF-fixdate of `unix_s` into out[MICA_HTTP_DATE_LEN] (no NUL). */
void mica_http_format_date(int64_t unix_s, char *out);
/* Parse an HTTP-date (IMF-fixdate, and the obsolete RFC 850 and asctime
 * forms recipients must accept). MICA_EINVAL when it is none of them. */
int mica_http_parse_date(struct mica_http_str v, int64_t *unix_s);

/* ---- Paths ---- */
#define MICA_HTTP_PATH_MAX MICA_HTTP_LINE_MAX
/* Percent-decode an origin path into out (at most cap bytes). Refuses with
 * MICA_EINVAL: bad %-escapes, NUL (raw or %00), an encoded slash (%2F),
 * "." and ".." segments, a path not starting with '/'. *out_len gets the
 * decoded length. */
int mica_http_decode_path(struct mica_http_str path, uint8_t *out, size_t cap, size_t *out_len);

/* ---- Responses ---- */
/* Reason phrase of a status code ("Not Found"), "Unknown" for others. */
const char *mica_http_reason(unsigned status);

/* A small writer for response heads: appends, and remembers overflow. */
struct mica_http_out {
	uint8_t *p;
	size_t len, cap;
	bool overflow;
};
void mica_http_out_bytes(struct mica_http_out *o, const void *s, size_t n);
void mica_http_out_str(struct mica_http_out *o, const char *s);
void mica_http_out_u64(struct mica_http_out *o, uint64_t v);
/* "HTTP/1.1 404 Not Found\r\n" */
void mica_http_out_status(struct mica_http_out *o, unsigned status);
/* "Name: value\r\n" */
void mica_http_out_field(struct mica_http_out *o, const char *name, const char *value);
void mica_http_out_field_u64(struct mica_http_out *o, const char *name, uint64_t value);

#endif
