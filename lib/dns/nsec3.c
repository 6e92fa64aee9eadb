/* nsec3.c - the NSEC3 chain of a zone (RFC 5155): the zone's hash
 * parameters (its apex NSEC3PARAM), the hash of a name in base32hex, and
 * the record whose owner hash equals it (exact) or is the closest one
 * before it in the chain (covering; the last covers names before the
 * first). */
#include "answer.h"
#include <mica/libc.h>

/* The NSEC3PARAM RR in use: hash 1, flags 0 (RFC 5155 4.1.2). */
static const uint8_t *params(const struct mica_dns_zone *z)
{
	const uint8_t *rr = z->rdata + z->rrsets[z->nsec3param].data;
	for (unsigned i = 0; i < z->rrsets[z->nsec3param].count; i++, rr += 6 + dns_get16(rr + 4))
		if (dns_get16(rr + 4) >= 5 && rr[6] == 1 && rr[7] == 0)
			return rr + 6;
	return NULL;
}

/* base32hex (RFC 4648 7), lower case, no padding: 20 bytes -> 32 chars */
static void b32hex(const uint8_t in[20], uint8_t out[32])
{
	static const char digits[] = "0123456789abcdefghijklmnopqrstuv";
	for (int i = 0; i < 32; i++) {
		int bit = i * 5, byte = bit / 8, shift = bit % 8;
		unsigned v = (unsigned)in[byte] << 8 | (byte + 1 < 20 ? in[byte + 1] : 0);
		out[i] = (uint8_t)digits[(v >> (11 - shift)) & 31];
	}
}

/* Compare the first label of an NSEC3 owner with a 32-char hash. */
static int cmp_owner(const struct mica_dns_zone *z, uint32_t i, const uint8_t hash[32])
{
	const uint8_t *l = z->names + z->nsec3[i].lname;
	size_t n = l[0] < 32 ? l[0] : 32;
	int c = memcmp(l + 1, hash, n);
	return c ? c : (int)l[0] - 32;
}

uint32_t dns_nsec3_cover(const struct mica_dns_zone *z, const uint8_t *lname, size_t len, bool *exact)
{
	*exact = false;
	const uint8_t *p = z->nnsec3 && z->nsec3param != MICA_DNS_NONE ? params(z) : NULL;
	if (!p)
		return MICA_DNS_NONE;
	uint8_t digest[20], hash[32];
	dns_nsec3_hash(lname, len, p + 5, p[4], dns_get16(p + 2), digest);
	b32hex(digest, hash);
	if (cmp_owner(z, 0, hash) > 0)
		return z->nnsec3 - 1;    /* before the first: the last covers it */
	uint32_t lo = 0, hi = z->nnsec3; /* owner[lo] <= hash < owner[hi] */
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (cmp_owner(z, mid, hash) <= 0)
			lo = mid;
		else
			hi = mid;
	}
	*exact = cmp_owner(z, lo, hash) == 0;
	return lo;
}

bool dns_nsec3_is_owner(const struct mica_dns_zone *z, const uint8_t *lname, size_t len)
{
	uint32_t lo = 0, hi = z->nnsec3;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const struct mica_dns_nsec3 *e = &z->nsec3[mid];
		int c = mica_dns_name_canon_cmp(z->names + e->lname, e->name_len, lname, len);
		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}
