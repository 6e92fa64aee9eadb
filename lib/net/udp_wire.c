/* udp_wire.c - UDP header parse (length and checksum checks) and encode (RFC 768). */
#include "wire.h"
#include <mica/libc.h>

int udp_parse(struct mica_view v, uint32_t src, uint32_t dst, struct udp_hdr *h)
{
	int rc = udp_parse_header(v, h);
	if (rc != MICA_OK)
		return rc;
	const uint8_t *p = v.data;
	if ((p[6] | p[7]) != 0) {
		uint32_t s = net_csum_pseudo(src, dst, IPV4_PROTO_UDP, h->len);
		if (net_csum_fold(net_csum_add(s, p, h->len)) != 0) {
			h->err = UDP_ERR_CSUM;
			return MICA_EBADMSG;
		}
	}
	return MICA_OK;
}

int udp_parse_header(struct mica_view v, struct udp_hdr *h)
{
	if (v.len < UDP_HLEN) {
		h->err = UDP_ERR_SHORT;
		return MICA_EBADMSG;
	}
	const uint8_t *p = v.data;
	h->sport = (uint16_t)(p[0] << 8 | p[1]);
	h->dport = (uint16_t)(p[2] << 8 | p[3]);
	h->len = (uint16_t)(p[4] << 8 | p[5]);
	if (h->len < UDP_HLEN || h->len > v.len) {
		h->err = UDP_ERR_LEN;
		return MICA_EBADMSG;
	}
	h->payload = mica_view_make(v.data + UDP_HLEN, h->len - UDP_HLEN);
	h->err = UDP_OK;
	return MICA_OK;
}

int udp_encode(struct mica_buf *b, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport)
{
	if (b->len + UDP_HLEN > 0xffff)
		return MICA_EMSGSIZE;
	uint8_t *p = mica_buf_push(b, UDP_HLEN);
	if (!p)
		return MICA_ENOSPC;
	uint16_t len = (uint16_t)b->len;
	p[0] = (uint8_t)(sport >> 8);
	p[1] = (uint8_t)sport;
	p[2] = (uint8_t)(dport >> 8);
	p[3] = (uint8_t)dport;
	p[4] = (uint8_t)(len >> 8);
	p[5] = (uint8_t)len;
	p[6] = p[7] = 0;
	uint16_t sum = net_csum_fold(net_csum_add(net_csum_pseudo(src, dst, IPV4_PROTO_UDP, len), p, len));
	if (sum == 0)
		sum = 0xffff; /* zero means "no checksum" */
	p[6] = (uint8_t)(sum >> 8);
	p[7] = (uint8_t)sum;
	return MICA_OK;
}
