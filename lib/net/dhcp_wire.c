/* dhcp_wire.c - DHCPv4 messages (RFC 2131) and the options the client uses
 * (RFC 2132): parse, with every option length checked, and encode. */
#include "wire.h"
#include <mica/libc.h>

#define DHCP_COOKIE 0x63825363u
#define DHCP_ENCODED_LEN 300 /* BOOTP minimum; our options fit in it */

enum {
	OPT_PAD = 0,
	OPT_MASK = 1,
	OPT_ROUTER = 3,
	OPT_DNS = 6,
	OPT_REQ_IP = 50,
	OPT_LEASE = 51,
	OPT_TYPE = 53,
	OPT_SERVER_ID = 54,
	OPT_PARAMS = 55,
	OPT_MAX_SIZE = 57,
	OPT_T1 = 58,
	OPT_T2 = 59,
	OPT_END = 255,
};

static int bad(struct dhcp_msg *m, enum dhcp_err e)
{
	m->err = e;
	return MICA_EBADMSG;
}

/* One option's value into m; `val` is exactly the option's bytes. */
static int parse_option(struct dhcp_msg *m, uint8_t code, struct mica_view val)
{
	uint32_t x = 0;
	bool four = val.len == 4;
	if (val.len >= 4)
		mica_view_get_be32(val, 0, &x);
	switch (code) {
	case OPT_TYPE:
		if (val.len != 1)
			return MICA_EBADMSG;
		m->type = val.data[0];
		return MICA_OK;
	case OPT_MASK:
		m->has_mask = four;
		m->mask = x;
		return four ? MICA_OK : MICA_EBADMSG;
	case OPT_SERVER_ID: m->server_id = x; return four ? MICA_OK : MICA_EBADMSG;
	case OPT_REQ_IP: m->requested_ip = x; return four ? MICA_OK : MICA_EBADMSG;
	case OPT_LEASE: m->lease = x; return four ? MICA_OK : MICA_EBADMSG;
	case OPT_T1: m->t1 = x; return four ? MICA_OK : MICA_EBADMSG;
	case OPT_T2: m->t2 = x; return four ? MICA_OK : MICA_EBADMSG;
	case OPT_ROUTER:
		if (val.len < 4 || val.len % 4)
			return MICA_EBADMSG;
		m->router = x;
		return MICA_OK;
	case OPT_DNS:
		if (val.len < 4 || val.len % 4)
			return MICA_EBADMSG;
		for (size_t i = 0; i < val.len / 4 && m->ndns < DHCP_MAX_DNS; i++)
			mica_view_get_be32(val, i * 4, &m->dns[m->ndns++]);
		return MICA_OK;
	default: return MICA_OK; /* options we do not use are skipped */
	}
}

static int parse_options(struct mica_view opts, struct dhcp_msg *m)
{
	struct mica_cursor c = mica_cursor_make(opts);
	while (mica_cursor_left(&c)) {
		uint8_t code = mica_cursor_u8(&c);
		if (code == OPT_PAD)
			continue;
		if (code == OPT_END)
			return MICA_OK;
		uint8_t len = mica_cursor_u8(&c);
		struct mica_view val = mica_cursor_view(&c, len);
		if (c.err || parse_option(m, code, val) != MICA_OK)
			return bad(m, DHCP_ERR_OPTION);
	}
	return bad(m, DHCP_ERR_OPTION); /* no end option */
}

int dhcp_parse(struct mica_view v, struct dhcp_msg *m)
{
	memset(m, 0, sizeof(*m));
	if (v.len < DHCP_MIN_LEN)
		return bad(m, DHCP_ERR_SHORT);
	struct mica_cursor c = mica_cursor_make(v);
	m->op = mica_cursor_u8(&c);
	uint8_t htype = mica_cursor_u8(&c), hlen = mica_cursor_u8(&c);
	mica_cursor_skip(&c, 1); /* hops */
	m->xid = mica_cursor_be32(&c);
	m->secs = mica_cursor_be16(&c);
	m->flags = mica_cursor_be16(&c);
	m->ciaddr = mica_cursor_be32(&c);
	m->yiaddr = mica_cursor_be32(&c);
	m->siaddr = mica_cursor_be32(&c);
	m->giaddr = mica_cursor_be32(&c);
	mica_cursor_bytes(&c, m->chaddr, ETH_ALEN);
	mica_cursor_skip(&c, 10 + 64 + 128); /* rest of chaddr, sname, file */
	uint32_t cookie = mica_cursor_be32(&c);
	if (c.err)
		return bad(m, DHCP_ERR_SHORT);
	if (htype != 1 || hlen != ETH_ALEN || cookie != DHCP_COOKIE ||
	    (m->op != DHCP_OP_REQUEST && m->op != DHCP_OP_REPLY))
		return bad(m, DHCP_ERR_FORMAT);
	struct mica_view opts;
	mica_view_tail(v, DHCP_MIN_LEN, &opts);
	int rc = parse_options(opts, m);
	if (rc != MICA_OK)
		return rc;
	if (m->type < DHCP_DISCOVER || m->type > DHCP_INFORM)
		return bad(m, DHCP_ERR_FORMAT);
	m->err = DHCP_OK;
	return MICA_OK;
}

static void put_opt32(struct mica_cursor *c, uint8_t code, uint32_t val)
{
	mica_cursor_put_u8(c, code);
	mica_cursor_put_u8(c, 4);
	mica_cursor_put_be32(c, val);
}

int dhcp_encode(struct mica_buf *b, const struct dhcp_msg *m)
{
	uint8_t *p = mica_buf_put(b, DHCP_ENCODED_LEN);
	if (!p)
		return MICA_ENOSPC;
	memset(p, 0, DHCP_ENCODED_LEN);
	struct mica_cursor c = mica_cursor_make(mica_view_make(p, DHCP_ENCODED_LEN));
	mica_cursor_put_u8(&c, m->op);
	mica_cursor_put_u8(&c, 1);
	mica_cursor_put_u8(&c, ETH_ALEN);
	mica_cursor_put_u8(&c, 0);
	mica_cursor_put_be32(&c, m->xid);
	mica_cursor_put_be16(&c, m->secs);
	mica_cursor_put_be16(&c, m->flags);
	mica_cursor_put_be32(&c, m->ciaddr);
	mica_cursor_put_be32(&c, m->yiaddr);
	mica_cursor_put_be32(&c, m->siaddr);
	mica_cursor_put_be32(&c, m->giaddr);
	mica_cursor_put_bytes(&c, m->chaddr, ETH_ALEN);
	mica_cursor_skip(&c, 10 + 64 + 128);
	mica_cursor_put_be32(&c, DHCP_COOKIE);
	mica_cursor_put_u8(&c, OPT_TYPE);
	mica_cursor_put_u8(&c, 1);
	mica_cursor_put_u8(&c, m->type);
	if (m->requested_ip)
		put_opt32(&c, OPT_REQ_IP, m->requested_ip);
	if (m->server_id)
		put_opt32(&c, OPT_SERVER_ID, m->server_id);
	if (m->op == DHCP_OP_REQUEST) {
		static const uint8_t params[] = {OPT_MASK, OPT_ROUTER, OPT_DNS, OPT_LEASE, OPT_T1, OPT_T2};
		mica_cursor_put_u8(&c, OPT_PARAMS);
		mica_cursor_put_u8(&c, sizeof(params));
		mica_cursor_put_bytes(&c, params, sizeof(params));
		mica_cursor_put_u8(&c, OPT_MAX_SIZE);
		mica_cursor_put_u8(&c, 2);
		mica_cursor_put_be16(&c, 1500);
	}
	/* Server-side fields, so tests can build offers and acks. */
	if (m->has_mask)
		put_opt32(&c, OPT_MASK, m->mask);
	if (m->router)
		put_opt32(&c, OPT_ROUTER, m->router);
	if (m->lease)
		put_opt32(&c, OPT_LEASE, m->lease);
	if (m->t1)
		put_opt32(&c, OPT_T1, m->t1);
	if (m->t2)
		put_opt32(&c, OPT_T2, m->t2);
	mica_cursor_put_u8(&c, OPT_END);
	if (c.err) {
		mica_buf_trim(b, b->len - DHCP_ENCODED_LEN);
		return MICA_ENOSPC;
	}
	return MICA_OK;
}
