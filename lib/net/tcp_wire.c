/* tcp_wire.c - TCP header and options: parse (length, option and checksum
 * checks) and encode (RFC 9293 section 3.1; MSS, window scale, SACK
 * permitted, SACK blocks and timestamps from RFC 9293, 7323 and 2018).
 * No connection state here. */
#include "tcp.h"
#include <mica/libc.h>

#define OPT_END 0
#define OPT_NOP 1
#define OPT_MSS 2
#define OPT_WS 3
#define OPT_SACK_OK 4
#define OPT_SACK 5
#define OPT_TS 8

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}
static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}
static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* One option of kind k with body p[0..len-2). Unknown kinds are skipped;
 * a known kind with a wrong length is an error. */
static int parse_option(struct tcp_hdr *h, uint8_t k, const uint8_t *p, uint8_t len)
{
	switch (k) {
	case OPT_MSS:
		if (len != 4)
			return MICA_EBADMSG;
		h->has_mss = true;
		h->mss = be16(p);
		break;
	case OPT_WS:
		if (len != 3)
			return MICA_EBADMSG;
		h->has_ws = true;
		h->ws = p[0] > 14 ? 14 : p[0]; /* RFC 7323 2.3: clamp to 14 */
		break;
	case OPT_SACK_OK:
		if (len != 2)
			return MICA_EBADMSG;
		h->sack_ok = true;
		break;
	case OPT_TS:
		if (len != 10)
			return MICA_EBADMSG;
		h->has_ts = true;
		h->tsval = be32(p);
		h->tsecr = be32(p + 4);
		break;
	case OPT_SACK:
		if (len < 10 || (len - 2) % 8)
			return MICA_EBADMSG;
		for (int i = 0; i < (len - 2) / 8 && h->nsack < TCP_MAX_SACK; i++) {
			h->sack[h->nsack].l = be32(p + 8 * i);
			h->sack[h->nsack].r = be32(p + 8 * i + 4);
			h->nsack++;
		}
		break;
	default: break;
	}
	return MICA_OK;
}

static int parse_options(struct tcp_hdr *h, const uint8_t *p, size_t n)
{
	size_t i = 0;
	while (i < n) {
		uint8_t k = p[i];
		if (k == OPT_END)
			break;
		if (k == OPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= n || p[i + 1] < 2 || p[i + 1] > n - i)
			return MICA_EBADMSG;
		if (parse_option(h, k, p + i + 2, p[i + 1]) != MICA_OK)
			return MICA_EBADMSG;
		i += p[i + 1];
	}
	return MICA_OK;
}

static int fail(struct tcp_hdr *h, enum tcp_err e)
{
	h->err = e;
	return MICA_EBADMSG;
}

int tcp_parse(struct mica_view v, uint32_t src, uint32_t dst, struct tcp_hdr *h)
{
	int rc = tcp_parse_header(v, h);
	if (rc != MICA_OK)
		return rc;
	uint32_t s = net_csum_pseudo(src, dst, IPV4_PROTO_TCP, (uint16_t)v.len);
	if (net_csum_fold(net_csum_add(s, v.data, v.len)) != 0)
		return fail(h, TCP_ERR_CSUM);
	return MICA_OK;
}

int tcp_parse_header(struct mica_view v, struct tcp_hdr *h)
{
	memset(h, 0, sizeof(*h));
	if (v.len < TCP_HLEN)
		return fail(h, TCP_ERR_SHORT);
	if (v.len > 0xffff)
		return fail(h, TCP_ERR_SHORT);
	const uint8_t *p = v.data;
	h->hlen = (uint8_t)((p[12] >> 4) * 4);
	if (h->hlen < TCP_HLEN || h->hlen > v.len)
		return fail(h, TCP_ERR_HLEN);
	h->sport = be16(p);
	h->dport = be16(p + 2);
	h->seq = be32(p + 4);
	h->ack = be32(p + 8);
	h->flags = p[13] & 0x3f;
	h->wnd = be16(p + 14);
	h->urg = be16(p + 18);
	if (parse_options(h, p + TCP_HLEN, h->hlen - TCP_HLEN) != MICA_OK)
		return fail(h, TCP_ERR_OPTION);
	h->payload = mica_view_make(v.data + h->hlen, v.len - h->hlen);
	h->err = TCP_OK;
	return MICA_OK;
}

/* Options in a fixed, aligned layout; returns their length (multiple of 4). */
static size_t encode_options(uint8_t *o, const struct tcp_hdr *h)
{
	size_t n = 0;
	if (h->has_mss) {
		o[n] = OPT_MSS, o[n + 1] = 4;
		put16(o + n + 2, h->mss);
		n += 4;
	}
	if (h->sack_ok && h->has_ts) {
		o[n] = OPT_SACK_OK, o[n + 1] = 2, o[n + 2] = OPT_TS, o[n + 3] = 10;
		put32(o + n + 4, h->tsval);
		put32(o + n + 8, h->tsecr);
		n += 12;
	} else if (h->has_ts) {
		o[n] = OPT_NOP, o[n + 1] = OPT_NOP, o[n + 2] = OPT_TS, o[n + 3] = 10;
		put32(o + n + 4, h->tsval);
		put32(o + n + 8, h->tsecr);
		n += 12;
	} else if (h->sack_ok) {
		o[n] = OPT_NOP, o[n + 1] = OPT_NOP, o[n + 2] = OPT_SACK_OK, o[n + 3] = 2;
		n += 4;
	}
	if (h->has_ws) {
		o[n] = OPT_NOP, o[n + 1] = OPT_WS, o[n + 2] = 3, o[n + 3] = h->ws;
		n += 4;
	}
	if (h->nsack) {
		o[n] = OPT_NOP, o[n + 1] = OPT_NOP, o[n + 2] = OPT_SACK,
		o[n + 3] = (uint8_t)(2 + 8 * h->nsack);
		n += 4;
		for (int i = 0; i < h->nsack; i++, n += 8) {
			put32(o + n, h->sack[i].l);
			put32(o + n + 4, h->sack[i].r);
		}
	}
	return n;
}

int tcp_encode(struct mica_buf *b, uint32_t src, uint32_t dst, const struct tcp_hdr *h)
{
	uint8_t opts[40];
	struct tcp_hdr hh = *h;
	/* 40 option bytes at most: fewer SACK blocks when timestamps are on. */
	size_t fixed = (hh.has_mss ? 4 : 0) + (hh.has_ts || hh.sack_ok ? 12 : 0) + (hh.has_ws ? 4 : 0);
	while (hh.nsack && fixed + 4 + 8u * hh.nsack > 40)
		hh.nsack--;
	size_t olen = encode_options(opts, &hh);
	size_t hlen = TCP_HLEN + olen;
	if (mica_buf_frame_len(b) + hlen > 0xffff)
		return MICA_EMSGSIZE;
	uint8_t *p = mica_buf_push(b, hlen);
	if (!p)
		return MICA_ENOSPC;
	put16(p, h->sport);
	put16(p + 2, h->dport);
	put32(p + 4, h->seq);
	put32(p + 8, h->ack);
	p[12] = (uint8_t)((hlen / 4) << 4);
	p[13] = h->flags;
	put16(p + 14, h->wnd);
	p[16] = p[17] = 0;
	put16(p + 18, h->urg);
	memcpy(p + TCP_HLEN, opts, olen);
	uint16_t len = (uint16_t)mica_buf_frame_len(b);
	uint32_t pseudo = net_csum_pseudo(src, dst, IPV4_PROTO_TCP, len);
	if (b->csum == MICA_CSUM_PARTIAL) { /* the device sums the rest */
		put16(p + 16, (uint16_t)~net_csum_fold(pseudo));
		return MICA_OK;
	}
	uint32_t sum = net_csum_add(pseudo, p, b->len);
	if (b->ext_len) /* the data area is of even length, so the words line up (tcp_ring_frame) */
		sum = net_csum_add(sum, b->ext, b->ext_len);
	put16(p + 16, net_csum_fold(sum));
	return MICA_OK;
}
