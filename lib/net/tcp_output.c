/* tcp_output.c - segments out: first what the scoreboard deems lost, then
 * new data as far as the receive window, the congestion window (against
 * RFC 6675's pipe), Nagle and sender-side silly window avoidance allow,
 * with the FIN after the queued data; every data segment sent is recorded
 * in the scoreboard (tcp_sack.c). Also loss probes, SYN and SYN-ACK with
 * their options, ACKs with SACK blocks, and resets (RFC 9293 3.10.7.1 for
 * segments without a connection). */
#include "tcp.h"
#include <mica/libc.h>

uint32_t tcp_ts_now(const struct mica_tcp *c)
{
	return (uint32_t)(mica_loop_now(c->net->loop) / MICA_NS_PER_MS) + c->ts_offset;
}

static uint16_t window_field(struct mica_tcp *c, bool syn)
{
	uint32_t w = tcp_rcv_window(c);
	uint32_t shift = syn ? 0 : c->rcv_ws;
	uint32_t f = w >> shift;
	if (f > 0xffff)
		f = 0xffff;
	uint32_t edge = c->rcv_nxt + (f << shift);
	if (SEQ_GT(edge, c->rcv_adv) || c->state == TCP_SYN_SENT || c->state == TCP_SYN_RCVD)
		c->rcv_adv = edge;
	return (uint16_t)f;
}

static void ack_sent(struct mica_tcp *c, const struct tcp_hdr *h)
{
	if (c->dsack_due && h->nsack) {
		c->dsack_due = false; /* reported once */
		TCP_COUNT(c->net, dsack_tx);
	}
	c->last_ack_sent = c->rcv_nxt;
	c->ack_now = false;
	c->ack_delayed = false;
	c->unacked = 0;
	mica_timer_cancel(c->net->loop, &c->ack_timer);
}

/* Payload bytes per segment on the wire (SACK blocks take option room). */
static uint32_t seg_payload(const struct mica_tcp *c)
{
	return c->mss - tcp_sack_len(c);
}

/* The most payload one send may carry: one segment, or with a device that
 * segments itself (dev.tso_max) as many whole segments as fit its limit. */
static uint32_t send_max(const struct mica_tcp *c)
{
	uint32_t mss = seg_payload(c);
	uint32_t tso = c->net->dev.tso_max;
	if (!tso || tso < IPV4_HLEN + 60 + 2 * mss)
		return mss;
	return (tso - IPV4_HLEN - 60) / mss * mss;
}

/* For a device with offload: leave the checksum to it (tcp_encode then
 * puts only the pseudo-header sum), and mark a super-frame with its
 * segment size. */
static void offload(struct mica_tcp *c, struct mica_buf *b, uint32_t len, uint32_t mss)
{
	b->csum = MICA_CSUM_PARTIAL;
	if (len > mss) {
		b->gso_size = (uint16_t)mss;
		TCP_COUNT(c->net, tso_tx);
	}
}

/* Build and send one segment: len bytes of the send ring from seq on. */
static int send_segment(struct mica_tcp *c, uint32_t seq, uint32_t len, uint8_t flags,
                        const struct tcp_hdr *opts)
{
	struct mica_net *net = c->net;
	bool syn_unacked = c->state == TCP_SYN_SENT || c->state == TCP_SYN_RCVD;
	uint32_t data_start = c->snd_una + (syn_unacked ? 1u : 0u);
	struct mica_buf *b = tcp_ring_frame(net, &c->snd, seq - data_start, len);
	if (!b)
		return MICA_ENOMEM;
	struct tcp_hdr h = opts ? *opts : (struct tcp_hdr){0};
	h.sport = c->lport;
	h.dport = c->rport;
	h.seq = seq;
	h.flags = flags;
	h.ack = (flags & TCP_ACK) ? c->rcv_nxt : 0;
	h.wnd = window_field(c, flags & TCP_SYN);
	if (c->ts_ok && !(flags & TCP_RST)) {
		h.has_ts = true;
		h.tsval = tcp_ts_now(c);
		h.tsecr = c->ts_recent;
	}
	uint32_t room = c->mss;
	if ((flags & (TCP_ACK | TCP_SYN)) == TCP_ACK) {
		tcp_fill_sack(c, &h);
		/* A segment sized before our SACK blocks grew (a retransmission)
		 * carries fewer of them rather than exceed the MSS. */
		while (h.nsack && len <= c->mss && len + 4u + 8u * h.nsack > c->mss)
			h.nsack--;
		room -= h.nsack ? 4u + 8u * h.nsack : 0;
	}
	if (net->dev.tso_max)
		offload(c, b, len, room);
	int rc = tcp_encode(b, c->lip, c->rip, &h);
	if (rc != MICA_OK) {
		mica_buf_unref(b);
		return rc;
	}
	if (flags & TCP_ACK)
		ack_sent(c, &h);
	TCP_COUNT(net, tx);
	return net_ipv4_output(net, c->lip, c->rip, IPV4_PROTO_TCP, b);
}

int tcp_send_seg(struct mica_tcp *c, uint32_t seq, uint32_t len, uint8_t flags)
{
	return send_segment(c, seq, len, flags, NULL);
}

void tcp_send_syn(struct mica_tcp *c)
{
	bool active = c->state == TCP_SYN_SENT;
	struct tcp_hdr o = {0};
	o.has_mss = true;
	o.mss = (uint16_t)(c->net->dev.mtu - IPV4_HLEN - TCP_HLEN);
	o.has_ws = c->ws_ok;
	o.ws = c->rcv_ws;
	o.sack_ok = c->sack_ok;
	if (active)
		c->ts_ok = true; /* offered; cleared if the peer does not echo it */
	send_segment(c, c->iss, 0, active ? TCP_SYN : TCP_SYN | TCP_ACK, &o);
}

void tcp_send_ack(struct mica_tcp *c)
{
	send_segment(c, c->snd_nxt, 0, TCP_ACK, NULL);
}

void tcp_send_rst(struct mica_tcp *c)
{
	TCP_COUNT(c->net, rst_tx);
	send_segment(c, c->snd_nxt, 0, TCP_RST | TCP_ACK, NULL);
}

void tcp_reply_rst(struct mica_net *net, const struct ipv4_hdr *ip, const struct tcp_hdr *in)
{
	if (in->flags & TCP_RST)
		return;
	struct mica_buf *b = net_alloc_tx(net, 60);
	if (!b)
		return;
	struct tcp_hdr h = {.sport = in->dport, .dport = in->sport};
	if (in->flags & TCP_ACK) {
		h.seq = in->ack;
		h.flags = TCP_RST;
	} else {
		h.ack =
		    in->seq + (uint32_t)in->payload.len + !!(in->flags & TCP_SYN) + !!(in->flags & TCP_FIN);
		h.flags = TCP_RST | TCP_ACK;
	}
	if (tcp_encode(b, ip->dst, ip->src, &h) != MICA_OK) {
		mica_buf_unref(b);
		return;
	}
	TCP_COUNT(net, rst_tx);
	net_ipv4_output(net, ip->dst, ip->src, IPV4_PROTO_TCP, b);
}

static bool can_send_data(const struct mica_tcp *c)
{
	switch (c->state) {
	case TCP_ESTABLISHED:
	case TCP_CLOSE_WAIT:
	case TCP_FIN_WAIT_1:
	case TCP_CLOSING:
	case TCP_LAST_ACK: return true;
	default: return false;
	}
}

/* Bytes the congestion window leaves beyond what the network holds. */
static uint32_t cwnd_room(const struct mica_tcp *c)
{
	uint32_t pipe = tcp_pipe(c);
	return c->cwnd > pipe ? c->cwnd - pipe : 0;
}

/* How many bytes to send now from snd_nxt (0: hold); *fin: add the FIN.
 * A probe takes one segment the receive window allows, whatever cwnd. */
static uint32_t next_len(struct mica_tcp *c, bool probe, bool *fin)
{
	uint32_t data_end = c->snd_una + c->snd.len;
	uint32_t avail = SEQ_LT(c->snd_nxt, data_end) ? data_end - c->snd_nxt : 0;
	uint32_t wnd_end = c->snd_una + c->snd_wnd;
	uint32_t rwnd = SEQ_GT(wnd_end, c->snd_nxt) ? wnd_end - c->snd_nxt : 0;
	uint32_t flight = c->snd_nxt - c->snd_una;
	uint32_t mss = seg_payload(c);
	uint32_t room = probe ? mss : (cwnd_room(c) + mss - 1) / mss * mss;
	uint32_t most = probe ? mss : send_max(c);
	if (most > mss && net_tx_big_free(c->net) == 0)
		most = mss; /* no super-frame buffer left this turn */
	uint32_t n = avail < most ? avail : most;
	if (n > rwnd)
		n = rwnd;
	c->cwnd_limited = n > room;
	if (n > room)
		n = room;
	uint32_t nrec = (n + mss - 1) / mss + 1;
	if (!tcp_sb_room(c, nrec)) {
		uint32_t free = c->sb.cap > c->sb.n + 1 ? c->sb.cap - c->sb.n - 1 : 0;
		if (n > free * mss)
			n = free * mss;
	}
	*fin = c->shut_wr && c->snd_nxt + n == data_end && tcp_sb_room(c, 1);
	if (n == 0)
		return 0;
	if (n < avail && n < mss && flight && n < c->max_snd_wnd / 2)
		return 0; /* silly window: wait for a bigger window */
	if (n == avail && n < mss && !*fin && !c->nodelay && flight)
		return 0; /* Nagle: one small segment in flight at a time */
	return n;
}

/* Put [seq, seq + n) (+ FIN) in the scoreboard, one record per segment
 * of mss bytes (the size the segments went out with). */
static void record(struct mica_tcp *c, uint32_t seq, uint32_t n, uint32_t mss, bool fin, uint64_t now)
{
	do {
		uint32_t len = n < mss ? n : mss;
		n -= len;
		tcp_sb_add(c, seq, len, fin && n == 0, now);
		seq += len;
	} while (n);
}

/* Send new data; true if something went out. */
static bool send_new(struct mica_tcp *c, bool probe)
{
	bool sent = false;
	if (SEQ_LT(c->snd_nxt, c->snd_max))
		c->snd_nxt = c->snd_max;
	for (;;) {
		bool fin;
		uint32_t n = next_len(c, probe, &fin);
		if (n == 0 && !fin)
			break;
		uint8_t flags = TCP_ACK | (fin ? TCP_FIN : 0) |
		                (n && c->snd_nxt + n == c->snd_una + c->snd.len ? TCP_PSH : 0);
		uint32_t mss = seg_payload(c); /* before the ACK it carries clears a DSACK */
		if (send_segment(c, c->snd_nxt, n, flags, NULL) != MICA_OK)
			break;
		uint64_t now = mica_loop_now(c->net->loop);
		record(c, c->snd_nxt, n, mss, fin, now);
		tcp_recovery_sent(c, n + fin, false);
		if (c->ca_state == TCP_CA_OPEN && (c->sb.sacked_segs || c->sb.reno_dup))
			TCP_COUNT(c->net, limited_transmit); /* RFC 3042, as pipe allows */
		if (fin && !c->fin_sent) {
			c->fin_sent = true;
			c->fin_out = c->snd_nxt + n;
		}
		c->snd_nxt += n + (fin ? 1 : 0);
		c->snd_max = c->snd_nxt;
		sent = true;
		if (fin || probe)
			break;
	}
	return sent;
}

int tcp_resend(struct mica_tcp *c, struct tcp_seg *s, bool retransmit)
{
	bool fin = s->flags & SEG_FIN;
	uint32_t len = s->len - (fin ? 1u : 0u);
	bool last = s->start + len == c->snd_una + c->snd.len;
	uint8_t flags = TCP_ACK | (fin ? TCP_FIN : 0) | (len && last ? TCP_PSH : 0);
	int rc = send_segment(c, s->start, len, flags, NULL);
	if (rc != MICA_OK)
		return rc;
	TCP_COUNT(c->net, rexmit);
	if (c->ca_state == TCP_CA_RECOVERY)
		TCP_COUNT(c->net, sack_rexmit);
	tcp_sb_resent(c, s, retransmit, mica_loop_now(c->net->loop));
	tcp_recovery_sent(c, s->len, retransmit);
	return MICA_OK;
}

/* Resend what is deemed lost, lowest first, as cwnd allows. */
static bool send_lost(struct mica_tcp *c)
{
	bool sent = false;
	struct tcp_seg *s;
	while (cwnd_room(c) && (s = tcp_sb_next_lost(c)) != NULL) {
		if (tcp_resend(c, s, true) != MICA_OK)
			break;
		sent = true;
	}
	return sent;
}

bool tcp_send_new_probe(struct mica_tcp *c)
{
	return can_send_data(c) && send_new(c, true);
}

void tcp_output(struct mica_tcp *c)
{
	bool sent = false, fresh = false;
	if (can_send_data(c)) {
		if (c->frto_new) { /* F-RTO step 2b: new data, then decide */
			c->frto_new = false;
			sent = send_new(c, false);
			if (!sent)
				c->frto = false;
		}
		if (!sent) {
			sent = send_lost(c);
			fresh = send_new(c, false);
			sent |= fresh;
		}
	}
	if (!sent && c->ack_now && c->state != TCP_CLOSED && c->state != TCP_SYN_SENT)
		tcp_send_ack(c);
	if (fresh && c->tmode == TM_TLP && mica_timer_armed(&c->timer))
		tcp_rearm(c); /* RFC 8985 7.2: the probe timeout restarts after new data */
	else
		tcp_timer_update(c);
}

void tcp_retransmit_syn(struct mica_tcp *c)
{
	TCP_COUNT(c->net, rexmit);
	tcp_send_syn(c);
}
