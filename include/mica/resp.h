/* resp.h - RESP2, the Redis protocol (lib/resp): an incremental parser of
 * requests (arrays of bulk strings as clients send them, and inline
 * commands typed by hand) and writers of replies into a growing buffer.
 * Errors are named the way Redis words them, so clients see the same
 * messages. */
#ifndef MICA_RESP_H
#define MICA_RESP_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define MICA_RESP_INLINE_MAX (64u * 1024) /* bytes of an inline command line */
#define MICA_RESP_ARGS_MAX (1024u * 1024) /* elements of one request */

struct mica_resp_arg {
	const uint8_t *p;
	size_t len;
};

struct mica_resp_parser {
	size_t bulk_max;   /* longest bulk string accepted */
	const char *error; /* after MICA_EBADMSG: "Protocol error: ..." */
	char errbuf[64];
};

/* Parse one request from buf[0..len). Returns the bytes it takes (> 0)
 * with argv[0..*argc) pointing into buf; 0 when the request is not
 * complete yet; MICA_EMSGSIZE when it has more than max_args elements
 * (*argc says how many: grow argv and call again); MICA_EBADMSG when it is
 * malformed (p->error says how; Redis closes such a connection). An empty
 * inline line is taken with *argc = 0. */
ptrdiff_t mica_resp_parse(struct mica_resp_parser *p, const uint8_t *buf, size_t len,
                          struct mica_resp_arg *argv, size_t max_args, size_t *argc);

/* Replies are appended to out; on a failed allocation `failed` is set and
 * nothing more is added (the caller drops the connection). */
struct mica_resp_out {
	uint8_t *buf;
	size_t len, cap;
	bool failed;
};

void mica_resp_out_free(struct mica_resp_out *o);
void mica_resp_raw(struct mica_resp_out *o, const void *p, size_t n);
void mica_resp_simple(struct mica_resp_out *o, const char *s);      /* +s */
void mica_resp_error(struct mica_resp_out *o, const char *fmt, ...) /* -ERR ... (fmt gives all) */
    __attribute__((format(printf, 2, 3)));
void mica_resp_int(struct mica_resp_out *o, int64_t v);                /* :v */
void mica_resp_bulk(struct mica_resp_out *o, const void *p, size_t n); /* $n */
void mica_resp_null(struct mica_resp_out *o);                          /* $-1 */
void mica_resp_array(struct mica_resp_out *o, int64_t n);              /* *n (-1: null array) */

#endif
