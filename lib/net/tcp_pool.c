/* tcp_pool.c - the stack's pool of TCP_BLK-byte blocks behind every send
 * and receive buffer (see tcp.h). Blocks come from malloc and go back to
 * it, except for a small cache of free ones; what connections hold at once
 * never exceeds the budget, so one busy or hostile peer cannot take the
 * memory the rest of the program needs. */
#include "tcp.h"
#include <mica/libc.h>

#define POOL_CACHE 32 /* free blocks kept for reuse */

struct tcp_pool *tcp_pool_new(size_t budget)
{
	struct tcp_pool *p = calloc(1, sizeof(*p));
	if (p)
		p->budget = budget;
	return p;
}

static void pool_free(struct tcp_pool *p)
{
	while (p->cache) {
		void *b = p->cache;
		p->cache = *(void **)b;
		free(b);
	}
	free(p);
}

void tcp_pool_detach(struct tcp_pool *p)
{
	p->detached = true;
	p->wake = NULL;
	if (p->used == 0)
		pool_free(p);
}

void *tcp_pool_get(struct tcp_pool *p)
{
	if (p->used + p->reserved + TCP_BLK > p->budget) {
		p->denied++;
		return NULL;
	}
	void *b = p->cache;
	if (b) {
		p->cache = *(void **)b;
		p->ncache--;
	} else if (!(b = malloc(TCP_BLK))) {
		p->denied++;
		return NULL;
	}
	p->used += TCP_BLK;
	if (p->used > p->peak)
		p->peak = p->used;
	return b;
}

void tcp_pool_put(struct tcp_pool *p, void *b)
{
	p->used -= TCP_BLK;
	if (p->detached) {
		free(b);
		if (p->used == 0)
			pool_free(p);
		return;
	}
	if (p->starved && p->used + p->reserved <= p->budget - p->budget / 8) {
		p->starved = false; /* an eighth is free again: writers may go on */
		if (p->wake)
			p->wake(p->wake_arg);
	}
	if (p->ncache < POOL_CACHE) {
		*(void **)b = p->cache;
		p->cache = b;
		p->ncache++;
		return;
	}
	free(b);
}

size_t tcp_pool_avail(const struct tcp_pool *p)
{
	size_t held = p->used + p->reserved;
	return held < p->budget ? (p->budget - held) / TCP_BLK : 0;
}

void tcp_pool_reserve(struct tcp_pool *p, size_t n)
{
	p->reserved += n * TCP_BLK;
}

void tcp_pool_unreserve(struct tcp_pool *p, size_t n)
{
	p->reserved -= n * TCP_BLK;
}
