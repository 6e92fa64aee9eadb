/* tcp_cubic.c - CUBIC (RFC 9438), the default controller. After a
 * reduction to beta = 0.7 of the window, cwnd follows
 *     W_cubic(t) = C * (t - K)^3 + W_max,   C = 0.4 segments/s^3,
 * K = cbrt((W_max - cwnd_epoch) / C): concave up to the window where the
 * loss happened, then convex beyond it, aiming each ACK at W_cubic(t + RTT)
 * (at most 1.5 cwnd). Where Reno would be faster (short RTTs, small
 * windows) cwnd follows Reno's estimate W_est instead. Fast convergence
 * lowers W_max when losses come before it is reached again; a spurious
 * event is undone with the state saved before it. Integer arithmetic
 * only (the library builds without floating point): windows in bytes,
 * times in milliseconds. */
#include "tcp.h"

#define BETA 717            /* 0.7 << 10 */
#define ALPHA_RENO 542      /* 3 (1 - beta) / (1 + beta) = 0.529 << 10 */
#define FAST_CONV 870       /* (1 + beta) / 2 << 10 */
#define C_INV 2500000000ull /* 1 / C in ms^3 per second^3: (t_ms)^3 / C_INV = C t^3 */
#define T_MAX (1 << 20)     /* |t - K| beyond ~17 minutes is clamped */

struct cubic_curve {
	uint64_t epoch_start; /* ns; 0: a new epoch starts with the next ACK */
	uint32_t w_max;       /* bytes: the window before the last reduction */
	uint32_t cwnd_prior;  /* cwnd when ssthresh was last set (for W_est's alpha) */
	uint32_t origin;      /* the plateau of this epoch's curve */
	uint32_t k_ms;
};
struct cubic {
	struct cubic_curve cur, saved; /* saved: before the last event (undo) */
	uint64_t w_est;                /* Reno-friendly estimate, bytes << 10 */
	uint64_t carry;                /* increments below a byte, summed */
};
_Static_assert(sizeof(struct cubic) <= sizeof(((struct mica_tcp *)0)->cc_priv), "cc_priv");

static struct cubic *state(struct mica_tcp *c)
{
	return (struct cubic *)c->cc_priv;
}

/* floor(cbrt(x)) */
static uint64_t cbrt_u64(uint64_t x)
{
	uint64_t lo = 0, hi = 2642246; /* cbrt(2^64) < hi */
	while (lo + 1 < hi) {
		uint64_t mid = (lo + hi) / 2;
		if (mid * mid * mid <= x)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* W_cubic at t_ms into the epoch, in bytes (may be below zero). */
static int64_t w_cubic(const struct cubic *k, uint64_t t_ms, uint32_t mss)
{
	int64_t d = (int64_t)t_ms - (int64_t)k->cur.k_ms;
	if (d > T_MAX)
		d = T_MAX;
	if (d < -T_MAX)
		d = -T_MAX;
	int64_t cube = d * d * d;
	int64_t mag = cube < 0 ? -cube : cube;
	int64_t delta = mag < ((int64_t)1 << 46) ? mag * mss / (int64_t)C_INV
	                                         : mag / (int64_t)(C_INV / 1000) * mss / 1000;
	return (int64_t)k->cur.origin + (cube < 0 ? -delta : delta);
}

static void cubic_init(struct mica_tcp *c)
{
	*state(c) = (struct cubic){0};
}

static uint32_t cubic_ssthresh(struct mica_tcp *c)
{
	struct cubic *k = state(c);
	k->saved = k->cur;
	k->cur.epoch_start = 0;
	uint32_t cwnd = c->cwnd;
	if (cwnd < k->cur.w_max) /* fast convergence (RFC 9438 4.7) */
		k->cur.w_max = (uint32_t)((uint64_t)cwnd * FAST_CONV >> 10);
	else
		k->cur.w_max = cwnd;
	k->cur.cwnd_prior = cwnd;
	uint32_t ss = (uint32_t)((uint64_t)cwnd * BETA >> 10);
	return ss > 2u * c->mss ? ss : 2u * c->mss;
}

static void new_epoch(struct mica_tcp *c, struct cubic *k, uint64_t now)
{
	k->cur.epoch_start = now ? now : 1;
	if (c->cwnd < k->cur.w_max) {
		k->cur.k_ms = (uint32_t)cbrt_u64((uint64_t)(k->cur.w_max - c->cwnd) * C_INV / c->mss);
		k->cur.origin = k->cur.w_max;
	} else {
		k->cur.k_ms = 0;
		k->cur.origin = c->cwnd;
	}
	k->w_est = (uint64_t)c->cwnd << 10;
	k->carry = 0;
}

static void cubic_cong_avoid(struct mica_tcp *c, uint32_t acked, uint64_t now)
{
	if (c->cwnd < c->ssthresh) {
		acked = tcp_slow_start(c, acked);
		if (!acked)
			return;
	}
	struct cubic *k = state(c);
	if (!k->cur.epoch_start)
		new_epoch(c, k, now);
	uint32_t mss = c->mss;
	uint64_t t_ms = (now - k->cur.epoch_start) / MICA_NS_PER_MS;
	/* Reno-friendly estimate (4.3): alpha until it reaches the old window. */
	uint64_t alpha = (k->w_est >> 10) >= k->cur.cwnd_prior ? 1024 : ALPHA_RENO;
	k->w_est += (uint64_t)acked * mss * alpha / c->cwnd;
	uint64_t w_est = k->w_est >> 10;
	if (w_cubic(k, t_ms, mss) < (int64_t)w_est) {
		if (w_est > c->cwnd)
			c->cwnd = (uint32_t)(w_est < 0x3fffffffu ? w_est : 0x3fffffffu);
		return;
	}
	/* Concave and convex regions (4.4, 4.5): aim at W_cubic(t + RTT). */
	int64_t target = w_cubic(k, t_ms + c->srtt / MICA_NS_PER_MS, mss);
	int64_t most = (int64_t)c->cwnd + c->cwnd / 2;
	if (target > most)
		target = most;
	if (target <= (int64_t)c->cwnd)
		return;
	k->carry += (uint64_t)(target - (int64_t)c->cwnd) * acked;
	uint64_t inc = k->carry / c->cwnd;
	k->carry -= inc * c->cwnd;
	uint64_t cwnd = c->cwnd + inc;
	c->cwnd = (uint32_t)(cwnd < 0x3fffffffu ? cwnd : 0x3fffffffu);
}

static void cubic_undo(struct mica_tcp *c)
{
	struct cubic *k = state(c);
	k->cur = k->saved;
}

const struct tcp_cc_ops tcp_cc_cubic = {
    .name = "cubic",
    .init = cubic_init,
    .ssthresh = cubic_ssthresh,
    .cong_avoid = cubic_cong_avoid,
    .undo = cubic_undo,
};
