/* dns_impl.h - private to lib/dns: the name compressor used while
 * encoding responses. */
#ifndef MICA_DNS_IMPL_H
#define MICA_DNS_IMPL_H

#include <mica/dns.h>

#define DNS_DICT_MAX 256
#define DNS_PTR_MAX 0x3fff

/* Suffixes of names already in the message, for compression pointers. */
struct dns_dict {
	struct {
		uint16_t off;
		uint8_t len;
		uint32_t hash;
	} e[DNS_DICT_MAX];
	int n;
};

/* Start a dictionary with the suffixes of the question name (which sits at
 * offset 12) that begin at or after byte `stable` of the name. */
void dns_dict_init(struct dns_dict *d, const uint8_t *lname, size_t len, size_t stable);
/* Append a name to the message: compressed against (and, when `compress`,
 * recorded in) the dictionary. MICA_ENOSPC when it does not fit m->limit. */
int dns_put_name(struct mica_dns_msg *m, struct dns_dict *d, const uint8_t *name, bool compress);
/* Append a pointer to `target` (records it in template mode). */
int dns_put_ptr(struct mica_dns_msg *m, uint16_t target);
int dns_put_bytes(struct mica_dns_msg *m, const void *p, size_t n);
/* RDATA of a type, names compressed where NSD compresses them. */
int dns_put_rdata(struct mica_dns_msg *m, struct dns_dict *d, uint16_t type, const uint8_t *rd,
                  uint16_t rdlen);
/* Drop dictionary entries at or after message offset `mark`. */
void dns_dict_rollback(struct dns_dict *d, size_t mark);

static inline uint16_t dns_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}
static inline uint32_t dns_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void dns_set16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Memo path: answer from the precomputed table. Returns true when it
 * produced the response, false when the engine must run. */
bool dns_memo_answer(const struct mica_dns_zoneset *zs, const struct mica_dns_query *q,
                     struct mica_dns_msg *m);
/* True for query types the memo never holds (answered by the engine). */
bool dns_qtype_special(uint16_t qtype);
/* NSEC3 owner hash (RFC 5155 5): SHA-1 of the lower-case wire name and
 * the salt, then `iterations` more times of the digest and the salt. */
void dns_nsec3_hash(const uint8_t *lname, size_t len, const uint8_t *salt, size_t saltlen,
                    unsigned iterations, uint8_t out[20]);

#endif
