/* zonemd.c - verify a zone's ZONEMD records (RFC 8976) when zonec builds
 * it: the SIMPLE scheme digests every RR of the zone in canonical form
 * and order (RFC 4034 6.2, 6.3: owner and the names inside the RDATA of
 * the types listed there in lower case, sorted by owner, type, RDATA,
 * duplicates once), except the apex ZONEMD RRset and its RRSIGs, with
 * SHA-384 or SHA-512. A ZONEMD whose serial is not the SOA's, or whose
 * digest differs, is an error; `zonec --no-zonemd` (NOZONEMD=1) skips. */
#include "rdata.h"
#include "zonemd.h"
#include <stdlib.h>
#include <string.h>

struct crr {
	uint8_t owner[MICA_DNS_NAME_MAX];
	uint8_t owner_len;
	const struct zrr *rr;
	uint8_t *rdata; /* canonical */
};

static int cmp_crr(const void *x, const void *y)
{
	const struct crr *a = x, *b = y;
	int c = mica_dns_name_canon_cmp(a->owner, a->owner_len, b->owner, b->owner_len);
	if (c)
		return c;
	if (a->rr->type != b->rr->type)
		return a->rr->type < b->rr->type ? -1 : 1;
	size_t n = a->rr->rdlen < b->rr->rdlen ? a->rr->rdlen : b->rr->rdlen;
	c = memcmp(a->rdata, b->rdata, n);
	return c ? c : (int)a->rr->rdlen - (int)b->rr->rdlen;
}

static bool is_apex(const struct zrr *r, const uint8_t *apex, size_t apex_len)
{
	return r->owner_len == apex_len && mica_dns_name_equal(r->owner, apex);
}

/* Not digested: the apex ZONEMD RRset and the RRSIGs covering it. */
static bool excluded(const struct zrr *r, const uint8_t *apex, size_t apex_len)
{
	if (!is_apex(r, apex, apex_len))
		return false;
	return r->type == MICA_DNS_ZONEMD || (r->type == MICA_DNS_RRSIG && r->rdlen >= 2 &&
	                                      (r->rdata[0] << 8 | r->rdata[1]) == MICA_DNS_ZONEMD);
}

static void digest(const struct crr *rrs, size_t n, bool sha384, uint8_t *out)
{
	struct sha512 s;
	sha512_init(&s, sha384);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && cmp_crr(&rrs[i - 1], &rrs[i]) == 0)
			continue; /* a duplicate RR counts once */
		const struct zrr *r = rrs[i].rr;
		uint8_t fixed[10] = {
		    (uint8_t)(r->type >> 8), (uint8_t)r->type,        0,
		    MICA_DNS_CLASS_IN,       (uint8_t)(r->ttl >> 24), (uint8_t)(r->ttl >> 16),
		    (uint8_t)(r->ttl >> 8),  (uint8_t)r->ttl,         (uint8_t)(r->rdlen >> 8),
		    (uint8_t)r->rdlen};
		sha512_update(&s, rrs[i].owner, rrs[i].owner_len);
		sha512_update(&s, fixed, 10);
		sha512_update(&s, rrs[i].rdata, r->rdlen);
	}
	sha512_final(&s, out);
}

static void report(struct zfile *zf, const struct zrr *r, const char *msg, unsigned a, unsigned b)
{
	fprintf(zf->err, "%s:%d: ", r->file ? r->file : zf->path, r->line);
	fprintf(zf->err, msg, a, b);
	fputc('\n', zf->err);
}

/* The zone's RRs in canonical form and order (caller frees). */
static struct crr *canonical(struct zfile *zf, const uint8_t *apex, size_t apex_len, size_t *n)
{
	struct crr *rrs = calloc(zf->nrrs + 1, sizeof(*rrs));
	if (!rrs) {
		perror("zonec");
		exit(1);
	}
	*n = 0;
	for (size_t i = 0; i < zf->nrrs; i++) {
		const struct zrr *r = &zf->rrs[i];
		if (excluded(r, apex, apex_len))
			continue;
		struct crr *c = &rrs[(*n)++];
		c->rr = r;
		c->owner_len = r->owner_len;
		mica_dns_name_lower(c->owner, r->owner, r->owner_len);
		c->rdata = malloc(r->rdlen + 1u);
		if (!c->rdata) {
			perror("zonec");
			exit(1);
		}
		memcpy(c->rdata, r->rdata, r->rdlen);
		rrtype_canonical(r->type, c->rdata, r->rdlen);
	}
	qsort(rrs, *n, sizeof(*rrs), cmp_crr);
	return rrs;
}

int zonemd_verify(struct zfile *zf, const uint8_t *apex, size_t apex_len)
{
	const struct zrr *soa = NULL, *first = NULL;
	for (size_t i = 0; i < zf->nrrs && !soa; i++)
		if (zf->rrs[i].type == MICA_DNS_SOA && zf->rrs[i].rdlen >= 20)
			soa = &zf->rrs[i];
	for (size_t i = 0; i < zf->nrrs && !first; i++)
		if (zf->rrs[i].type == MICA_DNS_ZONEMD && is_apex(&zf->rrs[i], apex, apex_len))
			first = &zf->rrs[i];
	if (!soa || !first)
		return 0;
	const uint8_t *sp = soa->rdata + soa->rdlen - 20;
	uint32_t serial = (uint32_t)sp[0] << 24 | (uint32_t)sp[1] << 16 | (uint32_t)sp[2] << 8 | sp[3];
	size_t n;
	struct crr *rrs = canonical(zf, apex, apex_len, &n);
	uint8_t d384[48], d512[64];
	bool have384 = false, have512 = false, matched = false;
	const struct zrr *bad = NULL;
	for (size_t i = 0; i < zf->nrrs; i++) {
		const struct zrr *z = &zf->rrs[i];
		if (z->type != MICA_DNS_ZONEMD || !is_apex(z, apex, apex_len) || z->rdlen < 6)
			continue;
		uint32_t zs = (uint32_t)z->rdata[0] << 24 | (uint32_t)z->rdata[1] << 16 |
		              (uint32_t)z->rdata[2] << 8 | z->rdata[3];
		unsigned scheme = z->rdata[4], alg = z->rdata[5];
		size_t dl = z->rdlen - 6u;
		if (scheme != 1 || (alg != 1 && alg != 2)) {
			report(zf, z, "warning: ZONEMD scheme %u hash %u is not supported: not checked",
			       scheme, alg);
			zf->nwarnings++;
			continue;
		}
		if (zs != serial) {
			report(zf, z, "ZONEMD serial %u is not the SOA serial %u", zs, serial);
			zf->nerrors++;
			continue;
		}
		if (alg == 1 && !have384) {
			digest(rrs, n, true, d384);
			have384 = true;
		} else if (alg == 2 && !have512) {
			digest(rrs, n, false, d512);
			have512 = true;
		}
		if (dl == (alg == 1 ? 48u : 64u) && memcmp(z->rdata + 6, alg == 1 ? d384 : d512, dl) == 0)
			matched = true;
		else
			bad = z;
	}
	if (bad && !matched) {
		report(zf, bad,
		       "ZONEMD digest (hash %u) does not match the zone's %u records (zonec --no-zonemd, "
		       "build key NOZONEMD=1, skips this check)",
		       bad->rdata[5], (unsigned)n);
		zf->nerrors++;
	}
	for (size_t i = 0; i < n; i++)
		free(rrs[i].rdata);
	free(rrs);
	return zf->nerrors ? -1 : 0;
}
