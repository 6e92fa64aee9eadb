/* test_wire.c - lib/net wire formats: checksums, parse/encode round trips,
 * and that every truncation or corruption is rejected with the right reason. */
#include "check.h"
#include <stdlib.h>
#include "../../../lib/net/wire.h"
#include "csum_ref.h"

static uint8_t slot[4096];

/* A buffer over a static slot with `headroom` bytes in front. */
static struct mica_buf mkbuf(size_t headroom)
{
	struct mica_buf b = {.mem = slot, .size = sizeof(slot), .head = (uint32_t)headroom, .refs = 1};
	return b;
}

TEST(csum_rfc1071_example)
{
	/* RFC 1071 section 3 example: words 0001 f203 f4f5 f6f7 sum to ddf2. */
	const uint8_t d[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
	CHECK_EQ(net_csum_fold(net_csum_add(0, d, sizeof(d))), (uint16_t)~0xddf2);
	/* Odd length and split sums agree with one pass. */
	uint8_t big[301];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7 + 3);
	uint32_t one = net_csum_add(0, big, sizeof(big));
	uint32_t two = net_csum_add(net_csum_add(0, big, 100), big + 100, 201);
	CHECK_EQ(net_csum_fold(one), net_csum_fold(two));
	/* Against a plain 16-bit reference. */
	CHECK_EQ(net_csum_fold(one), csum_reference(big, sizeof(big)));
}

TEST(csum_every_length_and_alignment)
{
	static uint8_t d[2][520];
	for (size_t i = 0; i < sizeof(d[0]); i++) {
		d[0][i] = (uint8_t)(i * 151 + 17);
		d[1][i] = 0xff; /* every word adds a carry */
	}
	for (int k = 0; k < 2; k++)
		for (size_t off = 0; off < 8; off++)
			for (size_t len = 0; len + off <= sizeof(d[k]); len++)
				CHECK_EQ(net_csum_fold(net_csum_add(0, d[k] + off, len)),
				         csum_reference(d[k] + off, len));
}

TEST(eth_roundtrip_and_runt)
{
	struct mica_buf b = mkbuf(64);
	const uint8_t dst[6] = {1, 2, 3, 4, 5, 6}, src[6] = {0xa, 0xb, 0xc, 0xd, 0xe, 0xf};
	mica_buf_append(&b, "xy", 2);
	CHECK_EQ(eth_encode(&b, dst, src, ETH_TYPE_ARP), MICA_OK);
	struct eth_hdr h;
	CHECK_EQ(eth_parse(mica_buf_view(&b), &h), MICA_OK);
	CHECK(memcmp(h.dst, dst, 6) == 0 && memcmp(h.src, src, 6) == 0);
	CHECK_EQ(h.type, ETH_TYPE_ARP);
	CHECK_EQ(h.payload.len, 2);
	CHECK(h.payload.data == mica_buf_data(&b) + ETH_HLEN);
	CHECK_EQ(eth_parse(mica_view_make(slot, 13), &h), MICA_EBADMSG);
	struct mica_buf nohead = mkbuf(10);
	CHECK_EQ(eth_encode(&nohead, dst, src, 1), MICA_ENOSPC);
}

TEST(arp_roundtrip_and_rejects)
{
	struct mica_buf b = mkbuf(64);
	struct arp_pkt p = {
	    .op = ARP_OP_REQUEST, .sha = {2, 0, 0, 0, 0, 1}, .spa = 0x0a000001, .tpa = 0x0a000002};
	CHECK_EQ(arp_encode(&b, &p), MICA_OK);
	CHECK_EQ(b.len, ARP_LEN);
	struct arp_pkt q;
	CHECK_EQ(arp_parse(mica_buf_view(&b), &q), MICA_OK);
	CHECK_EQ(q.op, ARP_OP_REQUEST);
	CHECK_EQ(q.spa, 0x0a000001);
	CHECK_EQ(q.tpa, 0x0a000002);
	CHECK(memcmp(q.sha, p.sha, 6) == 0);
	for (size_t n = 0; n < ARP_LEN; n++) {
		CHECK_EQ(arp_parse(mica_view_make(mica_buf_data(&b), n), &q), MICA_EBADMSG);
		CHECK_EQ(q.err, ARP_ERR_SHORT);
	}
	mica_buf_data(&b)[3] = 0x86; /* ptype IPv6 */
	CHECK_EQ(arp_parse(mica_buf_view(&b), &q), MICA_EBADMSG);
	CHECK_EQ(q.err, ARP_ERR_FORMAT);
}

static void build_ip(struct mica_buf *b, size_t payload, bool mf, uint16_t off)
{
	*b = mkbuf(128);
	for (size_t i = 0; i < payload; i++)
		slot[128 + i] = (uint8_t)i;
	b->len = (uint32_t)payload;
	struct ipv4_hdr h = {.ttl = 64,
	                     .proto = IPV4_PROTO_UDP,
	                     .id = 0x1234,
	                     .src = 0x0a4d0001,
	                     .dst = 0x0a4d0002,
	                     .mf = mf,
	                     .frag_off = off};
	CHECK_EQ(ipv4_encode(b, &h), MICA_OK);
}

TEST(ipv4_roundtrip)
{
	struct mica_buf b;
	build_ip(&b, 30, true, 1480);
	struct ipv4_hdr h;
	CHECK_EQ(ipv4_parse(mica_buf_view(&b), &h), MICA_OK);
	CHECK_EQ(h.hlen, 20);
	CHECK_EQ(h.total_len, 50);
	CHECK_EQ(h.id, 0x1234);
	CHECK(h.mf && !h.df);
	CHECK_EQ(h.frag_off, 1480);
	CHECK_EQ(h.proto, IPV4_PROTO_UDP);
	CHECK_EQ(h.src, 0x0a4d0001);
	CHECK_EQ(h.dst, 0x0a4d0002);
	CHECK(h.payload.data == mica_buf_data(&b) + 20);
	CHECK_EQ(h.payload.len, 30);
	/* Link padding after total_len is ignored. */
	CHECK_EQ(ipv4_parse(mica_view_make(mica_buf_data(&b), b.len + 10), &h), MICA_OK);
	CHECK_EQ(h.payload.len, 30);
}

TEST(ipv4_rejects)
{
	struct mica_buf b;
	struct ipv4_hdr h;
	build_ip(&b, 30, false, 0);
	uint8_t *p = mica_buf_data(&b);
	for (size_t n = 0; n < 20; n++) {
		CHECK_EQ(ipv4_parse(mica_view_make(p, n), &h), MICA_EBADMSG);
		CHECK_EQ(h.err, IPV4_ERR_SHORT);
	}
	/* Truncated below total length. */
	CHECK_EQ(ipv4_parse(mica_view_make(p, 49), &h), MICA_EBADMSG);
	CHECK_EQ(h.err, IPV4_ERR_TOTLEN);
	p[0] = 0x65;
	CHECK_EQ(ipv4_parse(mica_buf_view(&b), &h), MICA_EBADMSG);
	CHECK_EQ(h.err, IPV4_ERR_VERSION);
	p[0] = 0x44; /* IHL 16 bytes */
	CHECK_EQ(ipv4_parse(mica_buf_view(&b), &h), MICA_EBADMSG);
	CHECK_EQ(h.err, IPV4_ERR_HLEN);
	p[0] = 0x4f; /* IHL 60 > 50 bytes of data */
	CHECK_EQ(ipv4_parse(mica_buf_view(&b), &h), MICA_EBADMSG);
	CHECK_EQ(h.err, IPV4_ERR_HLEN);
	p[0] = 0x45;
	p[3] = 10; /* total length shorter than the header */
	CHECK_EQ(ipv4_parse(mica_buf_view(&b), &h), MICA_EBADMSG);
	CHECK_EQ(h.err, IPV4_ERR_TOTLEN);
	p[3] = 50;
	p[8] ^= 1; /* TTL changed, checksum now wrong */
	CHECK_EQ(ipv4_parse(mica_buf_view(&b), &h), MICA_EBADMSG);
	CHECK_EQ(h.err, IPV4_ERR_CSUM);
}

TEST(ipv4_options_skipped)
{
	/* A 24-byte header with a NOP-padded option: payload starts after it. */
	uint8_t p[40] = {0x46, 0, 0, 40, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, 1, 1, 1, 0};
	uint16_t s = net_csum_fold(net_csum_add(0, p, 24));
	p[10] = (uint8_t)(s >> 8);
	p[11] = (uint8_t)s;
	struct ipv4_hdr h;
	CHECK_EQ(ipv4_parse(mica_view_make(p, 40), &h), MICA_OK);
	CHECK_EQ(h.hlen, 24);
	CHECK_EQ(h.options.len, 4);
	CHECK(h.payload.data == p + 24);
	CHECK_EQ(h.payload.len, 16);
}

TEST(icmp_roundtrip)
{
	struct mica_buf b = mkbuf(64);
	mica_buf_append(&b, "hello", 5);
	CHECK_EQ(icmp_encode(&b, ICMP_ECHO_REQUEST, 0, 0x00070009), MICA_OK);
	struct icmp_hdr h;
	CHECK_EQ(icmp_parse(mica_buf_view(&b), &h), MICA_OK);
	CHECK_EQ(h.type, ICMP_ECHO_REQUEST);
	CHECK_EQ(h.rest, 0x00070009);
	CHECK_EQ(h.body.len, 5);
	mica_buf_data(&b)[9] ^= 0x40;
	CHECK_EQ(icmp_parse(mica_buf_view(&b), &h), MICA_EBADMSG);
	CHECK_EQ(h.err, ICMP_ERR_CSUM);
	CHECK_EQ(icmp_parse(mica_view_make(slot, 7), &h), MICA_EBADMSG);
	CHECK_EQ(h.err, ICMP_ERR_SHORT);
}

TEST(udp_roundtrip_and_rejects)
{
	struct mica_buf b = mkbuf(64);
	mica_buf_append(&b, "abc", 3);
	CHECK_EQ(udp_encode(&b, 0x0a000001, 0x0a000002, 1000, 53), MICA_OK);
	struct udp_hdr h;
	CHECK_EQ(udp_parse(mica_buf_view(&b), 0x0a000001, 0x0a000002, &h), MICA_OK);
	CHECK_EQ(h.sport, 1000);
	CHECK_EQ(h.dport, 53);
	CHECK_EQ(h.len, 11);
	CHECK(h.payload.data == mica_buf_data(&b) + 8);
	CHECK_EQ(h.payload.len, 3);
	/* Wrong pseudo-header (another destination) fails the checksum. */
	CHECK_EQ(udp_parse(mica_buf_view(&b), 0x0a000001, 0x0a000003, &h), MICA_EBADMSG);
	CHECK_EQ(h.err, UDP_ERR_CSUM);
	/* Length field larger than the packet. */
	CHECK_EQ(udp_parse(mica_view_make(mica_buf_data(&b), 10), 0x0a000001, 0x0a000002, &h), MICA_EBADMSG);
	CHECK_EQ(h.err, UDP_ERR_LEN);
	/* No checksum (0) is accepted; length below 8 is not. */
	uint8_t *p = mica_buf_data(&b);
	p[6] = p[7] = 0;
	CHECK_EQ(udp_parse(mica_buf_view(&b), 1, 2, &h), MICA_OK);
	p[5] = 7;
	CHECK_EQ(udp_parse(mica_buf_view(&b), 1, 2, &h), MICA_EBADMSG);
	CHECK_EQ(h.err, UDP_ERR_LEN);
	CHECK_EQ(udp_parse(mica_view_make(p, 7), 1, 2, &h), MICA_EBADMSG);
	CHECK_EQ(h.err, UDP_ERR_SHORT);
}

TEST(dhcp_roundtrip_and_rejects)
{
	struct mica_buf b = mkbuf(0);
	struct dhcp_msg m = {.op = DHCP_OP_REPLY,
	                     .xid = 0xdeadbeef,
	                     .yiaddr = 0x0a4d0064,
	                     .chaddr = {2, 1, 2, 3, 4, 5},
	                     .type = DHCP_ACK,
	                     .server_id = 0x0a4d0001,
	                     .has_mask = true,
	                     .mask = 0xffffff00,
	                     .router = 0x0a4d0001,
	                     .lease = 120,
	                     .t1 = 60,
	                     .t2 = 105};
	CHECK_EQ(dhcp_encode(&b, &m), MICA_OK);
	CHECK_EQ(b.len, 300);
	struct dhcp_msg q;
	CHECK_EQ(dhcp_parse(mica_buf_view(&b), &q), MICA_OK);
	CHECK_EQ(q.xid, 0xdeadbeef);
	CHECK_EQ(q.type, DHCP_ACK);
	CHECK_EQ(q.yiaddr, 0x0a4d0064);
	CHECK_EQ(q.server_id, 0x0a4d0001);
	CHECK(q.has_mask);
	CHECK_EQ(q.mask, 0xffffff00);
	CHECK_EQ(q.router, 0x0a4d0001);
	CHECK_EQ(q.lease, 120);
	CHECK_EQ(q.t1, 60);
	CHECK_EQ(q.t2, 105);
	CHECK(memcmp(q.chaddr, m.chaddr, 6) == 0);
	/* Every truncation is rejected without reading past the view. */
	for (size_t n = 0; n < 250; n++) {
		uint8_t *copy = malloc(n ? n : 1);
		memcpy(copy, mica_buf_data(&b), n);
		CHECK_EQ(dhcp_parse(mica_view_make(copy, n), &q), MICA_EBADMSG);
		free(copy);
	}
	/* An option whose length runs past the end. */
	uint8_t *p = mica_buf_data(&b);
	p[240 + 1] = 200;
	CHECK_EQ(dhcp_parse(mica_buf_view(&b), &q), MICA_EBADMSG);
	CHECK_EQ(q.err, DHCP_ERR_OPTION);
	p[240 + 1] = 1;
	p[236] = 0; /* bad magic cookie */
	CHECK_EQ(dhcp_parse(mica_buf_view(&b), &q), MICA_EBADMSG);
	CHECK_EQ(q.err, DHCP_ERR_FORMAT);
}

int main(void)
{
	return RUN_TESTS();
}
