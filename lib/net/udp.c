/* udp.c - UDP state: the sockets of net.h's mica_udp_* on the direct stack.
 * Receive is zero-copy: the datagram's data view points into the very
 * buffer the frame arrived in. Send copies the payload once into a buffer
 * with headroom, then UDP and IP push their headers in front of it. */
#include "stack.h"
#include <mica/libc.h>

#define UDP_EPHEMERAL_LO 49152
#define UDP_MAX_PAYLOAD (0xffff - IPV4_HLEN - UDP_HLEN)

struct mica_udp {
	struct mica_net *net;
	struct mica_endpoint local;
	mica_udp_recv_fn fn;
	void *arg;
	struct mica_udp *next;
};

static struct mica_udp *lookup(struct mica_net *net, uint32_t ip, uint16_t port)
{
	struct mica_udp *wild = NULL;
	for (struct mica_udp *u = net->udp_socks; u; u = u->next) {
		if (u->local.port != port)
			continue;
		if (u->local.ip == ip)
			return u;
		if (u->local.ip == 0)
			wild = u;
	}
	return wild;
}

static bool port_taken(struct mica_net *net, uint32_t ip, uint16_t port)
{
	for (struct mica_udp *u = net->udp_socks; u; u = u->next)
		if (u->local.port == port && (u->local.ip == ip || !u->local.ip || !ip))
			return true;
	return false;
}

/* From a random point of the ephemeral range (RFC 6056's simple random
 * selection), so an off-path host cannot guess the port of a query. */
static int pick_port(struct mica_net *net, uint32_t ip, uint16_t *port)
{
	uint16_t r = 0;
	if (mica_plat_random(&r, sizeof(r)) != MICA_OK)
		r = (uint16_t)(mica_loop_now(net->loop) / 1000);
	uint16_t start = (uint16_t)(UDP_EPHEMERAL_LO + r % 16384);
	for (uint32_t i = 0; i < 16384; i++) {
		uint16_t p = (uint16_t)(UDP_EPHEMERAL_LO + (start - UDP_EPHEMERAL_LO + i) % 16384);
		if (!port_taken(net, ip, p)) {
			*port = p;
			return MICA_OK;
		}
	}
	return MICA_EADDRINUSE;
}

int mica_udp_bind(struct mica_net *net, const struct mica_endpoint *local, mica_udp_recv_fn fn, void *arg,
                  struct mica_udp **out)
{
	struct mica_endpoint ep = local ? *local : (struct mica_endpoint){0, 0};
	if (!fn)
		return MICA_EINVAL;
	if (ep.port == 0) {
		int rc = pick_port(net, ep.ip, &ep.port);
		if (rc != MICA_OK)
			return rc;
	} else if (port_taken(net, ep.ip, ep.port)) {
		return MICA_EADDRINUSE;
	}
	struct mica_udp *u = calloc(1, sizeof(*u));
	if (!u)
		return MICA_ENOMEM;
	*u = (struct mica_udp){net, ep, fn, arg, net->udp_socks};
	net->udp_socks = u;
	*out = u;
	return MICA_OK;
}

void mica_udp_close(struct mica_udp *u)
{
	if (!u)
		return;
	for (struct mica_udp **pp = &u->net->udp_socks; *pp; pp = &(*pp)->next) {
		if (*pp == u) {
			*pp = u->next;
			break;
		}
	}
	free(u);
}

void net_udp_close_all(struct mica_net *net)
{
	while (net->udp_socks)
		mica_udp_close(net->udp_socks);
}

int mica_udp_sendto(struct mica_udp *u, const struct mica_endpoint *to, const void *data, size_t len)
{
	struct mica_net *net = u->net;
	if (len > UDP_MAX_PAYLOAD) {
		NET_COUNT(net, udp_tx_too_big);
		return MICA_EMSGSIZE;
	}
	if (!to || !to->port)
		return MICA_EINVAL;
	struct mica_buf *b = net_alloc_tx(net, len);
	if (!b)
		return MICA_EAGAIN;
	mica_buf_append(b, data, len);
	uint32_t src = u->local.ip ? u->local.ip : net->ip;
	udp_encode(b, src, to->ip, u->local.port, to->port);
	NET_COUNT(net, udp_tx);
	int rc = net_ipv4_output(net, src, to->ip, IPV4_PROTO_UDP, b);
	return rc == MICA_ENOMEM ? MICA_EAGAIN : rc;
}

void net_udp_input(struct mica_net *net, const struct ipv4_hdr *ip, struct mica_buf *b)
{
	struct udp_hdr h;
	int rc = b->csum == MICA_CSUM_TRUSTED ? udp_parse_header(mica_buf_view(b), &h)
	                                      : udp_parse(mica_buf_view(b), ip->src, ip->dst, &h);
	if (rc != MICA_OK) {
		if (h.err == UDP_ERR_CSUM)
			NET_COUNT(net, udp_bad_csum);
		else
			NET_COUNT(net, udp_bad_len);
		return;
	}
	NET_COUNT(net, udp_rx);
	struct mica_udp *u = lookup(net, ip->dst, h.dport);
	if (!u) {
		NET_COUNT(net, udp_no_port);
		net_icmp_unreach(net, ip, ICMP_UNREACH_PORT);
		return;
	}
	struct mica_udp_dgram d = {
	    .src = {ip->src, h.sport},
	    .dst = {ip->dst, h.dport},
	    .data = h.payload,
	};
	u->fn(u, &d, u->arg);
}
