/* encode.c - writing the collected RRsets into the response, in section
 * order, with name compression and truncation: an answer or authority
 * RRset that does not fit sets TC and ends the message; an optional RRset
 * (apex NS, additional data) that does not fit is dropped and ends the
 * message after its section. With DO, an RRset of a signed zone is
 * followed by the RRSIGs covering it, and both fit or neither (as NSD). */
#include "answer.h"
#include <mica/libc.h>

int dns_put_rdata(struct mica_dns_msg *m, struct dns_dict *dict, uint16_t type, const uint8_t *rd,
                  uint16_t rdlen)
{
	int n1, n2;
	switch (type) {
	case MICA_DNS_NS:
	case MICA_DNS_CNAME:
	case MICA_DNS_PTR:
	case MICA_DNS_MB:
	case MICA_DNS_MG:
	case MICA_DNS_MR: return dns_put_name(m, dict, rd, true);
	case MICA_DNS_MINFO:
		n1 = mica_dns_name_len(rd, rdlen);
		if (n1 < 0 || mica_dns_name_len(rd + n1, (size_t)(rdlen - n1)) != rdlen - n1)
			return dns_put_bytes(m, rd, rdlen);
		if (dns_put_name(m, dict, rd, true) < 0)
			return MICA_ENOSPC;
		return dns_put_name(m, dict, rd + n1, true);
	case MICA_DNS_MX:
		if (dns_put_bytes(m, rd, 2) < 0)
			return MICA_ENOSPC;
		return dns_put_name(m, dict, rd + 2, true);
	case MICA_DNS_SOA:
		n1 = mica_dns_name_len(rd, rdlen);
		n2 = n1 < 0 ? n1 : mica_dns_name_len(rd + n1, (size_t)(rdlen - n1));
		if (n2 < 0)
			return dns_put_bytes(m, rd, rdlen);
		if (dns_put_name(m, dict, rd, true) < 0 || dns_put_name(m, dict, rd + n1, true) < 0)
			return MICA_ENOSPC;
		return dns_put_bytes(m, rd + n1 + n2, (size_t)(rdlen - n1 - n2));
	default: return dns_put_bytes(m, rd, rdlen);
	}
}

/* One RR of the given type; `rr` points at its TTL in zone->rdata. */
static int put_rr(struct ans *a, const struct item *it, uint16_t type, const uint8_t *rr)
{
	struct mica_dns_msg *m = a->m;
	const struct mica_dns_zone *z = it->z;
	uint32_t ttl = dns_get32(rr);
	uint16_t rdlen = dns_get16(rr + 4);
	const uint8_t *rd = rr + 6;
	int r = it->owner ? dns_put_name(m, &a->dict, it->owner, true) : dns_put_ptr(m, MICA_DNS_HDR_LEN);
	if (r < 0)
		return r;
	uint8_t fixed[10];
	if (it->neg && z->neg_ttl < ttl) /* the SOA and its RRSIGs, as NSD */
		ttl = z->neg_ttl;
	dns_set16(fixed, type);
	dns_set16(fixed + 2, MICA_DNS_CLASS_IN);
	dns_set16(fixed + 4, (uint16_t)(ttl >> 16));
	dns_set16(fixed + 6, (uint16_t)ttl);
	dns_set16(fixed + 8, 0);
	size_t at = m->len;
	if (dns_put_bytes(m, fixed, 10) < 0 || dns_put_rdata(m, &a->dict, type, rd, rdlen) < 0)
		return MICA_ENOSPC;
	dns_set16(m->buf + at + 8, (uint16_t)(m->len - at - 10));
	return 0;
}

/* The CNAME synthesised from a DNAME: the DNAME's TTL, target compressed. */
static int put_synth(struct ans *a, const struct item *it)
{
	struct mica_dns_msg *m = a->m;
	uint8_t fixed[10] = {0, MICA_DNS_CNAME, 0, MICA_DNS_CLASS_IN, 0, 0, 0, 0, 0, 0};
	memcpy(fixed + 4, it->z->rdata + it->z->rrsets[it->rrset].data, 4);
	int r = it->owner ? dns_put_name(m, &a->dict, it->owner, true) : dns_put_ptr(m, MICA_DNS_HDR_LEN);
	size_t at = m->len;
	if (r < 0 || dns_put_bytes(m, fixed, 10) < 0 || dns_put_name(m, &a->dict, it->synth, true) < 0)
		return MICA_ENOSPC;
	dns_set16(m->buf + at + 8, (uint16_t)(m->len - at - 10));
	return 0;
}

/* The RRSIGs to send with an item: with DO, of a signed zone, not for an
 * RRSIG RRset itself. NONE if there are none. */
static uint32_t item_sigs(const struct ans *a, const struct item *it)
{
	if (it->synth || !a->q->edns_do || !it->z->secure)
		return MICA_DNS_NONE;
	const struct mica_dns_rrset *rs = &it->z->rrsets[it->rrset];
	return rs->type == MICA_DNS_RRSIG ? MICA_DNS_NONE : rs->sigs;
}

/* The RRs of one RRset under the item's owner; false if one did not fit. */
static bool put_rrs(struct ans *a, const struct item *it, uint32_t rrset)
{
	const struct mica_dns_rrset *rs = &it->z->rrsets[rrset];
	const uint8_t *rr = it->z->rdata + rs->data;
	for (unsigned i = 0; i < rs->count; i++, rr += 6 + dns_get16(rr + 4))
		if (put_rr(a, it, rs->type, rr) < 0)
			return false;
	return true;
}

/* All RRs of one item (and its RRSIGs), or none: the number written. */
static unsigned put_rrset(struct ans *a, const struct item *it)
{
	struct mica_dns_msg *m = a->m;
	size_t mark = m->len, fixmark = m->nfix;
	uint32_t sigs = item_sigs(a, it);
	bool ok;
	unsigned n;
	if (it->synth) {
		ok = put_synth(a, it) == 0;
		n = 1;
	} else {
		ok = true;
		n = 0;
		for (uint32_t k = 0; k < it->nsets && ok; k++) {
			ok = put_rrs(a, it, it->rrset + k);
			n += it->z->rrsets[it->rrset + k].count;
		}
		if (ok && sigs != MICA_DNS_NONE) {
			ok = put_rrs(a, it, sigs);
			n += it->z->rrsets[sigs].count;
		}
	}
	if (ok)
		return n;
	m->len = mark;
	m->nfix = fixmark;
	dns_dict_rollback(&a->dict, mark);
	return 0;
}

void dns_encode(struct ans *a)
{
	struct mica_dns_msg *m = a->m;
	uint16_t counts[S_COUNT] = {0};
	bool tc = false;
	for (int sec = 0; sec < S_COUNT && !tc; sec++) {
		bool done = false;
		for (int i = 0; i < a->n && !tc; i++) {
			const struct item *it = &a->it[i];
			if (it->sec != sec)
				continue;
			unsigned n = put_rrset(a, it);
			if (n)
				counts[sec] += n;
			else if (sec <= S_NS)
				tc = true;
			else
				done = true;
		}
		if (done) {
			/* a referral must carry at least one address */
			if (sec == S_ADD_A && counts[S_ADD_A] == 0 && a->delegation)
				tc = true;
			break;
		}
	}
	if (tc)
		m->flags |= MICA_DNS_F_TC;
	m->an = counts[S_AN];
	m->ns = (uint16_t)(counts[S_NS] + counts[S_OPTNS]);
	m->ar = (uint16_t)(counts[S_ADD_A] + counts[S_ADD_AAAA] + counts[S_ADD_OTHER]);
}
