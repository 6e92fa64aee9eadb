/* tcp_input.c - segment arrival (RFC 9293 3.10.7): demultiplex to a
 * connection or a listener, the SYN-SENT and LISTEN cases, then for
 * synchronized states the sequence check (with PAWS, RFC 7323), RST and SYN
 * handling with RFC 5961's challenge ACKs, the ACK field (tcp_ack.c),
 * payload and FIN (trimmed to the window) and the state changes they
 * cause, including SYN-RECEIVED -> ESTABLISHED and the accept callback. */
#include "tcp.h"
#include <mica/libc.h>

static void challenge_ack(struct mica_tcp *c)
{
	if (tcp_challenge_ok(c->net))
		tcp_send_ack(c);
}

static bool app_wants(const struct mica_tcp *c)
{
	return c->has_app && !c->app_closed && !c->close_due && c->ops;
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
	case TCP_CLOSING: tcp_enter_timewait(c); break;
	case TCP_LAST_ACK: tcp_finish(c, MICA_OK); break;
	default: break;
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
	case TCP_SYN_RCVD:
	case TCP_ESTABLISHED: tcp_set_state(c, TCP_CLOSE_WAIT); break;
	case TCP_FIN_WAIT_1:
		if (fin_acked(c))
			tcp_enter_timewait(c);
		else
			tcp_set_state(c, TCP_CLOSING);
		break;
	case TCP_FIN_WAIT_2: tcp_enter_timewait(c); break;
	default: break;
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
		mica_tcp_abort(c); /* the accept callback set no ops */
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
	} else if (app_wants(c)) { /* simultaneous open */
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
		return seq == nxt; /* let ACKs and RSTs through a closed window */
	return (SEQ_LEQ(nxt, seq) && SEQ_LT(seq, nxt + wnd)) ||
	       (SEQ_LEQ(nxt, seq + len - 1) && SEQ_LT(seq + len - 1, nxt + wnd));
}

/* Payload and FIN of an accepted segment, trimmed to the window. */
static void process_data(struct mica_tcp *c, const struct tcp_hdr *h)
{
	struct mica_view data = h->payload;
	uint32_t seq = h->seq;
	bool fin = h->flags & TCP_FIN;
	if (SEQ_LT(seq, c->rcv_nxt)) {
		uint32_t cut = c->rcv_nxt - seq;
		if (data.len)
			tcp_dsack_note(c, seq, cut < data.len ? c->rcv_nxt : seq + (uint32_t)data.len);
		if (cut >= data.len) {
			if (data.len || (fin && cut > data.len))
				c->ack_now = true; /* a duplicate: re-acknowledge */
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
	bool can_recv =
	    c->state == TCP_ESTABLISHED || c->state == TCP_FIN_WAIT_1 || c->state == TCP_FIN_WAIT_2;
	if (!can_recv)
		return;
	if (data.len) {
		bool in_order = seq == c->rcv_nxt;
		tcp_recv_data(c, h, seq, data);
		if (c->state == TCP_CLOSED)
			return;
		if (in_order)
			tcp_ack_policy(c, (uint32_t)data.len);
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
		challenge_ack(c); /* RFC 5961 3.2: in window but not exact */
		return;
	}
	TCP_COUNT(c->net, rst_rx);
	if (c->state == TCP_TIME_WAIT)
		return; /* RFC 1337: no TIME-WAIT assassination */
	tcp_finish(c, c->state == TCP_SYN_RCVD && !c->has_app ? MICA_ECONNREFUSED : MICA_ECONNRESET);
}

/* Answer a segment we do not take (old, beyond the window, PAWS) with an
 * ACK; the part of its data we already had is reported as a DSACK. */
static void dup_ack(struct mica_tcp *c, const struct tcp_hdr *h)
{
	uint32_t end = h->seq + (uint32_t)h->payload.len;
	if (h->payload.len && SEQ_LT(h->seq, c->rcv_nxt))
		tcp_dsack_note(c, h->seq, SEQ_LT(end, c->rcv_nxt) ? end : c->rcv_nxt);
	tcp_send_ack(c);
}

/* Segments for a synchronized connection (and SYN-RECEIVED). */
static void segment_arrives(struct mica_tcp *c, const struct tcp_hdr *h)
{
	uint32_t seg_len = (uint32_t)h->payload.len + !!(h->flags & TCP_SYN) + !!(h->flags & TCP_FIN);
	if (c->state == TCP_SYN_RCVD && (h->flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN &&
	    h->seq == c->irs) {
		tcp_send_syn(c); /* the peer retransmitted its SYN */
		return;
	}
	/* RFC 7323 5.3: an old duplicate. A bare ACK that the network merely
	 * reordered behind a newer one is let through (as Linux does): its
	 * ACK and SACK information is harmless, an answer would be noise. */
	bool bare_ack = h->payload.len == 0 && (h->flags & (TCP_SYN | TCP_FIN | TCP_ACK)) == TCP_ACK;
	if (c->ts_ok && h->has_ts && !(h->flags & TCP_RST) && SEQ_LT(h->tsval, c->ts_recent) && !bare_ack) {
		TCP_COUNT(c->net, paws_drop);
		dup_ack(c, h);
		return;
	}
	if (!acceptable(c, h->seq, seg_len)) {
		TCP_COUNT(c->net, out_of_window);
		if (!(h->flags & TCP_RST))
			dup_ack(c, h);
		return;
	}
	if (h->flags & TCP_RST) {
		rst_arrives(c, h);
		return;
	}
	if (h->flags & TCP_SYN) {
		challenge_ack(c); /* RFC 5961 4.2 */
		return;
	}
	if (!(h->flags & TCP_ACK))
		return;
	if (c->ts_ok && h->has_ts && SEQ_LEQ(h->seq, c->last_ack_sent) && SEQ_GEQ(h->tsval, c->ts_recent))
		c->ts_recent = h->tsval;
	if (c->state == TCP_SYN_RCVD) {
		if (SEQ_LEQ(h->ack, c->snd_una) || SEQ_GT(h->ack, c->snd_max)) {
			struct ipv4_hdr ip = {.src = c->rip, .dst = c->lip};
			tcp_reply_rst(c->net, &ip, h);
			return;
		}
		establish(c, h);
		if (c->state == TCP_CLOSED)
			return;
	}
	if (!tcp_process_ack(c, h) || c->state == TCP_CLOSED)
		return;
	if (fin_acked(c))
		after_fin_acked(c);
	if (c->state == TCP_CLOSED)
		return; /* also after TIME-WAIT began: a record has it (tcp_timewait.c) */
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
	if (!ack) { /* simultaneous open */
		tcp_set_state(c, TCP_SYN_RCVD);
		tcp_send_syn(c);
		return;
	}
	if (c->retries == 0)
		tcp_rtt_sample(c, mica_loop_now(c->net->loop) - c->rtt_start);
	c->retries = 0;
	tcp_set_state(c, c->shut_wr ? TCP_FIN_WAIT_1 : TCP_ESTABLISHED);
	c->snd_una = h->ack;
	c->snd_wnd = h->wnd; /* never scaled in a SYN (RFC 7323 2.2) */
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
		struct mica_tcp *c = (h->flags & TCP_SYN) ? NULL : tcp_cookie_ack(net, l, ip, h);
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
	if (tcp_full(net->tcp)) { /* refused at once: the connections we have keep working */
		TCP_COUNT(net, conn_limit);
		tcp_reply_rst(net, ip, h);
		return;
	}
	if (l->nsynrcvd >= l->backlog) {
		tcp_cookie_syn(net, l, ip, h);
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
	if (b->len > (uint32_t)net->dev.mtu)
		TCP_COUNT(net, rx_super);
	int rc = b->csum == MICA_CSUM_TRUSTED ? tcp_parse_header(mica_buf_view(b), &h)
	                                      : tcp_parse(mica_buf_view(b), ip->src, ip->dst, &h);
	if (rc != MICA_OK) {
		if (h.err == TCP_ERR_CSUM)
			TCP_COUNT(net, rx_bad_csum);
		else
			TCP_COUNT(net, rx_bad_hdr);
		return;
	}
	if (!net->ip || ip->dst != net->ip || ip->src == 0) {
		TCP_COUNT(net, rx_no_conn); /* TCP is unicast only */
		return;
	}
	struct mica_tcp *c = tcp_lookup(net->tcp, ip->dst, h.dport, ip->src, h.sport);
	struct tcp_tw *w = c ? NULL : tcp_tw_lookup(net->tcp, ip->dst, h.dport, ip->src, h.sport);
	if (w && tcp_tw_input(net, w, &h))
		return;
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
