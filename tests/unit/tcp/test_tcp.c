/* test_tcp.c - the TCP state machine on a capture device with explicit
 * time: SipHash vector, wire round trip, handshakes (passive, active,
 * simultaneous, options), data both ways with delayed ACKs and Nagle,
 * out-of-order data and SACK, receive backpressure and window updates,
 * zero-window probes, RTO with backoff, fast retransmit, RFC 5961
 * challenge ACKs, closes from both sides with TIME-WAIT, RST to a closed
 * port, connection refused, SYN cookies when the backlog is full. */
#include "tcp_peer.h"

TEST(siphash_reference_vector)
{
	uint8_t key[16], msg[15];
	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (int i = 0; i < 15; i++)
		msg[i] = (uint8_t)i;
	/* From the SipHash paper, appendix A. */
	CHECK(tcp_siphash(key, msg, 15) == 0xa129ca6149be45e5ull);
}

TEST(wire_round_trip_with_options)
{
	struct mica_buf_pool pool;
	mica_buf_pool_init(&pool, 2048, 4);
	struct mica_buf *b = mica_buf_alloc(&pool, 128);
	mica_buf_append(b, "abc", 3);
	struct tcp_hdr in = {.sport = 1,
	                     .dport = 2,
	                     .seq = 0xfffffff0u,
	                     .ack = 7,
	                     .flags = TCP_ACK | TCP_PSH,
	                     .wnd = 999,
	                     .has_ts = true,
	                     .tsval = 5,
	                     .tsecr = 6,
	                     .nsack = 2,
	                     .sack = {{10, 20}, {30, 40}}};
	CHECK_EQ(tcp_encode(b, 1, 2, &in), MICA_OK);
	struct tcp_hdr out;
	CHECK_EQ(tcp_parse(mica_buf_view(b), 1, 2, &out), MICA_OK);
	CHECK_EQ(out.seq, 0xfffffff0u);
	CHECK_EQ(out.flags, TCP_ACK | TCP_PSH);
	CHECK(out.has_ts && out.tsval == 5 && out.tsecr == 6);
	CHECK_EQ(out.nsack, 2);
	CHECK_EQ(out.sack[1].r, 40);
	CHECK_EQ(out.payload.len, 3);
	/* A flipped bit fails the checksum; a bad option length is rejected. */
	mica_buf_data(b)[b->len - 1] ^= 1;
	CHECK_EQ(tcp_parse(mica_buf_view(b), 1, 2, &out), MICA_EBADMSG);
	CHECK_EQ(out.err, TCP_ERR_CSUM);
	uint8_t bad[24] = {0, 1, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 6 << 4, TCP_SYN, 1, 0, 0, 0, 0, 0, 2, 9, 0, 0};
	uint32_t s = net_csum_pseudo(1, 2, IPV4_PROTO_TCP, 24);
	uint16_t sum = net_csum_fold(net_csum_add(s, bad, 24));
	bad[16] = (uint8_t)(sum >> 8), bad[17] = (uint8_t)sum;
	CHECK_EQ(tcp_parse(mica_view_make(bad, 24), 1, 2, &out), MICA_EBADMSG);
	CHECK_EQ(out.err, TCP_ERR_OPTION);
	mica_buf_unref(b);
	mica_buf_pool_fini(&pool);
}

/* With MICA_CSUM_PARTIAL the encoder leaves the sum to the device: the
 * field holds the pseudo-header part, and finishing it as a device does
 * (summing the segment from its first byte) gives a valid segment. */
TEST(wire_partial_checksum_for_offload)
{
	struct mica_buf_pool pool;
	mica_buf_pool_init(&pool, 2048, 4);
	struct mica_buf *b = mica_buf_alloc(&pool, 128);
	mica_buf_append(b, "offloaded payload", 17);
	b->csum = MICA_CSUM_PARTIAL;
	struct tcp_hdr in = {.sport = 1, .dport = 2, .seq = 9, .flags = TCP_ACK, .wnd = 5};
	CHECK_EQ(tcp_encode(b, 1, 2, &in), MICA_OK);
	uint8_t *p = mica_buf_data(b);
	uint16_t pseudo = (uint16_t)~net_csum_fold(net_csum_pseudo(1, 2, IPV4_PROTO_TCP, (uint16_t)b->len));
	CHECK_EQ(p[16] << 8 | p[17], pseudo);
	struct tcp_hdr out;
	CHECK_EQ(tcp_parse(mica_buf_view(b), 1, 2, &out), MICA_EBADMSG);
	uint16_t done = net_csum_fold(net_csum_add(0, p, b->len));
	p[16] = (uint8_t)(done >> 8), p[17] = (uint8_t)done;
	CHECK_EQ(tcp_parse(mica_buf_view(b), 1, 2, &out), MICA_OK);
	CHECK_EQ(out.payload.len, 17);
	mica_buf_unref(b);
	mica_buf_pool_fini(&pool);
}

TEST(passive_open_negotiates_options_and_echoes)
{
	struct mica_tcp_listener *l;
	struct harness *h = srv_new(&l, 16);
	struct seg_opts o = {.mss = true, .ws = true, .sack_ok = true, .ts = true, .tsval = 100};
	h_clear(h);
	p_send(h, PEER_ISN, 0, TCP_SYN, 65535, NULL, 0, &o);
	struct tcp_hdr t;
	CHECK(p_last(h, &t));
	CHECK_EQ(t.flags, TCP_SYN | TCP_ACK);
	CHECK(t.has_mss && t.mss == 1460);
	CHECK(t.has_ws && t.ws == tcp_our_wscale());
	CHECK(t.sack_ok);
	CHECK(t.has_ts && t.tsecr == 100);
	CHECK_EQ(app.accepted, 0);
	uint32_t iss = t.seq;
	struct seg_opts a = {.ts = true, .tsval = 101, .tsecr = t.tsval};
	p_send(h, PEER_ISN + 1, iss + 1, TCP_ACK, 512, NULL, 0, &a);
	CHECK_EQ(app.accepted, 1);
	app.echo = true;
	h_clear(h);
	p_send(h, PEER_ISN + 1, iss + 1, TCP_ACK | TCP_PSH, 512, "hello", 5, &a);
	CHECK_EQ(app.rxlen, 5);
	CHECK(p_last(h, &t)); /* the echo carries the ACK */
	CHECK_EQ(t.payload.len, 5);
	CHECK(memcmp(t.payload.data, "hello", 5) == 0);
	CHECK_EQ(t.ack, PEER_ISN + 6);
	CHECK(t.has_ts && t.tsecr == 101);
	CHECK_EQ(t.seq, iss + 1);
	t_free(h);
}

TEST(close_from_peer_then_app_time_wait_free)
{
	struct mica_tcp_listener *l;
	struct harness *h = srv_new(&l, 16);
	uint32_t una = p_connect(h, NULL, 8192);
	CHECK_EQ(app.accepted, 1);
	app.close_on_eof = true;
	h_clear(h);
	p_send(h, PEER_ISN + 1, una, TCP_ACK | TCP_FIN, 8192, "bye", 3, NULL);
	CHECK_EQ(app.rxlen, 3);
	CHECK_EQ(app.eofs, 1);
	struct tcp_hdr t;
	CHECK(p_last(h, &t)); /* our FIN, acknowledging theirs */
	CHECK(t.flags & TCP_FIN);
	CHECK_EQ(t.ack, PEER_ISN + 5);
	CHECK_EQ(app.closes, 0);
	p_send(h, PEER_ISN + 5, una + 1, TCP_ACK, 8192, NULL, 0, NULL);
	h_run(h);
	CHECK_EQ(app.closes, 1);
	CHECK_EQ(app.close_err, 0);
	CHECK_EQ(h->net.tcp->nconns, 0); /* LAST-ACK -> CLOSED */
	t_free(h);
}

TEST(app_closes_first_time_wait_then_gone)
{
	struct mica_tcp_listener *l;
	struct harness *h = srv_new(&l, 16);
	uint32_t una = p_connect(h, NULL, 8192);
	h_clear(h);
	mica_tcp_write(app.c, "data", 4);
	mica_tcp_close(app.c);
	h_run(h);
	struct tcp_hdr t;
	CHECK(p_sent(h, 0, &t) && t.payload.len == 4);
	CHECK(p_last(h, &t));
	CHECK(t.flags & TCP_FIN);
	CHECK_EQ(t.seq + t.payload.len, una + 4); /* the FIN follows the data */
	p_send(h, PEER_ISN + 1, una + 5, TCP_ACK, 8192, NULL, 0, NULL);
	h_run(h);
	CHECK_EQ(app.closes, 1); /* FIN-WAIT-2: the app is done */
	h_clear(h);
	p_send(h, PEER_ISN + 1, una + 5, TCP_ACK | TCP_FIN, 8192, NULL, 0, NULL);
	CHECK(p_last(h, &t));
	CHECK_EQ(t.ack, PEER_ISN + 2);
	/* TIME-WAIT is a compact record; the connection block is gone. */
	CHECK(tcp_tw_lookup(h->net.tcp, OUR_IP, SRV_PORT, PEER_IP, PEER_PORT) != NULL);
	CHECK(tcp_lookup(h->net.tcp, OUR_IP, SRV_PORT, PEER_IP, PEER_PORT) == NULL);
	/* A retransmitted FIN in TIME-WAIT is acknowledged again. */
	h_clear(h);
	p_send(h, PEER_ISN + 1, una + 5, TCP_ACK | TCP_FIN, 8192, NULL, 0, NULL);
	CHECK(p_last(h, &t) && t.ack == PEER_ISN + 2);
	h_advance(h, 2 * TCP_MSL_NS + MICA_NS_PER_S);
	CHECK_EQ(h->net.tcp->nconns, 0);
	CHECK_EQ(h->net.tcp->ntw, 0);
	CHECK_EQ(app.closes, 1);
	t_free(h);
}

TEST(rst_for_closed_port_and_bare_ack)
{
	app_reset();
	struct harness *h = h_new(OUR_IP, 24);
	h_learn_peer(h);
	p_send(h, 5, 0, TCP_SYN, 1000, NULL, 0, NULL);
	struct tcp_hdr t;
	CHECK(p_last(h, &t));
	CHECK_EQ(t.flags, TCP_RST | TCP_ACK);
	CHECK_EQ(t.ack, 6);
	CHECK_EQ(t.seq, 0);
	h_clear(h);
	p_send(h, 5, 777, TCP_ACK, 1000, NULL, 0, NULL);
	CHECK(p_last(h, &t));
	CHECK_EQ(t.flags, TCP_RST);
	CHECK_EQ(t.seq, 777);
	h_clear(h);
	p_send(h, 5, 777, TCP_RST, 1000, NULL, 0, NULL);
	CHECK_EQ(h->nsent, 0); /* never a reset for a reset */
	t_free(h);
}

static struct harness *active_open(uint32_t *iss)
{
	app_reset();
	struct harness *h = h_new(OUR_IP, 24);
	h_learn_peer(h);
	struct mica_endpoint to = {PEER_IP, PEER_PORT};
	CHECK_EQ(mica_tcp_connect(&h->net, &to, &app_ops, NULL, &app.c), MICA_OK);
	h_run(h);
	struct tcp_hdr t;
	CHECK(p_last(h, &t));
	CHECK_EQ(t.flags, TCP_SYN);
	CHECK(t.has_mss && t.has_ws && t.sack_ok && t.has_ts);
	*iss = t.seq;
	return h;
}

/* The peer's segments to an actively opened connection (ports swapped). */
static void a_send(struct harness *h, uint16_t lport, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t wnd,
                   const void *d, size_t len)
{
	struct mica_buf *b = h_buf(h);
	if (len)
		mica_buf_append(b, d, len);
	struct tcp_hdr t = {
	    .sport = PEER_PORT, .dport = lport, .seq = seq, .ack = ack, .flags = flags, .wnd = wnd};
	tcp_encode(b, PEER_IP, OUR_IP, &t);
	h_send_ip(h, b, OUR_IP, IPV4_PROTO_TCP, 1, false, 0);
	h_run(h);
}

TEST(active_open_refused)
{
	uint32_t iss;
	struct harness *h = active_open(&iss);
	struct mica_endpoint local;
	mica_tcp_endpoints(app.c, &local, NULL);
	/* A reset with a wrong ACK is ignored; the right one refuses. */
	a_send(h, local.port, 0, iss + 7, TCP_RST | TCP_ACK, 0, NULL, 0);
	h_run(h);
	CHECK_EQ(app.closes, 0);
	a_send(h, local.port, 0, iss + 1, TCP_RST | TCP_ACK, 0, NULL, 0);
	h_run(h);
	CHECK_EQ(app.closes, 1);
	CHECK_EQ(app.close_err, MICA_ECONNREFUSED);
	CHECK_EQ(app.connected, 0);
	t_free(h);
}

TEST(active_open_syn_retransmit_backoff_and_timeout)
{
	uint32_t iss;
	struct harness *h = active_open(&iss);
	h_clear(h);
	h_advance(h, TCP_RTO_INIT - MICA_NS_PER_MS);
	CHECK_EQ(h->nsent, 0);
	h_advance(h, 2 * MICA_NS_PER_MS);
	h_run(h);
	struct tcp_hdr t;
	CHECK(p_last(h, &t) && t.flags == TCP_SYN && t.seq == iss);
	h_clear(h);
	h_advance(h, 2 * TCP_RTO_INIT - 10 * MICA_NS_PER_MS); /* doubled */
	CHECK_EQ(h->nsent, 0);
	h_advance(h, 20 * MICA_NS_PER_MS);
	h_run(h);
	CHECK_EQ(h->nsent, 1);
	h_advance(h, 200 * MICA_NS_PER_S);
	CHECK_EQ(app.closes, 1);
	CHECK_EQ(app.close_err, MICA_ETIMEDOUT);
	t_free(h);
}

TEST(active_open_data_and_simultaneous_close)
{
	uint32_t iss;
	struct harness *h = active_open(&iss);
	struct mica_endpoint local;
	mica_tcp_endpoints(app.c, &local, NULL);
	h_clear(h);
	a_send(h, local.port, 5000, iss + 1, TCP_SYN | TCP_ACK, 4096, NULL, 0);
	CHECK_EQ(app.connected, 1);
	struct tcp_hdr t;
	CHECK(p_last(h, &t) && t.flags == TCP_ACK && t.ack == 5001);
	CHECK_EQ(mica_tcp_write(app.c, "0123456789", 10), 10);
	h_run(h);
	CHECK(p_last(h, &t) && t.payload.len == 10);
	/* Both sides close at once: FIN crosses FIN. */
	h_clear(h);
	mica_tcp_close(app.c);
	h_run(h);
	CHECK(p_last(h, &t) && (t.flags & TCP_FIN) && t.seq == iss + 11);
	a_send(h, local.port, 5001, iss + 11, TCP_FIN | TCP_ACK, 4096, NULL, 0);
	struct mica_tcp *c = tcp_lookup(h->net.tcp, OUR_IP, local.port, PEER_IP, PEER_PORT);
	CHECK(c && c->state == TCP_CLOSING);
	a_send(h, local.port, 5002, iss + 12, TCP_ACK, 4096, NULL, 0);
	CHECK(tcp_tw_lookup(h->net.tcp, OUR_IP, local.port, PEER_IP, PEER_PORT) != NULL);
	h_run(h);
	CHECK_EQ(app.closes, 1);
	CHECK_EQ(app.close_err, 0);
	t_free(h);
}

TEST(simultaneous_open)
{
	uint32_t iss;
	struct harness *h = active_open(&iss);
	struct mica_endpoint local;
	mica_tcp_endpoints(app.c, &local, NULL);
	h_clear(h);
	a_send(h, local.port, 7000, 0, TCP_SYN, 4096, NULL, 0); /* their SYN crosses ours */
	struct tcp_hdr t;
	CHECK(p_last(h, &t) && t.flags == (TCP_SYN | TCP_ACK) && t.seq == iss && t.ack == 7001);
	CHECK_EQ(app.connected, 0);
	a_send(h, local.port, 7001, iss + 1, TCP_ACK, 4096, NULL, 0);
	CHECK_EQ(app.connected, 1);
	t_free(h);
}

TEST(rfc5961_blind_rst_and_syn_get_challenge_acks)
{
	struct mica_tcp_listener *l;
	struct harness *h = srv_new(&l, 16);
	uint32_t una = p_connect(h, NULL, 8192);
	struct tcp_hdr t;
	/* In the window but not exact: challenge ACK, connection stays. */
	h_clear(h);
	p_send(h, PEER_ISN + 100, 0, TCP_RST, 0, NULL, 0, NULL);
	CHECK(p_last(h, &t) && t.flags == TCP_ACK && t.ack == PEER_ISN + 1);
	CHECK_EQ(app.closes, 0);
	/* Outside the window: dropped silently. */
	h_clear(h);
	p_send(h, PEER_ISN + 1000000, 0, TCP_RST, 0, NULL, 0, NULL);
	CHECK_EQ(h->nsent, 0);
	/* A SYN on an established connection: challenge ACK. */
	h_clear(h);
	p_send(h, PEER_ISN + 5, 0, TCP_SYN, 8192, NULL, 0, NULL);
	CHECK(p_last(h, &t) && t.flags == TCP_ACK);
	CHECK_EQ(app.closes, 0);
	/* Data acknowledging bytes never sent: challenge ACK, data dropped. */
	h_clear(h);
	p_send(h, PEER_ISN + 1, una + 5000, TCP_ACK, 8192, "evil", 4, NULL);
	CHECK_EQ(app.rxlen, 0);
	CHECK(h->net.stats[NET_tcp_bad_ack] == 1);
	/* The exact sequence number resets. */
	p_send(h, PEER_ISN + 1, 0, TCP_RST, 0, NULL, 0, NULL);
	h_run(h);
	CHECK_EQ(app.closes, 1);
	CHECK_EQ(app.close_err, MICA_ECONNRESET);
	t_free(h);
}

TEST(out_of_order_data_is_sacked_and_reassembled)
{
	struct mica_tcp_listener *l;
	struct harness *h = srv_new(&l, 16);
	struct seg_opts o = {.sack_ok = true};
	uint32_t una = p_connect(h, &o, 8192);
	struct tcp_hdr t;
	h_clear(h);
	p_send(h, PEER_ISN + 1 + 5, una, TCP_ACK, 8192, "world", 5, NULL);
	CHECK(p_last(h, &t));
	CHECK_EQ(t.ack, PEER_ISN + 1); /* duplicate ACK at once */
	CHECK_EQ(t.nsack, 1);
	CHECK(t.sack[0].l == PEER_ISN + 6 && t.sack[0].r == PEER_ISN + 11);
	CHECK_EQ(app.rxlen, 0);
	h_clear(h);
	p_send(h, PEER_ISN + 1, una, TCP_ACK, 8192, "hello", 5, NULL);
	CHECK_EQ(app.rxlen, 10);
	CHECK(memcmp(app.rx, "helloworld", 10) == 0);
	CHECK(p_last(h, &t) && t.ack == PEER_ISN + 11 && t.nsack == 0);
	/* An overlapping retransmission adds only what is new. */
	p_send(h, PEER_ISN + 8, una, TCP_ACK, 8192, "rld!!", 5, NULL);
	CHECK_EQ(app.rxlen, 12);
	CHECK(memcmp(app.rx + 10, "!!", 2) == 0);
	t_free(h);
}

TEST(delayed_ack_and_ack_every_second_segment)
{
	struct mica_tcp_listener *l;
	struct harness *h = srv_new(&l, 16);
	uint32_t una = p_connect(h, NULL, 8192);
	h_clear(h);
	p_send(h, PEER_ISN + 1, una, TCP_ACK, 8192, "x", 1, NULL);
	CHECK_EQ(h->nsent, 0);
	h_advance(h, TCP_DELACK_NS + MICA_NS_PER_MS);
	h_run(h);
	struct tcp_hdr t;
	CHECK(p_last(h, &t) && t.ack == PEER_ISN + 2);
	h_clear(h);
	static uint8_t big[536];
	p_send(h, PEER_ISN + 2, una, TCP_ACK, 8192, big, 536, NULL);
	CHECK_EQ(h->nsent, 0);
	p_send(h, PEER_ISN + 2 + 536, una, TCP_ACK, 8192, big, 536, NULL);
	h_run(h);
	CHECK_EQ(h->nsent, 1); /* the second full segment: ACK at the batch end */
	/* Within one batch, TCP_ACK_EVERY full segments get an ACK at once. */
	h_clear(h);
	uint32_t seq = PEER_ISN + 2 + 2 * 536;
	for (int i = 0; i < TCP_ACK_EVERY; i++, seq += 536) {
		struct mica_buf *b = h_buf(h);
		mica_buf_append(b, big, 536);
		struct tcp_hdr th = {.sport = PEER_PORT,
		                     .dport = SRV_PORT,
		                     .seq = seq,
		                     .ack = una,
		                     .flags = TCP_ACK,
		                     .wnd = 8192};
		tcp_encode(b, PEER_IP, OUR_IP, &th);
		struct ipv4_hdr ip = {.ttl = 64, .proto = IPV4_PROTO_TCP, .src = PEER_IP, .dst = OUR_IP};
		ipv4_encode(b, &ip);
		eth_encode(b, our_mac, peer_mac, ETH_TYPE_IPV4);
		h_inject(h, b); /* no loop turn in between: one batch */
		mica_buf_unref(b);
	}
	h_run(h);
	h_run(h);
	CHECK_EQ(h->nsent, 1);
	struct tcp_hdr last;
	CHECK(p_last(h, &last) && last.ack == seq);
	t_free(h);
}

TEST(receive_backpressure_zero_window_and_update)
{
	struct mica_tcp_listener *l;
	struct harness *h = srv_new(&l, 16);
	uint32_t una = p_connect(h, NULL, 8192);
	app.take = 100; /* the app takes only 100 bytes, then pauses */
	static uint8_t seg[536];
	for (unsigned i = 0; i < sizeof(seg); i++)
		seg[i] = (uint8_t)i;
	uint32_t seq = PEER_ISN + 1;
	p_send(h, seq, una, TCP_ACK, 8192, seg, 536, NULL);
	seq += 536;
	CHECK_EQ(app.rxlen, 100);
	/* Fill the rest of the receive buffer: nothing more is delivered. */
	struct tcp_hdr t;
	uint32_t sent = 536;
	while (sent < TCP_RCVBUF + 100) {
		h_clear(h);
		p_send(h, seq, una, TCP_ACK, 8192, seg, 536, NULL);
		seq += 536;
		sent += 536;
	}
	CHECK_EQ(app.rxlen, 100);
	h_clear(h);
	p_send(h, seq, una, TCP_ACK, 8192, seg, 536, NULL); /* beyond the window */
	CHECK(p_last(h, &t));
	CHECK_EQ(t.wnd, 0);
	CHECK(SEQ_LT(t.ack, seq + 536));
	uint32_t acked = t.ack;
	/* Resume: the app drains it all and a window update goes out. */
	app.take = 0;
	h_clear(h);
	mica_tcp_resume(app.c);
	h_run(h);
	h_run(h);
	CHECK_EQ(app.rxlen, acked - (PEER_ISN + 1));
	CHECK(p_last(h, &t) && t.wnd > 0 && t.ack == acked);
	size_t bad = 0;
	for (size_t i = 0; i < app.rxlen; i++)
		bad += app.rx[i] != seg[i % 536];
	CHECK_EQ(bad, 0);
	t_free(h);
}

/* An app that writes from inside on_data (an echo) makes the stack send
 * while the frame's bytes are still the app's: the window offered then must
 * not count the bytes the app is about to leave unread. Fill exactly the
 * window offered and nothing may be lost or overwritten. */
TEST(window_offered_inside_on_data_counts_unread_bytes)
{
	struct mica_tcp_listener *l;
	struct harness *h = srv_new(&l, 16);
	struct seg_opts o = {.ws = true};
	uint32_t una = p_connect(h, &o, 8192);
	CHECK(app.c != NULL);
	uint8_t ws = app.c->rcv_ws;
	app.take = 100;
	app.echo = true;
	static uint8_t pat[1 << 19];
	for (unsigned i = 0; i < sizeof(pat); i++)
		pat[i] = (uint8_t)(i * 7 + i / 251);
	uint32_t seq = PEER_ISN + 1;
	h_clear(h);
	p_send(h, seq, una, TCP_ACK, 8192, pat, 536, NULL);
	seq += 536;
	uint32_t edge = seq, most = seq + TCP_RCVBUF - (536 - 100);
	struct tcp_hdr t;
	for (int i = 0; i < h->nsent; i++)
		if (p_sent(h, i, &t) && SEQ_GT(t.ack + ((uint32_t)t.wnd << ws), edge))
			edge = t.ack + ((uint32_t)t.wnd << ws);
	CHECK(SEQ_LEQ(edge, most));
	app.echo = false;
	while (SEQ_LT(seq, edge)) {
		uint32_t n = edge - seq < 1400 ? edge - seq : 1400;
		p_send(h, seq, una, TCP_ACK, 8192, pat + (seq - PEER_ISN - 1), n, NULL);
		seq += n;
	}
	CHECK_EQ(h->net.stats[NET_tcp_rx_overrun], 0);
	app.take = 0;
	mica_tcp_resume(app.c);
	h_run(h);
	CHECK_EQ(app.rxlen, edge - (PEER_ISN + 1));
	CHECK(memcmp(app.rx, pat, app.rxlen) == 0);
	t_free(h);
}

TEST(zero_window_probes_then_send)
{
	struct mica_tcp_listener *l;
	struct harness *h = srv_new(&l, 16);
	uint32_t una = p_connect(h, NULL, 0); /* the peer's window is closed */
	h_clear(h);
	CHECK_EQ(mica_tcp_write(app.c, "payload", 7), 7);
	h_run(h);
	CHECK_EQ(h->nsent, 0);
	h_advance(h, 2 * MICA_NS_PER_S);
	h_run(h);
	struct tcp_hdr t;
	CHECK(p_last(h, &t));
	CHECK_EQ(t.seq, una - 1); /* a probe: old sequence, no data */
	CHECK_EQ(t.payload.len, 0);
	CHECK(h->net.stats[NET_tcp_zero_window_probe] >= 1);
	h_clear(h);
	p_send(h, PEER_ISN + 1, una, TCP_ACK, 1000, NULL, 0, NULL); /* window opens */
	CHECK(p_last(h, &t));
	CHECK_EQ(t.payload.len, 7);
	t_free(h);
}

TEST(rto_retransmits_with_backoff_and_karn)
{
	struct mica_tcp_listener *l;
	struct harness *h = srv_new(&l, 16);
	uint32_t una = p_connect(h, NULL, 8192);
	h_clear(h);
	mica_tcp_write(app.c, "abc", 3);
	h_run(h);
	CHECK_EQ(h->nsent, 1);
	struct mica_tcp *c = app.c;
	uint64_t rto = c->rto;
	CHECK(rto >= TCP_RTO_MIN);
	h_clear(h);
	h_advance(h, rto + MICA_NS_PER_MS);
	h_run(h);
	struct tcp_hdr t;
	CHECK(p_last(h, &t) && t.seq == una && t.payload.len == 3);
	CHECK_EQ(c->rto, 2 * rto);
	h_clear(h);
	h_advance(h, 2 * rto + MICA_NS_PER_MS);
	h_run(h);
	CHECK_EQ(h->nsent, 1);
	CHECK_EQ(c->rto, 4 * rto);
	p_send(h, PEER_ISN + 1, una + 3, TCP_ACK, 8192, NULL, 0, NULL);
	CHECK_EQ(c->rto, 4 * rto); /* Karn: no sample from a retransmission */
	CHECK_EQ(c->retries, 0);
	t_free(h);
}

/* A timeout resends the first segment as it was sent: bytes the app wrote
 * after it (held by Nagle) are not slipped in, and whatever the stack did
 * send, the peer's ACK of it is taken (it once looked like an ACK of unsent
 * data and stalled the connection). */
TEST(rto_resend_covers_only_what_was_sent)
{
	struct mica_tcp_listener *l;
	struct harness *h = srv_new(&l, 16);
	uint32_t una = p_connect(h, NULL, 8192);
	static uint8_t data[600];
	h_clear(h);
	mica_tcp_write(app.c, data, 100);
	h_run(h);
	mica_tcp_write(app.c, data + 100, 500); /* Nagle holds it: 100 in flight */
	h_run(h);
	CHECK_EQ(h->nsent, 1);
	struct mica_tcp *c = app.c;
	h_clear(h);
	h_advance(h, c->rto + MICA_NS_PER_MS);
	h_run(h);
	struct tcp_hdr t;
	CHECK(p_sent(h, 0, &t) && t.seq == una && t.payload.len == 100);
	uint32_t top = una;
	for (int i = 0; i < h->nsent; i++)
		if (p_sent(h, i, &t) && SEQ_GT(t.seq + (uint32_t)t.payload.len, top))
			top = t.seq + (uint32_t)t.payload.len;
	CHECK(SEQ_LEQ(top, c->snd_max));
	p_send(h, PEER_ISN + 1, top, TCP_ACK, 8192, NULL, 0, NULL);
	CHECK_EQ(c->snd_una, top);
	CHECK_EQ(h->net.stats[NET_tcp_bad_ack], 0);
	t_free(h);
}

TEST(fast_retransmit_and_newreno_partial_ack)
{
	struct mica_tcp_listener *l;
	struct harness *h = srv_new(&l, 16);
	uint32_t una = p_connect(h, NULL, 60000);
	static uint8_t data[536 * 8];
	h_clear(h);
	mica_tcp_set_nodelay(app.c, true);
	CHECK_EQ(mica_tcp_write(app.c, data, sizeof(data)), (ptrdiff_t)sizeof(data));
	h_run(h);
	CHECK_EQ(h->nsent, 8); /* initial window of 10 segments */
	h_clear(h);
	for (int i = 0; i < 3; i++)
		p_send(h, PEER_ISN + 1, una, TCP_ACK, 60000, NULL, 0, NULL);
	struct tcp_hdr t;
	CHECK(p_sent(h, 0, &t) && t.seq == una && t.payload.len == 536);
	CHECK(app.c->ca_state == TCP_CA_RECOVERY);
	CHECK(h->net.stats[NET_tcp_fast_rexmit] == 1);
	/* A partial ACK: the next hole goes out at once. */
	h_clear(h);
	p_send(h, PEER_ISN + 1, una + 536 * 3, TCP_ACK, 60000, NULL, 0, NULL);
	CHECK(p_sent(h, 0, &t) && t.seq == una + 536 * 3);
	CHECK(app.c->ca_state == TCP_CA_RECOVERY);
	p_send(h, PEER_ISN + 1, una + sizeof(data), TCP_ACK, 60000, NULL, 0, NULL);
	CHECK(app.c->ca_state == TCP_CA_OPEN);
	t_free(h);
}

TEST(nagle_holds_small_segments_unless_nodelay)
{
	struct mica_tcp_listener *l;
	struct harness *h = srv_new(&l, 16);
	uint32_t una = p_connect(h, NULL, 8192);
	h_clear(h);
	mica_tcp_write(app.c, "a", 1);
	mica_tcp_write(app.c, "b", 1);
	mica_tcp_write(app.c, "c", 1);
	h_run(h);
	CHECK_EQ(h->nsent, 1);
	h_clear(h);
	p_send(h, PEER_ISN + 1, una + 1, TCP_ACK, 8192, NULL, 0, NULL);
	struct tcp_hdr t;
	CHECK(p_last(h, &t) && t.payload.len == 2); /* coalesced */
	mica_tcp_set_nodelay(app.c, true);
	h_clear(h);
	mica_tcp_write(app.c, "d", 1);
	mica_tcp_write(app.c, "e", 1);
	h_run(h);
	CHECK_EQ(h->nsent, 2);
	t_free(h);
}

TEST(send_backpressure_and_on_writable)
{
	struct mica_tcp_listener *l;
	struct harness *h = srv_new(&l, 16);
	uint32_t una = p_connect(h, NULL, 65535);
	static uint8_t chunk[65536];
	ptrdiff_t total = 0, n;
	while ((n = mica_tcp_write(app.c, chunk, sizeof(chunk))) == (ptrdiff_t)sizeof(chunk))
		total += n;
	total += n;
	CHECK_EQ(total, TCP_SNDBUF);
	CHECK_EQ(mica_tcp_write_room(app.c), 0);
	CHECK_EQ(app.writable, 0);
	h_run(h);
	/* The peer acknowledges everything it gets: on_writable follows. */
	for (int i = 0; i < 1000 && app.writable == 0; i++) {
		struct tcp_hdr t;
		if (!p_last(h, &t))
			break;
		uint32_t ack = t.seq + (uint32_t)t.payload.len;
		h_clear(h);
		p_send(h, PEER_ISN + 1, ack, TCP_ACK, 65535, NULL, 0, NULL);
	}
	(void)una;
	CHECK(app.writable >= 1);
	CHECK(mica_tcp_write_room(app.c) >= TCP_SNDBUF / 2);
	t_free(h);
}

TEST(backlog_full_answers_with_syn_cookie)
{
	struct mica_tcp_listener *l;
	struct harness *h = srv_new(&l, 1);
	h_clear(h);
	struct seg_opts o = {.mss = true, .ws = true, .sack_ok = true, .ts = true, .tsval = 9};
	p_send(h, 111, 0, TCP_SYN, 1000, NULL, 0, &o); /* takes the one slot */
	CHECK_EQ(h->net.tcp->nconns, 1);
	/* A second client: no state is kept, the SYN-ACK carries a cookie. */
	h_clear(h);
	struct mica_buf *b = h_buf(h);
	struct tcp_hdr s = {.sport = PEER_PORT + 1,
	                    .dport = SRV_PORT,
	                    .seq = 5000,
	                    .flags = TCP_SYN,
	                    .wnd = 1000,
	                    .has_mss = true,
	                    .mss = 1400,
	                    .has_ws = true,
	                    .ws = 5,
	                    .sack_ok = true,
	                    .has_ts = true,
	                    .tsval = 77};
	tcp_encode(b, PEER_IP, OUR_IP, &s);
	h_send_ip(h, b, OUR_IP, IPV4_PROTO_TCP, 1, false, 0);
	h_run(h);
	CHECK_EQ(h->net.tcp->nconns, 1);
	CHECK(h->net.stats[NET_tcp_syn_cookie_tx] == 1);
	struct tcp_hdr t;
	CHECK(p_last(h, &t) && t.flags == (TCP_SYN | TCP_ACK));
	/* A forged ACK is refused, the real one makes the connection. */
	struct tcp_hdr a = {.sport = PEER_PORT + 1,
	                    .dport = SRV_PORT,
	                    .seq = 5001,
	                    .ack = t.seq + 2,
	                    .flags = TCP_ACK,
	                    .wnd = 100,
	                    .has_ts = true,
	                    .tsval = 78,
	                    .tsecr = t.tsval};
	b = h_buf(h);
	tcp_encode(b, PEER_IP, OUR_IP, &a);
	h_send_ip(h, b, OUR_IP, IPV4_PROTO_TCP, 1, false, 0);
	h_run(h);
	CHECK(h->net.stats[NET_tcp_syn_cookie_bad] == 1);
	CHECK_EQ(app.accepted, 0);
	a.ack = t.seq + 1;
	b = h_buf(h);
	tcp_encode(b, PEER_IP, OUR_IP, &a);
	h_send_ip(h, b, OUR_IP, IPV4_PROTO_TCP, 1, false, 0);
	h_run(h);
	CHECK_EQ(app.accepted, 1);
	CHECK(app.c && app.c->mss == 1400 - TCP_OPT_TS_LEN && app.c->snd_ws == 5 && app.c->sack_ok);
	CHECK_EQ(app.c->snd_wnd, 100u << 5);
	/* Later timestamps are never older than the cookie's (the peer's PAWS
	 * would drop our data otherwise). */
	h_clear(h);
	mica_tcp_write(app.c, "x", 1);
	h_run(h);
	struct tcp_hdr d;
	CHECK(p_last(h, &d) && d.has_ts && SEQ_GEQ(d.tsval, t.tsval));
	t_free(h);
}

TEST(retransmitted_syn_gets_the_same_syn_ack)
{
	struct mica_tcp_listener *l;
	struct harness *h = srv_new(&l, 16);
	h_clear(h);
	p_send(h, PEER_ISN, 0, TCP_SYN, 1000, NULL, 0, NULL);
	struct tcp_hdr t1, t2;
	CHECK(p_last(h, &t1));
	h_clear(h);
	p_send(h, PEER_ISN, 0, TCP_SYN, 1000, NULL, 0, NULL);
	CHECK(p_last(h, &t2));
	CHECK_EQ(t2.flags, TCP_SYN | TCP_ACK);
	CHECK_EQ(t1.seq, t2.seq);
	CHECK_EQ(h->net.tcp->nconns, 1);
	t_free(h);
}

TEST(abort_sends_rst_and_reports_once)
{
	struct mica_tcp_listener *l;
	struct harness *h = srv_new(&l, 16);
	p_connect(h, NULL, 8192);
	h_clear(h);
	mica_tcp_abort(app.c);
	h_run(h);
	struct tcp_hdr t;
	CHECK(p_last(h, &t) && (t.flags & TCP_RST));
	CHECK_EQ(app.closes, 1);
	CHECK_EQ(app.close_err, MICA_ECONNRESET);
	h_run(h);
	CHECK_EQ(app.closes, 1);
	CHECK_EQ(h->net.tcp->nconns, 0);
	t_free(h);
}

int main(void)
{
	return RUN_TESTS();
}

TEST(closing_state_retransmits_on_rto_despite_dupacks)
{
	struct mica_tcp_listener *l;
	struct harness *h = srv_new(&l, 16);
	uint32_t una = p_connect(h, NULL, 8192);
	static uint8_t d[100];
	mica_tcp_write(app.c, d, 100);
	mica_tcp_close(app.c);
	h_run(h);
	struct mica_tcp *c = tcp_lookup(h->net.tcp, OUR_IP, SRV_PORT, PEER_IP, PEER_PORT);
	/* The peer's FIN crosses ours and does not acknowledge our data. */
	p_send(h, PEER_ISN + 1, una, TCP_ACK | TCP_FIN, 8192, NULL, 0, NULL);
	CHECK(c && c->state == TCP_CLOSING);
	for (int i = 0; i < 4; i++)
		p_send(h, PEER_ISN + 2, una, TCP_ACK, 8192, NULL, 0, NULL);
	h_clear(h);
	h_advance(h, 3 * MICA_NS_PER_S);
	h_run(h);
	CHECK(h->nsent >= 1);
	CHECK(c->retries >= 1);
	t_free(h);
}
