/* tcp_ack.c - what an acknowledgment does to the send side (RFC 9293
 * 3.10.7.4 fifth check with RFC 5961 5.2): the acceptable range, the send
 * window update, RTT samples (RFC 6298 with Karn's rule, or timestamps),
 * freeing acknowledged bytes, then the scoreboard, loss detection and
 * congestion control (tcp_loss.h), the timers, and on_writable. Also the
 * RFC 5961 challenge-ACK rate limit. */
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

/* RFC 6298 sample: from the newest segment acknowledged that was sent only
 * once (Karn), else from the echoed timestamp (RFC 7323). */
static void rtt_from_ack(struct mica_tcp *c, const struct tcp_hdr *h, const struct tcp_ackinfo *a)
{
	if (a->rtt_valid) {
		tcp_rtt_sample(c, a->rtt);
	} else if (a->has_tsecr) {
		uint32_t ms = tcp_ts_now(c) - h->tsecr;
		if (ms < 60000)
			tcp_rtt_sample(c, (uint64_t)(ms ? ms : 1) * MICA_NS_PER_MS / (ms ? 1 : 4));
	}
}

static void new_ack(struct mica_tcp *c, const struct tcp_hdr *h, struct tcp_ackinfo *a)
{
	uint32_t acked = h->ack - c->snd_una;
	a->acked = acked;
	a->una_advanced = true;
	c->retries = 0;
	c->probes = 0;
	tcp_sb_ack(c, h->ack, a);
	rtt_from_ack(c, h, a);
	uint32_t data = acked > c->snd.len ? c->snd.len : acked; /* the rest is the FIN */
	tcp_ring_drop(&c->snd, data);
	c->snd_una = h->ack;
	if (SEQ_LT(c->snd_nxt, c->snd_una))
		c->snd_nxt = c->snd_una;
}

/* Which timer runs now that the ACK is processed (RFC 6298 5.3: restart
 * the RTO on new data acknowledged; RFC 8985: reorder timer or probe). */
static void ack_timers(struct mica_tcp *c, const struct tcp_ackinfo *a)
{
	if (c->snd_una == c->snd_max) {
		c->rack.reo_deadline = 0;
		mica_timer_cancel(c->net->loop, &c->timer);
		return;
	}
	bool restart = a->una_advanced || c->rack.reo_deadline || c->tmode == TM_REO;
	if (!restart && tcp_tlp_eligible(c))
		restart = a->newly_sacked || c->tmode != TM_TLP; /* the probe waits for silence */
	else if (!restart)
		restart = c->tmode == TM_TLP; /* no probe now: the RTO */
	if (restart)
		tcp_rearm(c);
}

/* Send buffer autotuning: the queue must hold the flight cwnd allows and
 * what waits behind it, or the queue rather than cwnd limits the sender
 * once the bandwidth-delay product passes TCP_SNDBUF. Twice cwnd, never
 * shrinking, up to TCP_SNDBUF_MAX (the pool still bounds the memory). */
static void sndbuf_autotune(struct mica_tcp *c)
{
	uint64_t want = 2ull * c->cwnd;
	if (want > TCP_SNDBUF_MAX)
		want = TCP_SNDBUF_MAX;
	if (want <= c->snd.cap)
		return;
	c->snd.cap = (uint32_t)want;
	TCP_COUNT(c->net, sndbuf_grow);
}

static bool in_data_state(const struct mica_tcp *c)
{
	return c->state != TCP_SYN_SENT && c->state != TCP_SYN_RCVD && c->state != TCP_CLOSED;
}

bool tcp_process_ack(struct mica_tcp *c, const struct tcp_hdr *h)
{
	if (SEQ_GT(h->ack, c->snd_max) || SEQ_LT(h->ack, c->snd_una - c->max_snd_wnd)) {
		TCP_COUNT(c->net, bad_ack);
		challenge_ack(c);
		return false;
	}
	struct tcp_ackinfo a = {
	    .now = mica_loop_now(c->net->loop),
	    .tsecr = h->tsecr,
	    .has_tsecr = c->ts_ok && h->has_ts && h->tsecr,
	    .prior_sacked = c->sb.sacked + c->sb.reno_dup,
	};
	bool outstanding = c->snd_max != c->snd_una;
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
	if (SEQ_GT(h->ack, c->snd_una)) {
		new_ack(c, h, &a);
	} else if (h->ack == c->snd_una && h->payload.len == 0 && !(h->flags & (TCP_SYN | TCP_FIN)) &&
	           !wnd_changed && outstanding) {
		a.dupack = true;
		TCP_COUNT(c->net, dupack);
	}
	if (!in_data_state(c))
		return true;
	if (c->sack_ok && h->nsack)
		tcp_sb_sack(c, h, &a);
	if (outstanding || a.dsack)
		tcp_recovery_on_ack(c, h, &a);
	sndbuf_autotune(c);
	ack_timers(c, &a);
	if (c->want_writable && c->snd.len <= c->snd.cap / 2 && app_wants(c) && !c->shut_wr) {
		c->want_writable = false;
		if (c->ops->on_writable)
			c->ops->on_writable(c, c->arg);
	}
	return true;
}
