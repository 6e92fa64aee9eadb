/* frame.c - OpenFlow framing: message lengths in a byte stream, headers,
 * the output buffer, message type and port numbering between 1.0 and 1.3,
 * version negotiation and type names. */
#include "of_impl.h"

int of_frame_len(struct mica_view v, size_t *len)
{
	if (v.len < OF_HEADER_LEN)
		return MICA_EAGAIN;
	uint16_t l = rd16(v.data + 2);
	if (l < OF_HEADER_LEN)
		return MICA_EBADMSG;
	*len = l;
	return MICA_OK;
}

uint8_t *of_reserve(struct of_out *o, size_t n, size_t msg_start)
{
	if (n > o->cap - o->len || o->len + n - msg_start > OF_MAX_LEN)
		return NULL;
	uint8_t *p = o->data + o->len;
	memset(p, 0, n);
	o->len += n;
	return p;
}

uint8_t *of_begin(struct of_out *o, uint8_t version, uint8_t type, uint32_t xid, size_t body, size_t *start)
{
	*start = o->len;
	uint8_t *p = of_reserve(o, OF_HEADER_LEN + body, o->len);
	if (!p)
		return NULL;
	p[0] = version;
	p[1] = of_type_to_wire(version, type);
	wr32(p + 4, xid);
	wr16(p + 2, (uint16_t)(OF_HEADER_LEN + body));
	return p;
}

void of_finish(struct of_out *o, size_t start)
{
	wr16(o->data + start + 2, (uint16_t)(o->len - start));
}

/* 1.0 numbers PORT_MOD, STATS_* and BARRIER_* two below 1.3 (no GROUP_MOD,
 * TABLE_MOD before them). */
uint8_t of_type_to_wire(uint8_t version, uint8_t type)
{
	if (version == OF_VERSION_10 && type >= OFPT_PORT_MOD && type <= 23)
		return (uint8_t)(type - 1 - (type >= OFPT_MULTIPART_REQUEST));
	return type;
}

int of_type_from_wire(uint8_t version, uint8_t wire)
{
	if (version != OF_VERSION_10)
		return wire < OFPT_MAX ? wire : MICA_EINVAL;
	if (wire <= OFPT_FLOW_MOD)
		return wire;
	if (wire == 15)
		return OFPT_PORT_MOD;
	if (wire <= 21)
		return wire + 2;
	return MICA_EINVAL;
}

uint32_t of_port_from10(uint16_t p)
{
	return p >= 0xff00 ? 0xffff0000u | p : p;
}

uint16_t of_port_to10(uint32_t p)
{
	return (uint16_t)(p >= OFPP_MAX ? (p & 0xffff) : p);
}

uint8_t of_pick_version(uint32_t ours, uint32_t theirs)
{
	uint32_t both = ours & theirs;
	for (int v = 31; v > 0; v--)
		if (both & (1u << v))
			return (uint8_t)v;
	return 0;
}

const char *of_type_name(uint8_t type)
{
	static const char *const names[] = {
	    "HELLO",
	    "ERROR",
	    "ECHO_REQUEST",
	    "ECHO_REPLY",
	    "EXPERIMENTER",
	    "FEATURES_REQUEST",
	    "FEATURES_REPLY",
	    "GET_CONFIG_REQUEST",
	    "GET_CONFIG_REPLY",
	    "SET_CONFIG",
	    "PACKET_IN",
	    "FLOW_REMOVED",
	    "PORT_STATUS",
	    "PACKET_OUT",
	    "FLOW_MOD",
	    "GROUP_MOD",
	    "PORT_MOD",
	    "TABLE_MOD",
	    "MULTIPART_REQUEST",
	    "MULTIPART_REPLY",
	    "BARRIER_REQUEST",
	    "BARRIER_REPLY",
	};
	return type < sizeof(names) / sizeof(names[0]) ? names[type] : "UNKNOWN";
}
