/* ipv4_wire.c - IPv4 header parse (with validation) and encode (RFC 791). */
#include "wire.h"
#include <mica/libc.h>

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}
static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int fail(struct ipv4_hdr *h, enum ipv4_err e)
{
	h->err = e;
	return MICA_EBADMSG;
}

int ipv4_parse(struct mica_view v, struct ipv4_hdr *h)
{
	if (v.len < IPV4_HLEN)
		return fail(h, IPV4_ERR_SHORT);
	const uint8_t *p = v.data;
	if (p[0] >> 4 != 4)
		return fail(h, IPV4_ERR_VERSION);
	h->hlen = (uint8_t)((p[0] & 0xf) * 4);
	if (h->hlen < IPV4_HLEN || h->hlen > v.len)
		return fail(h, IPV4_ERR_HLEN);
	h->total_len = be16(p + 2);
	if (h->total_len < h->hlen || h->total_len > v.len)
		return fail(h, IPV4_ERR_TOTLEN);
	if (net_csum_fold(net_csum_add(0, p, h->hlen)) != 0)
		return fail(h, IPV4_ERR_CSUM);
	h->tos = p[1];
	h->id = be16(p + 4);
	uint16_t frag = be16(p + 6);
	h->df = frag & IPV4_FLAG_DF;
	h->mf = frag & IPV4_FLAG_MF;
	h->frag_off = (uint16_t)((frag & IPV4_OFFSET_MASK) * 8);
	h->ttl = p[8];
	h->proto = p[9];
	h->src = be32(p + 12);
	h->dst = be32(p + 16);
	h->options = mica_view_make(v.data + IPV4_HLEN, h->hlen - IPV4_HLEN);
	h->payload = mica_view_make(v.data + h->hlen, h->total_len - h->hlen);
	h->err = IPV4_OK;
	return MICA_OK;
}

static void put16(uint8_t *p, uint16_t x)
{
	p[0] = (uint8_t)(x >> 8);
	p[1] = (uint8_t)x;
}
static void put32(uint8_t *p, uint32_t x)
{
	put16(p, (uint16_t)(x >> 16));
	put16(p + 2, (uint16_t)x);
}

int ipv4_encode(struct mica_buf *b, const struct ipv4_hdr *h)
{
	if (mica_buf_frame_len(b) + IPV4_HLEN > 0xffff)
		return MICA_EMSGSIZE;
	if (h->frag_off % 8 || h->frag_off / 8 > IPV4_OFFSET_MASK)
		return MICA_EINVAL;
	uint8_t *p = mica_buf_push(b, IPV4_HLEN);
	if (!p)
		return MICA_ENOSPC;
	p[0] = 0x45;
	p[1] = h->tos;
	put16(p + 2, (uint16_t)mica_buf_frame_len(b));
	put16(p + 4, h->id);
	put16(p + 6, (uint16_t)((h->df ? IPV4_FLAG_DF : 0) | (h->mf ? IPV4_FLAG_MF : 0) | h->frag_off / 8));
	p[8] = h->ttl;
	p[9] = h->proto;
	put16(p + 10, 0);
	put32(p + 12, h->src);
	put32(p + 16, h->dst);
	put16(p + 10, net_csum_fold(net_csum_add(0, p, IPV4_HLEN)));
	return MICA_OK;
}
