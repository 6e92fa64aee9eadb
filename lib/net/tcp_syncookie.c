/* tcp_syncookie.c - SYN cookies (RFC 4987 section 3.6): when a listener's
 * SYN backlog is full, the SYN-ACK carries all the state in its sequence
 * number (and, when the client uses timestamps, in our TSval) and no block
 * is kept:
 *
 *   ISN   = MAC[28 bits] | counter parity[1] | MSS index[3]
 *   TSval = (clock - 64 s) with its low 16 bits replaced by
 *           MAC'[10 bits] | SACK-permitted[1] | window scale + 1[5]
 *
 * MAC and MAC' are two parts of one SipHash-2-4, under a key drawn from
 * mica_plat_random, of the 4-tuple, the client's ISN, the 64-second
 * counter, the MSS index, the option bits and whether timestamps are in
 * use - so everything encoded is authenticated (28 bits without
 * timestamps, 38 with). A cookie is valid for 64 to 128 seconds, and an ACK
 * is checked as one only while the listener has issued cookies in that
 * time: a stray ACK to a listener that never overflowed is just refused. */
#include "tcp.h"
#include <mica/libc.h>

#define COOKIE_PERIOD_NS (64 * MICA_NS_PER_S)
#define COOKIE_LIFE_NS (2 * COOKIE_PERIOD_NS)
#define ISN_MAC_BITS 28
#define TS_MAC_BITS 10
#define TS_OPT_BITS 6

static const uint16_t mss_table[8] = {216, 536, 1200, 1360, 1400, 1440, 1452, 1460};

struct cookie_in {
	uint32_t src, dst, ports, client_isn, counter;
	uint8_t mss_idx, opts, ts, pad;
};

static uint64_t cookie_mac(struct mica_net *net, const struct ipv4_hdr *ip, const struct tcp_hdr *h,
                           uint32_t client_isn, uint32_t counter, uint32_t mss_idx, uint32_t opts, bool ts)
{
	struct cookie_in in = {ip->src,       ip->dst, (uint32_t)h->sport << 16 | h->dport,
	                       client_isn,    counter, (uint8_t)mss_idx,
	                       (uint8_t)opts, ts,      0};
	return tcp_siphash(net->tcp->cookie_key, &in, sizeof(in));
}

static uint32_t counter_now(struct mica_net *net)
{
	return (uint32_t)(mica_loop_now(net->loop) / COOKIE_PERIOD_NS);
}

static uint32_t isn_of(uint64_t mac, uint32_t counter, uint32_t mss_idx)
{
	return (uint32_t)(mac & ((1u << ISN_MAC_BITS) - 1)) << 4 | (counter & 1) << 3 | mss_idx;
}

static uint32_t ts_bits_of(uint64_t mac, uint32_t opts)
{
	return (uint32_t)(mac >> ISN_MAC_BITS & ((1u << TS_MAC_BITS) - 1)) << TS_OPT_BITS | opts;
}

void tcp_cookie_syn(struct mica_net *net, struct mica_tcp_listener *l, const struct ipv4_hdr *ip,
                    const struct tcp_hdr *h)
{
	uint16_t peer = h->has_mss ? h->mss : TCP_DEFAULT_MSS;
	uint32_t idx = 0;
	while (idx < 7 && mss_table[idx + 1] <= peer)
		idx++;
	/* A throw-away block, only to build the SYN-ACK. */
	struct mica_tcp *t = calloc(1, sizeof(*t));
	if (!t)
		return;
	t->net = net;
	t->lip = ip->dst, t->lport = h->dport, t->rip = ip->src, t->rport = h->sport;
	t->state = TCP_SYN_RCVD;
	t->rcv.cap = TCP_RCVBUF;
	t->rcv.pool = net->tcp->pool;
	t->rcv_nxt = h->seq + 1;
	tcp_take_syn_opts(t, h);
	if (!t->ts_ok)
		t->ws_ok = t->sack_ok = false, t->rcv_ws = 0; /* no room to remember them */
	uint32_t opts = (t->ws_ok ? t->snd_ws + 1u : 0) | (t->sack_ok ? 0x20u : 0);
	uint32_t cnt = counter_now(net);
	uint64_t mac = cookie_mac(net, ip, h, h->seq, cnt, idx, opts, t->ts_ok);
	t->iss = isn_of(mac, cnt, idx);
	if (t->ts_ok) {
		/* Our TSval for this connection, 64 s behind its clock so that the
		 * real ones that follow are newer for the peer's PAWS. */
		uint32_t tuple[3] = {t->rip, t->lip, (uint32_t)t->rport << 16 | t->lport};
		uint32_t offset = (uint32_t)(tcp_siphash(net->tcp->secret, tuple, sizeof(tuple)) >> 32);
		uint32_t now_ms = (uint32_t)(mica_loop_now(net->loop) / MICA_NS_PER_MS);
		uint32_t tsval = ((now_ms + offset - 0x10000u) & ~0xffffu) | ts_bits_of(mac, opts);
		t->ts_offset = tsval - now_ms;
	}
	tcp_send_syn(t);
	free(t);
	l->cookies_until = mica_loop_now(net->loop) + COOKIE_LIFE_NS;
	TCP_COUNT(net, syn_cookie_tx);
}

/* The SYN options the cookie stood for, or false if it is not ours. */
static bool cookie_check(struct mica_net *net, const struct ipv4_hdr *ip, const struct tcp_hdr *h,
                         struct tcp_hdr *syn)
{
	uint32_t isn = h->ack - 1, client_isn = h->seq - 1;
	uint32_t cnt = counter_now(net);
	if ((cnt & 1) != (isn >> 3 & 1))
		cnt--; /* issued in the previous period */
	uint32_t idx = isn & 7, opts = h->has_ts ? h->tsecr & 0x3f : 0;
	uint64_t mac = cookie_mac(net, ip, h, client_isn, cnt, idx, opts, h->has_ts);
	if (isn_of(mac, cnt, idx) != isn || (h->has_ts && ts_bits_of(mac, opts) != (h->tsecr & 0xffff)))
		return false;
	*syn = (struct tcp_hdr){.has_mss = true, .mss = mss_table[idx]};
	if (h->has_ts) {
		syn->has_ts = true;
		syn->tsval = h->tsval;
		syn->has_ws = (opts & 0x1f) != 0;
		syn->ws = (uint8_t)(syn->has_ws ? (opts & 0x1f) - 1 : 0);
		syn->sack_ok = opts & 0x20;
	}
	return true;
}

struct mica_tcp *tcp_cookie_ack(struct mica_net *net, struct mica_tcp_listener *l, const struct ipv4_hdr *ip,
                                const struct tcp_hdr *h)
{
	if (!l->cookies_until || mica_loop_now(net->loop) >= l->cookies_until)
		return NULL; /* no cookies out: a stray ACK, not a cookie */
	struct tcp_hdr syn;
	if (!cookie_check(net, ip, h, &syn)) {
		TCP_COUNT(net, syn_cookie_bad);
		return NULL;
	}
	struct mica_tcp *c = tcp_new_conn(net, ip->dst, h->dport, ip->src, h->sport);
	if (!c)
		return NULL;
	c->iss = h->ack - 1;
	c->irs = h->seq - 1;
	c->rcv_nxt = c->rcv_adv = c->last_ack_sent = h->seq;
	c->snd_una = c->snd_nxt = c->snd_max = h->ack;
	tcp_take_syn_opts(c, &syn);
	tcp_init_cc(c);
	tcp_set_state(c, TCP_ESTABLISHED);
	c->snd_wnd = (uint32_t)h->wnd << c->snd_ws;
	c->max_snd_wnd = c->snd_wnd;
	c->snd_wl1 = h->seq;
	c->snd_wl2 = h->ack;
	TCP_COUNT(net, syn_cookie_ok);
	return c;
}
