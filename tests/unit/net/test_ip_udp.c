/* test_ip_udp.c - IPv4, ICMP and UDP state with explicit time: zero-copy
 * receive and headroom transmit (pointer identity), echo replies, big pings
 * reassembled and the reply fragmented, reassembly limits (overlap, timeout,
 * contexts), port unreachable with its rate limit, and drop counters. */
#include "harness.h"

struct seen {
	int n;
	const uint8_t *data;
	size_t len;
	struct mica_endpoint src;
};

static void record(struct mica_udp *u, const struct mica_udp_dgram *d, void *arg)
{
	struct seen *s = arg;
	s->n++;
	s->data = d->data.data;
	s->len = d->data.len;
	s->src = d->src;
	/* Echo it back from inside the callback. */
	mica_udp_sendto(u, &d->src, d->data.data, d->data.len);
}

/* The receive buffer of the frame being injected, to compare pointers. */
static struct mica_buf *last_rx;

static void inject_keep(struct harness *h, struct mica_buf *frame)
{
	struct mica_buf *b = mica_buf_alloc(&h->net.rx_pool, NET_HEADROOM);
	mica_buf_append(b, mica_buf_data(frame), frame->len);
	last_rx = b;
	net_input(&h->net, b);
	mica_buf_unref(b);
}

TEST(udp_zero_copy_receive_and_headroom_transmit)
{
	struct harness *h = h_new(OUR_IP, 24);
	h_learn_peer(h);
	struct seen s = {0};
	struct mica_udp *u;
	struct mica_endpoint ep = {0, 7};
	CHECK_EQ(mica_udp_bind(&h->net, &ep, record, &s, &u), MICA_OK);
	struct mica_buf *f = h_buf(h);
	mica_buf_append(f, "ping-payload", 12);
	udp_encode(f, PEER_IP, OUR_IP, 4444, 7);
	struct ipv4_hdr ip = {.ttl = 64, .proto = IPV4_PROTO_UDP, .src = PEER_IP, .dst = OUR_IP};
	ipv4_encode(f, &ip);
	eth_encode(f, our_mac, peer_mac, ETH_TYPE_IPV4);
	inject_keep(h, f);
	mica_buf_unref(f);
	CHECK_EQ(s.n, 1);
	/* The app saw the receive buffer's own bytes: no copy on the way up. */
	CHECK(s.data == last_rx->mem + NET_HEADROOM + ETH_HLEN + IPV4_HLEN + UDP_HLEN);
	CHECK_EQ(s.len, 12);
	CHECK_EQ(s.src.ip, PEER_IP);
	CHECK_EQ(s.src.port, 4444);
	h_run(h);
	CHECK_EQ(h->nsent, 1);
	/* Transmit: the payload sits where it was copied (at NET_HEADROOM) and
	 * the three headers were pushed into the headroom in front of it. */
	struct mica_buf *t = h->sent[0];
	CHECK_EQ(t->head, NET_HEADROOM - UDP_HLEN - IPV4_HLEN - ETH_HLEN);
	CHECK(memcmp(t->mem + NET_HEADROOM, "ping-payload", 12) == 0);
	struct eth_hdr eth;
	CHECK(h_sent_ip(h, 0, &eth, &ip));
	struct udp_hdr uh;
	CHECK_EQ(udp_parse(ip.payload, ip.src, ip.dst, &uh), MICA_OK);
	CHECK_EQ(uh.sport, 7);
	CHECK_EQ(uh.dport, 4444);
	CHECK(uh.payload.data == t->mem + NET_HEADROOM);
	mica_udp_close(u);
	h_free(h);
}

TEST(udp_bad_packets_counted)
{
	struct harness *h = h_new(OUR_IP, 24);
	h_learn_peer(h);
	struct seen s = {0};
	struct mica_udp *u;
	struct mica_endpoint ep = {0, 7};
	mica_udp_bind(&h->net, &ep, record, &s, &u);
	struct mica_buf *b = h_buf(h);
	mica_buf_append(b, "abcd", 4);
	udp_encode(b, PEER_IP, OUR_IP, 1, 7);
	mica_buf_data(b)[9] ^= 1; /* corrupt the payload: checksum fails */
	h_send_ip(h, b, OUR_IP, IPV4_PROTO_UDP, 2, false, 0);
	b = h_buf(h);
	mica_buf_append(b, "abcd", 4);
	udp_encode(b, PEER_IP, OUR_IP, 1, 7);
	mica_buf_data(b)[5] = 200; /* UDP length larger than the packet */
	h_send_ip(h, b, OUR_IP, IPV4_PROTO_UDP, 3, false, 0);
	CHECK_EQ(s.n, 0);
	CHECK_EQ(h->net.stats[NET_udp_bad_csum], 1);
	CHECK_EQ(h->net.stats[NET_udp_bad_len], 1);
	/* A runt and a frame for another MAC. */
	struct mica_buf *r = h_buf(h);
	mica_buf_append(r, "tiny", 4);
	h_inject(h, r);
	mica_buf_unref(r);
	CHECK_EQ(h->net.stats[NET_eth_runt], 1);
	h_send_udp(h, 1, 7, "ok", 2);
	CHECK_EQ(s.n, 1);
	h_free(h);
}

TEST(closed_port_gets_unreachable_rate_limited)
{
	struct harness *h = h_new(OUR_IP, 24);
	h_learn_peer(h);
	h_send_udp(h, 5555, 9999, "hello", 5);
	h_run(h);
	CHECK_EQ(h->nsent, 1);
	struct eth_hdr eth;
	struct ipv4_hdr ip;
	CHECK(h_sent_ip(h, 0, &eth, &ip));
	CHECK_EQ(ip.proto, IPV4_PROTO_ICMP);
	CHECK_EQ(ip.dst, PEER_IP);
	struct icmp_hdr ic;
	CHECK_EQ(icmp_parse(ip.payload, &ic), MICA_OK);
	CHECK_EQ(ic.type, ICMP_UNREACH);
	CHECK_EQ(ic.code, ICMP_UNREACH_PORT);
	CHECK_EQ(ic.body.len, IPV4_HLEN + 8); /* the original header + 8 bytes */
	struct ipv4_hdr quoted;
	CHECK_EQ(ipv4_parse(mica_view_make(ic.body.data, IPV4_HLEN), &quoted), MICA_EBADMSG);
	CHECK_EQ(quoted.err, IPV4_ERR_TOTLEN); /* truncated quote, as expected */
	CHECK_EQ(ic.body.data[IPV4_HLEN + 2] << 8 | ic.body.data[IPV4_HLEN + 3], 9999);
	h_clear(h);
	for (int i = 0; i < 100; i++)
		h_send_udp(h, 5555, 9999, "x", 1);
	h_run(h);
	CHECK(h->nsent < 25);
	CHECK(h->net.stats[NET_icmp_rate_limited] > 75);
	CHECK_EQ(h->net.stats[NET_udp_no_port], 101);
	h_free(h);
}

static struct mica_buf *echo_request(struct harness *h, size_t len, uint16_t seq)
{
	struct mica_buf *b = mica_buf_alloc(&h->pool, 256);
	for (size_t i = 0; i < len; i++)
		mica_buf_data(b)[i] = (uint8_t)(i * 13 + seq);
	b->len = (uint32_t)len;
	icmp_encode(b, ICMP_ECHO_REQUEST, 0, 0x00420000u | seq);
	return b;
}

/* Send the L4 bytes of `whole` as fragments of `size` bytes in `order`. */
static void send_fragments(struct harness *h, struct mica_buf *whole, uint16_t id, size_t size,
                           const int *order, int n)
{
	for (int k = 0; k < n; k++) {
		size_t off = (size_t)order[k] * size;
		size_t len = whole->len - off < size ? whole->len - off : size;
		struct mica_buf *f = h_buf(h);
		mica_buf_append(f, mica_buf_data(whole) + off, len);
		h_send_ip(h, f, OUR_IP, IPV4_PROTO_ICMP, id, off + len < whole->len, (uint16_t)off);
	}
}

TEST(ping_small_and_fragmented)
{
	struct harness *h = h_new(OUR_IP, 24);
	h_learn_peer(h);
	struct mica_buf *req = echo_request(h, 56, 1);
	h_send_ip(h, req, OUR_IP, IPV4_PROTO_ICMP, 10, false, 0);
	h_run(h);
	CHECK_EQ(h->nsent, 1);
	struct eth_hdr eth;
	struct ipv4_hdr ip;
	struct icmp_hdr ic;
	CHECK(h_sent_ip(h, 0, &eth, &ip));
	CHECK_EQ(icmp_parse(ip.payload, &ic), MICA_OK);
	CHECK_EQ(ic.type, ICMP_ECHO_REPLY);
	CHECK_EQ(ic.rest, 0x00420001);
	CHECK_EQ(ic.body.len, 56);
	h_clear(h);

	/* 4000 bytes in three fragments, out of order. */
	struct mica_buf *big = echo_request(h, 4000, 2);
	static const int order[] = {2, 0, 1};
	send_fragments(h, big, 77, 1480, order, 3);
	CHECK_EQ(h->net.stats[NET_ip_reasm_ok], 1);
	CHECK_EQ(h->net.reasm.bytes, 0);
	h_run(h);
	CHECK_EQ(h->nsent, 3); /* the reply is fragmented to the MTU */
	uint8_t got[4100];
	size_t total = 0;
	for (int i = 0; i < h->nsent; i++) {
		CHECK(h_sent_ip(h, i, &eth, &ip));
		CHECK(ip.total_len <= 1500);
		CHECK_EQ(ip.mf, i < 2);
		CHECK_EQ(ip.frag_off, total);
		memcpy(got + total, ip.payload.data, ip.payload.len);
		total += ip.payload.len;
	}
	CHECK_EQ(total, 4008);
	CHECK_EQ(icmp_parse(mica_view_make(got, total), &ic), MICA_OK);
	CHECK_EQ(ic.type, ICMP_ECHO_REPLY);
	CHECK(memcmp(ic.body.data, mica_buf_data(big) + 8, 4000) == 0);
	mica_buf_unref(big);
	h_free(h);
}

TEST(reassembly_overlap_timeout_and_limits)
{
	struct harness *h = h_new(OUR_IP, 24);
	h_learn_peer(h);
	struct mica_buf *big = echo_request(h, 3000, 3);
	/* Overlap: a fragment at 0 of 1480 bytes, then one at 1000. */
	static const int first[] = {0};
	send_fragments(h, big, 5, 1480, first, 1);
	struct mica_buf *f = h_buf(h);
	mica_buf_append(f, mica_buf_data(big) + 1000, 1000);
	h_send_ip(h, f, OUR_IP, IPV4_PROTO_ICMP, 5, true, 1000);
	CHECK_EQ(h->net.stats[NET_ip_reasm_overlap], 1);
	CHECK_EQ(h->net.reasm.bytes, 0);
	/* A duplicate is dropped alone. */
	send_fragments(h, big, 6, 1480, first, 1);
	send_fragments(h, big, 6, 1480, first, 1);
	CHECK_EQ(h->net.stats[NET_ip_reasm_dup], 1);
	/* Never completed: dropped and counted at the timeout. */
	h_advance(h, REASM_TIMEOUT_NS + NET_TICK_NS);
	CHECK_EQ(h->net.stats[NET_ip_reasm_timeout], 1);
	CHECK_EQ(h->net.reasm.bytes, 0);
	CHECK(!mica_timer_armed(&h->net.tick));
	/* More datagrams in progress than contexts. */
	for (uint16_t id = 100; id < 100 + REASM_CTXS + 3; id++)
		send_fragments(h, big, id, 1480, first, 1);
	CHECK_EQ(h->net.stats[NET_ip_reasm_nomem], 3);
	/* A fragment reaching past 64 KiB. */
	f = h_buf(h);
	mica_buf_append(f, mica_buf_data(big), 1000);
	h_send_ip(h, f, OUR_IP, IPV4_PROTO_ICMP, 5000, false, 65000);
	CHECK(h->net.stats[NET_ip_reasm_too_big] + h->net.stats[NET_ip_reasm_nomem] >= 4);
	h_clear(h);
	h_advance(h, REASM_TIMEOUT_NS + NET_TICK_NS);
	CHECK_EQ(h->net.reasm.bytes, 0);
	/* Still answers afterwards. */
	struct mica_buf *req = echo_request(h, 10, 9);
	h_send_ip(h, req, OUR_IP, IPV4_PROTO_ICMP, 11, false, 0);
	h_run(h);
	CHECK_EQ(h->nsent, 1);
	mica_buf_unref(big);
	h_free(h);
}

TEST(ip_header_errors_counted)
{
	struct harness *h = h_new(OUR_IP, 24);
	h_learn_peer(h);
	struct mica_buf *b = echo_request(h, 20, 1);
	struct ipv4_hdr ip = {.ttl = 64, .proto = IPV4_PROTO_ICMP, .src = PEER_IP, .dst = OUR_IP};
	ipv4_encode(b, &ip);
	mica_buf_data(b)[10] ^= 0xff; /* header checksum */
	h_send_eth(h, b, ETH_TYPE_IPV4);
	b = echo_request(h, 20, 1);
	ip.dst = 0x0a4d0063; /* someone else */
	ipv4_encode(b, &ip);
	h_send_eth(h, b, ETH_TYPE_IPV4);
	b = echo_request(h, 20, 1);
	ip.dst = OUR_IP;
	ip.proto = 99; /* unknown protocol */
	ipv4_encode(b, &ip);
	h_send_eth(h, b, ETH_TYPE_IPV4);
	CHECK_EQ(h->net.stats[NET_ip_bad_csum], 1);
	CHECK_EQ(h->net.stats[NET_ip_not_for_us], 1);
	CHECK_EQ(h->net.stats[NET_ip_unknown_proto], 1);
	h_run(h);
	CHECK_EQ(h->nsent, 1); /* protocol unreachable */
	h_free(h);
}

TEST(udp_send_too_big_and_large_fragmented)
{
	struct harness *h = h_new(OUR_IP, 24);
	h_learn_peer(h);
	struct seen s = {0};
	struct mica_udp *u;
	CHECK_EQ(mica_udp_bind(&h->net, NULL, record, &s, &u), MICA_OK);
	static uint8_t data[70000];
	struct mica_endpoint to = {PEER_IP, 9};
	CHECK_EQ(mica_udp_sendto(u, &to, data, 65508), MICA_EMSGSIZE);
	CHECK_EQ(mica_udp_sendto(u, &to, data, 65507), MICA_OK);
	h_run(h);
	CHECK_EQ(h->nsent, 45); /* 65515 bytes in 1480-byte pieces */
	h_free(h);
}

static void nop(struct mica_udp *u, const struct mica_udp_dgram *d, void *arg)
{
	(void)u, (void)d;
	(*(int *)arg)++;
}

TEST(udp_bind_rules)
{
	struct harness *h = h_new(OUR_IP, 24);
	int any_hits = 0, ours_hits = 0;
	struct mica_udp *any, *ours, *other, *eph1, *eph2;
	struct mica_endpoint ep_any = {0, 53}, ep_ours = {OUR_IP, 54}, ep_ours53 = {OUR_IP, 53};
	CHECK_EQ(mica_udp_bind(&h->net, &ep_any, nop, &any_hits, &any), MICA_OK);
	CHECK_EQ(mica_udp_bind(&h->net, &ep_any, nop, NULL, &other), MICA_EADDRINUSE);
	CHECK_EQ(mica_udp_bind(&h->net, &ep_ours53, nop, NULL, &other), MICA_EADDRINUSE);
	CHECK_EQ(mica_udp_bind(&h->net, &ep_ours, nop, &ours_hits, &ours), MICA_OK);
	CHECK_EQ(mica_udp_bind(&h->net, NULL, nop, NULL, &eph1), MICA_OK);
	CHECK_EQ(mica_udp_bind(&h->net, NULL, nop, NULL, &eph2), MICA_OK);
	h_send_udp(h, 1000, 53, "q", 1);
	h_send_udp(h, 1000, 54, "q", 1);
	CHECK_EQ(any_hits, 1);
	CHECK_EQ(ours_hits, 1);
	/* Broadcast reaches the wildcard socket, not one bound to our address. */
	struct mica_buf *b = h_buf(h);
	mica_buf_append(b, "b", 1);
	udp_encode(b, PEER_IP, 0x0a4d00ffu, 1000, 54);
	h_send_ip(h, b, 0x0a4d00ffu, IPV4_PROTO_UDP, 9, false, 0);
	CHECK_EQ(ours_hits, 1);
	CHECK_EQ(h->net.stats[NET_udp_no_port], 1);
	CHECK_EQ(h->net.stats[NET_icmp_unreach_tx], 0); /* never about a broadcast */
	/* After close the port is free again. */
	mica_udp_close(any);
	CHECK_EQ(mica_udp_bind(&h->net, &ep_ours53, nop, NULL, &other), MICA_OK);
	mica_udp_close(eph1);
	mica_udp_close(eph2);
	h_free(h);
}

int main(void)
{
	return RUN_TESTS();
}
