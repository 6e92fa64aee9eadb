/* view.h - bounds-checked views into memory, with big-endian helpers.
 *
 * A view is a pointer and a length; it owns nothing. Every accessor checks
 * bounds and returns MICA_ERANGE instead of reading or writing outside the
 * view. For sequential parsing, a cursor keeps a position and a sticky error:
 * once an access fails, later reads return 0 and the error stays set, so a
 * parser can read a whole header and check `cur.err` once at the end. */
#ifndef MICA_VIEW_H
#define MICA_VIEW_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "err.h"

struct mica_view {
	uint8_t *data;
	size_t len;
};

static inline struct mica_view mica_view_make(void *data, size_t len)
{
	struct mica_view v = {(uint8_t *)data, len};
	return v;
}

/* True when [off, off+n) lies inside the view (overflow-safe). */
static inline bool mica_view_has(struct mica_view v, size_t off, size_t n)
{
	return off <= v.len && n <= v.len - off;
}

int mica_view_sub(struct mica_view v, size_t off, size_t len, struct mica_view *out);
/* The view from `off` to the end. */
int mica_view_tail(struct mica_view v, size_t off, struct mica_view *out);

int mica_view_get_u8(struct mica_view v, size_t off, uint8_t *out);
int mica_view_get_be16(struct mica_view v, size_t off, uint16_t *out);
int mica_view_get_be32(struct mica_view v, size_t off, uint32_t *out);
int mica_view_get_be64(struct mica_view v, size_t off, uint64_t *out);
int mica_view_get_bytes(struct mica_view v, size_t off, void *dst, size_t n);

int mica_view_put_u8(struct mica_view v, size_t off, uint8_t val);
int mica_view_put_be16(struct mica_view v, size_t off, uint16_t val);
int mica_view_put_be32(struct mica_view v, size_t off, uint32_t val);
int mica_view_put_be64(struct mica_view v, size_t off, uint64_t val);
int mica_view_put_bytes(struct mica_view v, size_t off, const void *src, size_t n);

/* Sequential reader/writer over a view with a sticky error. */
struct mica_cursor {
	struct mica_view v;
	size_t pos;
	int err; /* 0, or the first error met (MICA_ERANGE) */
};

static inline struct mica_cursor mica_cursor_make(struct mica_view v)
{
	struct mica_cursor c = {v, 0, 0};
	return c;
}

static inline size_t mica_cursor_left(const struct mica_cursor *c)
{
	return c->err ? 0 : c->v.len - c->pos;
}

uint8_t mica_cursor_u8(struct mica_cursor *c);
uint16_t mica_cursor_be16(struct mica_cursor *c);
uint32_t mica_cursor_be32(struct mica_cursor *c);
/* Copy n bytes out (dst may be NULL to skip them). */
void mica_cursor_bytes(struct mica_cursor *c, void *dst, size_t n);
/* Take a sub-view of the next n bytes and advance past them. */
struct mica_view mica_cursor_view(struct mica_cursor *c, size_t n);
void mica_cursor_skip(struct mica_cursor *c, size_t n);

void mica_cursor_put_u8(struct mica_cursor *c, uint8_t val);
void mica_cursor_put_be16(struct mica_cursor *c, uint16_t val);
void mica_cursor_put_be32(struct mica_cursor *c, uint32_t val);
void mica_cursor_put_bytes(struct mica_cursor *c, const void *src, size_t n);

#endif
