/* encode.c - the message encoders of include/mica/openflow.h (except
 * multipart, in multipart.c). Each appends one whole message to a struct
 * of_out or, when it does not fit, leaves it unchanged and returns
 * MICA_ENOSPC. */
#include "of_impl.h"

int of_encode_empty(struct of_out *o, uint8_t version, uint8_t type, uint32_t xid)
{
	size_t start;
	return of_begin(o, version, type, xid, 0, &start) ? MICA_OK : MICA_ENOSPC;
}

int of_encode_hello(struct of_out *o, uint8_t version, uint32_t xid, uint32_t bitmap)
{
	size_t start;
	uint8_t *p = of_begin(o, version, OFPT_HELLO, xid, 8, &start);
	if (!p)
		return MICA_ENOSPC;
	wr16(p + 8, 1); /* OFPHET_VERSIONBITMAP */
	wr16(p + 10, 8);
	wr32(p + 12, bitmap);
	return MICA_OK;
}

int of_encode_error(struct of_out *o, uint8_t version, uint32_t xid, uint16_t type, uint16_t code,
                    struct mica_view offending)
{
	if (version == OF_VERSION_10) {
		/* 1.0 has no instruction or match errors, and other flow-mod codes */
		if (type == OFPET_BAD_INSTRUCTION || type == OFPET_BAD_MATCH)
			type = OFPET_BAD_REQUEST, code = OFPBRC_BAD_LEN;
		else if (type == OFPET_FLOW_MOD_FAILED)
			type = 3, code = code == OFPFMFC_BAD_COMMAND ? 4 : 0;
	}
	size_t n = offending.len < 64 ? offending.len : 64; /* at least 64 bytes, as the spec asks */
	size_t start;
	uint8_t *p = of_begin(o, version, OFPT_ERROR, xid, 4 + n, &start);
	if (!p)
		return MICA_ENOSPC;
	wr16(p + 8, type);
	wr16(p + 10, code);
	if (n)
		memcpy(p + 12, offending.data, n);
	return MICA_OK;
}

int of_encode_echo(struct of_out *o, uint8_t version, uint8_t type, uint32_t xid, struct mica_view data)
{
	size_t start;
	uint8_t *p = of_begin(o, version, type, xid, data.len, &start);
	if (!p)
		return MICA_ENOSPC;
	if (data.len)
		memcpy(p + 8, data.data, data.len);
	return MICA_OK;
}

void of_port_encode(uint8_t *p, uint8_t version, const struct of_port *pt)
{
	if (version == OF_VERSION_10) {
		wr16(p, of_port_to10(pt->port_no));
		memcpy(p + 2, pt->hw_addr, 6);
		memcpy(p + 8, pt->name, 16);
		p += 24;
	} else {
		wr32(p, pt->port_no);
		memcpy(p + 8, pt->hw_addr, 6);
		memcpy(p + 16, pt->name, 16);
		p += 32;
	}
	wr32(p, pt->config), wr32(p + 4, pt->state), wr32(p + 8, pt->curr);
	wr32(p + 12, pt->advertised), wr32(p + 16, pt->supported), wr32(p + 20, pt->peer);
	if (version != OF_VERSION_10)
		wr32(p + 24, pt->curr_speed), wr32(p + 28, pt->max_speed);
}

int of_encode_features_reply(struct of_out *o, uint8_t version, uint32_t xid, uint64_t dpid,
                             uint32_t n_buffers, uint8_t n_tables, uint32_t capabilities,
                             const struct of_port *ports, unsigned nports)
{
	bool v10 = version == OF_VERSION_10;
	size_t start;
	uint8_t *p = of_begin(o, version, OFPT_FEATURES_REPLY, xid, 24 + (v10 ? 48u * nports : 0), &start);
	if (!p)
		return MICA_ENOSPC;
	wr64(p + 8, dpid);
	wr32(p + 16, n_buffers);
	p[20] = n_tables;
	wr32(p + 24, capabilities);
	if (v10) {
		/* actions: output, set/strip VLAN, set dl src/dst */
		wr32(p + 28, 1u << 0 | 1u << 1 | 1u << 2 | 1u << 3 | 1u << 4 | 1u << 5);
		for (unsigned i = 0; i < nports; i++)
			of_port_encode(p + 32 + 48 * i, version, &ports[i]);
	}
	return MICA_OK;
}

int of_encode_config(struct of_out *o, uint8_t version, uint8_t type, uint32_t xid, uint16_t flags,
                     uint16_t miss_send_len)
{
	size_t start;
	uint8_t *p = of_begin(o, version, type, xid, 4, &start);
	if (!p)
		return MICA_ENOSPC;
	wr16(p + 8, flags);
	wr16(p + 10, miss_send_len);
	return MICA_OK;
}

int of_encode_packet_in(struct of_out *o, uint8_t version, uint32_t xid, uint32_t buffer_id,
                        uint16_t total_len, uint8_t reason, uint8_t table_id, uint64_t cookie,
                        uint32_t in_port, struct mica_view data)
{
	size_t start;
	if (version == OF_VERSION_10) {
		uint8_t *p = of_begin(o, version, OFPT_PACKET_IN, xid, 10 + data.len, &start);
		if (!p)
			return MICA_ENOSPC;
		wr32(p + 8, buffer_id), wr16(p + 12, total_len), wr16(p + 14, of_port_to10(in_port));
		p[16] = reason;
		memcpy(p + 18, data.data, data.len);
		return MICA_OK;
	}
	struct of_match mt;
	of_match_all(&mt);
	mt.key.in_port = in_port, mt.mask.in_port = 0xffffffffu;
	size_t mlen = of_match13_len(&mt);
	uint8_t *p = of_begin(o, version, OFPT_PACKET_IN, xid, 16 + mlen + 2 + data.len, &start);
	if (!p)
		return MICA_ENOSPC;
	wr32(p + 8, buffer_id), wr16(p + 12, total_len);
	p[14] = reason, p[15] = table_id;
	wr64(p + 16, cookie);
	of_match13_encode(p + 24, &mt);
	memcpy(p + 24 + mlen + 2, data.data, data.len);
	return MICA_OK;
}

int of_encode_packet_out(struct of_out *o, uint8_t version, uint32_t xid, uint32_t buffer_id,
                         uint32_t in_port, const struct of_actions *acts, struct mica_view data)
{
	bool v10 = version == OF_VERSION_10;
	size_t alen = of_actions_len(version, acts), fixed = v10 ? 8 : 16, start;
	uint8_t *p = of_begin(o, version, OFPT_PACKET_OUT, xid, fixed + alen + data.len, &start);
	if (!p)
		return MICA_ENOSPC;
	wr32(p + 8, buffer_id);
	if (v10)
		wr16(p + 12, of_port_to10(in_port)), wr16(p + 14, (uint16_t)alen);
	else
		wr32(p + 12, in_port), wr16(p + 16, (uint16_t)alen);
	of_actions_encode(version, p + 8 + fixed, acts);
	if (data.len)
		memcpy(p + 8 + fixed + alen, data.data, data.len);
	return MICA_OK;
}

int of_encode_flow_mod(struct of_out *o, uint8_t version, uint32_t xid, const struct of_flow_mod *fm)
{
	size_t start;
	if (version == OF_VERSION_10) {
		size_t alen = of_actions_len(version, &fm->actions);
		uint8_t *p = of_begin(o, version, OFPT_FLOW_MOD, xid, 64 + alen, &start);
		if (!p)
			return MICA_ENOSPC;
		of_match10_encode(p + 8, &fm->match);
		wr64(p + 48, fm->cookie);
		wr16(p + 56, fm->command);
		wr16(p + 58, fm->idle_timeout), wr16(p + 60, fm->hard_timeout), wr16(p + 62, fm->priority);
		wr32(p + 64, fm->buffer_id), wr16(p + 68, of_port_to10(fm->out_port)),
		    wr16(p + 70, fm->flags);
		of_actions_encode(version, p + 72, &fm->actions);
		return MICA_OK;
	}
	size_t mlen = of_match13_len(&fm->match), ilen = of_instructions_len(&fm->actions);
	uint8_t *p = of_begin(o, version, OFPT_FLOW_MOD, xid, 40 + mlen + ilen, &start);
	if (!p)
		return MICA_ENOSPC;
	wr64(p + 8, fm->cookie), wr64(p + 16, fm->cookie_mask);
	p[24] = fm->table_id, p[25] = fm->command;
	wr16(p + 26, fm->idle_timeout), wr16(p + 28, fm->hard_timeout), wr16(p + 30, fm->priority);
	wr32(p + 32, fm->buffer_id), wr32(p + 36, fm->out_port), wr32(p + 40, fm->out_group);
	wr16(p + 44, fm->flags);
	of_match13_encode(p + 48, &fm->match);
	of_instructions_encode(p + 48 + mlen, &fm->actions);
	return MICA_OK;
}

int of_encode_flow_removed(struct of_out *o, uint8_t version, uint32_t xid, const struct of_flow_stats *fs,
                           uint8_t reason)
{
	size_t start;
	if (version == OF_VERSION_10) {
		uint8_t *p = of_begin(o, version, OFPT_FLOW_REMOVED, xid, 80, &start);
		if (!p)
			return MICA_ENOSPC;
		of_match10_encode(p + 8, fs->match);
		p += 48;
		wr64(p, fs->cookie), wr16(p + 8, fs->priority), p[10] = reason;
		wr32(p + 12, fs->duration_sec), wr32(p + 16, fs->duration_nsec),
		    wr16(p + 20, fs->idle_timeout);
		wr64(p + 24, fs->packet_count), wr64(p + 32, fs->byte_count);
		return MICA_OK;
	}
	size_t mlen = of_match13_len(fs->match);
	uint8_t *p = of_begin(o, version, OFPT_FLOW_REMOVED, xid, 40 + mlen, &start);
	if (!p)
		return MICA_ENOSPC;
	uint8_t *b = p + 8;
	wr64(b, fs->cookie), wr16(b + 8, fs->priority), b[10] = reason, b[11] = fs->table_id;
	wr32(b + 12, fs->duration_sec), wr32(b + 16, fs->duration_nsec);
	wr16(b + 20, fs->idle_timeout), wr16(b + 22, fs->hard_timeout);
	wr64(b + 24, fs->packet_count), wr64(b + 32, fs->byte_count);
	of_match13_encode(b + 40, fs->match);
	return MICA_OK;
}

int of_encode_port_status(struct of_out *o, uint8_t version, uint32_t xid, uint8_t reason,
                          const struct of_port *pt)
{
	size_t start;
	uint8_t *p = of_begin(o, version, OFPT_PORT_STATUS, xid, version == OF_VERSION_10 ? 56 : 72, &start);
	if (!p)
		return MICA_ENOSPC;
	p[8] = reason;
	of_port_encode(p + 16, version, pt);
	return MICA_OK;
}
