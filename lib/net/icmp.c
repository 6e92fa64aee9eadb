/* icmp.c - ICMP state (RFC 792, RFC 1122): answer echo requests and send
 * destination-unreachable errors, rate limited by a token bucket. */
#include "stack.h"
#include <mica/libc.h>

#define ICMP_RL_BURST 20
#define ICMP_RL_NS_PER_TOKEN (50 * MICA_NS_PER_MS) /* 20 errors per second */

static void echo_reply(struct mica_net *net, const struct ipv4_hdr *ip, const struct icmp_hdr *h)
{
	NET_COUNT(net, icmp_echo_rx);
	if (!net->ip || ip->dst != net->ip)
		return; /* no answers to broadcast pings, or before we have an address */
	struct mica_buf *r = net_alloc_tx(net, ICMP_HLEN + h->body.len);
	if (!r)
		return;
	mica_buf_append(r, h->body.data, h->body.len);
	icmp_encode(r, ICMP_ECHO_REPLY, 0, h->rest);
	if (net_ipv4_output(net, net->ip, ip->src, IPV4_PROTO_ICMP, r) == MICA_OK)
		NET_COUNT(net, icmp_echo_reply_tx);
}

void net_icmp_input(struct mica_net *net, const struct ipv4_hdr *ip, struct mica_buf *b)
{
	struct icmp_hdr h;
	if (icmp_parse(mica_buf_view(b), &h) != MICA_OK) {
		if (h.err == ICMP_ERR_SHORT)
			NET_COUNT(net, icmp_bad_len);
		else
			NET_COUNT(net, icmp_bad_csum);
		return;
	}
	if (h.type == ICMP_ECHO_REQUEST && h.code == 0)
		echo_reply(net, ip, &h);
	else
		NET_COUNT(net, icmp_other_rx);
}

static bool take_token(struct mica_net *net)
{
	uint64_t now = mica_loop_now(net->loop);
	uint64_t earned = (now - net->icmp_rl.last) / ICMP_RL_NS_PER_TOKEN;
	if (earned) {
		uint64_t t = net->icmp_rl.tokens + earned;
		net->icmp_rl.tokens = t > ICMP_RL_BURST ? ICMP_RL_BURST : (uint32_t)t;
		net->icmp_rl.last = now;
	}
	if (!net->icmp_rl.tokens)
		return false;
	net->icmp_rl.tokens--;
	return true;
}

void net_icmp_unreach(struct mica_net *net, const struct ipv4_hdr *ip, uint8_t code)
{
	/* Never about broadcasts, ICMP itself, or from an unconfigured stack. */
	if (!net->ip || ip->dst != net->ip || ip->proto == IPV4_PROTO_ICMP || ip->src == 0)
		return;
	if (!take_token(net)) {
		NET_COUNT(net, icmp_rate_limited);
		return;
	}
	/* Quote the offending header and the first 8 bytes of its payload. */
	size_t quote = ip->hlen + (ip->payload.len < 8 ? ip->payload.len : 8);
	struct mica_buf *r = net_alloc_tx(net, ICMP_HLEN + quote);
	if (!r)
		return;
	mica_buf_append(r, ip->payload.data - ip->hlen, quote);
	icmp_encode(r, ICMP_UNREACH, code, 0);
	if (net_ipv4_output(net, net->ip, ip->src, IPV4_PROTO_ICMP, r) == MICA_OK)
		NET_COUNT(net, icmp_unreach_tx);
}
