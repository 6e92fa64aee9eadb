/* reasm.c - IPv4 fragment reassembly (RFC 791, RFC 815) with limits: a
 * fixed number of datagrams in progress, a cap on fragments per datagram
 * and on buffer memory held, and a timeout. Overlapping fragments discard
 * the whole datagram (as RFC 5722 asks for IPv6); exact duplicates are
 * dropped alone. Fragments are kept as received buffers, sorted by offset
 * (b->user = offset), and copied once into a big buffer when complete. */
#include "stack.h"
#include <mica/libc.h>

static void ctx_free(struct mica_net *net, struct reasm_ctx *c)
{
	while (c->frags) {
		struct mica_buf *b = c->frags;
		c->frags = b->next;
		b->next = NULL;
		net->reasm.bytes -= b->size;
		mica_buf_unref(b);
	}
	c->used = false;
}

static struct reasm_ctx *ctx_get(struct mica_net *net, const struct ipv4_hdr *ip)
{
	struct reasm_ctx *free_ctx = NULL;
	for (int i = 0; i < REASM_CTXS; i++) {
		struct reasm_ctx *c = &net->reasm.c[i];
		if (!c->used) {
			if (!free_ctx)
				free_ctx = c;
			continue;
		}
		if (c->id == ip->id && c->src == ip->src && c->dst == ip->dst && c->proto == ip->proto)
			return c;
	}
	if (!free_ctx)
		return NULL;
	memset(free_ctx, 0, sizeof(*free_ctx));
	free_ctx->used = true;
	free_ctx->id = ip->id;
	free_ctx->src = ip->src;
	free_ctx->dst = ip->dst;
	free_ctx->proto = ip->proto;
	free_ctx->deadline = mica_loop_now(net->loop) + REASM_TIMEOUT_NS;
	net_tick_needed(net);
	return free_ctx;
}

/* Insert b sorted by offset. Returns 1 inserted, 0 duplicate, -1 overlap. */
static int insert(struct reasm_ctx *c, struct mica_buf *b, uint32_t off)
{
	uint32_t end = off + b->len;
	struct mica_buf **pp = &c->frags, *prev = NULL;
	while (*pp && (*pp)->user < off) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	struct mica_buf *next = *pp;
	if (next && next->user == off && next->len == b->len)
		return 0;
	if ((prev && prev->user + prev->len > off) || (next && end > next->user))
		return -1;
	mica_buf_ref(b);
	b->user = off;
	b->next = next;
	*pp = b;
	c->nfrags++;
	return 1;
}

static bool complete(const struct reasm_ctx *c)
{
	if (!c->total)
		return false;
	uint32_t want = 0;
	for (const struct mica_buf *b = c->frags; b; b = b->next) {
		if (b->user != want)
			return false;
		want += b->len;
	}
	return want == c->total;
}

/* Copy the fragments into one buffer with a rebuilt header and deliver it. */
static void assemble(struct mica_net *net, struct reasm_ctx *c)
{
	struct mica_buf *d = mica_buf_alloc(&net->big_pool, NET_HEADROOM);
	if (!d) {
		NET_COUNT(net, ip_reasm_nomem);
		ctx_free(net, c);
		return;
	}
	for (struct mica_buf *b = c->frags; b; b = b->next)
		mica_buf_append(d, mica_buf_data(b), b->len);
	struct ipv4_hdr h = {.ttl = NET_TTL, .proto = c->proto, .id = c->id, .src = c->src, .dst = c->dst};
	ctx_free(net, c);
	/* A real header in front, so ICMP errors can quote it. */
	if (ipv4_encode(d, &h) != MICA_OK || ipv4_parse(mica_buf_view(d), &h) != MICA_OK) {
		NET_COUNT(net, ip_reasm_too_big);
		mica_buf_unref(d);
		return;
	}
	mica_buf_pull(d, IPV4_HLEN);
	NET_COUNT(net, ip_reasm_ok);
	net_ipv4_deliver(net, &h, d);
	mica_buf_unref(d);
}

static void reasm_input(struct mica_net *net, const struct ipv4_hdr *ip, struct mica_buf *b)
{
	NET_COUNT(net, ip_frag_rx);
	uint32_t off = ip->frag_off, end = off + b->len;
	if (b->len == 0 || (ip->mf && b->len % 8)) {
		NET_COUNT(net, ip_bad_len);
		return;
	}
	struct reasm_ctx *c = ctx_get(net, ip);
	if (!c) {
		NET_COUNT(net, ip_reasm_nomem);
		return;
	}
	if (end + IPV4_HLEN > 0xffff || (c->total && end > c->total) ||
	    (!ip->mf && c->total && end != c->total)) {
		NET_COUNT(net, ip_reasm_too_big);
		ctx_free(net, c);
		return;
	}
	if (c->nfrags >= REASM_MAX_FRAGS || net->reasm.bytes + b->size > REASM_MAX_BYTES) {
		NET_COUNT(net, ip_reasm_nomem);
		ctx_free(net, c);
		return;
	}
	if (!ip->mf)
		c->total = end;
	int r = insert(c, b, off);
	if (r < 0) {
		NET_COUNT(net, ip_reasm_overlap);
		ctx_free(net, c);
		return;
	}
	if (r == 0) {
		NET_COUNT(net, ip_reasm_dup);
		return;
	}
	net->reasm.bytes += b->size;
	if (complete(c))
		assemble(net, c);
}

void net_reasm_input(struct mica_net *net, const struct ipv4_hdr *ip, struct mica_buf *b)
{
	if (b->size <= NET_SLOT) {
		reasm_input(net, ip, b);
		return;
	}
	/* A fragment in a buffer sized for super-frames (a device with
	 * offload): hold on to a frame-sized copy, not the 64 KiB slot. */
	struct mica_buf *copy = net_alloc_tx(net, b->len);
	if (!copy) {
		NET_COUNT(net, ip_reasm_nomem);
		return;
	}
	mica_buf_append(copy, mica_buf_data(b), b->len);
	reasm_input(net, ip, copy);
	mica_buf_unref(copy);
}

bool net_reasm_tick(struct mica_net *net, uint64_t now)
{
	bool pending = false;
	for (int i = 0; i < REASM_CTXS; i++) {
		struct reasm_ctx *c = &net->reasm.c[i];
		if (!c->used)
			continue;
		if (now >= c->deadline) {
			NET_COUNT(net, ip_reasm_timeout);
			ctx_free(net, c);
			continue;
		}
		pending = true;
	}
	return pending;
}

void net_reasm_flush(struct mica_net *net)
{
	for (int i = 0; i < REASM_CTXS; i++)
		if (net->reasm.c[i].used)
			ctx_free(net, &net->reasm.c[i]);
}
