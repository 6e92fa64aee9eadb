/* icmp_wire.c - ICMP message header parse and encode (RFC 792). */
#include "wire.h"
#include <mica/libc.h>

int icmp_parse(struct mica_view v, struct icmp_hdr *h)
{
	if (v.len < ICMP_HLEN) {
		h->err = ICMP_ERR_SHORT;
		return MICA_EBADMSG;
	}
	if (net_csum_fold(net_csum_add(0, v.data, v.len)) != 0) {
		h->err = ICMP_ERR_CSUM;
		return MICA_EBADMSG;
	}
	const uint8_t *p = v.data;
	h->type = p[0];
	h->code = p[1];
	h->rest = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 | p[7];
	h->body = mica_view_make(v.data + ICMP_HLEN, v.len - ICMP_HLEN);
	h->err = ICMP_OK;
	return MICA_OK;
}

int icmp_encode(struct mica_buf *b, uint8_t type, uint8_t code, uint32_t rest)
{
	uint8_t *p = mica_buf_push(b, ICMP_HLEN);
	if (!p)
		return MICA_ENOSPC;
	p[0] = type;
	p[1] = code;
	p[2] = p[3] = 0;
	p[4] = (uint8_t)(rest >> 24);
	p[5] = (uint8_t)(rest >> 16);
	p[6] = (uint8_t)(rest >> 8);
	p[7] = (uint8_t)rest;
	uint16_t sum = net_csum_fold(net_csum_add(0, p, b->len));
	p[2] = (uint8_t)(sum >> 8);
	p[3] = (uint8_t)sum;
	return MICA_OK;
}
