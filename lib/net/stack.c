/* stack.c - one direct-stack instance: set-up and tear-down, the Ethernet
 * receive dispatch, the batched transmit queue and the housekeeping tick. */
#include "stack.h"
#include <mica/libc.h>
#include <mica/log.h>

static void flush_task(void *arg)
{
	net_tx_flush(arg);
}

static void tick_fn(struct mica_timer *t, void *arg)
{
	struct mica_net *net = arg;
	uint64_t now = mica_loop_now(net->loop);
	bool more = net_arp_tick(net, now);
	more |= net_reasm_tick(net, now);
	if (!more)
		mica_timer_cancel(net->loop, t);
}

static void stats_fn(struct mica_timer *t, void *arg)
{
	(void)t;
	net_log_stats(arg);
}

void net_tick_needed(struct mica_net *net)
{
	if (!mica_timer_armed(&net->tick))
		mica_timer_start(net->loop, &net->tick, NET_TICK_NS, NET_TICK_NS);
}

int net_stack_init(struct mica_net *net, struct mica_loop *loop, const struct net_dev *dev,
                   const struct net_config *cfg)
{
	memset(net, 0, sizeof(*net));
	net->loop = loop;
	net->dev = *dev;
	net->name = cfg->name ? cfg->name : "net";
	if (net->dev.mtu < 576 || net->dev.mtu > NET_SLOT - NET_HEADROOM - ETH_HLEN)
		return MICA_EINVAL;
	if (net->dev.tso_max > 0xffff)
		net->dev.tso_max = 0xffff;
	bool tso = net->dev.tso_max > net->dev.mtu;
	if (!tso)
		net->dev.tso_max = 0;
	/* Super-frames arrive as large as tso_max: receive buffers hold one. */
	int rc = mica_buf_pool_init(&net->rx_pool, tso ? NET_BIG_SLOT : NET_SLOT, NET_RX_BUFS);
	if (rc == MICA_OK)
		rc = mica_buf_pool_init(&net->tx_pool, NET_SLOT, NET_TX_BUFS);
	if (rc == MICA_OK)
		rc = mica_buf_pool_init(&net->big_pool, NET_BIG_SLOT, tso ? NET_TSO_BUFS : NET_BIG_BUFS);
	if (rc != MICA_OK)
		return rc;
	mica_task_init(&net->flush_task, flush_task, net);
	mica_timer_init(&net->tick, tick_fn, net);
	mica_timer_init(&net->stats_timer, stats_fn, net);
	net->ip_id = (uint16_t)(mica_loop_now(loop) ^ dev->mac[5] << 8 ^ dev->mac[4]);
	net->icmp_rl.tokens = 10;
	net_ipv4_register(net, IPV4_PROTO_ICMP, net_icmp_input);
	net_ipv4_register(net, IPV4_PROTO_UDP, net_udp_input);
	rc = net_tcp_attach(net);
	if (rc != MICA_OK && rc != MICA_ENOTSUP)
		return rc;
	rc = rc == MICA_OK && cfg->tcp_cc ? net_tcp_set_cc(net, cfg->tcp_cc) : MICA_OK;
	if (rc != MICA_OK)
		return rc;
	if (cfg->stats_every_ns)
		mica_timer_start(loop, &net->stats_timer, cfg->stats_every_ns, cfg->stats_every_ns);
	if (cfg->ip)
		net_set_address(net, cfg->ip, cfg->prefix, cfg->gateway);
	else
		rc = net_dhcp_start(net);
	if (rc != MICA_OK)
		net_stack_fini(net); /* disarm what was armed; the caller frees net */
	return rc;
}

void net_stack_fini(struct mica_net *net)
{
	net_dhcp_stop(net);
	net_tcp_detach(net);
	net_udp_close_all(net);
	net_arp_flush(net);
	net_reasm_flush(net);
	mica_timer_cancel(net->loop, &net->tick);
	mica_timer_cancel(net->loop, &net->stats_timer);
	net_tx_flush(net);
	for (int i = 0; i < net->ntxq; i++)
		mica_buf_unref(net->txq[i]);
	net->ntxq = 0;
}

void net_set_address(struct mica_net *net, uint32_t ip, unsigned prefix, uint32_t gateway)
{
	net->ip = ip;
	net->mask = net_prefix_mask(prefix);
	net->gateway = gateway;
	if (!ip)
		return;
	mica_info("net", "%s: address %u.%u.%u.%u/%u gateway %u.%u.%u.%u", net->name, ip >> 24,
	          ip >> 16 & 255, ip >> 8 & 255, ip & 255, prefix, gateway >> 24, gateway >> 16 & 255,
	          gateway >> 8 & 255, gateway & 255);
	/* Gratuitous ARP: announce the address (RFC 5227 announcement form). */
	net_arp_send(net, ARP_OP_REQUEST, (const uint8_t[ETH_ALEN]){0}, ip, eth_broadcast);
}

static bool frame_for_us(struct mica_net *net, const struct eth_hdr *eth)
{
	if (memcmp(eth->dst, net->dev.mac, ETH_ALEN) == 0)
		return true;
	return memcmp(eth->dst, eth_broadcast, ETH_ALEN) == 0;
}

void net_input(struct mica_net *net, struct mica_buf *b)
{
	NET_COUNT(net, rx_frames);
	net->stats[NET_rx_bytes] += b->len;
	struct eth_hdr eth;
	if (eth_parse(mica_buf_view(b), &eth) != MICA_OK) {
		NET_COUNT(net, eth_runt);
		return;
	}
	if (!frame_for_us(net, &eth)) {
		NET_COUNT(net, eth_not_for_us);
		return;
	}
	mica_buf_pull(b, ETH_HLEN);
	switch (eth.type) {
	case ETH_TYPE_IPV4: net_ipv4_input(net, b); break;
	case ETH_TYPE_ARP: net_arp_input(net, b); break;
	default: NET_COUNT(net, eth_unknown_type); break;
	}
}

uint32_t net_tx_big_free(const struct mica_net *net)
{
	const struct mica_buf_pool *p = &net->big_pool;
	return p->nfree + (p->max_bufs - p->nbufs);
}

struct mica_buf *net_alloc_tx(struct mica_net *net, size_t payload)
{
	struct mica_buf_pool *pool = payload + NET_HEADROOM <= NET_SLOT ? &net->tx_pool : &net->big_pool;
	struct mica_buf *b = mica_buf_alloc(pool, NET_HEADROOM);
	if (!b || mica_buf_tailroom(b) < payload) {
		if (b)
			mica_buf_unref(b);
		NET_COUNT(net, tx_nobuf);
		return NULL;
	}
	return b;
}

void net_tx_flush(struct mica_net *net)
{
	if (net->ntxq == 0)
		return;
	int n = net->dev.tx(net->dev.ctx, net->txq, net->ntxq);
	if (n <= 0) {
		/* The device takes nothing: drop (as a full link would) rather
		 * than spin retrying every turn. */
		for (int i = 0; i < net->ntxq; i++)
			mica_buf_unref(net->txq[i]);
		net->stats[NET_tx_dev_error] += (uint64_t)net->ntxq;
		net->ntxq = 0;
		return;
	}
	/* Partly taken: keep the rest, in order, for the next turn. */
	if (n < net->ntxq)
		memmove(net->txq, net->txq + n, (size_t)(net->ntxq - n) * sizeof(net->txq[0]));
	net->ntxq -= n;
	if (net->ntxq)
		mica_loop_defer(net->loop, &net->flush_task);
}

void net_tx_enqueue(struct mica_net *net, struct mica_buf *b)
{
	if (net->ntxq == NET_TXQ)
		net_tx_flush(net);
	if (net->ntxq == NET_TXQ) {
		NET_COUNT(net, tx_queue_full);
		mica_buf_unref(b);
		return;
	}
	NET_COUNT(net, tx_frames);
	net->stats[NET_tx_bytes] += mica_buf_frame_len(b);
	net->txq[net->ntxq++] = b;
	mica_loop_defer(net->loop, &net->flush_task);
}
