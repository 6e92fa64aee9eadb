/* tcp_peer.h - a scripted TCP peer for the unit tests: build the peer's
 * segments with tcp_encode and inject them into a stack on a capture
 * device (tests/unit/net/harness.h), parse what the stack sent, and a
 * small app (callbacks recording what they saw). Time is explicit. */
#ifndef TCP_TEST_PEER_H
#define TCP_TEST_PEER_H

#include "../net/harness.h"
#include "../../../lib/net/tcp.h"

#define PEER_PORT 40000
#define SRV_PORT 80

struct seg_opts {
	bool mss, ws, sack_ok, ts;
	uint32_t tsval, tsecr;
	uint8_t nsack;
	struct tcp_sack_block sack[TCP_MAX_SACK];
};

static inline void p_send(struct harness *h, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t wnd,
                          const void *data, size_t len, const struct seg_opts *o)
{
	struct mica_buf *b = h_buf(h);
	if (len)
		mica_buf_append(b, data, len);
	struct tcp_hdr t = {
	    .sport = PEER_PORT, .dport = SRV_PORT, .seq = seq, .ack = ack, .flags = flags, .wnd = wnd};
	if (o) {
		t.has_mss = o->mss;
		t.mss = 1460;
		t.has_ws = o->ws;
		t.ws = 7;
		t.sack_ok = o->sack_ok;
		t.has_ts = o->ts;
		t.tsval = o->tsval;
		t.tsecr = o->tsecr;
		t.nsack = o->nsack;
		memcpy(t.sack, o->sack, sizeof(t.sack));
	}
	tcp_encode(b, PEER_IP, OUR_IP, &t);
	h_send_ip(h, b, OUR_IP, IPV4_PROTO_TCP, 1, false, 0);
	h_run(h);
}

/* Parse the i-th sent frame as TCP. */
static inline bool p_sent(struct harness *h, int i, struct tcp_hdr *t)
{
	struct eth_hdr eth;
	struct ipv4_hdr ip;
	if (!h_sent_ip(h, i, &eth, &ip) || ip.proto != IPV4_PROTO_TCP)
		return false;
	return tcp_parse(ip.payload, ip.src, ip.dst, t) == MICA_OK;
}

/* The last TCP segment sent (false if none). */
static inline bool p_last(struct harness *h, struct tcp_hdr *t)
{
	return h->nsent > 0 && p_sent(h, h->nsent - 1, t);
}

/* h_free, and give the pools back too (so the sanitizer sees no leak). */
static inline void t_free(struct harness *h)
{
	net_stack_fini(&h->net);
	h_run(h);
	h_clear(h);
	mica_buf_pool_fini(&h->net.rx_pool);
	mica_buf_pool_fini(&h->net.tx_pool);
	mica_buf_pool_fini(&h->net.big_pool);
	mica_buf_pool_fini(&h->pool);
	mica_loop_fini(&h->loop);
	free(h);
}

/* ---- the app ---- */
struct app {
	struct mica_tcp *c;
	int accepted, connected, eofs, closes, close_err, writable;
	uint8_t rx[1 << 20];
	size_t rxlen;
	size_t take; /* how much on_data consumes per call (0 = all) */
	bool take_none;
	bool close_on_eof;
	bool echo;
};

static struct app app;

static size_t a_data(struct mica_tcp *c, struct mica_view d, void *arg)
{
	(void)arg;
	size_t n = d.len;
	if (app.take_none)
		return 0;
	if (app.take && n > app.take)
		n = app.take;
	if (app.rxlen + n <= sizeof(app.rx)) {
		memcpy(app.rx + app.rxlen, d.data, n);
		app.rxlen += n;
	}
	if (app.echo)
		mica_tcp_write(c, d.data, n);
	return n;
}
static void a_writable(struct mica_tcp *c, void *arg)
{
	(void)c, (void)arg;
	app.writable++;
}
static void a_eof(struct mica_tcp *c, void *arg)
{
	(void)arg;
	app.eofs++;
	if (app.close_on_eof)
		mica_tcp_close(c);
}
static void a_connect(struct mica_tcp *c, int err, void *arg)
{
	(void)c, (void)arg;
	app.connected++;
	CHECK_EQ(err, 0);
}
static void a_close(struct mica_tcp *c, int err, void *arg)
{
	(void)c, (void)arg;
	app.closes++;
	app.close_err = err;
	app.c = NULL;
}
static const struct mica_tcp_ops app_ops = {a_data, a_writable, a_eof, a_connect, a_close};

static void a_accept(struct mica_tcp_listener *l, struct mica_tcp *c, void *arg)
{
	(void)l, (void)arg;
	app.accepted++;
	app.c = c;
	mica_tcp_set_ops(c, &app_ops, NULL);
}

static inline void app_reset(void)
{
	memset(&app, 0, sizeof(app));
}

/* A stack with a listener on SRV_PORT and the peer's MAC learnt. */
static inline struct harness *srv_new(struct mica_tcp_listener **l, int backlog)
{
	app_reset();
	struct harness *h = h_new(OUR_IP, 24);
	h_learn_peer(h);
	struct mica_endpoint ep = {0, SRV_PORT};
	CHECK_EQ(mica_tcp_listen(&h->net, &ep, backlog, a_accept, NULL, l), MICA_OK);
	return h;
}

#define PEER_ISN 1000000u

/* Three-way handshake from the peer; returns our ISN + 1 (the peer's ack). */
static inline uint32_t p_connect(struct harness *h, const struct seg_opts *o, uint16_t wnd)
{
	h_clear(h);
	p_send(h, PEER_ISN, 0, TCP_SYN, wnd, NULL, 0, o);
	struct tcp_hdr t;
	CHECK(p_last(h, &t));
	CHECK_EQ(t.flags, TCP_SYN | TCP_ACK);
	CHECK_EQ(t.ack, PEER_ISN + 1);
	struct seg_opts ack = {0};
	if (o && o->ts) {
		ack.ts = true;
		ack.tsval = o->tsval + 1;
		ack.tsecr = t.tsval;
	}
	h_clear(h);
	p_send(h, PEER_ISN + 1, t.seq + 1, TCP_ACK, wnd, NULL, 0, o && o->ts ? &ack : NULL);
	return t.seq + 1;
}

#endif
