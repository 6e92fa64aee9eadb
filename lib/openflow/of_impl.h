/* of_impl.h - private helpers shared by the files of lib/openflow:
 * big-endian loads and stores on checked pointers, the output buffer's
 * reservation, and the decoders of matches and actions.
 *
 * Files: frame.c (framing, header, versions, names), match.c (OXM and 1.0
 * matches, keys from frames), action.c (actions and 1.3 instructions),
 * decode.c (of_decode), encode.c (message encoders), multipart.c
 * (multipart / stats messages). */
#ifndef MICA_OPENFLOW_IMPL_H
#define MICA_OPENFLOW_IMPL_H

#include <mica/openflow.h>
#include <mica/err.h>
#include <mica/libc.h>

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}
static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) << 32 | rd32(p + 4);
}
static inline void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}
static inline void wr32(uint8_t *p, uint32_t v)
{
	wr16(p, (uint16_t)(v >> 16));
	wr16(p + 2, (uint16_t)v);
}
static inline void wr64(uint8_t *p, uint64_t v)
{
	wr32(p, (uint32_t)(v >> 32));
	wr32(p + 4, (uint32_t)v);
}

/* A decode failure: sets the error to answer with, returns MICA_EBADMSG. */
static inline int of_fail(struct of_msg *m, uint16_t type, uint16_t code)
{
	m->err_type = type;
	m->err_code = code;
	return MICA_EBADMSG;
}

/* Reserve n zeroed bytes at the end of o; NULL when they do not fit or
 * the message would pass 64 KiB (msg_start: where the message began). */
uint8_t *of_reserve(struct of_out *o, size_t n, size_t msg_start);
/* Start a message: writes the header (length fixed by of_finish). */
uint8_t *of_begin(struct of_out *o, uint8_t version, uint8_t type, uint32_t xid, size_t body, size_t *start);
/* Write the final length into the header of the message at start. */
void of_finish(struct of_out *o, size_t start);
/* Wire message type of a type (1.3 numbering) for version, and back. */
uint8_t of_type_to_wire(uint8_t version, uint8_t type);
int of_type_from_wire(uint8_t version, uint8_t wire);
/* 1.0's 16-bit ports to 1.3's 32-bit ones and back. */
uint32_t of_port_from10(uint16_t p);
uint16_t of_port_to10(uint32_t p);

/* match.c */
#define OF_MATCH10_LEN 40
/* Decode a 1.3 ofp_match at p (avail bytes); *used = its padded length. */
int of_match13_decode(const uint8_t *p, size_t avail, struct of_match *mt, size_t *used, struct of_msg *m);
/* Encoded length of a 1.3 ofp_match (padded to 8), and the encoder. */
size_t of_match13_len(const struct of_match *mt);
void of_match13_encode(uint8_t *p, const struct of_match *mt);
int of_match10_decode(const uint8_t *p, struct of_match *mt, struct of_msg *m);
void of_match10_encode(uint8_t *p, const struct of_match *mt);
/* One OXM TLV for a set-field action: decode into act. */
int of_oxm_set_field(const uint8_t *p, size_t len, struct of_action *act, struct of_msg *m);
size_t of_set_field_len(const struct of_action *a);
void of_set_field_encode(uint8_t *p, const struct of_action *a);

/* action.c */
int of_actions13_decode(const uint8_t *p, size_t len, struct of_actions *acts, struct of_msg *m);
int of_actions10_decode(const uint8_t *p, size_t len, struct of_actions *acts, struct of_msg *m);
int of_instructions_decode(const uint8_t *p, size_t len, struct of_actions *acts, struct of_msg *m);
size_t of_actions_len(uint8_t version, const struct of_actions *acts);
void of_actions_encode(uint8_t version, uint8_t *p, const struct of_actions *acts);
/* Apply-actions instruction around the actions (0 bytes when none). */
size_t of_instructions_len(const struct of_actions *acts);
void of_instructions_encode(uint8_t *p, const struct of_actions *acts);

/* encode.c: a port description (48 bytes in 1.0, 64 in 1.3). */
void of_port_encode(uint8_t *p, uint8_t version, const struct of_port *pt);

/* multipart.c */
int of_mp_decode(const uint8_t *p, size_t len, struct of_msg *m, bool request);

#endif
