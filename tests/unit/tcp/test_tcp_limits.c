/* test_tcp_limits.c - what bounds TCP's memory and what guards its SYN
 * handling: the compact TIME-WAIT record (its size, FIN and RST and SYN
 * handling, expiry, the cap), the connection cap and the pool's reserve
 * refusing new connections with RST while open ones and UDP go on, limits
 * derived from memory, SYN cookies accepted only while cookies are out and
 * with every encoded bit authenticated, keys from the platform's entropy,
 * ephemeral ports. */
#include "tcp_peer.h"

/* A segment from the peer's port sport (p_send always uses PEER_PORT). */
static void q_send(struct harness *h, uint16_t sport, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t wnd,
                   const void *data, size_t len, const struct tcp_hdr *opts)
{
	struct mica_buf *b = h_buf(h);
	if (len)
		mica_buf_append(b, data, len);
	struct tcp_hdr t = opts ? *opts : (struct tcp_hdr){0};
	t.sport = sport, t.dport = SRV_PORT, t.seq = seq, t.ack = ack, t.flags = flags, t.wnd = wnd;
	tcp_encode(b, PEER_IP, OUR_IP, &t);
	h_send_ip(h, b, OUR_IP, IPV4_PROTO_TCP, 1, false, 0);
	h_run(h);
}

/* Handshake from port sport; returns our ISN + 1 (0 if no SYN-ACK came). */
static uint32_t q_connect(struct harness *h, uint16_t sport)
{
	h_clear(h);
	q_send(h, sport, 500, 0, TCP_SYN, 8192, NULL, 0, NULL);
	struct tcp_hdr t;
	if (!p_last(h, &t) || t.flags != (TCP_SYN | TCP_ACK))
		return 0;
	q_send(h, sport, 501, t.seq + 1, TCP_ACK, 8192, NULL, 0, NULL);
	return t.seq + 1;
}

/* Our side closes, the peer acknowledges and closes: TIME-WAIT. Returns
 * the sequence number after our FIN. */
static uint32_t to_time_wait(struct harness *h, uint32_t una, const struct seg_opts *o)
{
	mica_tcp_close(app.c);
	h_run(h);
	p_send(h, PEER_ISN + 1, una + 1, TCP_ACK | TCP_FIN, 8192, NULL, 0, o);
	h_run(h);
	return una + 1;
}

TEST(time_wait_is_a_compact_record)
{
	struct mica_tcp_listener *l;
	struct harness *h = srv_new(&l, 16);
	struct seg_opts ts = {.ts = true, .tsval = 100};
	uint32_t una = p_connect(h, &ts, 8192);
	size_t held = h->net.tcp->pool->used;
	ts.tsval = 200;
	h_clear(h);
	uint32_t fin_end = to_time_wait(h, una, &ts);
	struct tcp_hdr t;
	CHECK(p_last(h, &t) && t.flags == TCP_ACK && t.ack == PEER_ISN + 2 && t.seq == fin_end);
	CHECK(tcp_tw_size() <= 64);
	CHECK_EQ(h->net.tcp->nconns, 0);
	CHECK_EQ(h->net.tcp->ntw, 1);
	CHECK_EQ(h->net.tcp->pool->used, held);
	CHECK_EQ(app.closes, 1);
	/* The FIN again: the same ACK, with timestamps, and 2 MSL anew. */
	h_advance(h, TCP_MSL_NS);
	h_clear(h);
	ts.tsval = 300;
	p_send(h, PEER_ISN + 1, fin_end, TCP_ACK | TCP_FIN, 8192, NULL, 0, &ts);
	CHECK(p_last(h, &t) && t.flags == TCP_ACK && t.ack == PEER_ISN + 2 && t.seq == fin_end);
	CHECK(t.has_ts && t.tsecr == 300);
	/* RST: ignored (RFC 1337); a stale pure ACK: dropped in silence. */
	h_clear(h);
	p_send(h, PEER_ISN + 2, fin_end, TCP_RST, 0, NULL, 0, NULL);
	p_send(h, PEER_ISN + 2, fin_end, TCP_ACK, 8192, NULL, 0, &ts);
	CHECK_EQ(h->nsent, 0);
	CHECK_EQ(h->net.tcp->ntw, 1);
	/* Old timestamps: PAWS, answered with an ACK. */
	ts.tsval = 50;
	p_send(h, PEER_ISN + 2, fin_end, TCP_ACK, 8192, "x", 1, &ts);
	CHECK_EQ(h->nsent, 1);
	/* 2 MSL after the retransmitted FIN, the record goes. */
	h_advance(h, TCP_MSL_NS + TCP_MSL_NS / 2);
	CHECK_EQ(h->net.tcp->ntw, 1);
	h_advance(h, TCP_MSL_NS);
	CHECK_EQ(h->net.tcp->ntw, 0);
	CHECK(tcp_tw_lookup(h->net.tcp, OUR_IP, SRV_PORT, PEER_IP, PEER_PORT) == NULL);
	t_free(h);
}

TEST(time_wait_gives_way_to_a_new_syn_and_to_the_cap)
{
	struct mica_tcp_listener *l;
	struct harness *h = srv_new(&l, 16);
	uint32_t una = p_connect(h, NULL, 8192);
	to_time_wait(h, una, NULL);
	CHECK_EQ(h->net.tcp->ntw, 1);
	/* RFC 6191: a SYN above the old sequence space opens a new connection. */
	app.accepted = 0;
	h_clear(h);
	p_send(h, PEER_ISN + 100000, 0, TCP_SYN, 8192, NULL, 0, NULL);
	struct tcp_hdr t;
	CHECK(p_last(h, &t) && t.flags == (TCP_SYN | TCP_ACK));
	CHECK(tcp_tw_lookup(h->net.tcp, OUR_IP, SRV_PORT, PEER_IP, PEER_PORT) == NULL);
	p_send(h, PEER_ISN + 100001, t.seq + 1, TCP_ACK, 8192, NULL, 0, NULL);
	CHECK_EQ(app.accepted, 1);
	CHECK(h->net.stats[NET_tcp_tw_reused] == 1);
	/* At the cap, the oldest record makes room. */
	h->net.tcp->limits.max_tw = 2;
	for (uint16_t port = 2000; port < 2004; port++) {
		uint32_t u = q_connect(h, port);
		CHECK(u != 0);
		mica_tcp_close(app.c);
		h_run(h);
		q_send(h, port, 501, u + 1, TCP_ACK | TCP_FIN, 8192, NULL, 0, NULL);
	}
	CHECK_EQ(h->net.tcp->ntw, 2);
	CHECK(h->net.stats[NET_tcp_tw_recycled] >= 2);
	CHECK(tcp_tw_lookup(h->net.tcp, OUR_IP, SRV_PORT, PEER_IP, 2003) != NULL);
	CHECK(tcp_tw_lookup(h->net.tcp, OUR_IP, SRV_PORT, PEER_IP, 2000) == NULL);
	t_free(h);
}

static int udp_got;
static void udp_rx(struct mica_udp *u, const struct mica_udp_dgram *d, void *arg)
{
	(void)u, (void)d, (void)arg;
	udp_got++;
}

/* At the connection cap, or with the pool down to its reserve, a new SYN
 * gets RST at once; connections already open still move data, UDP still
 * works, and a freed place is taken again. */
TEST(full_stack_refuses_new_connections_cleanly)
{
	struct mica_tcp_listener *l;
	struct harness *h = srv_new(&l, 16);
	struct net_tcp *tcp = h->net.tcp;
	tcp->limits.max_conns = 2;
	uint32_t una1 = q_connect(h, 3001);
	struct mica_tcp *first = app.c;
	CHECK(una1 && q_connect(h, 3002));
	CHECK_EQ(tcp->nconns, 2);
	h_clear(h);
	q_send(h, 3003, 900, 0, TCP_SYN, 8192, NULL, 0, NULL);
	struct tcp_hdr t;
	CHECK(p_last(h, &t) && t.flags == (TCP_RST | TCP_ACK) && t.ack == 901);
	CHECK(h->net.stats[NET_tcp_conn_limit] == 1);
	CHECK_EQ(tcp->nconns, 2);
	/* The open ones work. */
	size_t before = app.rxlen;
	q_send(h, 3001, 501, una1, TCP_ACK | TCP_PSH, 8192, "ping", 4, NULL);
	CHECK_EQ(app.rxlen, before + 4);
	CHECK_EQ(mica_tcp_write(first, "pong", 4), 4);
	/* UDP is not TCP's to refuse. */
	struct mica_udp *u;
	struct mica_endpoint ep = {0, 53};
	CHECK_EQ(mica_udp_bind(&h->net, &ep, udp_rx, NULL, &u), MICA_OK);
	h_send_udp(h, 4000, 53, "q", 1);
	CHECK_EQ(udp_got, 1);
	/* One goes: the next SYN gets in. */
	mica_tcp_abort(first);
	h_run(h);
	CHECK(q_connect(h, 3004) != 0);
	/* The pool at its reserve refuses too, whatever the count. */
	tcp->limits.max_conns = 100;
	tcp->pool->budget = 64 * TCP_BLK;
	tcp->limits.reserve = 8 * TCP_BLK;
	void *held[64];
	int nheld = 0;
	while (tcp_pool_avail(tcp->pool) * TCP_BLK >= tcp->limits.reserve)
		held[nheld++] = tcp_pool_get(tcp->pool); /* what other connections hold */
	h_clear(h);
	q_send(h, 3005, 900, 0, TCP_SYN, 8192, NULL, 0, NULL);
	CHECK(p_last(h, &t) && t.flags == (TCP_RST | TCP_ACK));
	CHECK(h->net.stats[NET_tcp_conn_limit] == 2);
	while (nheld)
		tcp_pool_put(tcp->pool, held[--nheld]);
	mica_udp_close(u);
	t_free(h);
}

TEST(limits_follow_memory)
{
	struct tcp_limits l;
	tcp_mem_limits(&l, 32u << 20); /* mica-hvt's default guest */
	CHECK_EQ(l.budget, 8u << 20);
	CHECK_EQ(l.max_conns, 4096);
	CHECK_EQ(l.max_tw, 4096);
	CHECK(l.reserve > 0 && l.reserve < l.budget);
	tcp_mem_limits(&l, 4u << 20);
	CHECK_EQ(l.budget, 1u << 20);
	CHECK_EQ(l.max_conns, 512);
	tcp_mem_limits(&l, (size_t)64 << 30);
	CHECK_EQ(l.budget, TCP_POOL_MAX);
	CHECK_EQ(l.max_conns, TCP_MAX_CONNS);
	tcp_mem_limits(&l, 0); /* unknown: assumed small */
	CHECK_EQ(l.max_conns, TCP_MEM_ASSUMED / TCP_MEM_PER_CONN);
	/* The stack takes them from the platform's memory size. */
	struct mica_tcp_listener *ls;
	struct harness *h = srv_new(&ls, 16);
	tcp_mem_limits(&l, mica_plat_mem_size());
	CHECK_EQ(h->net.tcp->limits.max_conns, l.max_conns);
	CHECK_EQ(h->net.tcp->pool->budget, l.budget);
	t_free(h);
}

/* ---- SYN cookies ---- */

static const struct tcp_hdr syn_opts = {
    .has_mss = true, .mss = 1400, .has_ws = true, .ws = 5, .sack_ok = true, .has_ts = true, .tsval = 77};

/* A listener with a backlog of one, held by a half-open connection, so the
 * next SYN (from port 5555) is answered with a cookie; returns its SYN-ACK. */
static struct harness *cookie_setup(struct tcp_hdr *synack)
{
	struct mica_tcp_listener *l;
	struct harness *h = srv_new(&l, 1);
	q_send(h, 5554, 100, 0, TCP_SYN, 1000, NULL, 0, NULL);
	h_clear(h);
	q_send(h, 5555, 5000, 0, TCP_SYN, 1000, NULL, 0, &syn_opts);
	CHECK(h->net.stats[NET_tcp_syn_cookie_tx] == 1);
	CHECK(p_last(h, synack) && synack->flags == (TCP_SYN | TCP_ACK));
	return h;
}

static void cookie_ack(struct harness *h, const struct tcp_hdr *synack, uint32_t ack, uint32_t tsecr)
{
	struct tcp_hdr a = {.has_ts = true, .tsval = 78, .tsecr = tsecr};
	q_send(h, 5555, 5001, ack, TCP_ACK, 100, NULL, 0, &a);
	(void)synack;
}

TEST(stray_ack_is_not_checked_as_a_cookie)
{
	struct mica_tcp_listener *l;
	struct harness *h = srv_new(&l, 16);
	h_clear(h);
	q_send(h, 6000, 1234, 0xdeadbeef, TCP_ACK, 1000, NULL, 0, NULL);
	struct tcp_hdr t;
	CHECK(p_last(h, &t) && t.flags == TCP_RST && t.seq == 0xdeadbeef);
	CHECK(h->net.stats[NET_tcp_syn_cookie_bad] == 0); /* no cookies out: not even checked */
	CHECK_EQ(app.accepted, 0);
	t_free(h);
}

TEST(cookie_options_are_authenticated)
{
	struct tcp_hdr sa;
	struct harness *h = cookie_setup(&sa);
	/* Window scale 5 -> 9 in the echoed TSval: the MAC no longer fits. */
	cookie_ack(h, &sa, sa.seq + 1, (sa.tsval & ~0x1fu) | 10);
	CHECK(h->net.stats[NET_tcp_syn_cookie_bad] == 1);
	/* Its MAC bits in TSval changed. */
	cookie_ack(h, &sa, sa.seq + 1, sa.tsval ^ 0x400);
	CHECK(h->net.stats[NET_tcp_syn_cookie_bad] == 2);
	/* Without the timestamps it was issued with. */
	q_send(h, 5555, 5001, sa.seq + 1, TCP_ACK, 100, NULL, 0, NULL);
	CHECK(h->net.stats[NET_tcp_syn_cookie_bad] == 3);
	/* The MSS index in the ISN changed (the ACK field carries it). */
	cookie_ack(h, &sa, (sa.seq ^ 1) + 1, sa.tsval);
	CHECK(h->net.stats[NET_tcp_syn_cookie_bad] == 4);
	CHECK_EQ(app.accepted, 0);
	/* The real one. */
	cookie_ack(h, &sa, sa.seq + 1, sa.tsval);
	CHECK_EQ(app.accepted, 1);
	CHECK(app.c && app.c->snd_ws == 5 && app.c->sack_ok && app.c->mss == 1400 - TCP_OPT_TS_LEN);
	t_free(h);
}

TEST(cookies_expire_and_are_refused_when_none_are_out)
{
	struct tcp_hdr sa;
	struct harness *h = cookie_setup(&sa);
	h_advance(h, 60 * MICA_NS_PER_S); /* still valid: the next period */
	cookie_ack(h, &sa, sa.seq + 1, sa.tsval);
	CHECK_EQ(app.accepted, 1);
	t_free(h);
	h = cookie_setup(&sa);
	h_advance(h, 130 * MICA_NS_PER_S); /* too old, and no cookies issued since */
	h_learn_peer(h);                   /* (the ARP entry aged meanwhile) */
	h_clear(h);
	cookie_ack(h, &sa, sa.seq + 1, sa.tsval);
	CHECK_EQ(app.accepted, 0);
	struct tcp_hdr t;
	CHECK(p_last(h, &t) && (t.flags & TCP_RST));
	t_free(h);
}

TEST(keys_come_from_entropy_and_ports_are_spread)
{
	struct harness *a = h_new(OUR_IP, 24), *b = h_new(OUR_IP, 24);
	CHECK(memcmp(a->net.tcp->secret, b->net.tcp->secret, 16) != 0);
	CHECK(memcmp(a->net.tcp->cookie_key, b->net.tcp->cookie_key, 16) != 0);
	CHECK(memcmp(a->net.tcp->secret, a->net.tcp->cookie_key, 16) != 0);
	/* Ports for one peer differ call to call, and start elsewhere for another. */
	static const struct mica_tcp_ops ops;
	struct mica_endpoint p1 = {PEER_IP, 80}, p2 = {PEER_IP, 443}, l1, l2, l3;
	struct mica_tcp *c1, *c2, *c3;
	h_learn_peer(a);
	CHECK_EQ(mica_tcp_connect(&a->net, &p1, &ops, NULL, &c1), MICA_OK);
	CHECK_EQ(mica_tcp_connect(&a->net, &p1, &ops, NULL, &c2), MICA_OK);
	CHECK_EQ(mica_tcp_connect(&a->net, &p2, &ops, NULL, &c3), MICA_OK);
	mica_tcp_endpoints(c1, &l1, NULL);
	mica_tcp_endpoints(c2, &l2, NULL);
	mica_tcp_endpoints(c3, &l3, NULL);
	CHECK(l1.port >= TCP_EPHEMERAL_LO && l2.port >= TCP_EPHEMERAL_LO && l3.port >= TCP_EPHEMERAL_LO);
	CHECK(l1.port != l2.port);
	CHECK(l3.port != l2.port + 1);
	t_free(a);
	t_free(b);
}

int main(void)
{
	return RUN_TESTS();
}
