/* tcp_syncookie.c - SYN cookies (RFC 4987 section 3.6): when a listener's
 * SYN backlog (or the connection table) is full, the SYN-ACK carries all
 * the state in its sequence number and no block is kept. The ISN is
 *   hash(secret, 4-tuple, client ISN, counter, MSS index)[24 bits] | counter[5] | MSS index[3]
 * and when the client sent timestamps, the low 6 bits of our TSval carry
 * its window scale (+1, 0 = none) and SACK-permitted, so those options
 * survive too. A cookie is valid for 64 to 128 seconds. */
#include "tcp.h"
#include <mica/libc.h>

#define COOKIE_PERIOD_NS (64 * MICA_NS_PER_S)

static const uint16_t mss_table[8] = {216, 536, 1200, 1360, 1400, 1440, 1452, 1460};

static uint32_t cookie_hash(struct mica_net *net, const struct ipv4_hdr *ip, const struct tcp_hdr *h,
                            uint32_t client_isn, uint32_t counter, uint32_t idx)
{
	uint32_t in[6] = {ip->src, ip->dst, (uint32_t)h->sport << 16 | h->dport, client_isn, counter, idx};
	return (uint32_t)tcp_siphash(net->tcp->secret, in, sizeof(in));
}

static uint32_t counter_now(struct mica_net *net)
{
	return (uint32_t)(mica_loop_now(net->loop) / COOKIE_PERIOD_NS);
}

void tcp_cookie_syn(struct mica_net *net, const struct ipv4_hdr *ip, const struct tcp_hdr *h)
{
	uint16_t peer = h->has_mss ? h->mss : TCP_DEFAULT_MSS;
	uint32_t idx = 0;
	while (idx < 7 && mss_table[idx + 1] <= peer)
		idx++;
	uint32_t cnt = counter_now(net);
	uint32_t isn = cookie_hash(net, ip, h, h->seq, cnt, idx) << 8 | (cnt & 31) << 3 | idx;
	/* A throw-away block, only to build the SYN-ACK. */
	struct mica_tcp *t = calloc(1, sizeof(*t));
	if (!t)
		return;
	t->net = net;
	t->lip = ip->dst, t->lport = h->dport, t->rip = ip->src, t->rport = h->sport;
	t->state = TCP_SYN_RCVD;
	t->rcv.cap = TCP_RCVBUF;
	t->rcv.pool = net->tcp->pool;
	t->iss = isn;
	t->rcv_nxt = h->seq + 1;
	tcp_take_syn_opts(t, h);
	if (!t->ts_ok)
		t->ws_ok = t->sack_ok = false, t->rcv_ws = 0;
	uint32_t tuple[3] = {t->rip, t->lip, (uint32_t)t->rport << 16 | t->lport};
	t->ts_offset = (uint32_t)(tcp_siphash(net->tcp->secret, tuple, sizeof(tuple)) >> 32);
	t->cookie = true;
	t->cookie_bits = (uint8_t)((t->ws_ok ? t->snd_ws + 1 : 0) | (t->sack_ok ? 0x20 : 0));
	tcp_send_syn(t);
	free(t);
	TCP_COUNT(net, syn_cookie_tx);
}

struct mica_tcp *tcp_cookie_ack(struct mica_net *net, const struct ipv4_hdr *ip, const struct tcp_hdr *h)
{
	uint32_t isn = h->ack - 1, client_isn = h->seq - 1;
	uint32_t cur = counter_now(net);
	uint32_t age = (cur - ((isn >> 3) & 31)) & 31;
	if (age > 1 || (cookie_hash(net, ip, h, client_isn, cur - age, isn & 7) << 8) != (isn & ~0xffu)) {
		TCP_COUNT(net, syn_cookie_bad);
		return NULL;
	}
	struct tcp_hdr syn = {.has_mss = true, .mss = mss_table[isn & 7]};
	if (h->has_ts) {
		uint32_t bits = h->tsecr & 0x3f;
		syn.has_ts = true;
		syn.tsval = h->tsval;
		syn.has_ws = (bits & 0x1f) != 0;
		syn.ws = (uint8_t)(syn.has_ws ? (bits & 0x1f) - 1 : 0);
		syn.sack_ok = bits & 0x20;
	}
	struct mica_tcp *c = tcp_new_conn(net, ip->dst, h->dport, ip->src, h->sport);
	if (!c)
		return NULL;
	c->iss = isn;
	c->irs = client_isn;
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
