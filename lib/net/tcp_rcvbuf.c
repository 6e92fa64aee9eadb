/* tcp_rcvbuf.c - a connection's receive buffer: cap bytes of sequence
 * space from head on, mapped onto pool blocks of TCP_BLK bytes in a ring
 * one block larger than cap (so bytes far ahead never wrap into the
 * block under head, which goes back to the pool when head leaves it). A block is taken when a byte lands in it - in-order bytes
 * the app left unread, or out-of-order data at its own offset - and given
 * back when the head moves past it, or all at once when nothing is held.
 * The block table itself exists only while something is held, so an idle
 * connection, or one whose app reads straight from the frames, holds no
 * receive memory at all. */
#include "tcp.h"
#include <mica/libc.h>

static uint32_t nslots(const struct tcp_rcvbuf *r)
{
	return r->cap / TCP_BLK + 1;
}

/* Bytes the ring maps: one block more than the buffer may hold. */
static uint32_t ring_size(const struct tcp_rcvbuf *r)
{
	return nslots(r) * TCP_BLK;
}

/* Blocks [off, off + n) would need that are not there yet. */
static uint32_t missing(const struct tcp_rcvbuf *r, uint32_t off, uint32_t n)
{
	if (!r->slot)
		return (off % TCP_BLK + n + TCP_BLK - 1) / TCP_BLK;
	uint32_t need = 0;
	for (uint32_t o = off - off % TCP_BLK; o < off + n; o += TCP_BLK)
		if (!r->slot[(r->head / TCP_BLK + o / TCP_BLK) % nslots(r)])
			need++;
	return need;
}

int tcp_rcvbuf_write(struct tcp_rcvbuf *r, uint32_t off, const void *src, uint32_t n)
{
	if (n == 0)
		return MICA_OK;
	if (off > r->cap || n > r->cap - off)
		return MICA_ERANGE;
	/* head is block-aligned plus an in-block offset: work in absolute
	 * positions so that the block of a byte is (pos / TCP_BLK). */
	if (missing(r, off + r->head % TCP_BLK, n) > tcp_pool_avail(r->pool))
		return MICA_ENOMEM;
	if (!r->slot && !(r->slot = calloc(nslots(r), sizeof(r->slot[0]))))
		return MICA_ENOMEM;
	const uint8_t *s = src;
	uint32_t pos = (r->head + off) % ring_size(r);
	while (n) {
		uint8_t **blk = &r->slot[pos / TCP_BLK];
		if (!*blk && !(*blk = tcp_pool_get(r->pool)))
			return MICA_ENOMEM; /* not reached: counted above */
		uint32_t in = pos % TCP_BLK;
		uint32_t k = TCP_BLK - in < n ? TCP_BLK - in : n;
		memcpy(*blk + in, s, k);
		s += k;
		n -= k;
		pos = (pos + k) % ring_size(r);
	}
	return MICA_OK;
}

struct mica_view tcp_rcvbuf_peek(const struct tcp_rcvbuf *r)
{
	if (r->len == 0 || !r->slot)
		return mica_view_make(NULL, 0);
	uint32_t in = r->head % TCP_BLK;
	uint32_t k = TCP_BLK - in < r->len ? TCP_BLK - in : r->len;
	return mica_view_make(r->slot[r->head / TCP_BLK] + in, k);
}

void tcp_rcvbuf_drop(struct tcp_rcvbuf *r, uint32_t n)
{
	if (n > r->len)
		n = r->len;
	while (n) {
		uint32_t in = r->head % TCP_BLK;
		uint32_t k = TCP_BLK - in < n ? TCP_BLK - in : n;
		if (in + k == TCP_BLK && r->slot && r->slot[r->head / TCP_BLK]) {
			tcp_pool_put(r->pool, r->slot[r->head / TCP_BLK]);
			r->slot[r->head / TCP_BLK] = NULL;
		}
		r->head = (r->head + k) % ring_size(r);
		r->len -= k;
		n -= k;
	}
}

void tcp_rcvbuf_free(struct tcp_rcvbuf *r)
{
	if (r->slot) {
		for (uint32_t i = 0; i < nslots(r); i++)
			if (r->slot[i])
				tcp_pool_put(r->pool, r->slot[i]);
		free(r->slot);
		r->slot = NULL;
	}
	r->head = r->len = 0;
}

/* Blocks keep their offset from head: block k after head's moves from
 * slot (head / TCP_BLK + k) mod the old slot count to the same sum mod
 * the new one (head itself stays valid: it is below the old ring size). */
int tcp_rcvbuf_grow(struct tcp_rcvbuf *r, uint32_t cap)
{
	if (cap <= r->cap)
		return MICA_OK;
	if (!r->slot) {
		r->cap = cap;
		return MICA_OK;
	}
	uint32_t n0 = nslots(r), n1 = cap / TCP_BLK + 1, h = r->head / TCP_BLK;
	uint8_t **slot = calloc(n1, sizeof(slot[0]));
	if (!slot)
		return MICA_ENOMEM;
	for (uint32_t k = 0; k < n0; k++)
		slot[(h + k) % n1] = r->slot[(h + k) % n0];
	free(r->slot);
	r->slot = slot;
	r->cap = cap;
	return MICA_OK;
}
