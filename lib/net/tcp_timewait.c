/* tcp_timewait.c - TIME-WAIT (RFC 9293 3.6) in a compact record: when a
 * connection reaches TIME-WAIT, what the 2 MSL wait still needs - the
 * 4-tuple, both sequence numbers, the timestamp state and the window we
 * last offered - moves into a struct tcp_tw of a few dozen bytes, and the
 * connection block with its buffers is freed at once.
 *
 * A record answers a retransmitted FIN with an ACK and waits 2 MSL again,
 * ignores RSTs (RFC 1337), lets a new SYN with a higher sequence number or
 * timestamp start a new incarnation (RFC 6191), acknowledges data and
 * other unexpected segments, and drops stale pure ACKs. Records are kept
 * in creation order (all wait the same 2 MSL; one restarted by a FIN is
 * moved to the end when it reaches the front), so one stack timer serves
 * them all; at the cap the oldest goes first. */
#include "tcp.h"
#include <mica/libc.h>

struct tcp_tw {
	struct tcp_tw *hnext; /* hash chain (tw_hash) */
	struct tcp_tw *next;  /* creation order */
	uint64_t expire;
	uint32_t lip, rip;
	uint16_t lport, rport;
	uint32_t snd_nxt, rcv_nxt;
	uint32_t ts_recent, ts_offset;
	uint16_t wnd; /* the window field we last sent */
	bool ts_ok;
	bool dead; /* unhashed early (new incarnation): freed when it reaches the front */
};

static unsigned tw_hash(uint32_t lip, uint16_t lport, uint32_t rip, uint16_t rport)
{
	uint32_t h = rip * 0x9e3779b1u ^ (uint32_t)rport * 0x85ebca6bu ^ (uint32_t)lport * 0xc2b2ae35u ^ lip;
	h ^= h >> 15;
	return h % TCP_HASH;
}

struct tcp_tw *tcp_tw_lookup(struct net_tcp *t, uint32_t lip, uint16_t lport, uint32_t rip, uint16_t rport)
{
	for (struct tcp_tw *w = t->tw_hash[tw_hash(lip, lport, rip, rport)]; w; w = w->hnext)
		if (w->rport == rport && w->lport == lport && w->rip == rip && w->lip == lip)
			return w;
	return NULL;
}

static void tw_unhash(struct net_tcp *t, struct tcp_tw *w)
{
	for (struct tcp_tw **pp = &t->tw_hash[tw_hash(w->lip, w->lport, w->rip, w->rport)]; *pp;
	     pp = &(*pp)->hnext) {
		if (*pp == w) {
			*pp = w->hnext;
			break;
		}
	}
	w->dead = true;
}

static void tw_append(struct net_tcp *t, struct tcp_tw *w)
{
	w->next = NULL;
	if (t->tw_last)
		t->tw_last->next = w;
	else
		t->tw_first = w;
	t->tw_last = w;
}

static struct tcp_tw *tw_pop(struct net_tcp *t)
{
	struct tcp_tw *w = t->tw_first;
	t->tw_first = w->next;
	if (!t->tw_first)
		t->tw_last = NULL;
	return w;
}

/* Free the first record (unhashing it unless that happened already). */
static void tw_drop_first(struct net_tcp *t)
{
	struct tcp_tw *w = tw_pop(t);
	if (!w->dead)
		tw_unhash(t, w);
	t->ntw--;
	free(w);
}

/* Expired and dead records at the front go; one a FIN restarted (its
 * expiry later than the next one's) moves to the end. */
static void tw_expire(struct net_tcp *t)
{
	uint64_t now = mica_loop_now(t->net->loop);
	for (unsigned moves = 0; t->tw_first;) {
		struct tcp_tw *w = t->tw_first;
		if (w->dead || w->expire <= now)
			tw_drop_first(t);
		else if (w->next && w->expire > w->next->expire && moves++ < t->ntw)
			tw_append(t, tw_pop(t));
		else
			break;
	}
	if (t->tw_first)
		mica_timer_start_at(t->net->loop, &t->tw_timer, t->tw_first->expire, 0);
	else
		mica_timer_cancel(t->net->loop, &t->tw_timer);
}

static void tw_timer_fn(struct mica_timer *tm, void *arg)
{
	(void)tm;
	tw_expire(arg);
}

void tcp_tw_init(struct net_tcp *t)
{
	mica_timer_init(&t->tw_timer, tw_timer_fn, t);
}

void tcp_tw_fini(struct net_tcp *t)
{
	mica_timer_cancel(t->net->loop, &t->tw_timer);
	while (t->tw_first)
		tw_drop_first(t);
}

size_t tcp_tw_size(void)
{
	return sizeof(struct tcp_tw);
}

void tcp_enter_timewait(struct mica_tcp *c)
{
	struct net_tcp *t = c->net->tcp;
	if (t->ntw >= t->limits.max_tw && t->tw_first) { /* the oldest makes room */
		tw_drop_first(t);
		TCP_COUNT(c->net, tw_recycled);
	}
	if (c->ack_now)
		tcp_send_ack(c); /* the peer's FIN, which brought us here */
	struct tcp_tw *w = malloc(sizeof(*w));
	if (w) {
		*w = (struct tcp_tw){.lip = c->lip,
		                     .rip = c->rip,
		                     .lport = c->lport,
		                     .rport = c->rport,
		                     .snd_nxt = c->snd_nxt,
		                     .rcv_nxt = c->rcv_nxt,
		                     .ts_recent = c->ts_recent,
		                     .ts_offset = c->ts_offset,
		                     .ts_ok = c->ts_ok,
		                     .expire = mica_loop_now(c->net->loop) + 2 * TCP_MSL_NS};
		uint32_t f = tcp_rcv_window(c) >> c->rcv_ws;
		w->wnd = (uint16_t)(f > 0xffff ? 0xffff : f);
	}
	tcp_finish(c, MICA_OK); /* the app, if it still has the handle, closes it later */
	if (!w)
		return; /* no memory: no TIME-WAIT (RFC 9293 allows shortening it) */
	unsigned h = tw_hash(w->lip, w->lport, w->rip, w->rport);
	w->hnext = t->tw_hash[h];
	t->tw_hash[h] = w;
	t->ntw++;
	tw_append(t, w);
	if (!mica_timer_armed(&t->tw_timer))
		tw_expire(t);
}

/* An ACK from the record (no connection block behind it). */
static void tw_send_ack(struct mica_net *net, const struct tcp_tw *w)
{
	struct mica_buf *b = net_alloc_tx(net, 60);
	if (!b)
		return;
	struct tcp_hdr h = {.sport = w->lport,
	                    .dport = w->rport,
	                    .seq = w->snd_nxt,
	                    .ack = w->rcv_nxt,
	                    .flags = TCP_ACK,
	                    .wnd = w->wnd};
	if (w->ts_ok) {
		h.has_ts = true;
		h.tsval = (uint32_t)(mica_loop_now(net->loop) / MICA_NS_PER_MS) + w->ts_offset;
		h.tsecr = w->ts_recent;
	}
	if (tcp_encode(b, w->lip, w->rip, &h) != MICA_OK) {
		mica_buf_unref(b);
		return;
	}
	TCP_COUNT(net, tx);
	net_ipv4_output(net, w->lip, w->rip, IPV4_PROTO_TCP, b);
}

bool tcp_tw_input(struct mica_net *net, struct tcp_tw *w, const struct tcp_hdr *h)
{
	struct net_tcp *t = net->tcp;
	uint8_t f = h->flags & (TCP_SYN | TCP_ACK | TCP_RST | TCP_FIN);
	if (f & TCP_RST)
		return true; /* RFC 1337: no TIME-WAIT assassination */
	bool newer_ts = w->ts_ok && h->has_ts && SEQ_GT(h->tsval, w->ts_recent);
	if (f == TCP_SYN && (SEQ_GT(h->seq, w->rcv_nxt) || newer_ts)) {
		tw_unhash(t, w); /* RFC 6191: a new incarnation; the listener takes it */
		TCP_COUNT(net, tw_reused);
		return false;
	}
	if (w->ts_ok && h->has_ts && SEQ_LT(h->tsval, w->ts_recent)) {
		TCP_COUNT(net, paws_drop);
		tw_send_ack(net, w);
		return true;
	}
	if (f & TCP_FIN) { /* the peer did not get our ACK of its FIN: again, and wait anew */
		if (h->has_ts && w->ts_ok)
			w->ts_recent = h->tsval;
		w->expire = mica_loop_now(net->loop) + 2 * TCP_MSL_NS;
		tw_send_ack(net, w);
		return true;
	}
	if ((f & TCP_SYN) || h->payload.len)
		tw_send_ack(net, w); /* old SYN or data: tell the sender where we are */
	return true;
}
