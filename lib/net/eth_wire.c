/* eth_wire.c - Ethernet II header parse and encode. */
#include "wire.h"
#include <mica/libc.h>

const uint8_t eth_broadcast[ETH_ALEN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

int eth_parse(struct mica_view v, struct eth_hdr *h)
{
	if (v.len < ETH_HLEN)
		return MICA_EBADMSG;
	memcpy(h->dst, v.data, ETH_ALEN);
	memcpy(h->src, v.data + 6, ETH_ALEN);
	h->type = (uint16_t)(v.data[12] << 8 | v.data[13]);
	h->payload = mica_view_make(v.data + ETH_HLEN, v.len - ETH_HLEN);
	return MICA_OK;
}

int eth_encode(struct mica_buf *b, const uint8_t dst[ETH_ALEN], const uint8_t src[ETH_ALEN], uint16_t type)
{
	uint8_t *p = mica_buf_push(b, ETH_HLEN);
	if (!p)
		return MICA_ENOSPC;
	memcpy(p, dst, ETH_ALEN);
	memcpy(p + 6, src, ETH_ALEN);
	p[12] = (uint8_t)(type >> 8);
	p[13] = (uint8_t)type;
	return MICA_OK;
}
