/* tcp_mem.c - how much memory TCP may take, from what the platform has
 * (mica_plat_mem_size): a quarter of it for send and receive buffers (the
 * block pool's budget), a connection cap at one connection per
 * TCP_MEM_PER_CONN bytes, as many TIME-WAIT records, and a reserve of the
 * pool below which new connections are refused so that the ones already
 * open (and UDP, and the app) keep working. On a 32 MiB guest: 8 MiB of
 * buffers, 4096 connections, 4096 TIME-WAIT records. */
#include "tcp.h"

#define MIB ((size_t)1 << 20)

static size_t clamp(size_t v, size_t lo, size_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

void tcp_mem_limits(struct tcp_limits *l, size_t mem)
{
	if (mem == 0)
		mem = TCP_MEM_ASSUMED; /* the platform cannot say */
	l->budget = clamp(mem / 4, 64 * TCP_BLK, TCP_POOL_MAX);
	l->max_conns = (unsigned)clamp(mem / TCP_MEM_PER_CONN, 16, TCP_MAX_CONNS);
	l->max_tw = l->max_conns;
	l->reserve = l->budget / 8;
}

bool tcp_full(const struct net_tcp *t)
{
	return t->nconns >= t->limits.max_conns || tcp_pool_avail(t->pool) * TCP_BLK < t->limits.reserve;
}
