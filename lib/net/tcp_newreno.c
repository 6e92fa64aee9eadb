/* tcp_newreno.c - the classic controller (RFC 5681): slow start, then one
 * MSS per window of acknowledged bytes; halve the flight on congestion.
 * Chosen with --tcp-cc=newreno (recovery itself is tcp_recovery.c's). */
#include "tcp.h"

struct newreno {
	uint32_t bytes_acked; /* congestion avoidance: counted up to cwnd */
};
_Static_assert(sizeof(struct newreno) <= sizeof(((struct mica_tcp *)0)->cc_priv), "cc_priv");

static struct newreno *state(struct mica_tcp *c)
{
	return (struct newreno *)c->cc_priv;
}

static void newreno_init(struct mica_tcp *c)
{
	state(c)->bytes_acked = 0;
}

static uint32_t newreno_ssthresh(struct mica_tcp *c)
{
	uint32_t flight = c->snd_max - c->snd_una;
	state(c)->bytes_acked = 0;
	return flight / 2 > 2u * c->mss ? flight / 2 : 2u * c->mss;
}

static void newreno_cong_avoid(struct mica_tcp *c, uint32_t acked, uint64_t now)
{
	(void)now;
	if (c->cwnd < c->ssthresh) {
		acked = tcp_slow_start(c, acked);
		if (!acked)
			return;
	}
	struct newreno *r = state(c);
	r->bytes_acked += acked;
	if (r->bytes_acked >= c->cwnd) {
		r->bytes_acked -= c->cwnd;
		if (c->cwnd < 0x3fffffffu)
			c->cwnd += c->mss;
	}
}

const struct tcp_cc_ops tcp_cc_newreno = {
    .name = "newreno",
    .init = newreno_init,
    .ssthresh = newreno_ssthresh,
    .cong_avoid = newreno_cong_avoid,
};
