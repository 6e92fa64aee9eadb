/* multipart.c - multipart (1.3) and stats (1.0) messages: requests decoded
 * with their bodies checked, replies built entry by entry (each entry
 * either fits whole or is refused, so a long reply is split with MORE).
 * Types: DESC, FLOW, AGGREGATE, TABLE, PORT_STATS and (1.3) PORT_DESC. */
#include "of_impl.h"

static size_t mp_hdr(uint8_t version)
{
	return version == OF_VERSION_10 ? 4 : 8;
}

static int decode_flow_request(const uint8_t *b, size_t len, struct of_msg *m)
{
	__typeof__(m->u.multipart) *mp = &m->u.multipart;
	if (m->version == OF_VERSION_10) {
		if (len != 44)
			return of_fail(m, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
		of_match10_decode(b, &mp->match, m);
		mp->table_id = b[40];
		mp->out_port = of_port_from10(rd16(b + 42));
		mp->out_group = OFPG_ANY;
		mp->cookie = mp->cookie_mask = 0;
		return MICA_OK;
	}
	if (len < 32)
		return of_fail(m, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	mp->table_id = b[0];
	mp->out_port = rd32(b + 4), mp->out_group = rd32(b + 8);
	mp->cookie = rd64(b + 16), mp->cookie_mask = rd64(b + 24);
	size_t used;
	int rc = of_match13_decode(b + 32, len - 32, &mp->match, &used, m);
	if (rc)
		return rc;
	return 32 + used == len ? MICA_OK : of_fail(m, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
}

static int decode_request(const uint8_t *b, size_t len, struct of_msg *m)
{
	switch (m->u.multipart.mp_type) {
	case OFPMP_DESC:
	case OFPMP_TABLE: return len ? of_fail(m, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN) : MICA_OK;
	case OFPMP_PORT_DESC:
		if (m->version == OF_VERSION_10)
			return of_fail(m, OFPET_BAD_REQUEST, OFPBRC_BAD_MULTIPART);
		return len ? of_fail(m, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN) : MICA_OK;
	case OFPMP_FLOW:
	case OFPMP_AGGREGATE: return decode_flow_request(b, len, m);
	case OFPMP_PORT_STATS:
		if (len != 8)
			return of_fail(m, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
		m->u.multipart.port_no = m->version == OF_VERSION_10 ? of_port_from10(rd16(b)) : rd32(b);
		return MICA_OK;
	default: return of_fail(m, OFPET_BAD_REQUEST, OFPBRC_BAD_MULTIPART);
	}
}

int of_mp_decode(const uint8_t *p, size_t len, struct of_msg *m, bool request)
{
	size_t h = mp_hdr(m->version);
	m->u.multipart.mp_type = rd16(p);
	m->u.multipart.flags = rd16(p + 2);
	m->u.multipart.body = mica_view_make((void *)(uintptr_t)(p + h), len - h);
	return request ? decode_request(p + h, len - h, m) : MICA_OK;
}

int of_encode_mp_request(struct of_out *o, uint8_t version, uint32_t xid, uint16_t mp_type, uint32_t port_no)
{
	size_t h = mp_hdr(version), body = mp_type == OFPMP_PORT_STATS ? 8 : 0, start;
	uint8_t *p = of_begin(o, version, OFPT_MULTIPART_REQUEST, xid, h + body, &start);
	if (!p)
		return MICA_ENOSPC;
	wr16(p + 8, mp_type);
	if (mp_type == OFPMP_PORT_STATS) {
		if (version == OF_VERSION_10)
			wr16(p + 8 + h, of_port_to10(port_no));
		else
			wr32(p + 8 + h, port_no);
	}
	return MICA_OK;
}

int of_encode_mp_flow_request(struct of_out *o, uint8_t version, uint32_t xid, uint16_t mp_type,
                              uint8_t table_id, uint32_t out_port, const struct of_match *match)
{
	size_t h = mp_hdr(version), start;
	size_t body = version == OF_VERSION_10 ? 44 : 32 + of_match13_len(match);
	uint8_t *p = of_begin(o, version, OFPT_MULTIPART_REQUEST, xid, h + body, &start);
	if (!p)
		return MICA_ENOSPC;
	wr16(p + 8, mp_type);
	uint8_t *b = p + 8 + h;
	if (version == OF_VERSION_10) {
		of_match10_encode(b, match);
		b[40] = table_id;
		wr16(b + 42, of_port_to10(out_port));
	} else {
		b[0] = table_id;
		wr32(b + 4, out_port), wr32(b + 8, OFPG_ANY);
		of_match13_encode(b + 32, match);
	}
	return MICA_OK;
}

int of_mp_reply_begin(struct of_out *o, uint8_t version, uint32_t xid, uint16_t mp_type, size_t *start)
{
	uint8_t *p = of_begin(o, version, OFPT_MULTIPART_REPLY, xid, mp_hdr(version), start);
	if (!p)
		return MICA_ENOSPC;
	wr16(p + 8, mp_type);
	return MICA_OK;
}

void of_mp_reply_end(struct of_out *o, size_t start, uint16_t flags)
{
	wr16(o->data + start + 10, flags);
	of_finish(o, start);
}

static uint8_t mp_version(const struct of_out *o, size_t start)
{
	return o->data[start];
}

static void put_str(uint8_t *p, const char *s, size_t n)
{
	size_t l = strlen(s);
	memcpy(p, s, l < n - 1 ? l : n - 1);
}

int of_mp_add_desc(struct of_out *o, size_t start, const char *mfr, const char *hw, const char *sw,
                   const char *serial, const char *dp)
{
	uint8_t *p = of_reserve(o, 1056, start);
	if (!p)
		return MICA_ENOSPC;
	put_str(p, mfr, 256), put_str(p + 256, hw, 256), put_str(p + 512, sw, 256);
	put_str(p + 768, serial, 32), put_str(p + 800, dp, 256);
	return MICA_OK;
}

int of_mp_add_flow(struct of_out *o, size_t start, const struct of_flow_stats *fs)
{
	uint8_t v = mp_version(o, start);
	if (v == OF_VERSION_10) {
		size_t alen = of_actions_len(v, fs->actions);
		uint8_t *p = of_reserve(o, 88 + alen, start);
		if (!p)
			return MICA_ENOSPC;
		wr16(p, (uint16_t)(88 + alen));
		p[2] = fs->table_id;
		of_match10_encode(p + 4, fs->match);
		wr32(p + 44, fs->duration_sec), wr32(p + 48, fs->duration_nsec);
		wr16(p + 52, fs->priority), wr16(p + 54, fs->idle_timeout), wr16(p + 56, fs->hard_timeout);
		wr64(p + 64, fs->cookie), wr64(p + 72, fs->packet_count), wr64(p + 80, fs->byte_count);
		of_actions_encode(v, p + 88, fs->actions);
		return MICA_OK;
	}
	size_t mlen = of_match13_len(fs->match), ilen = of_instructions_len(fs->actions);
	uint8_t *p = of_reserve(o, 48 + mlen + ilen, start);
	if (!p)
		return MICA_ENOSPC;
	wr16(p, (uint16_t)(48 + mlen + ilen));
	p[2] = fs->table_id;
	wr32(p + 4, fs->duration_sec), wr32(p + 8, fs->duration_nsec);
	wr16(p + 12, fs->priority), wr16(p + 14, fs->idle_timeout), wr16(p + 16, fs->hard_timeout);
	wr16(p + 18, fs->flags);
	wr64(p + 24, fs->cookie), wr64(p + 32, fs->packet_count), wr64(p + 40, fs->byte_count);
	of_match13_encode(p + 48, fs->match);
	of_instructions_encode(p + 48 + mlen, fs->actions);
	return MICA_OK;
}

int of_mp_add_aggregate(struct of_out *o, size_t start, uint64_t packets, uint64_t bytes, uint32_t flows)
{
	uint8_t *p = of_reserve(o, 24, start);
	if (!p)
		return MICA_ENOSPC;
	wr64(p, packets), wr64(p + 8, bytes), wr32(p + 16, flows);
	return MICA_OK;
}

int of_mp_add_table(struct of_out *o, size_t start, uint8_t table_id, uint32_t active, uint64_t lookups,
                    uint64_t matched, uint32_t max_entries)
{
	if (mp_version(o, start) == OF_VERSION_10) {
		uint8_t *p = of_reserve(o, 64, start);
		if (!p)
			return MICA_ENOSPC;
		p[0] = table_id;
		put_str(p + 4, "classifier", 32);
		wr32(p + 36, (1u << 22) - 1); /* every field can be wildcarded */
		wr32(p + 40, max_entries), wr32(p + 44, active);
		wr64(p + 48, lookups), wr64(p + 56, matched);
		return MICA_OK;
	}
	uint8_t *p = of_reserve(o, 24, start);
	if (!p)
		return MICA_ENOSPC;
	p[0] = table_id;
	wr32(p + 4, active), wr64(p + 8, lookups), wr64(p + 16, matched);
	return MICA_OK;
}

int of_mp_add_port_stats(struct of_out *o, size_t start, const struct of_port_stats *ps)
{
	bool v10 = mp_version(o, start) == OF_VERSION_10;
	uint8_t *p = of_reserve(o, v10 ? 104 : 112, start);
	if (!p)
		return MICA_ENOSPC;
	if (v10)
		wr16(p, of_port_to10(ps->port_no));
	else
		wr32(p, ps->port_no);
	const uint64_t c[8] = {ps->rx_packets, ps->tx_packets, ps->rx_bytes,  ps->tx_bytes,
	                       ps->rx_dropped, ps->tx_dropped, ps->rx_errors, ps->tx_errors};
	for (int i = 0; i < 8; i++)
		wr64(p + 8 + 8 * i, c[i]);
	if (!v10)
		wr32(p + 104, ps->duration_sec), wr32(p + 108, ps->duration_nsec);
	return MICA_OK;
}

int of_mp_add_port_desc(struct of_out *o, size_t start, const struct of_port *pt)
{
	uint8_t *p = of_reserve(o, 64, start);
	if (!p)
		return MICA_ENOSPC;
	of_port_encode(p, OF_VERSION_13, pt);
	return MICA_OK;
}
