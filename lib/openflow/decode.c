/* decode.c - of_decode: one whole OpenFlow message (1.0 or 1.3) into
 * struct of_msg. Each message type checks its fixed length first, then its
 * variable parts against what is left; a message of another version, an
 * unknown type or a bad length is answered with the matching ERROR. */
#include "of_impl.h"

/* Fixed body lengths (after the 8-byte header); a message must be at
 * least this long. */
static size_t min_body(uint8_t version, uint8_t type)
{
	bool v10 = version == OF_VERSION_10;
	switch (type) {
	case OFPT_ERROR: return 4;
	case OFPT_FEATURES_REPLY: return 24;
	case OFPT_GET_CONFIG_REPLY:
	case OFPT_SET_CONFIG: return 4;
	case OFPT_PACKET_IN: return v10 ? 10 : 16 + 4; /* 1.3: fixed part + empty match header */
	case OFPT_FLOW_REMOVED: return v10 ? 80 : 40 + 4;
	case OFPT_PORT_STATUS: return v10 ? 56 : 72;
	case OFPT_PACKET_OUT: return v10 ? 8 : 16;
	case OFPT_FLOW_MOD: return v10 ? 64 : 40 + 4;
	case OFPT_MULTIPART_REQUEST:
	case OFPT_MULTIPART_REPLY: return v10 ? 4 : 8;
	default: return 0;
	}
}

static void port_decode(const uint8_t *p, uint8_t version, struct of_port *pt)
{
	memset(pt, 0, sizeof(*pt));
	if (version == OF_VERSION_10) {
		pt->port_no = of_port_from10(rd16(p));
		memcpy(pt->hw_addr, p + 2, 6);
		memcpy(pt->name, p + 8, 16);
		p += 24;
	} else {
		pt->port_no = rd32(p);
		memcpy(pt->hw_addr, p + 8, 6);
		memcpy(pt->name, p + 16, 16);
		p += 32;
	}
	pt->name[15] = '\0';
	pt->config = rd32(p), pt->state = rd32(p + 4), pt->curr = rd32(p + 8);
	pt->advertised = rd32(p + 12), pt->supported = rd32(p + 16), pt->peer = rd32(p + 20);
	if (version != OF_VERSION_10)
		pt->curr_speed = rd32(p + 24), pt->max_speed = rd32(p + 28);
}

static int decode_hello(const uint8_t *b, size_t len, struct of_msg *m)
{
	/* No bitmap: the sender speaks its own version; one newer than ours
	 * is taken to accept ours too (the older side decides, as 1.0 says). */
	unsigned v = m->version > 31 ? 31 : m->version;
	m->u.hello.bitmap = v > OF_VERSION_13 ? (uint32_t)((2ull << v) - 2) : 1u << v;
	for (size_t off = 0; off + 4 <= len;) {
		uint16_t type = rd16(b + off), elen = rd16(b + off + 2);
		if (elen < 4 || elen > len - off)
			return of_fail(m, OFPET_HELLO_FAILED, OFPHFC_INCOMPATIBLE);
		if (type == 1 && elen >= 8)
			m->u.hello.bitmap = rd32(b + off + 4);
		off += (elen + 7u) & ~7u;
	}
	return MICA_OK;
}

static int decode_features(const uint8_t *b, size_t len, struct of_msg *m)
{
	m->u.features.dpid = rd64(b);
	m->u.features.n_buffers = rd32(b + 8);
	m->u.features.n_tables = b[12];
	m->u.features.capabilities = rd32(b + 16);
	m->u.features.nports = 0;
	if (m->version != OF_VERSION_10)
		return MICA_OK;
	if ((len - 24) % 48)
		return of_fail(m, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	for (size_t off = 24; off < len && m->u.features.nports < OF_MAX_PORTS; off += 48)
		port_decode(b + off, m->version, &m->u.features.ports[m->u.features.nports++]);
	return MICA_OK;
}

static int decode_packet_in(const uint8_t *b, size_t len, struct of_msg *m)
{
	m->u.packet_in.buffer_id = rd32(b);
	m->u.packet_in.total_len = rd16(b + 4);
	size_t off;
	if (m->version == OF_VERSION_10) {
		m->u.packet_in.in_port = of_port_from10(rd16(b + 6));
		m->u.packet_in.reason = b[8];
		m->u.packet_in.table_id = 0;
		m->u.packet_in.cookie = 0;
		off = 10;
	} else {
		m->u.packet_in.reason = b[6];
		m->u.packet_in.table_id = b[7];
		m->u.packet_in.cookie = rd64(b + 8);
		struct of_match mt;
		size_t used;
		int rc = of_match13_decode(b + 16, len - 16, &mt, &used, m);
		if (rc)
			return rc;
		m->u.packet_in.in_port = mt.key.in_port;
		off = 16 + used + 2; /* 2 bytes of pad after the match */
		if (off > len)
			return of_fail(m, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	}
	m->u.packet_in.data = mica_view_make((void *)(uintptr_t)(b + off), len - off);
	return MICA_OK;
}

static int decode_packet_out(const uint8_t *b, size_t len, struct of_msg *m)
{
	bool v10 = m->version == OF_VERSION_10;
	m->u.packet_out.buffer_id = rd32(b);
	m->u.packet_out.in_port = v10 ? of_port_from10(rd16(b + 4)) : rd32(b + 4);
	size_t alen = v10 ? rd16(b + 6) : rd16(b + 8), off = v10 ? 8 : 16;
	if (alen > len - off)
		return of_fail(m, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	m->u.packet_out.actions.n = 0;
	int rc = v10 ? of_actions10_decode(b + off, alen, &m->u.packet_out.actions, m)
	             : of_actions13_decode(b + off, alen, &m->u.packet_out.actions, m);
	if (rc)
		return rc;
	off += alen;
	m->u.packet_out.data = mica_view_make((void *)(uintptr_t)(b + off), len - off);
	if (m->u.packet_out.buffer_id != OF_NO_BUFFER && len > off)
		return of_fail(m, OFPET_BAD_REQUEST, OFPBRC_BAD_PACKET);
	return MICA_OK;
}

static int decode_flow_mod13(const uint8_t *b, size_t len, struct of_flow_mod *fm, struct of_msg *m)
{
	fm->cookie = rd64(b), fm->cookie_mask = rd64(b + 8);
	fm->table_id = b[16], fm->command = b[17];
	fm->idle_timeout = rd16(b + 18), fm->hard_timeout = rd16(b + 20), fm->priority = rd16(b + 22);
	fm->buffer_id = rd32(b + 24), fm->out_port = rd32(b + 28), fm->out_group = rd32(b + 32);
	fm->flags = rd16(b + 36);
	if (fm->command > OFPFC_DELETE_STRICT)
		return of_fail(m, OFPET_FLOW_MOD_FAILED, OFPFMFC_BAD_COMMAND);
	size_t used;
	int rc = of_match13_decode(b + 40, len - 40, &fm->match, &used, m);
	if (rc)
		return rc;
	return of_instructions_decode(b + 40 + used, len - 40 - used, &fm->actions, m);
}

static int decode_flow_mod10(const uint8_t *b, size_t len, struct of_flow_mod *fm, struct of_msg *m)
{
	of_match10_decode(b, &fm->match, m);
	fm->cookie = rd64(b + 40), fm->cookie_mask = 0;
	fm->command = (uint8_t)rd16(b + 48);
	fm->table_id = fm->command >= OFPFC_DELETE ? 0xff : 0; /* 1.0 has one table, unnamed */
	if (rd16(b + 48) > OFPFC_DELETE_STRICT)
		return of_fail(m, OFPET_FLOW_MOD_FAILED, OFPFMFC_BAD_COMMAND);
	fm->idle_timeout = rd16(b + 50), fm->hard_timeout = rd16(b + 52), fm->priority = rd16(b + 54);
	fm->buffer_id = rd32(b + 56), fm->out_port = of_port_from10(rd16(b + 60));
	fm->out_group = OFPG_ANY;
	fm->flags = rd16(b + 62);
	fm->actions.n = 0;
	return of_actions10_decode(b + 64, len - 64, &fm->actions, m);
}

static int decode_flow_removed(const uint8_t *b, size_t len, struct of_msg *m)
{
	__typeof__(m->u.flow_removed) *fr = &m->u.flow_removed;
	if (m->version == OF_VERSION_10) {
		of_match10_decode(b, &fr->match, m);
		b += 40;
		fr->cookie = rd64(b), fr->priority = rd16(b + 8), fr->reason = b[10], fr->table_id = 0;
		fr->duration_sec = rd32(b + 12), fr->duration_nsec = rd32(b + 16);
		fr->idle_timeout = rd16(b + 20), fr->hard_timeout = 0;
		fr->packet_count = rd64(b + 24), fr->byte_count = rd64(b + 32);
		return MICA_OK;
	}
	fr->cookie = rd64(b), fr->priority = rd16(b + 8), fr->reason = b[10], fr->table_id = b[11];
	fr->duration_sec = rd32(b + 12), fr->duration_nsec = rd32(b + 16);
	fr->idle_timeout = rd16(b + 20), fr->hard_timeout = rd16(b + 22);
	fr->packet_count = rd64(b + 24), fr->byte_count = rd64(b + 32);
	size_t used;
	return of_match13_decode(b + 40, len - 40, &fr->match, &used, m);
}

static int decode_body(const uint8_t *b, size_t len, struct of_msg *m)
{
	switch (m->type) {
	case OFPT_HELLO: return decode_hello(b, len, m);
	case OFPT_ERROR:
		m->u.error.type = rd16(b), m->u.error.code = rd16(b + 2);
		m->u.error.data = mica_view_make((void *)(uintptr_t)(b + 4), len - 4);
		return MICA_OK;
	case OFPT_ECHO_REQUEST:
	case OFPT_ECHO_REPLY: m->u.echo = mica_view_make((void *)(uintptr_t)b, len); return MICA_OK;
	case OFPT_FEATURES_REQUEST:
	case OFPT_GET_CONFIG_REQUEST:
	case OFPT_BARRIER_REQUEST:
	case OFPT_BARRIER_REPLY: return len ? of_fail(m, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN) : MICA_OK;
	case OFPT_FEATURES_REPLY: return decode_features(b, len, m);
	case OFPT_GET_CONFIG_REPLY:
	case OFPT_SET_CONFIG:
		if (len != 4)
			return of_fail(m, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
		m->u.config.flags = rd16(b), m->u.config.miss_send_len = rd16(b + 2);
		return MICA_OK;
	case OFPT_PACKET_IN: return decode_packet_in(b, len, m);
	case OFPT_PACKET_OUT: return decode_packet_out(b, len, m);
	case OFPT_FLOW_MOD:
		return m->version == OF_VERSION_10 ? decode_flow_mod10(b, len, &m->u.flow_mod, m)
		                                   : decode_flow_mod13(b, len, &m->u.flow_mod, m);
	case OFPT_FLOW_REMOVED: return decode_flow_removed(b, len, m);
	case OFPT_PORT_STATUS:
		if (len != min_body(m->version, OFPT_PORT_STATUS))
			return of_fail(m, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
		m->u.port_status.reason = b[0];
		port_decode(b + 8, m->version, &m->u.port_status.port);
		return MICA_OK;
	case OFPT_MULTIPART_REQUEST:
	case OFPT_MULTIPART_REPLY: return of_mp_decode(b, len, m, m->type == OFPT_MULTIPART_REQUEST);
	default: return of_fail(m, OFPET_BAD_REQUEST, OFPBRC_BAD_TYPE);
	}
}

int of_decode(struct mica_view v, struct of_msg *m)
{
	m->err_type = m->err_code = 0;
	m->version = v.len ? v.data[0] : 0;
	m->type = 0;
	m->xid = v.len >= OF_HEADER_LEN ? rd32(v.data + 4) : 0;
	if (v.len < OF_HEADER_LEN || rd16(v.data + 2) != v.len)
		return of_fail(m, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	int type = of_type_from_wire(m->version, v.data[1]);
	if (type < 0)
		return of_fail(m, OFPET_BAD_REQUEST, OFPBRC_BAD_TYPE);
	m->type = (uint8_t)type;
	if (type == OFPT_HELLO)
		return decode_body(v.data + OF_HEADER_LEN, v.len - OF_HEADER_LEN, m);
	if (m->version != OF_VERSION_10 && m->version != OF_VERSION_13)
		return of_fail(m, OFPET_BAD_REQUEST, OFPBRC_BAD_VERSION);
	size_t len = v.len - OF_HEADER_LEN;
	if (len < min_body(m->version, m->type))
		return of_fail(m, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	return decode_body(v.data + OF_HEADER_LEN, len, m);
}
