/* harness.h - run a lib/net stack in a unit test: explicit time through
 * struct mica_loop_ops, a capture function as the device, and helpers to
 * build the peer's frames with the wire encoders. */
#ifndef NET_TEST_HARNESS_H
#define NET_TEST_HARNESS_H

#include "check.h"
#include <stdlib.h>
#include <mica/loop.h>
#include "../../../lib/net/stack.h"

#define H_MAX_SENT 256
#define PEER_IP 0x0a4d0001u /* 10.77.0.1 */
#define OUR_IP 0x0a4d0002u  /* 10.77.0.2 */

struct harness {
	struct mica_loop loop;
	uint64_t now;
	struct mica_net net;
	struct mica_buf_pool pool; /* the peer's frames */
	struct mica_buf *sent[H_MAX_SENT];
	int nsent;
};

static const uint8_t our_mac[6] = {0x02, 0, 0, 0, 0, 0x02};
static const uint8_t peer_mac[6] = {0x02, 0, 0, 0, 0, 0x01};

static inline uint64_t h_now(void *ctx)
{
	return ((struct harness *)ctx)->now;
}
static inline int h_poll(void *ctx, uint64_t deadline)
{
	(void)ctx, (void)deadline;
	return 0;
}

static inline int h_tx(void *ctx, struct mica_buf **bufs, int n)
{
	struct harness *h = ctx;
	int i = 0;
	for (; i < n && h->nsent < H_MAX_SENT; i++)
		h->sent[h->nsent++] = bufs[i];
	return i;
}

/* Run deferred work and due timers (the transmit queue is flushed). */
static inline void h_run(struct harness *h)
{
	mica_loop_run_once(&h->loop, 0);
}

static inline void h_clear(struct harness *h)
{
	for (int i = 0; i < h->nsent; i++)
		mica_buf_unref(h->sent[i]);
	h->nsent = 0;
}

static inline void h_advance(struct harness *h, uint64_t ns)
{
	uint64_t end = h->now + ns;
	while (h->now < end) { /* step so that periodic timers fire on time */
		uint64_t step = end - h->now < NET_TICK_NS ? end - h->now : NET_TICK_NS;
		h->now += step;
		h_run(h);
	}
	h_run(h); /* flush what the last timers queued */
}

static inline struct harness *h_new(uint32_t ip, unsigned prefix)
{
	struct harness *h = calloc(1, sizeof(*h));
	h->now = 1000 * MICA_NS_PER_S;
	struct mica_loop_ops ops = {h_now, h_poll, h};
	mica_loop_init_ops(&h->loop, &ops);
	mica_buf_pool_init(&h->pool, 8192, 64);
	struct net_dev dev = {.tx = h_tx, .ctx = h, .mtu = 1500};
	memcpy(dev.mac, our_mac, 6);
	struct net_config cfg = {.name = "test", .ip = ip, .prefix = prefix};
	CHECK_EQ(net_stack_init(&h->net, &h->loop, &dev, &cfg), MICA_OK);
	h_run(h);
	return h;
}

/* Buffer pools are never destroyed (their pages are never freed, by
 * design), so a finished harness is kept reachable rather than freed. */
static struct harness *h_done[16];
static inline void h_free(struct harness *h)
{
	net_stack_fini(&h->net);
	h_run(h);
	h_clear(h);
	mica_loop_fini(&h->loop);
	for (size_t i = 0; i < sizeof(h_done) / sizeof(h_done[0]); i++) {
		if (!h_done[i]) {
			h_done[i] = h;
			return;
		}
	}
}

/* Feed one frame (copied into a receive buffer, as a device would). */
static inline void h_inject(struct harness *h, const struct mica_buf *frame)
{
	struct mica_buf *b = mica_buf_alloc(&h->net.rx_pool, NET_HEADROOM);
	mica_buf_append(b, mica_buf_data(frame), frame->len);
	net_input(&h->net, b);
	mica_buf_unref(b);
}

static inline struct mica_buf *h_buf(struct harness *h)
{
	return mica_buf_alloc(&h->pool, 256);
}

static inline void h_send_eth(struct harness *h, struct mica_buf *b, uint16_t type)
{
	eth_encode(b, our_mac, peer_mac, type);
	h_inject(h, b);
	mica_buf_unref(b);
}

/* An IPv4 packet from the peer: b holds the L4 bytes. */
static inline void h_send_ip(struct harness *h, struct mica_buf *b, uint32_t dst, uint8_t proto, uint16_t id,
                             bool mf, uint16_t off)
{
	struct ipv4_hdr ip = {
	    .ttl = 64, .proto = proto, .src = PEER_IP, .dst = dst, .id = id, .mf = mf, .frag_off = off};
	ipv4_encode(b, &ip);
	h_send_eth(h, b, ETH_TYPE_IPV4);
}

static inline void h_send_udp(struct harness *h, uint16_t sport, uint16_t dport, const void *data, size_t len)
{
	struct mica_buf *b = h_buf(h);
	mica_buf_append(b, data, len);
	udp_encode(b, PEER_IP, OUR_IP, sport, dport);
	h_send_ip(h, b, OUR_IP, IPV4_PROTO_UDP, 1, false, 0);
}

static inline void h_send_arp(struct harness *h, uint16_t op, uint32_t spa, uint32_t tpa)
{
	struct mica_buf *b = h_buf(h);
	struct arp_pkt p = {.op = op, .spa = spa, .tpa = tpa};
	memcpy(p.sha, peer_mac, 6);
	if (op == ARP_OP_REPLY)
		memcpy(p.tha, our_mac, 6);
	arp_encode(b, &p);
	h_send_eth(h, b, ETH_TYPE_ARP);
}

/* Parse sent frame i down to IPv4; false if it is not IPv4. */
static inline bool h_sent_ip(struct harness *h, int i, struct eth_hdr *eth, struct ipv4_hdr *ip)
{
	if (i < 0 || i >= h->nsent || eth_parse(mica_buf_view(h->sent[i]), eth) != MICA_OK ||
	    eth->type != ETH_TYPE_IPV4)
		return false;
	return ipv4_parse(eth->payload, ip) == MICA_OK;
}

static inline bool h_sent_arp(struct harness *h, int i, struct arp_pkt *p)
{
	struct eth_hdr eth;
	if (i < 0 || i >= h->nsent || eth_parse(mica_buf_view(h->sent[i]), &eth) != MICA_OK ||
	    eth.type != ETH_TYPE_ARP)
		return false;
	return arp_parse(eth.payload, p) == MICA_OK;
}

/* Teach the stack the peer's MAC (so output is not queued on ARP). */
static inline void h_learn_peer(struct harness *h)
{
	h_send_arp(h, ARP_OP_REQUEST, PEER_IP, OUR_IP);
	h_run(h);
	h_clear(h);
}

#endif
