/* test_dhcp.c - the DHCP client state machine with explicit time: discover
 * and its retransmission, offer, request, ack (address, prefix, gateway,
 * gratuitous ARP), replies for others ignored, renew at T1 (unicast to the
 * server), rebind at T2 (broadcast), lease loss, and NAK. */
#include "harness.h"

/* The DHCP message in sent frame i, with the IP header; false if none. */
static bool sent_dhcp(struct harness *h, int i, struct ipv4_hdr *ip, struct dhcp_msg *m)
{
	struct eth_hdr eth;
	struct udp_hdr u;
	if (!h_sent_ip(h, i, &eth, ip) || ip->proto != IPV4_PROTO_UDP)
		return false;
	if (udp_parse(ip->payload, ip->src, ip->dst, &u) != MICA_OK || u.dport != DHCP_SERVER_PORT ||
	    u.sport != DHCP_CLIENT_PORT)
		return false;
	return dhcp_parse(u.payload, m) == MICA_OK;
}

/* The last DHCP message sent since the last h_clear. */
static bool last_dhcp(struct harness *h, struct ipv4_hdr *ip, struct dhcp_msg *m)
{
	for (int i = h->nsent - 1; i >= 0; i--)
		if (sent_dhcp(h, i, ip, m))
			return true;
	return false;
}

static void server_reply(struct harness *h, uint8_t type, uint32_t xid, uint32_t lease, uint32_t t1,
                         uint32_t t2)
{
	struct dhcp_msg m = {.op = DHCP_OP_REPLY,
	                     .xid = xid,
	                     .yiaddr = OUR_IP,
	                     .type = type,
	                     .server_id = PEER_IP,
	                     .has_mask = true,
	                     .mask = 0xffffff00,
	                     .router = PEER_IP,
	                     .lease = lease,
	                     .t1 = t1,
	                     .t2 = t2};
	memcpy(m.chaddr, our_mac, 6);
	struct mica_buf *b = h_buf(h);
	dhcp_encode(b, &m);
	udp_encode(b, PEER_IP, IPV4_BROADCAST, DHCP_SERVER_PORT, DHCP_CLIENT_PORT);
	h_send_ip(h, b, IPV4_BROADCAST, IPV4_PROTO_UDP, 1, false, 0);
	h_run(h);
}

TEST(full_lease_cycle)
{
	struct harness *h = h_new(0, 0);
	struct ipv4_hdr ip;
	struct dhcp_msg m;
	CHECK(last_dhcp(h, &ip, &m));
	CHECK_EQ(m.type, DHCP_DISCOVER);
	CHECK_EQ(ip.src, 0);
	CHECK_EQ(ip.dst, IPV4_BROADCAST);
	CHECK(m.flags & DHCP_FLAG_BROADCAST);
	CHECK(memcmp(m.chaddr, our_mac, 6) == 0);
	uint32_t xid = m.xid;
	CHECK_EQ(mica_net_ipv4(&h->net), 0);

	/* No offer: DISCOVER again after the retry time. */
	h_clear(h);
	h_advance(h, 2 * MICA_NS_PER_S);
	CHECK(last_dhcp(h, &ip, &m));
	CHECK_EQ(m.type, DHCP_DISCOVER);
	CHECK_EQ(h->net.stats[NET_dhcp_discover_tx], 2);

	/* An offer for another transaction is ignored. */
	h_clear(h);
	server_reply(h, DHCP_OFFER, xid + 1, 100, 0, 0);
	CHECK_EQ(h->net.stats[NET_dhcp_ignored], 1);
	CHECK(!last_dhcp(h, &ip, &m));

	/* Offer -> request naming the offer and the server. */
	server_reply(h, DHCP_OFFER, xid, 100, 0, 0);
	CHECK(last_dhcp(h, &ip, &m));
	CHECK_EQ(m.type, DHCP_REQUEST);
	CHECK_EQ(m.requested_ip, OUR_IP);
	CHECK_EQ(m.server_id, PEER_IP);
	CHECK_EQ(ip.dst, IPV4_BROADCAST);

	/* Ack -> configured, announced with a gratuitous ARP. */
	h_clear(h);
	server_reply(h, DHCP_ACK, xid, 100, 50, 80);
	CHECK_EQ(mica_net_ipv4(&h->net), OUR_IP);
	CHECK_EQ(h->net.mask, 0xffffff00);
	CHECK_EQ(h->net.gateway, PEER_IP);
	struct arp_pkt p;
	CHECK(h->nsent == 1 && h_sent_arp(h, 0, &p) && p.spa == OUR_IP && p.tpa == OUR_IP);

	/* T1: renew by unicast to the server (after resolving it). */
	h_clear(h);
	h_advance(h, 50 * MICA_NS_PER_S);
	CHECK(h_sent_arp(h, h->nsent - 1, &p) && p.tpa == PEER_IP);
	h_clear(h);
	h_send_arp(h, ARP_OP_REPLY, PEER_IP, OUR_IP);
	h_run(h);
	CHECK(last_dhcp(h, &ip, &m));
	CHECK_EQ(m.type, DHCP_REQUEST);
	CHECK_EQ(m.ciaddr, OUR_IP);
	CHECK_EQ(ip.dst, PEER_IP);
	CHECK_EQ(ip.src, OUR_IP);
	CHECK_EQ(m.requested_ip, 0);

	/* No answer until T2: rebind by broadcast. */
	h_clear(h);
	h_advance(h, 30 * MICA_NS_PER_S);
	CHECK(last_dhcp(h, &ip, &m));
	CHECK_EQ(m.type, DHCP_REQUEST);
	CHECK_EQ(ip.dst, IPV4_BROADCAST);
	CHECK_EQ(m.ciaddr, OUR_IP);
	CHECK_EQ(mica_net_ipv4(&h->net), OUR_IP);

	/* Lease end: the address goes, discovery starts over. */
	h_clear(h);
	h_advance(h, 20 * MICA_NS_PER_S);
	CHECK_EQ(mica_net_ipv4(&h->net), 0);
	CHECK_EQ(h->net.stats[NET_dhcp_lease_lost], 1);
	CHECK(last_dhcp(h, &ip, &m));
	CHECK_EQ(m.type, DHCP_DISCOVER);
	h_free(h);
}

TEST(renewed_by_ack_and_nak_restarts)
{
	struct harness *h = h_new(0, 0);
	struct ipv4_hdr ip;
	struct dhcp_msg m;
	CHECK(last_dhcp(h, &ip, &m));
	server_reply(h, DHCP_OFFER, m.xid, 20, 0, 0);
	server_reply(h, DHCP_ACK, m.xid, 20, 0, 0); /* T1 = 10 s, T2 = 17.5 s by default */
	CHECK_EQ(mica_net_ipv4(&h->net), OUR_IP);
	h_learn_peer(h);
	h_advance(h, 10 * MICA_NS_PER_S);
	CHECK(last_dhcp(h, &ip, &m));
	CHECK_EQ(m.type, DHCP_REQUEST);
	CHECK_EQ(ip.dst, PEER_IP);
	server_reply(h, DHCP_ACK, m.xid, 20, 0, 0);
	CHECK_EQ(h->net.stats[NET_dhcp_ack], 2);
	/* Renewed: nothing more is sent before the new T1. */
	h_clear(h);
	h_advance(h, 9 * MICA_NS_PER_S);
	CHECK(!last_dhcp(h, &ip, &m));
	h_advance(h, 1 * MICA_NS_PER_S);
	CHECK(last_dhcp(h, &ip, &m));
	server_reply(h, DHCP_NAK, m.xid, 0, 0, 0);
	CHECK_EQ(h->net.stats[NET_dhcp_nak], 1);
	CHECK_EQ(mica_net_ipv4(&h->net), 0);
	CHECK(last_dhcp(h, &ip, &m));
	CHECK_EQ(m.type, DHCP_DISCOVER);
	h_free(h);
}

int main(void)
{
	return RUN_TESTS();
}
