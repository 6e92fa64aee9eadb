/* rdata.h - private to zonec: the RR type table (rrtypes.c) and the
 * parsers of RDATA fields in presentation form (rdata.c, rdata_more.c,
 * codec.c). A type is a list of field kinds; the same list says how its
 * RFC 3597 "\#" form must look on the wire. */
#ifndef ZONEC_RDATA_H
#define ZONEC_RDATA_H

#include "zonec.h"

/* Field kinds of RDATA in presentation form. */
enum zkind {
	ZK_END = 0,
	ZK_NAME, /* domain name */
	ZK_U8,   /* decimal, cut to the width (as NSD's strtol + cast) */
	ZK_U16,
	ZK_U32,
	ZK_SERIAL,    /* SOA serial: decimal only */
	ZK_PERIOD,    /* TTL-style, units allowed (1h30m) */
	ZK_TIME,      /* RRSIG time: YYYYMMDDHHmmSS */
	ZK_TYPE,      /* an RR type mnemonic or TYPEnnn */
	ZK_ALG,       /* DNSSEC algorithm: number or mnemonic */
	ZK_CERT,      /* CERT type: number or mnemonic */
	ZK_A,         /* IPv4 address */
	ZK_AAAA,      /* IPv6 address */
	ZK_STR,       /* one <character-string> */
	ZK_STR_OPT,   /* an optional one (ISDN subaddress) */
	ZK_STRS,      /* one or more, to the end (TXT) */
	ZK_LONGSTR,   /* one string without length byte, to the end (CAA value, URI) */
	ZK_TAG,       /* CAA tag: letters and digits, with a length byte */
	ZK_HEX,       /* hex to the end, at least one digit pair */
	ZK_B64,       /* base64 to the end */
	ZK_B64_OPT,   /* optional base64 to the end (IPSECKEY public key) */
	ZK_SALT,      /* hex with a length byte, "-" for none */
	ZK_B32,       /* base32hex with a length byte (NSEC3 next owner) */
	ZK_BITMAP,    /* NSEC/NSEC3/CSYNC type bitmap, may be empty */
	ZK_NXT,       /* NXT bitmap of types below 128 */
	ZK_LOC,       /* RFC 1876 location */
	ZK_APL,       /* RFC 3123 address prefix list, may be empty */
	ZK_WKS,       /* protocol and services */
	ZK_GATEWAY,   /* IPSECKEY gateway, form given by the gateway type */
	ZK_SVCPARAMS, /* SVCB/HTTPS SvcParams (RFC 9460) */
	ZK_NSAP,      /* 0x followed by hex */
	ZK_EUI48,     /* xx-xx-xx-xx-xx-xx */
	ZK_EUI64,
	ZK_ILNP64, /* xxxx:xxxx:xxxx:xxxx */
	ZK_NULL,   /* only the \# form is accepted */
};

#define ZRR_MAX_FIELDS 9

struct rrtype {
	const char *name;
	uint16_t type;
	uint8_t kinds[ZRR_MAX_FIELDS];
};

/* The descriptor of a type NSD knows by name, or NULL. */
const struct rrtype *rrtype_by_type(uint16_t type);
const struct rrtype *rrtype_by_name(const char *name);
/* A type from text: a known mnemonic or TYPEnnn (1..65535); -1 if neither. */
int rrtype_from_text(const char *s, size_t n);
/* "A", "TYPE65280", ...: into buf, returns buf. */
const char *rrtype_name(uint16_t type, char *buf, size_t size);
/* Does RDATA of a known type, given in \# form, have the type's wire
 * layout (names, fixed sizes, length bytes, nothing left over)? */
bool rrtype_wire_ok(const struct rrtype *t, const uint8_t *p, size_t n);
/* RDATA in canonical form (RFC 4034 6.2): names lower case, in place. */
void rrtype_canonical(uint16_t type, uint8_t *p, size_t n);

/* RDATA being built. */
struct rd {
	uint8_t buf[65535];
	size_t n;
	bool overflow;
};

struct tok {
	const char *s;
	size_t n;
	bool quoted;
	int line;
};

/* The fields of one record being parsed. */
struct ctx {
	struct zfile *zf;
	const char *path;
	const uint8_t *origin;
	struct tok *t; /* rdata tokens */
	int n, i;
	int line;
	bool bad;
	uint16_t type;
};

void rd_put(struct rd *r, const void *p, size_t n);
void rd_u8(struct rd *r, unsigned v);
void rd_u16(struct rd *r, unsigned v);
void rd_u32(struct rd *r, uint32_t v);

/* Report an error on the current field (once per record). */
void cerr(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Report a warning (does not fail the zone). */
void cwarn(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The next field, or NULL after reporting it missing. */
struct tok *field(struct ctx *c, const char *what);
char *tokstr(const struct tok *t, char *buf, size_t size);
/* Unescape \X and \DDD; the length, -1 on a bad escape, -2 past cap. */
int unescape(const char *s, size_t n, uint8_t *out, size_t cap);

/* Parse the presentation RDATA of a known type into r. */
void rdata_fields(struct ctx *c, const struct rrtype *t, struct rd *r);
/* The special kinds (rdata_more.c). */
void rd_loc(struct ctx *c, struct rd *r);
void rd_apl(struct ctx *c, struct rd *r);
void rd_wks(struct ctx *c, struct rd *r);
void rd_svcparams(struct ctx *c, struct rd *r);
void rd_bitmap(struct ctx *c, struct rd *r);
void rd_nxt(struct ctx *c, struct rd *r);

/* Decoders (codec.c): bytes written, or -1 on bad input. */
int hex_decode(const char *s, size_t n, uint8_t *out, size_t cap);
int b64_decode(const char *s, size_t n, uint8_t *out, size_t cap);
int b32hex_decode(const char *s, size_t n, uint8_t *out, size_t cap);
/* Join the remaining tokens of c (unquoted) into buf; their length. */
size_t join_rest(struct ctx *c, char *buf, size_t cap);

#endif
