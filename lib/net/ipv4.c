/* ipv4.c - IPv4 state (RFC 791, RFC 1122 host rules): validate and accept
 * datagrams for us, dispatch them through the protocol table (ICMP, UDP,
 * and TCP when linked), route output on-link or via the gateway, and
 * fragment datagrams larger than the MTU. Reassembly is in reasm.c. */
#include "stack.h"
#include <mica/libc.h>

int net_ipv4_register(struct mica_net *net, uint8_t proto, net_ipv4_input_fn fn)
{
	for (int i = 0; i < NET_MAX_PROTOS; i++) {
		if (!net->protos[i].fn || net->protos[i].proto == proto) {
			net->protos[i].proto = proto;
			net->protos[i].fn = fn;
			return MICA_OK;
		}
	}
	return MICA_ENOSPC;
}

static uint32_t subnet_broadcast(const struct mica_net *net)
{
	return net->mask == 0xffffffffu ? 0 : (net->ip | ~net->mask);
}

bool net_ipv4_is_local(struct mica_net *net, uint32_t dst)
{
	if (!net->ip)
		return true; /* unconfigured: DHCP offers may come to any address */
	return dst == net->ip || dst == IPV4_BROADCAST || dst == subnet_broadcast(net);
}

static void count_parse_error(struct mica_net *net, enum ipv4_err e)
{
	switch (e) {
	case IPV4_ERR_SHORT: NET_COUNT(net, ip_short); break;
	case IPV4_ERR_VERSION: NET_COUNT(net, ip_bad_version); break;
	case IPV4_ERR_HLEN: NET_COUNT(net, ip_bad_hlen); break;
	case IPV4_ERR_TOTLEN: NET_COUNT(net, ip_bad_len); break;
	default: NET_COUNT(net, ip_bad_csum); break;
	}
}

void net_ipv4_deliver(struct mica_net *net, const struct ipv4_hdr *ip, struct mica_buf *b)
{
	for (int i = 0; i < NET_MAX_PROTOS && net->protos[i].fn; i++) {
		if (net->protos[i].proto == ip->proto) {
			net->protos[i].fn(net, ip, b);
			return;
		}
	}
	NET_COUNT(net, ip_unknown_proto);
	net_icmp_unreach(net, ip, ICMP_UNREACH_PROTO);
}

void net_ipv4_input(struct mica_net *net, struct mica_buf *b)
{
	struct ipv4_hdr ip;
	if (ipv4_parse(mica_buf_view(b), &ip) != MICA_OK) {
		count_parse_error(net, ip.err);
		return;
	}
	NET_COUNT(net, ip_rx);
	if (!net_ipv4_is_local(net, ip.dst)) {
		NET_COUNT(net, ip_not_for_us);
		return;
	}
	if (ip.src >= 0xe0000000u || (net->ip && ip.src == subnet_broadcast(net))) {
		NET_COUNT(net, ip_bad_src); /* multicast, class E or broadcast source */
		return;
	}
	mica_buf_trim(b, ip.total_len); /* drop link-layer padding */
	mica_buf_pull(b, ip.hlen);      /* options are skipped */
	if (ipv4_is_fragment(&ip)) {
		net_reasm_input(net, &ip, b);
		return;
	}
	net_ipv4_deliver(net, &ip, b);
}

/* Hand one finished IP packet to the link: broadcast, or via ARP. */
static void link_output(struct mica_net *net, bool bcast, uint32_t nexthop, struct mica_buf *b)
{
	NET_COUNT(net, ip_tx);
	if (!bcast) {
		net_arp_output(net, nexthop, b);
		return;
	}
	if (eth_encode(b, eth_broadcast, net->dev.mac, ETH_TYPE_IPV4) != MICA_OK) {
		NET_COUNT(net, tx_nobuf);
		mica_buf_unref(b);
		return;
	}
	net_tx_enqueue(net, b);
}

static int fragment(struct mica_net *net, const struct ipv4_hdr *tmpl, bool bcast, uint32_t nexthop,
                    struct mica_buf *b)
{
	size_t max = (size_t)(net->dev.mtu - IPV4_HLEN) & ~(size_t)7;
	size_t len = b->len;
	for (size_t off = 0; off < len; off += max) {
		size_t n = len - off < max ? len - off : max;
		struct mica_buf *f = net_alloc_tx(net, n);
		if (!f) {
			mica_buf_unref(b);
			return MICA_ENOMEM;
		}
		mica_buf_append(f, mica_buf_data(b) + off, n);
		struct ipv4_hdr h = *tmpl;
		h.frag_off = (uint16_t)off;
		h.mf = off + n < len;
		ipv4_encode(f, &h);
		NET_COUNT(net, ip_frag_tx);
		link_output(net, bcast, nexthop, f);
	}
	mica_buf_unref(b);
	return MICA_OK;
}

int net_ipv4_output(struct mica_net *net, uint32_t src, uint32_t dst, uint8_t proto, struct mica_buf *b)
{
	bool bcast = dst == IPV4_BROADCAST || (net->ip && dst == subnet_broadcast(net));
	uint32_t nexthop = dst;
	if (!bcast && (!net->ip || ((dst ^ net->ip) & net->mask) != 0)) {
		if (!net->ip || !net->gateway) {
			NET_COUNT(net, ip_no_route);
			mica_buf_unref(b);
			return MICA_EUNREACH;
		}
		nexthop = net->gateway;
	}
	size_t len = mica_buf_frame_len(b);
	if (len + IPV4_HLEN > 0xffff || (b->ext_len && len + IPV4_HLEN > net->dev.mtu && !b->gso_size)) {
		mica_buf_unref(b); /* (a frame with an ext tail is never fragmented) */
		return MICA_EMSGSIZE;
	}
	struct ipv4_hdr h = {.ttl = NET_TTL, .proto = proto, .src = src ? src : net->ip, .dst = dst};
	h.id = net->ip_id++;
	if (len + IPV4_HLEN > net->dev.mtu && !b->gso_size) /* the device cuts super-frames */
		return fragment(net, &h, bcast, nexthop, b);
	int rc = ipv4_encode(b, &h);
	if (rc != MICA_OK) {
		mica_buf_unref(b);
		return rc;
	}
	link_output(net, bcast, nexthop, b);
	return MICA_OK;
}
