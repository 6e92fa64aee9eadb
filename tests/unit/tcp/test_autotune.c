/* test_autotune.c - send and receive buffers that grow with the
 * bandwidth-delay product (tcp_ack.c, tcp_recv.c), with explicit time:
 * the send queue follows twice cwnd, the receive window grows when the
 * app consumes quickly and stays put when the app stops reading, both
 * stop at their maximum, and growing the receive buffer keeps the
 * out-of-order bytes it holds where they were. */
#include "tcp_peer.h"

#define MSS 1460
#define MS MICA_NS_PER_MS

static uint8_t pat[1 << 20];

static void fill_pattern(void)
{
	for (size_t i = 0; i < sizeof(pat); i++)
		pat[i] = (uint8_t)(i * 13 + i / 4093);
}

/* Queue as much as the send queue takes (a copy of the pattern). */
static size_t fill_queue(void)
{
	size_t total = 0;
	ptrdiff_t n;
	while ((n = mica_tcp_write(app.c, pat, sizeof(pat))) > 0)
		total += (size_t)n;
	return total;
}

/* The peer acknowledges each data segment sent since the last h_clear,
 * one ACK per segment, a round trip later. */
static void ack_each(struct harness *h, uint16_t wnd)
{
	uint32_t ends[4096];
	int n = 0;
	struct tcp_hdr t;
	for (int i = 0; i < h->nsent && n < 4096; i++)
		if (p_sent(h, i, &t) && t.payload.len)
			ends[n++] = t.seq + (uint32_t)t.payload.len;
	h_clear(h);
	h_advance(h, 10 * MS);
	for (int i = 0; i < n; i++)
		p_send(h, PEER_ISN + 1, ends[i], TCP_ACK, wnd, NULL, 0, NULL);
}

TEST(send_queue_grows_to_twice_cwnd_and_no_further_than_its_max)
{
	struct mica_tcp_listener *l;
	struct harness *h = srv_new(&l, 16);
	struct seg_opts o = {.mss = true, .ws = true, .sack_ok = true};
	p_connect(h, &o, 65535); /* window 65535 << 7: 8 MB */
	CHECK(app.c != NULL);
	fill_pattern();
	h_clear(h);
	CHECK_EQ(fill_queue(), TCP_SNDBUF);
	CHECK_EQ(app.c->snd.cap, TCP_SNDBUF);
	/* Slow start doubles cwnd each round trip; the queue follows. */
	for (int round = 0; round < 12; round++) {
		h_run(h);
		ack_each(h, 65535);
		fill_queue();
		CHECK(app.c->snd.cap >=
		      (app.c->cwnd < TCP_SNDBUF_MAX / 2 ? 2 * app.c->cwnd : TCP_SNDBUF_MAX));
		CHECK(app.c->snd.cap <= TCP_SNDBUF_MAX);
	}
	CHECK(app.c->cwnd > TCP_SNDBUF);
	CHECK_EQ(app.c->snd.cap, TCP_SNDBUF_MAX);
	CHECK(h->net.stats[NET_tcp_sndbuf_grow] > 0);
	CHECK_EQ(app.c->snd.len, TCP_SNDBUF_MAX); /* the app could fill it all */
	mica_tcp_abort(app.c);
	t_free(h);
}

/* The peer sends whole windows, one per round trip, echoing the TSval of
 * our latest ACK; returns the window we offered last (bytes). */
static uint32_t send_rounds(struct harness *h, int rounds, uint32_t una, uint32_t *seq, uint32_t *tsval)
{
	uint8_t ws = app.c->rcv_ws;
	uint32_t wnd = 0, echo = 0;
	struct tcp_hdr t;
	for (int r = 0; r < rounds; r++) {
		if (p_last(h, &t)) {
			wnd = (uint32_t)t.wnd << ws;
			echo = t.tsval;
		}
		uint32_t edge = *seq + (wnd ? wnd : 65535u);
		h_clear(h);
		while (SEQ_LT(*seq, edge)) {
			uint32_t n = edge - *seq < MSS ? edge - *seq : MSS;
			struct seg_opts o = {.ts = true, .tsval = ++*tsval, .tsecr = echo};
			p_send(h, *seq, una, TCP_ACK, 65535, pat + (*seq - PEER_ISN - 1) % (sizeof(pat) / 2),
			       n, &o);
			*seq += n;
		}
		h_advance(h, 10 * MS); /* a round trip: delayed ACKs go out too */
		if (p_last(h, &t))
			wnd = (uint32_t)t.wnd << ws;
	}
	return wnd;
}

static struct harness *ts_conn(uint32_t *una, uint32_t *seq, uint32_t *tsval)
{
	struct mica_tcp_listener *l;
	struct harness *h = srv_new(&l, 16);
	struct seg_opts o = {.mss = true, .ws = true, .sack_ok = true, .ts = true, .tsval = 100};
	*una = p_connect(h, &o, 65535);
	CHECK(app.c != NULL);
	CHECK(app.c->ts_ok);
	*seq = PEER_ISN + 1;
	*tsval = 200;
	fill_pattern();
	return h;
}

TEST(receive_window_grows_when_the_app_keeps_up)
{
	uint32_t una, seq, tsval;
	struct harness *h = ts_conn(&una, &seq, &tsval);
	CHECK_EQ(app.c->rcv.cap, TCP_RCVBUF);
	uint32_t wnd = send_rounds(h, 12, una, &seq, &tsval);
	CHECK(app.c->rcv.cap > TCP_RCVBUF);
	CHECK(app.c->rcv.cap <= TCP_RCVBUF_MAX);
	CHECK(wnd > TCP_RCVBUF);
	CHECK(h->net.stats[NET_tcp_rcvbuf_grow] > 0);
	CHECK_EQ(h->net.stats[NET_tcp_rx_overrun], 0);
	/* Everything arrived in order and intact. */
	CHECK_EQ(app.c->rcv_nxt, seq);
	mica_tcp_abort(app.c);
	t_free(h);
}

TEST(receive_window_stays_when_the_app_stops_reading)
{
	uint32_t una, seq, tsval;
	struct harness *h = ts_conn(&una, &seq, &tsval);
	app.take_none = true;
	send_rounds(h, 8, una, &seq, &tsval);
	CHECK_EQ(app.c->rcv.cap, TCP_RCVBUF);
	CHECK_EQ(h->net.stats[NET_tcp_rcvbuf_grow], 0);
	struct tcp_hdr t;
	CHECK(p_last(h, &t));
	CHECK_EQ(t.wnd, 0); /* full: the app holds it all */
	mica_tcp_abort(app.c);
	t_free(h);
}

/* Out-of-order bytes held at various offsets, the head inside a block:
 * after growing, every byte reads back as written. */
TEST(growing_the_receive_buffer_keeps_what_it_holds)
{
	fill_pattern();
	struct tcp_pool *pool = tcp_pool_new(4u << 20);
	struct tcp_rcvbuf r = {.pool = pool, .cap = 64 * 1024};
	/* Move head into the ring, past a wrap of its block table. */
	CHECK_EQ(tcp_rcvbuf_write(&r, 0, pat, 60000), MICA_OK);
	r.len = 60000;
	tcp_rcvbuf_drop(&r, 59000);
	CHECK_EQ(tcp_rcvbuf_write(&r, r.len, pat + 60000, 30000), MICA_OK);
	r.len += 30000;
	tcp_rcvbuf_drop(&r, 30000); /* head at 90000 bytes in, in a 17-block ring */
	CHECK_EQ(r.len, 1000);
	CHECK_EQ(tcp_rcvbuf_write(&r, 5000, pat + 5000, 7000), MICA_OK);    /* out of order */
	CHECK_EQ(tcp_rcvbuf_write(&r, 40000, pat + 40000, 20000), MICA_OK); /* near the end */
	CHECK_EQ(tcp_rcvbuf_grow(&r, 256 * 1024), MICA_OK);
	CHECK_EQ(r.cap, 256 * 1024);
	/* Fill the holes and beyond the old end, then read it all back. */
	CHECK_EQ(tcp_rcvbuf_write(&r, 1000, pat + 1000, 4000), MICA_OK);
	CHECK_EQ(tcp_rcvbuf_write(&r, 12000, pat + 12000, 28000), MICA_OK);
	CHECK_EQ(tcp_rcvbuf_write(&r, 60000, pat + 60000, 150000), MICA_OK);
	static uint8_t want[210000];
	memcpy(want, pat + 89000, 1000); /* the in-order bytes before the growth */
	memcpy(want + 1000, pat + 1000, sizeof(want) - 1000);
	r.len = sizeof(want);
	size_t off = 0, bad = 0;
	while (r.len) {
		struct mica_view v = tcp_rcvbuf_peek(&r);
		CHECK(v.len > 0);
		bad += memcmp(v.data, want + off, v.len) != 0;
		off += v.len;
		tcp_rcvbuf_drop(&r, (uint32_t)v.len);
	}
	CHECK_EQ(off, sizeof(want));
	CHECK_EQ(bad, 0);
	tcp_rcvbuf_free(&r);
	CHECK_EQ(pool->used, 0);
	tcp_pool_detach(pool);
}

int main(void)
{
	return RUN_TESTS();
}
