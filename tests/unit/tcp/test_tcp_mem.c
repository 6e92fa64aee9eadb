/* test_tcp_mem.c - TCP memory on the direct stack: the send queue of
 * copied blocks and references (mica_tcp_write_ref: bytes, also
 * retransmitted ones, come from the app's memory; release once, after the
 * ACK or when the connection goes), the block pool with its budget
 * (writers cut short by it get on_writable when blocks return), and
 * buffers that give their memory back when they empty. */
#include "tcp_peer.h"

static int releases;
static void count_release(void *arg)
{
	(void)arg;
	releases++;
}

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

TEST(ring_reads_across_blocks_and_references)
{
	struct tcp_pool *pool = tcp_pool_new(1 << 20);
	struct tcp_ring r = {.pool = pool, .cap = 1 << 16};
	static uint8_t a[5000], ref[3000], want[8010], got[8010];
	fill(a, sizeof(a), 1);
	fill(ref, sizeof(ref), 99);
	releases = 0;
	CHECK_EQ(tcp_ring_append(&r, a, sizeof(a)), 5000);
	CHECK_EQ(tcp_ring_append_ref(&r, ref, sizeof(ref), count_release, NULL), MICA_OK);
	CHECK_EQ(tcp_ring_append(&r, "0123456789", 10), 10);
	CHECK_EQ(r.len, 8010);
	memcpy(want, a, 5000);
	memcpy(want + 5000, ref, 3000);
	memcpy(want + 8000, "0123456789", 10);
	/* Every offset and length pattern, forwards and backwards (cursor). */
	for (uint32_t off = 0; off < 8010; off += 997) {
		uint32_t n = 8010 - off < 1500 ? 8010 - off : 1500;
		tcp_ring_read(&r, off, got, n);
		CHECK(memcmp(got, want + off, n) == 0);
	}
	tcp_ring_read(&r, 0, got, 8010);
	CHECK(memcmp(got, want, 8010) == 0);
	/* A range inside the reference is the reference itself. */
	struct tcp_ext *e = NULL;
	CHECK(tcp_ring_span(&r, 5100, 1000, &e) == ref + 100);
	CHECK(e && e->pool == NULL);
	CHECK(tcp_ring_span(&r, 4900, 200, &e) == NULL); /* spans two runs */
	/* Acknowledged bytes go: blocks back to the pool, the reference released. */
	size_t used = pool->used;
	CHECK(used >= 2 * TCP_BLK);
	tcp_ring_drop(&r, 4500);
	tcp_ring_read(&r, 0, got, 3510);
	CHECK(memcmp(got, want + 4500, 3510) == 0);
	CHECK(pool->used < used); /* the first block is free */
	CHECK_EQ(releases, 0);
	tcp_ring_drop(&r, 3499);
	CHECK_EQ(releases, 0); /* one byte of it still unacknowledged */
	tcp_ring_drop(&r, 1);
	CHECK_EQ(releases, 1);
	tcp_ring_read(&r, 0, got, 10);
	CHECK(memcmp(got, "0123456789", 10) == 0);
	tcp_ring_free(&r);
	CHECK_EQ(r.len, 0);
	CHECK_EQ(pool->used, 0);
	CHECK_EQ(releases, 1);
	tcp_pool_detach(pool);
}

TEST(receive_buffer_takes_blocks_only_while_holding_bytes)
{
	struct tcp_pool *pool = tcp_pool_new(1 << 20);
	struct tcp_rcvbuf r = {.pool = pool, .cap = 64 * 1024};
	static uint8_t d[9000];
	fill(d, sizeof(d), 5);
	CHECK(r.slot == NULL);
	/* Out of order: only the blocks under the bytes are taken. */
	CHECK_EQ(tcp_rcvbuf_write(&r, 40000, d, 100), MICA_OK);
	CHECK_EQ(pool->used, TCP_BLK);
	CHECK_EQ(tcp_rcvbuf_write(&r, 0, d, 9000), MICA_OK);
	r.len = 9000;
	CHECK_EQ(pool->used, 4 * TCP_BLK);
	size_t seen = 0;
	while (r.len) {
		struct mica_view v = tcp_rcvbuf_peek(&r);
		CHECK(v.len > 0 && memcmp(v.data, d + seen, v.len) == 0);
		seen += v.len;
		tcp_rcvbuf_drop(&r, (uint32_t)v.len);
	}
	CHECK_EQ(seen, 9000);
	CHECK_EQ(pool->used, 2 * TCP_BLK); /* the partly read block and the out-of-order one */
	tcp_rcvbuf_free(&r);
	CHECK_EQ(pool->used, 0);
	CHECK(r.slot == NULL);
	/* The budget is a hard limit: nothing is written past it. */
	struct tcp_pool *small = tcp_pool_new(2 * TCP_BLK);
	struct tcp_rcvbuf s = {.pool = small, .cap = 64 * 1024};
	CHECK_EQ(tcp_rcvbuf_write(&s, 0, d, 9000), MICA_ENOMEM);
	CHECK_EQ(small->used, 0);
	CHECK_EQ(tcp_rcvbuf_write(&s, 100, d, 5000), MICA_OK);
	tcp_rcvbuf_free(&s);
	tcp_pool_detach(small);
	tcp_pool_detach(pool);
}

static uint32_t rnd_state;
static uint32_t rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

/* Random appends (copies and references), reads and drops against a flat
 * copy of what the queue should hold. */
TEST(send_queue_matches_a_model)
{
	struct tcp_pool *pool = tcp_pool_new(64 << 20);
	struct tcp_ring r = {.pool = pool, .cap = TCP_SNDBUF};
	static uint8_t model[1 << 22], src[1 << 18], got[1 << 16];
	rnd_state = 1;
	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)rnd();
	size_t head = 0, tail = 0;
	for (int it = 0; it < 20000 && check_failed_checks == 0; it++) {
		uint32_t n = rnd() % 20000, so = rnd() % (uint32_t)(sizeof(src) - 20000);
		switch (rnd() % 4) {
		case 0: n = tcp_ring_append(&r, src + so, n); break;
		case 1:
			n = n < r.cap - r.len ? n : r.cap - r.len;
			if (n && tcp_ring_append_ref(&r, src + so, n, NULL, NULL) != MICA_OK)
				n = 0;
			break;
		case 2:
			if (r.len) {
				uint32_t off = rnd() % r.len, k = rnd() % (r.len - off + 1);
				k = k < sizeof(got) ? k : sizeof(got);
				tcp_ring_read(&r, off, got, k);
				CHECK(memcmp(got, model + head + off, k) == 0);
			}
			n = 0;
			break;
		default:
			n = n < r.len ? n : r.len;
			tcp_ring_drop(&r, n);
			head += n;
			n = 0;
			break;
		}
		memcpy(model + tail, src + so, n);
		tail += n;
		CHECK_EQ(r.len, tail - head);
		if (tail > sizeof(model) - 2 * TCP_SNDBUF) {
			memmove(model, model + head, tail - head);
			tail -= head;
			head = 0;
		}
	}
	tcp_ring_free(&r);
	CHECK_EQ(pool->used, 0);
	tcp_pool_detach(pool);
}

/* Random in-order and out-of-order writes anywhere in the window, reads
 * and drops against a model; every byte read must be the one written. */
TEST(receive_buffer_matches_a_model)
{
	struct tcp_pool *pool = tcp_pool_new(64 << 20);
	struct tcp_rcvbuf r = {.pool = pool, .cap = TCP_RCVBUF};
	static uint8_t model[TCP_RCVBUF], valid[TCP_RCVBUF], src[1 << 18];
	rnd_state = 2;
	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)rnd();
	for (int it = 0; it < 30000 && check_failed_checks == 0; it++) {
		uint32_t op = rnd() % 3, n = rnd() % 20000;
		if (op == 0) {
			uint32_t off = rnd() % 2 ? r.len : rnd() % r.cap; /* in order, or anywhere */
			uint32_t so = rnd() % (uint32_t)(sizeof(src) - 20000);
			n = n < r.cap - off ? n : r.cap - off;
			if (tcp_rcvbuf_write(&r, off, src + so, n) == MICA_OK) {
				memcpy(model + off, src + so, n);
				memset(valid + off, 1, n);
			}
			while (r.len < r.cap && valid[r.len])
				r.len++;
		} else if (op == 1 && r.len) {
			struct mica_view v = tcp_rcvbuf_peek(&r);
			CHECK(v.len > 0 && v.len <= r.len && memcmp(v.data, model, v.len) == 0);
		} else if (op == 2) {
			n = n < r.len ? n : r.len;
			tcp_rcvbuf_drop(&r, n);
			memmove(model, model + n, sizeof(model) - n);
			memmove(valid, valid + n, sizeof(valid) - n);
			memset(valid + sizeof(valid) - n, 0, n);
		}
	}
	tcp_rcvbuf_free(&r);
	CHECK_EQ(pool->used, 0);
	tcp_pool_detach(pool);
}

/* The end of the highest segment sent so far (what the peer would ACK). */
static uint32_t ack_all(struct harness *h, uint32_t una)
{
	uint32_t end = una;
	for (int i = 0; i < h->nsent; i++) {
		struct tcp_hdr t;
		if (p_sent(h, i, &t) && SEQ_GT(t.seq + (uint32_t)t.payload.len, end))
			end = t.seq + (uint32_t)t.payload.len;
	}
	return end;
}

/* The peer acknowledges what it gets until `bytes` from una are acknowledged. */
static void peer_acks(struct harness *h, uint32_t una, uint32_t bytes, uint16_t wnd)
{
	uint32_t acked = una;
	for (int i = 0; i < 1000 && SEQ_LT(acked, una + bytes); i++) {
		uint32_t end = ack_all(h, acked);
		if (end == acked) {
			h_advance(h, TCP_RTO_MAX); /* nothing sent: let a timer move it */
			continue;
		}
		acked = end;
		h_clear(h);
		p_send(h, PEER_ISN + 1, acked, TCP_ACK, wnd, NULL, 0, NULL);
	}
	CHECK(SEQ_GEQ(acked, una + bytes));
}

/* The bytes on the wire are read from the referenced memory when each
 * segment is built, not copied at write time: what the app changes (here,
 * on purpose) before a segment leaves is what the segment carries - also
 * for a retransmission after a loss. */
TEST(write_ref_sends_from_the_referenced_memory)
{
	struct mica_tcp_listener *l;
	struct harness *h = srv_new(&l, 16);
	struct seg_opts mss = {.mss = true};
	uint32_t una = p_connect(h, &mss, 2920); /* the peer's window: two segments */
	static uint8_t body[8000];
	fill(body, sizeof(body), 3);
	releases = 0;
	size_t used = h->net.tcp->pool->used;
	h_clear(h);
	CHECK_EQ(mica_tcp_write_ref(app.c, body, sizeof(body), count_release, NULL), 8000);
	CHECK_EQ(h->net.tcp->pool->used, used); /* no block for referenced bytes */
	h_run(h);
	CHECK_EQ(ack_all(h, una), una + 2920);
	body[3500] = 0xAA; /* not sent yet */
	body[100] = 0xBB;  /* sent, not acknowledged */
	/* The peer acknowledges the first segment only. */
	h_clear(h);
	p_send(h, PEER_ISN + 1, una + 1460, TCP_ACK, 2920, NULL, 0, NULL);
	struct tcp_hdr t;
	CHECK(p_last(h, &t));
	CHECK_EQ(t.seq, una + 2920);
	CHECK_EQ(t.payload.len, 1460);
	CHECK_EQ(t.payload.data[3500 - 2920], 0xAA);
	/* Lost: the timeout resends from snd_una, read from the reference. */
	body[1500] = 0xCC;
	h_clear(h);
	h_advance(h, app.c->rto + MICA_NS_PER_MS);
	CHECK(p_sent(h, 0, &t));
	CHECK_EQ(t.seq, una + 1460);
	CHECK_EQ(t.payload.len, 1460);
	CHECK_EQ(t.payload.data[40], 0xCC);
	CHECK_EQ(releases, 0);
	/* Everything acknowledged: released exactly once. */
	peer_acks(h, una + 1460, 8000 - 1460, 2920);
	CHECK_EQ(app.c->snd.len, 0);
	CHECK_EQ(releases, 1);
	t_free(h);
	CHECK_EQ(releases, 1);
}

/* The i-th frame sent, with its ext tail copied in after its data (as the
 * device gathers it), parsed as TCP (checksum checked). */
static bool p_sent_whole(struct harness *h, int i, struct tcp_hdr *t, struct mica_buf **keep)
{
	struct mica_buf *f = h->sent[i];
	struct mica_buf *b = mica_buf_alloc(&h->pool, 0);
	if (!b || f->len + f->ext_len > mica_buf_tailroom(b))
		return false;
	mica_buf_append(b, mica_buf_data(f), f->len);
	mica_buf_append(b, f->ext, f->ext_len);
	*keep = b;
	struct eth_hdr eth;
	struct ipv4_hdr ip;
	if (eth_parse(mica_buf_view(b), &eth) != MICA_OK || ipv4_parse(eth.payload, &ip) != MICA_OK)
		return false;
	return tcp_parse(ip.payload, ip.src, ip.dst, t) == MICA_OK;
}

/* On a device that gathers (tap), a reference goes into the frame as it
 * is: the frame points at the app's memory (pointer identity), holds it
 * until the device is done - also past the ACK - and the checksum covers
 * it; a retransmission points at it again. */
TEST(frames_point_into_the_referenced_memory)
{
	struct mica_tcp_listener *l;
	struct harness *h = srv_new(&l, 16);
	h->net.dev.tx_ext = true;
	struct seg_opts mss = {.mss = true};
	uint32_t una = p_connect(h, &mss, 0); /* closed: both writes queue */
	static uint8_t body[5000];
	fill(body, sizeof(body), 11);
	releases = 0;
	mica_tcp_set_nodelay(app.c, true);
	CHECK_EQ(mica_tcp_write(app.c, "HDR", 3), 3);
	CHECK_EQ(mica_tcp_write_ref(app.c, body, sizeof(body), count_release, NULL), 5000);
	h_clear(h);
	p_send(h, PEER_ISN + 1, una, TCP_ACK, 65535, NULL, 0, NULL); /* the window opens */
	uint32_t seen = 0;
	for (int i = 0; i < h->nsent; i++) {
		struct mica_buf *f = h->sent[i], *whole = NULL;
		struct tcp_hdr t;
		CHECK(p_sent_whole(h, i, &t, &whole));
		uint32_t off = t.seq - una;
		if (t.payload.len == 0) {
			mica_buf_unref(whole);
			continue;
		}
		/* The data area holds the headers and at most the copied bytes
		 * (rounded to even); the rest is the app's memory itself. */
		uint32_t from = off < 3 ? 4 : off; /* the first frame copies "HDR" and one byte */
		CHECK(f->ext == body + (from - 3));
		CHECK_EQ(f->ext_len, off + t.payload.len - from);
		CHECK(memcmp(t.payload.data + (from - off), body + (from - 3), f->ext_len) == 0);
		seen += (uint32_t)t.payload.len;
		mica_buf_unref(whole);
	}
	CHECK_EQ(seen, 5003);
	/* Acknowledged while the frames still hold it: not released yet. */
	p_send(h, PEER_ISN + 1, una + 5003, TCP_ACK, 65535, NULL, 0, NULL);
	CHECK_EQ(app.c->snd.len, 0);
	CHECK_EQ(releases, 0);
	h_clear(h); /* the device is done with them */
	CHECK_EQ(releases, 1);
	/* A retransmission points into the memory again. */
	releases = 0;
	CHECK_EQ(mica_tcp_write_ref(app.c, body, 2000, count_release, NULL), 2000);
	h_clear(h);
	h_advance(h, app.c->rto + MICA_NS_PER_MS);
	CHECK(h->nsent >= 1 && h->sent[0]->ext == body);
	p_send(h, PEER_ISN + 1, una + 7003, TCP_ACK, 65535, NULL, 0, NULL);
	h_clear(h);
	CHECK_EQ(releases, 1);
	t_free(h);
}

TEST(copies_and_references_keep_their_order)
{
	struct mica_tcp_listener *l;
	struct harness *h = srv_new(&l, 16);
	uint32_t una = p_connect(h, NULL, 65535);
	static uint8_t body[1000];
	fill(body, sizeof(body), 9);
	mica_tcp_set_nodelay(app.c, true);
	h_clear(h);
	CHECK_EQ(mica_tcp_write(app.c, "HEAD", 4), 4);
	CHECK_EQ(mica_tcp_write_ref(app.c, body, sizeof(body), NULL, NULL), 1000);
	CHECK_EQ(mica_tcp_write_ref(app.c, "tiny", 4, count_release, NULL), 4); /* copied */
	CHECK_EQ(mica_tcp_write(app.c, "TAIL", 4), 4);
	h_run(h);
	static uint8_t wire[1100];
	size_t n = 0;
	for (int i = 0; i < h->nsent; i++) {
		struct tcp_hdr t;
		if (p_sent(h, i, &t) && t.payload.len && t.seq - una == n) {
			memcpy(wire + n, t.payload.data, t.payload.len);
			n += t.payload.len;
		}
	}
	CHECK_EQ(n, 1012);
	CHECK(memcmp(wire, "HEAD", 4) == 0);
	CHECK(memcmp(wire + 4, body, 1000) == 0);
	CHECK(memcmp(wire + 1004, "tinyTAIL", 8) == 0);
	t_free(h);
}

TEST(write_ref_backpressure_and_release_when_the_connection_goes)
{
	struct mica_tcp_listener *l;
	struct harness *h = srv_new(&l, 16);
	uint32_t una = p_connect(h, NULL, 65535);
	static uint8_t big[TCP_SNDBUF + 5000];
	releases = 0;
	ptrdiff_t n = mica_tcp_write_ref(app.c, big, sizeof(big), count_release, NULL);
	CHECK_EQ(n, TCP_SNDBUF); /* the queue's cap */
	CHECK_EQ(mica_tcp_write_ref(app.c, big + n, sizeof(big) - (size_t)n, count_release, NULL), 0);
	CHECK_EQ(mica_tcp_write_room(app.c), 0);
	h_run(h);
	peer_acks(h, una, 100000, 65535);
	h_run(h);
	CHECK_EQ(app.writable, 0); /* less than half free */
	peer_acks(h, una, TCP_SNDBUF / 2 + 1, 65535);
	h_run(h);
	CHECK_EQ(app.writable, 1);
	CHECK_EQ(releases, 0);
	mica_tcp_abort(app.c);
	h_run(h);
	CHECK_EQ(app.closes, 1);
	CHECK_EQ(releases, 1);
	CHECK_EQ(h->net.tcp->pool->used, 0);
	t_free(h);
}

/* A connection whose app reads everything at once holds no buffer memory;
 * one whose app stops reading holds blocks for what it keeps, and gives
 * them back when the app takes the bytes. */
TEST(buffers_grow_with_data_and_shrink_back)
{
	struct mica_tcp_listener *l;
	struct harness *h = srv_new(&l, 16);
	uint32_t una = p_connect(h, NULL, 65535);
	struct tcp_pool *pool = h->net.tcp->pool;
	static uint8_t d[1400];
	fill(d, sizeof(d), 1);
	p_send(h, PEER_ISN + 1, una, TCP_ACK, 65535, d, sizeof(d), NULL);
	CHECK_EQ(app.rxlen, 1400);
	CHECK_EQ(pool->used, 0); /* read straight from the frame */
	app.take_none = true;
	uint32_t seq = PEER_ISN + 1 + 1400;
	for (int i = 0; i < 20; i++, seq += 1400)
		p_send(h, seq, una, TCP_ACK, 65535, d, sizeof(d), NULL);
	CHECK_EQ(app.c->rcv.len, 28000);
	CHECK_EQ(pool->used, 7 * TCP_BLK);
	/* Out-of-order bytes take a block too. */
	p_send(h, seq + 10000, una, TCP_ACK, 65535, d, 100, NULL);
	CHECK_EQ(pool->used, 8 * TCP_BLK);
	app.take_none = false;
	mica_tcp_resume(app.c);
	h_run(h);
	CHECK_EQ(app.rxlen, 1400 + 28000);
	CHECK(pool->used <= 2 * TCP_BLK); /* the out-of-order one, the last partly read one */
	/* The hole fills: all delivered, nothing held, every block back. */
	for (uint32_t end = seq + 10000; seq < end; seq += 1000)
		p_send(h, seq, una, TCP_ACK, 65535, d, 1000, NULL);
	CHECK_EQ(app.rxlen, 1400 + 28000 + 10100);
	CHECK_EQ(pool->used, 0);
	t_free(h);
}

/* A write the pool cuts short (not the connection's own cap) still gets
 * on_writable - when blocks come back, although nothing of this
 * connection is in flight to be acknowledged. */
TEST(pool_budget_cuts_writes_short_and_wakes_them)
{
	struct mica_tcp_listener *l;
	struct harness *h = srv_new(&l, 16);
	struct tcp_pool *pool = h->net.tcp->pool;
	pool->budget = 8 * TCP_BLK;
	h->net.tcp->limits.reserve = 0; /* this test is about writes, not new connections */
	p_connect(h, NULL, 0);          /* the peer's window is closed */
	void *held[6];                  /* what other connections hold */
	for (int i = 0; i < 6; i++)
		CHECK((held[i] = tcp_pool_get(pool)) != NULL);
	static uint8_t d[64 * 1024];
	ptrdiff_t n = mica_tcp_write(app.c, d, sizeof(d));
	CHECK(n > 0 && n < 2 * (ptrdiff_t)TCP_BLK);
	CHECK_EQ(pool->used, pool->budget);
	CHECK_EQ(mica_tcp_write_room(app.c), 0);
	CHECK(tcp_pool_get(pool) == NULL);
	h_run(h);
	CHECK_EQ(app.writable, 0);
	tcp_pool_put(pool, held[0]);
	h_run(h);
	CHECK_EQ(app.writable, 1);
	CHECK(mica_tcp_write_room(app.c) >= TCP_BLK / 2);
	for (int i = 1; i < 6; i++)
		tcp_pool_put(pool, held[i]);
	t_free(h);
}

int main(void)
{
	return RUN_TESTS();
}
