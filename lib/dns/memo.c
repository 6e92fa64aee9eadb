/* memo.c - serve an answer zonec precomputed: look the name up, pick the
 * entry for the query type, copy its sections after the question and move
 * the compression pointers that refer into the query name's suffix. */
#include "dns_impl.h"
#include <mica/libc.h>

bool dns_qtype_special(uint16_t t)
{
	switch (t) {
	case 0:
	case MICA_DNS_OPT:
	case MICA_DNS_DS:
	case MICA_DNS_DNSKEY:
	case 249:
	case 250: /* TKEY, TSIG */
	case MICA_DNS_IXFR:
	case MICA_DNS_AXFR:
	case MICA_DNS_MAILB:
	case MICA_DNS_MAILA:
	case MICA_DNS_ANY:
	case MICA_DNS_MEMO_NX: return true;
	default: return false;
	}
}

/* The entry for a lookup; with DO in a signed zone only the DO entries
 * (NXDOMAIN and wildcard proofs depend on the name: the engine makes them). */
static const struct mica_dns_memo *pick(const struct mica_dns_zone *z, const struct mica_dns_lookup *lk,
                                        uint16_t qtype, bool dnssec)
{
	const struct mica_dns_node *n = &z->nodes[lk->node];
	const struct mica_dns_memo *e = z->memo + n->memo, *end = e + n->nmemo;
	if (dnssec && (lk->kind == MICA_DNS_M_NXDOMAIN || lk->kind == MICA_DNS_M_WILD))
		return NULL;
	if (lk->kind == MICA_DNS_M_NXDOMAIN) { /* the closest encloser's entry */
		for (; e < end; e++)
			if (e->qtype == MICA_DNS_MEMO_NX)
				return e;
		return NULL;
	}
	if (lk->kind == MICA_DNS_M_REFERRAL && lk->ce != lk->node)
		return NULL; /* template: closest encloser = the cut */
	for (; e < end; e++) /* per group, the qtype 0 entry comes last */
		if (e->dnssec == dnssec && (e->qtype == qtype || e->qtype == 0))
			return e;
	return NULL;
}

bool dns_memo_answer(const struct mica_dns_zoneset *zs, const struct mica_dns_query *q,
                     struct mica_dns_msg *m)
{
	if (q->qclass != MICA_DNS_CLASS_IN || dns_qtype_special(q->qtype))
		return false;
	const struct mica_dns_zone *z = mica_dns_find_zone(zs, q->lname, q->qname_len);
	if (!z || !z->memo)
		return false;
	struct mica_dns_lookup lk;
	mica_dns_lookup(z, q->lname, q->qname_len, q->qtype, &lk);
	const struct mica_dns_memo *e = pick(z, &lk, q->qtype, q->edns_do && z->secure);
	if (!e || m->len + e->len > m->limit)
		return false; /* absent, or needs truncation: the engine does it */
	uint8_t *dst = m->buf + m->len;
	memcpy(dst, z->memo_data + e->data, e->len);
	int delta = (int)q->qname_len - (int)e->tq_len;
	if (delta != 0) {
		const uint16_t *fix = z->memo_fix + e->fix;
		unsigned from = MICA_DNS_HDR_LEN + e->xlen;
		for (unsigned i = 0; i < e->nfix; i++) {
			uint8_t *p = dst + fix[i];
			unsigned ptr = dns_get16(p) & 0x3fffu;
			if (ptr >= from)
				dns_set16(p, (uint16_t)(0xc000u | (unsigned)((int)ptr + delta)));
		}
	}
	m->len += e->len;
	m->flags = e->flags;
	m->an = e->an;
	m->ns = e->ns;
	m->ar = e->ar;
	return true;
}
