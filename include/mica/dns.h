/* dns.h - authoritative DNS: wire codec, compiled zones, the answering engine.
 *
 * Zones are compiled at build time by tools/zonec into constant C data
 * (struct mica_dns_zone below) that is linked into the image. A server
 * (struct mica_dns_server) answers a query held in memory by writing the
 * response into a caller's buffer; the UDP and TCP front ends of apps/dns
 * share it. Two paths produce the same bytes:
 *   - the engine (lib/dns/answer.c) computes the answer at run time, as
 *     RFC 1034 4.3.2, RFC 2308 and RFC 4592 describe (NSD's choices where
 *     the RFCs leave one);
 *   - the memo path (lib/dns/memo.c) serves answers zonec precomputed with
 *     the same engine: a hash lookup, one copy, and patching of the ID,
 *     flags and (for wildcard, referral and NXDOMAIN answers) compression
 *     pointers. Build key NOMEMO=1 leaves the memo out.
 * Everything here is freestanding C (lib/dns builds for guests too). */
#ifndef MICA_DNS_H
#define MICA_DNS_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "view.h"

/* ---- Protocol constants ---- */
#define MICA_DNS_HDR_LEN 12
#define MICA_DNS_NAME_MAX 255 /* wire length, root label included */
#define MICA_DNS_LABEL_MAX 63
#define MICA_DNS_UDP_PLAIN 512 /* UDP limit without EDNS */
#define MICA_DNS_UDP_EDNS 1232 /* our EDNS UDP size (as NSD's default) */
#define MICA_DNS_TCP_MAX 65535

enum mica_dns_type {
	MICA_DNS_A = 1,
	MICA_DNS_NS = 2,
	MICA_DNS_CNAME = 5,
	MICA_DNS_SOA = 6,
	MICA_DNS_MB = 7,
	MICA_DNS_MG = 8,
	MICA_DNS_MR = 9,
	MICA_DNS_PTR = 12,
	MICA_DNS_MINFO = 14,
	MICA_DNS_MX = 15,
	MICA_DNS_TXT = 16,
	MICA_DNS_X25 = 19,
	MICA_DNS_ISDN = 20,
	MICA_DNS_RT = 21,
	MICA_DNS_AAAA = 28,
	MICA_DNS_SRV = 33,
	MICA_DNS_KX = 36,
	MICA_DNS_DNAME = 39,
	MICA_DNS_OPT = 41,
	MICA_DNS_DS = 43,
	MICA_DNS_RRSIG = 46,
	MICA_DNS_NSEC = 47,
	MICA_DNS_DNSKEY = 48,
	MICA_DNS_NSEC3 = 50,
	MICA_DNS_NSEC3PARAM = 51,
	MICA_DNS_ZONEMD = 63,
	MICA_DNS_CAA = 257,
	MICA_DNS_IXFR = 251,
	MICA_DNS_AXFR = 252,
	MICA_DNS_MAILB = 253,
	MICA_DNS_MAILA = 254,
	MICA_DNS_ANY = 255,
};
enum { MICA_DNS_CLASS_IN = 1, MICA_DNS_CLASS_CH = 3, MICA_DNS_CLASS_ANY = 255 };
enum mica_dns_rcode {
	MICA_DNS_NOERROR = 0,
	MICA_DNS_FORMERR = 1,
	MICA_DNS_SERVFAIL = 2,
	MICA_DNS_NXDOMAIN = 3,
	MICA_DNS_NOTIMP = 4,
	MICA_DNS_REFUSED = 5,
	MICA_DNS_YXDOMAIN = 6,
	MICA_DNS_NOTAUTH = 9,
	MICA_DNS_BADVERS = 16,
};
/* Header flag bits (the 16-bit word after the ID). */
#define MICA_DNS_F_QR 0x8000u
#define MICA_DNS_F_AA 0x0400u
#define MICA_DNS_F_TC 0x0200u
#define MICA_DNS_F_RD 0x0100u
#define MICA_DNS_F_AD 0x0020u
#define MICA_DNS_F_CD 0x0010u
#define MICA_DNS_OPCODE(f) (((f) >> 11) & 0xf)
#define MICA_DNS_EDNS_DO 0x8000u

/* ---- Wire codec (lib/dns/wire.c) ---- */
struct mica_dns_header {
	uint16_t id, flags, qdcount, ancount, nscount, arcount;
};

int mica_dns_header_parse(struct mica_view msg, struct mica_dns_header *h);
void mica_dns_header_write(uint8_t *p, const struct mica_dns_header *h);

/* Read the (possibly compressed) name at *off of msg into out as an
 * uncompressed wire name; *off moves past the name as it sits in the
 * message. Pointers must point backwards (so loops are impossible), labels
 * be <= 63 bytes, the name <= 255 bytes. Returns the name's length or
 * MICA_EBADMSG. */
int mica_dns_name_read(struct mica_view msg, size_t *off, uint8_t out[MICA_DNS_NAME_MAX]);
/* Length of an uncompressed wire name within max bytes, or MICA_EBADMSG. */
int mica_dns_name_len(const uint8_t *name, size_t max);
/* ASCII lower case copy of a wire name of length len. */
void mica_dns_name_lower(uint8_t *dst, const uint8_t *src, size_t len);
/* Case-insensitive equality of two uncompressed wire names. */
bool mica_dns_name_equal(const uint8_t *a, const uint8_t *b);
/* Hash of a lower-case wire name (zonec and the server must agree). */
uint32_t mica_dns_name_hash(const uint8_t *lname, size_t len);
/* Canonical order (RFC 4034 6.1) of two lower-case wire names: <0, 0, >0. */
int mica_dns_name_canon_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);
/* Number of labels (the root not counted). */
int mica_dns_name_labels(const uint8_t *name);
/* Presentation form ("www.example.com.") into buf; returns buf. */
char *mica_dns_name_str(const uint8_t *name, char *buf, size_t size);

/* A parsed query: header, the single question, the EDNS OPT record. */
struct mica_dns_query {
	struct mica_dns_header hdr;
	uint8_t qname[MICA_DNS_NAME_MAX]; /* as received (case kept) */
	uint8_t lname[MICA_DNS_NAME_MAX]; /* lower case */
	uint8_t qname_len;                /* bytes, root label included */
	uint16_t qtype, qclass;
	size_t question_end; /* offset just past the question */
	bool edns;           /* an OPT record was present */
	bool edns_badvers;   /* its version was not 0 */
	bool edns_do;        /* DNSSEC OK bit */
	uint16_t edns_size;  /* advertised UDP payload size */
};

/* ---- Compiled zones (emitted by tools/zonec; read-only) ---- */
#define MICA_DNS_NONE 0xffffffffu
/* Memo entry type of "NXDOMAIN for names below this node" (65535 is a
 * reserved type; queries for it are answered by the engine). */
#define MICA_DNS_MEMO_NX 65535

/* RRs of one RRset lie back to back in zone->rdata at `data`, each as
 * TTL (4 bytes), RDLENGTH (2) and RDATA with names uncompressed. The
 * RRSIGs of a name form one RRset per covered type (type RRSIG, after the
 * name's other RRsets); `sigs` is the one covering this RRset, or NONE. */
struct mica_dns_rrset {
	uint16_t type;
	uint16_t count;
	uint32_t data;
	uint32_t sigs;
};

/* An NSEC3 record of the zone's chain (RFC 5155): its owner (the hash in
 * base32hex, then the apex) is not a name of the tree; the chain is in
 * hash order. `rrset` is its NSEC3 RRset (whose `sigs` are its RRSIGs). */
struct mica_dns_nsec3 {
	uint32_t name, lname; /* offsets in zone->names */
	uint32_t rrset;
	uint8_t name_len;
};

/* A name of the zone: owners of RRsets, plus empty non-terminals. */
struct mica_dns_node {
	uint32_t name;    /* offset of the wire name in zone->names */
	uint32_t lname;   /* offset of its lower-case form */
	uint32_t parent;  /* node of the parent name; NONE for the apex */
	uint32_t cut;     /* lowest delegation at or above; NONE if none */
	uint32_t wild;    /* node of "*.<this name>"; NONE if none */
	uint32_t rrsets;  /* first RRset in zone->rrsets */
	uint32_t memo;    /* first memo entry in zone->memo */
	uint16_t nrrsets; /* 0: an empty non-terminal */
	uint16_t nmemo;
	uint8_t name_len;
};

/* A precomputed answer: the bytes after the question (answer, authority
 * and additional sections, no OPT) for a template query whose name was
 * tq_len bytes long. Serving a query whose name is qlen bytes long moves
 * every compression pointer listed in `fix` that points at or after
 * 12 + xlen by (qlen - tq_len) (for wildcards, referrals and NXDOMAIN,
 * where the query name only shares a suffix with the template). */
struct mica_dns_memo {
	uint16_t qtype;      /* 0: every ordinary type not listed */
	uint16_t dnssec;     /* 1: the answer to a query with DO (signed zones) */
	uint16_t flags;      /* AA and RCODE bits of the response */
	uint16_t an, ns, ar; /* section counts */
	uint16_t xlen, tq_len;
	uint16_t nfix;
	uint32_t data, len; /* in zone->memo_data */
	uint32_t fix;       /* first entry in zone->memo_fix */
};

struct mica_dns_zone {
	const uint8_t *names; /* wire names, original and lower case */
	const uint8_t *rdata;
	const struct mica_dns_node *nodes;
	const struct mica_dns_rrset *rrsets;
	const uint32_t *hash; /* open addressing: node + 1, 0 empty */
	uint32_t nnodes, nrrsets, hash_mask;
	uint32_t apex;    /* node of the apex (0) */
	uint32_t soa;     /* apex SOA RRset */
	uint32_t ns;      /* apex NS RRset or NONE */
	uint32_t neg_ttl; /* min(SOA TTL, SOA MINIMUM), RFC 2308 */
	/* DNSSEC (pre-signed zones): signed = the apex has RRSIGs (then DO
	 * answers carry RRSIGs and denial proofs); nsec3param = the apex
	 * NSEC3PARAM RRset whose parameters the chain uses, NONE for NSEC */
	bool secure;
	uint32_t nsec3param;
	const struct mica_dns_nsec3 *nsec3;
	uint32_t nnsec3;
	/* memo (NULL/0 in NOMEMO builds) */
	const struct mica_dns_memo *memo;
	const uint8_t *memo_data;
	const uint16_t *memo_fix;
	uint32_t nmemo;
};

/* The zones of an image: generated by zonec from every ZONE= file. */
extern const struct mica_dns_zone *const mica_dns_zones[];
extern const size_t mica_dns_nzones;
extern const bool mica_dns_memoised;

/* ---- Lookup and answering (lib/dns/lookup.c, answer.c) ---- */
enum mica_dns_match { MICA_DNS_M_EXACT, MICA_DNS_M_WILD, MICA_DNS_M_REFERRAL, MICA_DNS_M_NXDOMAIN };

struct mica_dns_zoneset {
	const struct mica_dns_zone *const *zones;
	size_t nzones;
};

/* Where a name lands in a zone. `stable` is the offset in the query name
 * where the suffix shared with every other query of the same answer
 * begins (0 for exact matches): only that suffix is used for compression. */
struct mica_dns_lookup {
	const struct mica_dns_zone *zone;
	enum mica_dns_match kind;
	uint32_t node; /* matched node, wildcard node, cut, or the closest encloser */
	uint32_t ce;   /* closest encloser */
	uint8_t stable;
};

/* The zone serving lname (longest apex that is a suffix), or NULL. */
/* True when the last sl bytes of the wire-format name (len bytes) start at
 * a label boundary and equal suffix (both lower case): name is at or
 * below suffix. */
bool mica_dns_name_has_suffix(const uint8_t *name, size_t len, const uint8_t *suffix, size_t sl);
const struct mica_dns_zone *mica_dns_find_zone(const struct mica_dns_zoneset *zs, const uint8_t *lname,
                                               size_t len);
/* Node of exactly this lower-case name, or MICA_DNS_NONE. */
uint32_t mica_dns_find_node(const struct mica_dns_zone *z, const uint8_t *lname, size_t len);
/* Classify lname (lower case, inside z) for qtype. */
void mica_dns_lookup(const struct mica_dns_zone *z, const uint8_t *lname, size_t len, uint16_t qtype,
                     struct mica_dns_lookup *out);

/* Response being built: the caller has copied header and question. */
struct mica_dns_msg {
	uint8_t *buf;
	size_t len;   /* bytes written so far */
	size_t limit; /* size the response must fit (EDNS OPT excluded) */
	bool tcp;
	/* filled by the engine */
	uint16_t flags; /* AA | TC | rcode bits to OR into the header */
	uint16_t an, ns, ar;
	/* template mode (zonec): record compression pointer positions */
	uint16_t *fix;
	size_t nfix, capfix;
	int err; /* MICA_ENOSPC when a template overflowed */
};

/* Answer the question of q (already copied into m->buf) with the runtime
 * engine; `lk` may be NULL (looked up here) or a forced match (zonec). */
void mica_dns_answer(const struct mica_dns_zoneset *zs, const struct mica_dns_query *q,
                     const struct mica_dns_lookup *lk, struct mica_dns_msg *m);

/* ---- The server core (lib/dns/server.c) ---- */
struct mica_dns_stats {
	uint64_t queries; /* messages received */
	uint64_t udp, tcp;
	uint64_t dropped;   /* malformed beyond a reply, or responses */
	uint64_t rcode[17]; /* answers by RCODE (16 = BADVERS) */
	uint64_t truncated;
	uint64_t memo_hits;
};

struct mica_dns_server {
	struct mica_dns_zoneset zs;
	bool use_memo;
	struct mica_dns_stats st;
};

void mica_dns_server_init(struct mica_dns_server *s, const struct mica_dns_zone *const *zones, size_t nzones,
                          bool use_memo);
/* Answer one query message. Writes the response into out (outcap >= 512;
 * UDP answers are cut to fit the client's limit, TCP ones to outcap) and
 * returns its length, or 0 when the message is dropped. */
size_t mica_dns_respond(struct mica_dns_server *s, const uint8_t *query, size_t qlen, uint8_t *out,
                        size_t outcap, bool tcp);
/* Parse a query whose header is valid and opcode is QUERY or NOTIFY (used
 * by mica_dns_respond; exposed for tests and the fuzzer). Returns 0 or
 * one of the MICA_DNS_PARSE_* reasons to answer FORMERR. */
enum {
	MICA_DNS_PARSE_FORMERR = 1,  /* FORMERR, RD and opcode kept */
	MICA_DNS_PARSE_FORMERR_BARE, /* FORMERR, every flag cleared (QDCOUNT != 1) */
	MICA_DNS_PARSE_FORMERR_EDNS, /* FORMERR with an OPT record (QDCOUNT 0 + OPT) */
};
int mica_dns_query_parse(struct mica_view msg, struct mica_dns_query *q);
/* ---- Zone transfer out and NOTIFY (lib/dns/xfr.c) ---- */
/* A transfer being sent: AXFR, or IXFR answered in full (RFC 1995 4), or
 * with the SOA alone (IXFR over UDP, or the client has our serial). */
struct mica_dns_xfr {
	const struct mica_dns_zone *zone;
	uint16_t id;
	bool rd, soa_only;
	uint8_t question[MICA_DNS_NAME_MAX + 4];
	size_t qlen;
	int phase; /* 0 SOA, 1 names, 2 NSEC3 chain, 3 SOA, 4 done */
	uint32_t node, set;
	unsigned sent; /* messages so far */
};
/* 1 when the query is an AXFR (TCP only) or IXFR for the apex of a zone
 * we serve, and x is ready; 0 otherwise (answer it as usual). The caller
 * has checked that the client may transfer. */
int mica_dns_xfr_start(const struct mica_dns_server *s, const uint8_t *query, size_t qlen, bool tcp,
                       struct mica_dns_xfr *x);
/* The next message of the transfer into out (cap >= 1 KiB), or 0 when
 * it is complete. */
size_t mica_dns_xfr_next(struct mica_dns_xfr *x, uint8_t *out, size_t cap);
/* A NOTIFY (RFC 1996) for zone z with the zone's SOA; its length. */
size_t mica_dns_notify_make(const struct mica_dns_zone *z, uint16_t id, uint8_t *out, size_t cap);
/* Is msg the answer to our NOTIFY with this ID? */
bool mica_dns_notify_is_ack(const uint8_t *msg, size_t len, uint16_t id);

/* Print the counters, one line each, through mica_printf. */
void mica_dns_print_stats(const struct mica_dns_stats *st);

#endif
