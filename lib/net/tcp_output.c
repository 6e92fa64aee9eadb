/* tcp_output.c - segments out: what may be sent now (receive window,
 * congestion window, Nagle, sender-side silly window avoidance, the FIN
 * after the queued data), SYN and SYN-ACK with their options, ACKs with
 * SACK blocks, retransmission of the first unacknowledged segment, and
 * resets (RFC 9293 3.10.7.1 for segments without a connection). */
#include "tcp.h"
#include <mica/libc.h>

uint32_t tcp_ts_now(const struct mica_tcp *c)
{
	return (uint32_t)(mica_loop_now(c->net->loop) / MICA_NS_PER_MS) + c->ts_offset;
}

uint32_t tcp_flight(const struct mica_tcp *c)
{
	return c->snd_nxt - c->snd_una;
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

static void ack_sent(struct mica_tcp *c)
{
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
static void offload(struct mica_tcp *c, struct mica_buf *b, uint32_t len)
{
	b->csum = MICA_CSUM_PARTIAL;
	uint32_t mss = seg_payload(c);
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
	if ((flags & (TCP_ACK | TCP_SYN)) == TCP_ACK)
		tcp_fill_sack(c, &h);
	if (net->dev.tso_max)
		offload(c, b, len);
	int rc = tcp_encode(b, c->lip, c->rip, &h);
	if (rc != MICA_OK) {
		mica_buf_unref(b);
		return rc;
	}
	if (flags & TCP_ACK)
		ack_sent(c);
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

/* How many bytes to send now from snd_nxt (0: hold); *fin: add the FIN. */
static uint32_t next_len(struct mica_tcp *c, bool *fin)
{
	uint32_t data_end = c->snd_una + c->snd.len;
	uint32_t avail = SEQ_LT(c->snd_nxt, data_end) ? data_end - c->snd_nxt : 0;
	uint32_t wnd = c->snd_wnd < c->cwnd ? c->snd_wnd : c->cwnd;
	uint32_t flight = tcp_flight(c);
	uint32_t usable = wnd > flight ? wnd - flight : 0;
	uint32_t mss = seg_payload(c);
	uint32_t most = send_max(c);
	if (most > mss && net_tx_big_free(c->net) == 0)
		most = mss; /* no super-frame buffer left this turn */
	uint32_t n = avail < most ? avail : most;
	if (n > usable)
		n = usable;
	*fin = c->shut_wr && c->snd_nxt + n == data_end;
	if (n == 0)
		return 0;
	if (n < avail && n < mss && flight && n < c->max_snd_wnd / 2)
		return 0; /* silly window: wait for a bigger window */
	if (n == avail && n < mss && !*fin && !c->nodelay && flight)
		return 0; /* Nagle: one small segment in flight at a time */
	return n;
}

void tcp_output(struct mica_tcp *c)
{
	bool sent = false;
	if (can_send_data(c)) {
		if (SEQ_LT(c->snd_nxt, c->snd_una))
			c->snd_nxt = c->snd_una;
		for (;;) {
			bool fin;
			uint32_t n = next_len(c, &fin);
			if (n == 0 && !fin)
				break;
			uint8_t flags = TCP_ACK | (fin ? TCP_FIN : 0) |
			                (n && c->snd_nxt + n == c->snd_una + c->snd.len ? TCP_PSH : 0);
			if (send_segment(c, c->snd_nxt, n, flags, NULL) != MICA_OK)
				break;
			if (!c->ts_ok && !c->rtt_timing && SEQ_GEQ(c->snd_nxt, c->snd_max)) {
				c->rtt_timing = true;
				c->rtt_seq = c->snd_nxt;
				c->rtt_start = mica_loop_now(c->net->loop);
			}
			if (SEQ_LT(c->snd_nxt, c->snd_max))
				TCP_COUNT(c->net, rexmit);
			if (fin && !c->fin_sent) {
				c->fin_sent = true;
				c->fin_out = c->snd_nxt + n;
			}
			c->snd_nxt += n + (fin ? 1 : 0);
			if (SEQ_GT(c->snd_nxt, c->snd_max))
				c->snd_max = c->snd_nxt;
			sent = true;
			if (fin)
				break;
		}
	}
	if (!sent && c->ack_now && c->state != TCP_CLOSED && c->state != TCP_SYN_SENT)
		tcp_send_ack(c);
	tcp_timer_update(c);
}

void tcp_retransmit_una(struct mica_tcp *c)
{
	TCP_COUNT(c->net, rexmit);
	c->rtt_timing = false; /* Karn: no samples from retransmissions */
	if (c->state == TCP_SYN_SENT || c->state == TCP_SYN_RCVD) {
		tcp_send_syn(c);
		return;
	}
	uint32_t data_end = c->snd_una + c->snd.len;
	uint32_t mss = seg_payload(c);
	uint32_t len = c->snd.len < mss ? c->snd.len : mss;
	uint32_t sent = c->snd_max - c->snd_una;
	if (sent && len > sent)
		len = sent; /* resend what was sent; new data waits for tcp_output's checks */
	bool fin = c->shut_wr && SEQ_GT(c->snd_max, data_end) && c->snd_una + len == data_end;
	if (len == 0 && !fin)
		return;
	send_segment(c, c->snd_una, len, TCP_ACK | (fin ? TCP_FIN : 0), NULL);
	if (SEQ_LT(c->snd_nxt, c->snd_una + len + fin))
		c->snd_nxt = c->snd_una + len + fin;
	if (SEQ_GT(c->snd_nxt, c->snd_max))
		c->snd_max = c->snd_nxt; /* never let the peer's ACK of it look like one of unsent data */
}
