/* tcp_ack.c - what an acknowledgment does to the send side (RFC 9293
 * 3.10.7.4 fifth check with RFC 5961 5.2): the acceptable range, the send
 * window update, RTT samples (timestamps or one timed segment, Karn's
 * rule), the congestion window (slow start, congestion avoidance, fast
 * retransmit and NewReno recovery per RFC 5681 and RFC 6582), the SACK
 * scoreboard and hole filling during recovery, freeing acknowledged bytes
 * and on_writable. Also the RFC 5961 challenge-ACK rate limit. */
#include "tcp.h"
#include <mica/libc.h>

bool tcp_challenge_ok(struct mica_net *net)
{
	struct net_tcp *t = net->tcp;
	uint64_t sec = mica_loop_now(net->loop) / MICA_NS_PER_S;
	if (sec != t->challenge.second) {
		t->challenge.second = sec;
		t->challenge.sent = 0;
	}
	if (t->challenge.sent >= TCP_CHALLENGE_PER_S) {
		TCP_COUNT(net, challenge_limited);
		return false;
	}
	t->challenge.sent++;
	TCP_COUNT(net, challenge_ack);
	return true;
}

static void challenge_ack(struct mica_tcp *c)
{
	if (tcp_challenge_ok(c->net))
		tcp_send_ack(c);
}

static bool app_wants(const struct mica_tcp *c)
{
	return c->has_app && !c->app_closed && !c->close_due && c->ops;
}

/* ---- SACK scoreboard (what the peer holds above snd_una) ---- */
static void sack_update(struct mica_tcp *c, const struct tcp_hdr *h)
{
	for (int i = 0; i < h->nsack; i++) {
		struct tcp_sack_block b = h->sack[i];
		if (!SEQ_LT(b.l, b.r) || SEQ_LEQ(b.r, c->snd_una) || SEQ_GT(b.r, c->snd_max))
			continue; /* D-SACK, stale or bogus */
		int n = 0;
		struct tcp_sack_block keep[TCP_MAX_SACK];
		for (int j = 0; j < c->nsacked; j++) {
			struct tcp_sack_block o = c->sacked[j];
			if (SEQ_LEQ(o.l, b.r) && SEQ_GEQ(o.r, b.l)) {
				if (SEQ_LT(o.l, b.l))
					b.l = o.l;
				if (SEQ_GT(o.r, b.r))
					b.r = o.r;
			} else if (n < TCP_MAX_SACK - 1) {
				keep[n++] = o;
			}
		}
		c->sacked[0] = b;
		memcpy(c->sacked + 1, keep, (size_t)n * sizeof(keep[0]));
		c->nsacked = (uint8_t)(n + 1);
	}
}

static void sack_prune(struct mica_tcp *c)
{
	int n = 0;
	for (int i = 0; i < c->nsacked; i++) {
		if (SEQ_LEQ(c->sacked[i].r, c->snd_una))
			continue;
		if (SEQ_LT(c->sacked[i].l, c->snd_una))
			c->sacked[i].l = c->snd_una;
		c->sacked[n++] = c->sacked[i];
	}
	c->nsacked = (uint8_t)n;
}

/* In recovery with SACK information: resend the next hole below the
 * highest SACKed byte (a simple form of RFC 6675's NextSeg). */
static void sack_rexmit(struct mica_tcp *c)
{
	if (!c->sack_ok || !c->nsacked)
		return;
	uint32_t high = c->sacked[0].r;
	for (int i = 1; i < c->nsacked; i++)
		if (SEQ_GT(c->sacked[i].r, high))
			high = c->sacked[i].r;
	uint32_t s = SEQ_LT(c->rexmit_next, c->snd_una) ? c->snd_una : c->rexmit_next;
	bool moved = true;
	while (moved) {
		moved = false;
		for (int i = 0; i < c->nsacked; i++) {
			if (SEQ_GEQ(s, c->sacked[i].l) && SEQ_LT(s, c->sacked[i].r)) {
				s = c->sacked[i].r;
				moved = true;
			}
		}
	}
	if (SEQ_GEQ(s, high))
		return;
	uint32_t end = high;
	for (int i = 0; i < c->nsacked; i++)
		if (SEQ_GT(c->sacked[i].l, s) && SEQ_LT(c->sacked[i].l, end))
			end = c->sacked[i].l;
	uint32_t mss = c->mss - tcp_sack_len(c);
	uint32_t len = end - s < mss ? end - s : mss;
	if (tcp_send_seg(c, s, len, TCP_ACK) == MICA_OK) {
		TCP_COUNT(c->net, sack_rexmit);
		c->rexmit_next = s + len;
	}
}

/* ---- ACK processing ---- */
static void enter_recovery(struct mica_tcp *c)
{
	TCP_COUNT(c->net, fast_rexmit);
	uint32_t flight = c->snd_max - c->snd_una;
	c->ssthresh = flight / 2 > 2u * c->mss ? flight / 2 : 2u * c->mss;
	c->recover = c->snd_max;
	c->in_recovery = true;
	tcp_retransmit_una(c);
	c->rexmit_next = c->snd_una + c->mss;
	c->cwnd = c->ssthresh + 3u * c->mss;
}

static void dupack(struct mica_tcp *c)
{
	TCP_COUNT(c->net, dupack);
	c->dupacks++;
	if (c->in_recovery) {
		c->cwnd += c->mss;
		sack_rexmit(c);
	} else if (c->dupacks == 3 && SEQ_GT(c->snd_una - 1, c->recover)) {
		enter_recovery(c); /* RFC 6582 3.2 step 2 */
	} else if (c->dupacks == 3 && c->recover == c->iss) {
		enter_recovery(c);
	}
}

static void rtt_from_ack(struct mica_tcp *c, const struct tcp_hdr *h)
{
	uint64_t now = mica_loop_now(c->net->loop);
	if (c->ts_ok && h->has_ts && h->tsecr) {
		uint32_t ms = tcp_ts_now(c) - h->tsecr;
		if (ms < 60000)
			tcp_rtt_sample(c, (uint64_t)(ms ? ms : 1) * MICA_NS_PER_MS / (ms ? 1 : 4));
	} else if (c->rtt_timing && SEQ_GT(h->ack, c->rtt_seq)) {
		tcp_rtt_sample(c, now - c->rtt_start);
		c->rtt_timing = false;
	}
}

static void congestion_on_ack(struct mica_tcp *c, uint32_t acked)
{
	if (c->in_recovery) {
		if (SEQ_GEQ(c->snd_una, c->recover)) { /* full ACK */
			uint32_t flight = c->snd_max - c->snd_una;
			c->cwnd = c->ssthresh < flight + c->mss ? c->ssthresh : flight + c->mss;
			c->in_recovery = false;
			c->dupacks = 0;
		} else { /* partial ACK */
			tcp_retransmit_una(c);
			if (SEQ_LT(c->rexmit_next, c->snd_una + c->mss))
				c->rexmit_next = c->snd_una + c->mss;
			c->cwnd = (c->cwnd > acked ? c->cwnd - acked : 0) + c->mss;
			tcp_arm_rto(c);
		}
		return;
	}
	c->dupacks = 0;
	if (c->cwnd < c->ssthresh) {
		c->cwnd += acked < 2u * c->mss ? acked : 2u * c->mss; /* RFC 3465, L = 2 */
	} else {
		c->bytes_acked += acked;
		if (c->bytes_acked >= c->cwnd) {
			c->bytes_acked -= c->cwnd;
			c->cwnd += c->mss;
		}
	}
	if (c->cwnd > 0x3fffffffu)
		c->cwnd = 0x3fffffffu;
}

static void new_ack(struct mica_tcp *c, const struct tcp_hdr *h)
{
	uint32_t acked = h->ack - c->snd_una;
	rtt_from_ack(c, h);
	c->retries = 0;
	c->probes = 0;
	uint32_t data = acked > c->snd.len ? c->snd.len : acked; /* the rest is the FIN */
	tcp_ring_drop(&c->snd, data);
	c->snd_una = h->ack;
	if (SEQ_LT(c->snd_nxt, c->snd_una))
		c->snd_nxt = c->snd_una;
	sack_prune(c);
	congestion_on_ack(c, acked);
	if (c->snd_una == c->snd_max)
		mica_timer_cancel(c->net->loop, &c->timer);
	else if (!c->in_recovery)
		tcp_arm_rto(c);
	if (c->want_writable && c->snd.len <= c->snd.cap / 2 && app_wants(c) && !c->shut_wr) {
		c->want_writable = false;
		if (c->ops->on_writable)
			c->ops->on_writable(c, c->arg);
	}
}

bool tcp_process_ack(struct mica_tcp *c, const struct tcp_hdr *h)
{
	if (SEQ_GT(h->ack, c->snd_max) || SEQ_LT(h->ack, c->snd_una - c->max_snd_wnd)) {
		TCP_COUNT(c->net, bad_ack);
		challenge_ack(c);
		return false;
	}
	if (c->sack_ok && h->nsack)
		sack_update(c, h);
	bool wnd_changed = false;
	if (SEQ_LT(c->snd_wl1, h->seq) || (c->snd_wl1 == h->seq && SEQ_LEQ(c->snd_wl2, h->ack))) {
		uint32_t w = (uint32_t)h->wnd << c->snd_ws;
		wnd_changed = w != c->snd_wnd;
		c->snd_wnd = w;
		c->snd_wl1 = h->seq;
		c->snd_wl2 = h->ack;
		if (w > c->max_snd_wnd)
			c->max_snd_wnd = w;
	}
	if (SEQ_GT(h->ack, c->snd_una))
		new_ack(c, h);
	else if (h->ack == c->snd_una && h->payload.len == 0 && !(h->flags & (TCP_SYN | TCP_FIN)) &&
	         !wnd_changed && c->snd_max != c->snd_una)
		dupack(c);
	return true;
}
