/* test_arp.c - ARP state with explicit time: answering, learning, expiry,
 * gratuitous ARP, floods for other hosts, resolution with a bounded queue
 * and the timeout that drops (and counts) what waited. */
#include "harness.h"

static struct mica_udp *bind_any(struct harness *h);
static void ignore(struct mica_udp *u, const struct mica_udp_dgram *d, void *arg)
{
	(void)u, (void)d, (void)arg;
}
static struct mica_udp *bind_any(struct harness *h)
{
	struct mica_udp *u;
	struct mica_endpoint ep = {0, 5000};
	CHECK_EQ(mica_udp_bind(&h->net, &ep, ignore, NULL, &u), MICA_OK);
	return u;
}

TEST(gratuitous_arp_at_start)
{
	struct harness *h = calloc(1, sizeof(*h));
	h->now = MICA_NS_PER_S;
	struct mica_loop_ops ops = {h_now, h_poll, h};
	mica_loop_init_ops(&h->loop, &ops);
	struct net_dev dev = {.tx = h_tx, .ctx = h, .mtu = 1500};
	memcpy(dev.mac, our_mac, 6);
	struct net_config cfg = {.ip = OUR_IP, .prefix = 24};
	CHECK_EQ(net_stack_init(&h->net, &h->loop, &dev, &cfg), MICA_OK);
	h_run(h);
	struct arp_pkt p;
	CHECK_EQ(h->nsent, 1);
	CHECK(h_sent_arp(h, 0, &p));
	CHECK_EQ(p.op, ARP_OP_REQUEST);
	CHECK_EQ(p.spa, OUR_IP);
	CHECK_EQ(p.tpa, OUR_IP);
	CHECK_EQ(h->sent[0]->len, 60); /* padded to the Ethernet minimum */
	h_free(h);
}

TEST(request_answered_and_learned_then_expires)
{
	struct harness *h = h_new(OUR_IP, 24);
	h_clear(h);
	h_send_arp(h, ARP_OP_REQUEST, PEER_IP, OUR_IP);
	h_run(h);
	struct arp_pkt p;
	CHECK_EQ(h->nsent, 1);
	CHECK(h_sent_arp(h, 0, &p));
	CHECK_EQ(p.op, ARP_OP_REPLY);
	CHECK_EQ(p.spa, OUR_IP);
	CHECK_EQ(p.tpa, PEER_IP);
	CHECK(memcmp(p.sha, our_mac, 6) == 0);
	CHECK(memcmp(p.tha, peer_mac, 6) == 0);
	CHECK(net_arp_lookup(&h->net, PEER_IP) != NULL);
	h->now += ARP_REACHABLE_NS - 1;
	CHECK(net_arp_lookup(&h->net, PEER_IP) != NULL);
	h->now += 1;
	CHECK(net_arp_lookup(&h->net, PEER_IP) == NULL);
	CHECK_EQ(h->net.stats[NET_arp_request_rx], 1);
	CHECK_EQ(h->net.stats[NET_arp_reply_tx], 1);
	h_free(h);
}

TEST(flood_for_other_hosts_is_ignored)
{
	struct harness *h = h_new(OUR_IP, 24);
	h_clear(h);
	for (uint32_t i = 0; i < 200; i++)
		h_send_arp(h, ARP_OP_REQUEST, PEER_IP + 100 + i % 50, 0x0a4d0000u + 3 + i % 250);
	h_run(h);
	CHECK_EQ(h->nsent, 0);
	CHECK_EQ(h->net.stats[NET_arp_not_for_us], 200);
	for (int i = 0; i < ARP_ENTRIES; i++)
		CHECK_EQ(h->net.arp.e[i].state, ARP_FREE);
	h_free(h);
}

TEST(resolution_sends_queued_packets)
{
	struct harness *h = h_new(OUR_IP, 24);
	h_clear(h);
	struct mica_udp *u = bind_any(h);
	struct mica_endpoint to = {PEER_IP, 9};
	CHECK_EQ(mica_udp_sendto(u, &to, "one", 3), MICA_OK);
	CHECK_EQ(mica_udp_sendto(u, &to, "two", 3), MICA_OK);
	h_run(h);
	struct arp_pkt p;
	CHECK_EQ(h->nsent, 1); /* one request, packets wait */
	CHECK(h_sent_arp(h, 0, &p));
	CHECK_EQ(p.op, ARP_OP_REQUEST);
	CHECK_EQ(p.tpa, PEER_IP);
	h_clear(h);
	h_send_arp(h, ARP_OP_REPLY, PEER_IP, OUR_IP);
	h_run(h);
	CHECK_EQ(h->nsent, 2);
	struct eth_hdr eth;
	struct ipv4_hdr ip;
	CHECK(h_sent_ip(h, 0, &eth, &ip));
	CHECK(memcmp(eth.dst, peer_mac, 6) == 0);
	CHECK_EQ(ip.dst, PEER_IP);
	CHECK_EQ(h->net.arp.nqueued, 0);
	h_free(h);
}

TEST(resolution_timeout_drops_and_counts)
{
	struct harness *h = h_new(OUR_IP, 24);
	h_clear(h);
	struct mica_udp *u = bind_any(h);
	struct mica_endpoint to = {0x0a4d0009, 9};
	for (int i = 0; i < ARP_QUEUE_PER_ENTRY + 12; i++)
		mica_udp_sendto(u, &to, "x", 1);
	CHECK_EQ(h->net.stats[NET_arp_queue_full], 12);
	h_advance(h, ARP_RETRY_NS * ARP_TRIES + NET_TICK_NS);
	int requests = 0;
	for (int i = 0; i < h->nsent; i++) {
		struct arp_pkt p;
		requests += h_sent_arp(h, i, &p) && p.op == ARP_OP_REQUEST && p.tpa == 0x0a4d0009;
	}
	CHECK_EQ(requests, ARP_TRIES);
	CHECK_EQ(h->net.stats[NET_arp_timeout_drop], ARP_QUEUE_PER_ENTRY);
	CHECK_EQ(h->net.arp.nqueued, 0);
	CHECK(!mica_timer_armed(&h->net.tick)); /* nothing pending: an idle stack sleeps */
	h_free(h);
}

TEST(entry_in_use_is_refreshed_before_expiry)
{
	struct harness *h = h_new(OUR_IP, 24);
	h_learn_peer(h);
	struct mica_udp *u = bind_any(h);
	struct mica_endpoint to = {PEER_IP, 9};
	h->now += ARP_REACHABLE_NS - ARP_REFRESH_NS - 1;
	CHECK_EQ(mica_udp_sendto(u, &to, "a", 1), MICA_OK);
	h_run(h);
	CHECK_EQ(h->nsent, 1); /* not yet near expiry: no request */
	h_clear(h);
	h->now += 2;
	CHECK_EQ(mica_udp_sendto(u, &to, "b", 1), MICA_OK);
	CHECK_EQ(mica_udp_sendto(u, &to, "c", 1), MICA_OK);
	h_run(h);
	struct arp_pkt p;
	CHECK_EQ(h->nsent, 3); /* one unicast request, both datagrams sent at once */
	CHECK(h_sent_arp(h, 0, &p) && p.op == ARP_OP_REQUEST && p.tpa == PEER_IP);
	struct eth_hdr eth;
	CHECK(eth_parse(mica_buf_view(h->sent[0]), &eth) == MICA_OK && memcmp(eth.dst, peer_mac, 6) == 0);
	h_clear(h);
	h_send_arp(h, ARP_OP_REPLY, PEER_IP, OUR_IP);
	h->now += ARP_REFRESH_NS; /* past the old expiry */
	CHECK(net_arp_lookup(&h->net, PEER_IP) != NULL);
	h_free(h);
}

TEST(conflicting_claim_of_our_address_is_not_learned)
{
	struct harness *h = h_new(OUR_IP, 24);
	h_clear(h);
	h_send_arp(h, ARP_OP_REQUEST, OUR_IP, OUR_IP); /* someone's gratuitous ARP for our address */
	h_send_arp(h, ARP_OP_REPLY, OUR_IP, OUR_IP);
	h_run(h);
	CHECK_EQ(h->nsent, 0);
	CHECK_EQ(h->net.stats[NET_arp_conflict], 2);
	CHECK(net_arp_lookup(&h->net, OUR_IP) == NULL);
	h_free(h);
}

TEST(off_link_goes_to_gateway_or_fails)
{
	struct harness *h = h_new(OUR_IP, 24);
	h_clear(h);
	struct mica_udp *u = bind_any(h);
	struct mica_endpoint far = {0x08080808, 53};
	CHECK_EQ(mica_udp_sendto(u, &far, "q", 1), MICA_EUNREACH);
	CHECK_EQ(h->net.stats[NET_ip_no_route], 1);
	h->net.gateway = PEER_IP;
	h_learn_peer(h);
	CHECK_EQ(mica_udp_sendto(u, &far, "q", 1), MICA_OK);
	h_run(h);
	struct eth_hdr eth;
	struct ipv4_hdr ip;
	CHECK(h_sent_ip(h, 0, &eth, &ip));
	CHECK(memcmp(eth.dst, peer_mac, 6) == 0); /* the gateway's MAC */
	CHECK_EQ(ip.dst, 0x08080808);
	h_free(h);
}

int main(void)
{
	return RUN_TESTS();
}
