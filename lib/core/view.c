/* view.c - bounds-checked access to views, and the sequential cursor. */
#include <mica/view.h>
#include <mica/libc.h>

int mica_view_sub(struct mica_view v, size_t off, size_t len, struct mica_view *out)
{
	if (!mica_view_has(v, off, len))
		return MICA_ERANGE;
	*out = mica_view_make(v.data + off, len);
	return MICA_OK;
}

int mica_view_tail(struct mica_view v, size_t off, struct mica_view *out)
{
	if (off > v.len)
		return MICA_ERANGE;
	*out = mica_view_make(v.data + off, v.len - off);
	return MICA_OK;
}

static uint64_t get_be(const uint8_t *p, size_t n)
{
	uint64_t x = 0;
	for (size_t i = 0; i < n; i++)
		x = (x << 8) | p[i];
	return x;
}

static void put_be(uint8_t *p, size_t n, uint64_t x)
{
	for (size_t i = n; i-- > 0; x >>= 8)
		p[i] = (uint8_t)x;
}

int mica_view_get_u8(struct mica_view v, size_t off, uint8_t *out)
{
	if (!mica_view_has(v, off, 1))
		return MICA_ERANGE;
	*out = v.data[off];
	return MICA_OK;
}

int mica_view_get_be16(struct mica_view v, size_t off, uint16_t *out)
{
	if (!mica_view_has(v, off, 2))
		return MICA_ERANGE;
	*out = (uint16_t)get_be(v.data + off, 2);
	return MICA_OK;
}

int mica_view_get_be32(struct mica_view v, size_t off, uint32_t *out)
{
	if (!mica_view_has(v, off, 4))
		return MICA_ERANGE;
	*out = (uint32_t)get_be(v.data + off, 4);
	return MICA_OK;
}

int mica_view_get_be64(struct mica_view v, size_t off, uint64_t *out)
{
	if (!mica_view_has(v, off, 8))
		return MICA_ERANGE;
	*out = get_be(v.data + off, 8);
	return MICA_OK;
}

int mica_view_get_bytes(struct mica_view v, size_t off, void *dst, size_t n)
{
	if (!mica_view_has(v, off, n))
		return MICA_ERANGE;
	if (n)
		memcpy(dst, v.data + off, n);
	return MICA_OK;
}

int mica_view_put_u8(struct mica_view v, size_t off, uint8_t val)
{
	if (!mica_view_has(v, off, 1))
		return MICA_ERANGE;
	v.data[off] = val;
	return MICA_OK;
}

int mica_view_put_be16(struct mica_view v, size_t off, uint16_t val)
{
	if (!mica_view_has(v, off, 2))
		return MICA_ERANGE;
	put_be(v.data + off, 2, val);
	return MICA_OK;
}

int mica_view_put_be32(struct mica_view v, size_t off, uint32_t val)
{
	if (!mica_view_has(v, off, 4))
		return MICA_ERANGE;
	put_be(v.data + off, 4, val);
	return MICA_OK;
}

int mica_view_put_be64(struct mica_view v, size_t off, uint64_t val)
{
	if (!mica_view_has(v, off, 8))
		return MICA_ERANGE;
	put_be(v.data + off, 8, val);
	return MICA_OK;
}

int mica_view_put_bytes(struct mica_view v, size_t off, const void *src, size_t n)
{
	if (!mica_view_has(v, off, n))
		return MICA_ERANGE;
	if (n)
		memcpy(v.data + off, src, n);
	return MICA_OK;
}

/* Reserve n bytes at the cursor; NULL (and the sticky error) if they do not fit. */
static uint8_t *cursor_take(struct mica_cursor *c, size_t n)
{
	if (c->err)
		return NULL;
	if (!mica_view_has(c->v, c->pos, n)) {
		c->err = MICA_ERANGE;
		return NULL;
	}
	uint8_t *p = c->v.data + c->pos;
	c->pos += n;
	return p;
}

uint8_t mica_cursor_u8(struct mica_cursor *c)
{
	uint8_t *p = cursor_take(c, 1);
	return p ? p[0] : 0;
}

uint16_t mica_cursor_be16(struct mica_cursor *c)
{
	uint8_t *p = cursor_take(c, 2);
	return p ? (uint16_t)get_be(p, 2) : 0;
}

uint32_t mica_cursor_be32(struct mica_cursor *c)
{
	uint8_t *p = cursor_take(c, 4);
	return p ? (uint32_t)get_be(p, 4) : 0;
}

void mica_cursor_bytes(struct mica_cursor *c, void *dst, size_t n)
{
	uint8_t *p = cursor_take(c, n);
	if (p && dst && n)
		memcpy(dst, p, n);
}

struct mica_view mica_cursor_view(struct mica_cursor *c, size_t n)
{
	uint8_t *p = cursor_take(c, n);
	return p ? mica_view_make(p, n) : mica_view_make(NULL, 0);
}

void mica_cursor_skip(struct mica_cursor *c, size_t n)
{
	(void)cursor_take(c, n);
}

void mica_cursor_put_u8(struct mica_cursor *c, uint8_t val)
{
	uint8_t *p = cursor_take(c, 1);
	if (p)
		p[0] = val;
}

void mica_cursor_put_be16(struct mica_cursor *c, uint16_t val)
{
	uint8_t *p = cursor_take(c, 2);
	if (p)
		put_be(p, 2, val);
}

void mica_cursor_put_be32(struct mica_cursor *c, uint32_t val)
{
	uint8_t *p = cursor_take(c, 4);
	if (p)
		put_be(p, 4, val);
}

void mica_cursor_put_bytes(struct mica_cursor *c, const void *src, size_t n)
{
	uint8_t *p = cursor_take(c, n);
	if (p && n)
		memcpy(p, src, n);
}
