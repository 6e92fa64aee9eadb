/* arp_wire.c - ARP packets for IPv4 over Ethernet (RFC 826): parse, encode. */
#include "wire.h"
#include <mica/libc.h>

int arp_parse(struct mica_view v, struct arp_pkt *p)
{
	struct mica_cursor c = mica_cursor_make(v);
	uint16_t htype = mica_cursor_be16(&c), ptype = mica_cursor_be16(&c);
	uint8_t hlen = mica_cursor_u8(&c), plen = mica_cursor_u8(&c);
	p->op = mica_cursor_be16(&c);
	mica_cursor_bytes(&c, p->sha, ETH_ALEN);
	p->spa = mica_cursor_be32(&c);
	mica_cursor_bytes(&c, p->tha, ETH_ALEN);
	p->tpa = mica_cursor_be32(&c);
	if (c.err) {
		p->err = ARP_ERR_SHORT;
		return MICA_EBADMSG;
	}
	if (htype != 1 || ptype != ETH_TYPE_IPV4 || hlen != ETH_ALEN || plen != 4 ||
	    (p->op != ARP_OP_REQUEST && p->op != ARP_OP_REPLY)) {
		p->err = ARP_ERR_FORMAT;
		return MICA_EBADMSG;
	}
	p->err = ARP_OK;
	return MICA_OK;
}

int arp_encode(struct mica_buf *b, const struct arp_pkt *p)
{
	uint8_t *d = mica_buf_push(b, ARP_LEN);
	if (!d)
		return MICA_ENOSPC;
	struct mica_cursor c = mica_cursor_make(mica_view_make(d, ARP_LEN));
	mica_cursor_put_be16(&c, 1);
	mica_cursor_put_be16(&c, ETH_TYPE_IPV4);
	mica_cursor_put_u8(&c, ETH_ALEN);
	mica_cursor_put_u8(&c, 4);
	mica_cursor_put_be16(&c, p->op);
	mica_cursor_put_bytes(&c, p->sha, ETH_ALEN);
	mica_cursor_put_be32(&c, p->spa);
	mica_cursor_put_bytes(&c, p->tha, ETH_ALEN);
	mica_cursor_put_be32(&c, p->tpa);
	return c.err;
}
