/* tcp_ring.c - fixed-capacity byte rings for a connection's send buffer
 * (bytes from snd_una on) and receive buffer (unconsumed bytes, then room
 * where out-of-order data lands at its offset). Memory is taken on first
 * use, so idle and short connections cost only their control block. */
#include "tcp.h"
#include <mica/libc.h>

int tcp_ring_alloc(struct tcp_ring *r)
{
	if (r->mem)
		return MICA_OK;
	r->mem = malloc(r->cap);
	return r->mem ? MICA_OK : MICA_ENOMEM;
}

void tcp_ring_free(struct tcp_ring *r)
{
	free(r->mem);
	r->mem = NULL;
	r->head = r->len = 0;
}

void tcp_ring_write(struct tcp_ring *r, uint32_t off, const void *src, uint32_t n)
{
	uint32_t pos = (r->head + off) % r->cap;
	uint32_t first = r->cap - pos < n ? r->cap - pos : n;
	memcpy(r->mem + pos, src, first);
	memcpy(r->mem, (const uint8_t *)src + first, n - first);
}

void tcp_ring_read(const struct tcp_ring *r, uint32_t off, void *dst, uint32_t n)
{
	uint32_t pos = (r->head + off) % r->cap;
	uint32_t first = r->cap - pos < n ? r->cap - pos : n;
	memcpy(dst, r->mem + pos, first);
	memcpy((uint8_t *)dst + first, r->mem, n - first);
}

void tcp_ring_drop(struct tcp_ring *r, uint32_t n)
{
	if (n > r->len)
		n = r->len;
	r->head = (r->head + n) % r->cap;
	r->len -= n;
}
