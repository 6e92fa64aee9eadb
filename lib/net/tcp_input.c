/* tcp_input.c - segment arrival (RFC 9293 3.10.7): demultiplex to a
 * connection or a listener, the SYN-SENT and LISTEN cases, then for
 * synchronized states the sequence check (with PAWS, RFC 7323), RST and SYN
 * handling with RFC 5961's challenge ACKs, ACK processing (window update,
 * RTT, NewReno fast retransmit and recovery per RFC 5681/6582, SACK
 * scoreboard), payload, FIN and the state changes they cause. */
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
			continue;       /* D-SACK, stale or bogus */
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
		enter_recovery(c);      /* RFC 6582 3.2 step 2 */
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
		if (SEQ_GEQ(c->snd_una, c->recover)) {         /* full ACK */
			uint32_t flight = c->snd_max - c->snd_una;
			c->cwnd = c->ssthresh < flight + c->mss ? c->ssthresh : flight + c->mss;
			c->in_recovery = false;
			c->dupacks = 0;
		} else {                                        /* partial ACK */
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
		c->cwnd += acked < 2u * c->mss ? acked : 2u * c->mss;      /* RFC 3465, L = 2 */
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
	uint32_t data = acked > c->snd.len ? c->snd.len : acked;       /* the rest is the FIN */
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

/* RFC 9293 3.10.7.4 fifth check, with RFC 5961 5.2. false: drop the segment. */
static bool process_ack(struct mica_tcp *c, const struct tcp_hdr *h)
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

static bool fin_acked(const struct mica_tcp *c)
{
	return c->fin_sent && SEQ_GT(c->snd_una, c->fin_out);
}

/* Our FIN has been acknowledged in a closing state. */
static void after_fin_acked(struct mica_tcp *c)
{
	switch (c->state) {
	case TCP_FIN_WAIT_1:
		tcp_set_state(c, TCP_FIN_WAIT_2);
		if (c->app_closed)
			tcp_schedule_close(c, MICA_OK);
		break;
	case TCP_CLOSING:
		tcp_enter_timewait(c);
		break;
	case TCP_LAST_ACK:
		tcp_finish(c, MICA_OK);
		break;
	default:
		break;
	}
}

static void process_fin(struct mica_tcp *c)
{
	if (c->fin_rcvd)
		return;
	c->fin_rcvd = true;
	c->fin_ooo = false;
	c->rcv_nxt++;
	c->ack_now = true;
	switch (c->state) {
	case TCP_SYN_RCVD: case TCP_ESTABLISHED:
		tcp_set_state(c, TCP_CLOSE_WAIT);
		break;
	case TCP_FIN_WAIT_1:
		if (fin_acked(c))
			tcp_enter_timewait(c);
		else
			tcp_set_state(c, TCP_CLOSING);
		break;
	case TCP_FIN_WAIT_2:
		tcp_enter_timewait(c);
		break;
	default:
		break;
	}
	if (!c->paused)
		tcp_deliver(c);
}

void tcp_accept(struct mica_tcp *c, struct mica_tcp_listener *l)
{
	TCP_COUNT(c->net, accepted);
	c->has_app = true;
	l->fn(l, c, l->arg);
	if (c->has_app && !c->ops && !c->close_due && !c->app_closed)
		mica_tcp_abort(c);      /* the accept callback set no ops */
}

/* SYN-RECEIVED and an acceptable ACK: the connection is established. */
static void establish(struct mica_tcp *c, const struct tcp_hdr *h)
{
	tcp_set_state(c, TCP_ESTABLISHED);
	c->snd_una = c->iss + 1;
	c->snd_wnd = (uint32_t)h->wnd << c->snd_ws;
	c->max_snd_wnd = c->snd_wnd;
	c->snd_wl1 = h->seq;
	c->snd_wl2 = h->ack;
	c->retries = 0;
	mica_timer_cancel(c->net->loop, &c->timer);
	if (c->shut_wr)
		tcp_set_state(c, TCP_FIN_WAIT_1);
	struct mica_tcp_listener *l = c->listener;
	if (l) {
		l->nsynrcvd--;
		c->listener = NULL;
		tcp_accept(c, l);
	} else if (app_wants(c)) {      /* simultaneous open */
		TCP_COUNT(c->net, connected);
		if (c->ops->on_connect)
			c->ops->on_connect(c, MICA_OK, c->arg);
	}
}

/* RFC 9293 3.10.7.4 first check: is any of the segment in the window? */
static bool acceptable(const struct mica_tcp *c, uint32_t seq, uint32_t len)
{
	uint32_t wnd = tcp_rcv_window(c);
	uint32_t nxt = c->rcv_nxt;
	if (len == 0)
		return wnd == 0 ? seq == nxt : SEQ_LEQ(nxt, seq) && SEQ_LT(seq, nxt + wnd);
	if (wnd == 0)
		return seq == nxt;      /* let ACKs and RSTs through a closed window */
	return (SEQ_LEQ(nxt, seq) && SEQ_LT(seq, nxt + wnd)) ||
	       (SEQ_LEQ(nxt, seq + len - 1) && SEQ_LT(seq + len - 1, nxt + wnd));
}

/* ACKs owed for full segments go out at the end of the receive batch (one
 * ACK per burst of frames, like a receiver with GRO), or at once after
 * TCP_ACK_EVERY segments; a lone small segment waits for the delayed-ACK
 * timer (RFC 5681 4.2, RFC 9293 3.8.6.3). */
static void ack_policy(struct mica_tcp *c, uint32_t len)
{
	if (c->ack_now || c->state == TCP_CLOSED)
		return;
	if (len >= c->mss) {
		struct net_tcp *t = c->net->tcp;
		if (++c->unacked >= TCP_ACK_EVERY) {
			c->ack_now = true;
			return;
		}
		if (c->unacked >= 2 && !c->ack_batched) {
			if (t->nack_batch == TCP_ACK_BATCH) {
				c->ack_now = true;
				return;
			}
			c->ack_batched = true;
			t->ack_batch[t->nack_batch++] = c;
			mica_loop_defer(c->net->loop, &t->ack_task);
		}
	}
	c->ack_delayed = true;
	if (!mica_timer_armed(&c->ack_timer))
		mica_timer_start(c->net->loop, &c->ack_timer, TCP_DELACK_NS, 0);
}

void tcp_ack_batch_task(void *arg)
{
	struct net_tcp *t = arg;
	if (t->dead) {
		free(t);
		return;
	}
	while (t->nack_batch) {
		struct mica_tcp *c = t->ack_batch[--t->nack_batch];
		c->ack_batched = false;
		if (c->ack_delayed && c->state != TCP_CLOSED)
			tcp_send_ack(c);
	}
}

void tcp_ack_batch_forget(struct mica_tcp *c)
{
	struct net_tcp *t = c->net->tcp;
	for (unsigned i = 0; c->ack_batched && i < t->nack_batch; i++) {
		if (t->ack_batch[i] == c) {
			t->ack_batch[i] = t->ack_batch[--t->nack_batch];
			c->ack_batched = false;
		}
	}
}

/* Payload and FIN of an accepted segment, trimmed to the window. */
static void process_data(struct mica_tcp *c, const struct tcp_hdr *h)
{
	struct mica_view data = h->payload;
	uint32_t seq = h->seq;
	bool fin = h->flags & TCP_FIN;
	if (SEQ_LT(seq, c->rcv_nxt)) {
		uint32_t cut = c->rcv_nxt - seq;
		if (cut >= data.len) {
			if (data.len || (fin && cut > data.len))
				c->ack_now = true;      /* a duplicate: re-acknowledge */
			if (cut > data.len)
				fin = false;
			cut = (uint32_t)data.len;
		}
		data.data += cut;
		data.len -= cut;
		seq += cut;
	}
	uint32_t wnd = tcp_rcv_window(c);
	uint32_t room = SEQ_LT(seq, c->rcv_nxt + wnd) ? c->rcv_nxt + wnd - seq : 0;
	if (data.len > room) {
		data.len = room;
		fin = false;
		c->ack_now = true;
	}
	bool can_recv = c->state == TCP_ESTABLISHED || c->state == TCP_FIN_WAIT_1 ||
			c->state == TCP_FIN_WAIT_2;
	if (!can_recv)
		return;
	if (data.len) {
		bool in_order = seq == c->rcv_nxt;
		tcp_recv_data(c, h, seq, data);
		if (c->state == TCP_CLOSED)
			return;
		if (in_order)
			ack_policy(c, (uint32_t)data.len);
	}
	if (fin) {
		uint32_t fseq = seq + (uint32_t)data.len;
		if (fseq == c->rcv_nxt) {
			process_fin(c);
		} else if (SEQ_GT(fseq, c->rcv_nxt)) {
			c->fin_ooo = true;
			c->fin_seq = fseq;
			c->ack_now = true;
		}
	}
	if (c->fin_ooo && c->fin_seq == c->rcv_nxt && c->state != TCP_CLOSED)
		process_fin(c);
}

static void rst_arrives(struct mica_tcp *c, const struct tcp_hdr *h)
{
	if (h->seq != c->rcv_nxt) {
		challenge_ack(c);       /* RFC 5961 3.2: in window but not exact */
		return;
	}
	TCP_COUNT(c->net, rst_rx);
	if (c->state == TCP_TIME_WAIT)
		return;                 /* RFC 1337: no TIME-WAIT assassination */
	tcp_finish(c, c->state == TCP_SYN_RCVD && !c->has_app ? MICA_ECONNREFUSED : MICA_ECONNRESET);
}

/* Segments for a synchronized connection (and SYN-RECEIVED). */
static void segment_arrives(struct mica_tcp *c, const struct tcp_hdr *h)
{
	uint32_t seg_len = (uint32_t)h->payload.len + !!(h->flags & TCP_SYN) + !!(h->flags & TCP_FIN);
	if (c->state == TCP_SYN_RCVD && (h->flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN &&
	    h->seq == c->irs) {
		tcp_send_syn(c);        /* the peer retransmitted its SYN */
		return;
	}
	if (c->ts_ok && h->has_ts && !(h->flags & TCP_RST) && SEQ_LT(h->tsval, c->ts_recent)) {
		TCP_COUNT(c->net, paws_drop);   /* RFC 7323 5.3: an old duplicate */
		tcp_send_ack(c);
		return;
	}
	if (!acceptable(c, h->seq, seg_len)) {
		TCP_COUNT(c->net, out_of_window);
		if (!(h->flags & TCP_RST))
			tcp_send_ack(c);
		return;
	}
	if (h->flags & TCP_RST) {
		rst_arrives(c, h);
		return;
	}
	if (h->flags & TCP_SYN) {
		challenge_ack(c);       /* RFC 5961 4.2 */
		return;
	}
	if (!(h->flags & TCP_ACK))
		return;
	if (c->ts_ok && h->has_ts && SEQ_LEQ(h->seq, c->last_ack_sent) && SEQ_GEQ(h->tsval, c->ts_recent))
		c->ts_recent = h->tsval;
	if (c->state == TCP_SYN_RCVD) {
		if (SEQ_LEQ(h->ack, c->snd_una) || SEQ_GT(h->ack, c->snd_max)) {
			struct ipv4_hdr ip = { .src = c->rip, .dst = c->lip };
			tcp_reply_rst(c->net, &ip, h);
			return;
		}
		establish(c, h);
		if (c->state == TCP_CLOSED)
			return;
	}
	if (!process_ack(c, h) || c->state == TCP_CLOSED)
		return;
	if (fin_acked(c))
		after_fin_acked(c);
	if (c->state == TCP_CLOSED)
		return;
	if (c->state == TCP_TIME_WAIT) {
		if (h->flags & TCP_FIN) {       /* a retransmitted FIN: ACK, restart 2 MSL */
			tcp_send_ack(c);
			c->tmode = TM_TIMEWAIT;
			mica_timer_start(c->net->loop, &c->timer, 2 * TCP_MSL_NS, 0);
		}
		return;
	}
	process_data(c, h);
	if (c->state == TCP_CLOSED)
		return;
	tcp_output(c);
}

static void syn_sent_input(struct mica_tcp *c, const struct ipv4_hdr *ip, const struct tcp_hdr *h)
{
	bool ack = h->flags & TCP_ACK;
	if (ack && (SEQ_LEQ(h->ack, c->iss) || SEQ_GT(h->ack, c->snd_max))) {
		tcp_reply_rst(c->net, ip, h);
		return;
	}
	if (h->flags & TCP_RST) {
		if (ack) {
			TCP_COUNT(c->net, rst_rx);
			tcp_finish(c, MICA_ECONNREFUSED);
		}
		return;
	}
	if (!(h->flags & TCP_SYN))
		return;
	c->irs = h->seq;
	c->rcv_nxt = h->seq + 1;
	c->rcv_adv = c->rcv_nxt;
	tcp_take_syn_opts(c, h);
	tcp_init_cc(c);
	if (!ack) {                     /* simultaneous open */
		tcp_set_state(c, TCP_SYN_RCVD);
		tcp_send_syn(c);
		return;
	}
	if (c->retries == 0)
		tcp_rtt_sample(c, mica_loop_now(c->net->loop) - c->rtt_start);
	c->retries = 0;
	tcp_set_state(c, c->shut_wr ? TCP_FIN_WAIT_1 : TCP_ESTABLISHED);
	c->snd_una = h->ack;
	c->snd_wnd = h->wnd;            /* never scaled in a SYN (RFC 7323 2.2) */
	c->max_snd_wnd = c->snd_wnd;
	c->snd_wl1 = h->seq;
	c->snd_wl2 = h->ack;
	mica_timer_cancel(c->net->loop, &c->timer);
	TCP_COUNT(c->net, connected);
	c->ack_now = true;
	if (app_wants(c) && c->ops->on_connect)
		c->ops->on_connect(c, MICA_OK, c->arg);
	if (c->state != TCP_CLOSED)
		tcp_output(c);
}

static void listen_input(struct mica_net *net, struct mica_tcp_listener *l, const struct ipv4_hdr *ip,
			 const struct tcp_hdr *h)
{
	if (h->flags & TCP_RST)
		return;
	if (h->flags & TCP_ACK) {
		struct mica_tcp *c = (h->flags & TCP_SYN) ? NULL : tcp_cookie_ack(net, ip, h);
		if (!c) {
			tcp_reply_rst(net, ip, h);
			return;
		}
		tcp_accept(c, l);
		if (c->state != TCP_CLOSED && (h->payload.len || (h->flags & TCP_FIN)))
			segment_arrives(c, h);
		return;
	}
	if (!(h->flags & TCP_SYN))
		return;
	if (l->nsynrcvd >= l->backlog || net->tcp->nconns >= TCP_MAX_CONNS) {
		tcp_cookie_syn(net, ip, h);
		return;
	}
	struct mica_tcp *c = tcp_new_conn(net, ip->dst, h->dport, ip->src, h->sport);
	if (!c) {
		TCP_COUNT(net, syn_dropped);
		return;
	}
	c->listener = l;
	l->nsynrcvd++;
	c->irs = h->seq;
	c->rcv_nxt = h->seq + 1;
	c->rcv_adv = c->rcv_nxt;
	c->iss = tcp_isn(net, c->lip, c->lport, c->rip, c->rport);
	c->snd_una = c->iss;
	c->snd_nxt = c->snd_max = c->iss + 1;
	tcp_take_syn_opts(c, h);
	tcp_init_cc(c);
	tcp_set_state(c, TCP_SYN_RCVD);
	tcp_send_syn(c);
	tcp_arm_rto(c);
}

void tcp_input(struct mica_net *net, const struct ipv4_hdr *ip, struct mica_buf *b)
{
	struct tcp_hdr h;
	TCP_COUNT(net, rx);
	if (tcp_parse(mica_buf_view(b), ip->src, ip->dst, &h) != MICA_OK) {
		if (h.err == TCP_ERR_CSUM)
			TCP_COUNT(net, rx_bad_csum);
		else
			TCP_COUNT(net, rx_bad_hdr);
		return;
	}
	if (!net->ip || ip->dst != net->ip || ip->src == 0) {
		TCP_COUNT(net, rx_no_conn);     /* TCP is unicast only */
		return;
	}
	struct mica_tcp *c = tcp_lookup(net->tcp, ip->dst, h.dport, ip->src, h.sport);
	if (c && c->state == TCP_TIME_WAIT && (h.flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN &&
	    (SEQ_GT(h.seq, c->rcv_nxt) || (c->ts_ok && h.has_ts && SEQ_GT(h.tsval, c->ts_recent)))) {
		tcp_finish(c, MICA_OK);         /* RFC 6191: a new incarnation */
		c = NULL;
	}
	if (c) {
		c->last_rx = mica_loop_now(net->loop);
		if (c->state == TCP_SYN_SENT)
			syn_sent_input(c, ip, &h);
		else
			segment_arrives(c, &h);
		return;
	}
	struct mica_tcp_listener *l = tcp_find_listener(net->tcp, ip->dst, h.dport);
	if (!l) {
		TCP_COUNT(net, rx_no_conn);
		tcp_reply_rst(net, ip, &h);
		return;
	}
	listen_input(net, l, ip, &h);
}
