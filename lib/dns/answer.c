/* answer.c - the answering engine (RFC 1034 4.3.2, RFC 2308, RFC 4592).
 *
 * It first collects the RRsets of the response in a list, each tagged
 * with its section (as NSD does: answer, authority, optional authority,
 * additional A, additional AAAA), then encodes the list in section order
 * with truncation: an answer or authority RRset that does not fit sets TC
 * and ends the message; an optional RRset that does not fit is dropped and
 * ends the message after its section. The memo (zonec) is built by this
 * same code, so both paths give the same bytes. */
#include "answer.h"
#include <mica/libc.h>

const uint8_t *dns_node_name(const struct mica_dns_zone *z, uint32_t n)
{
	return z->names + z->nodes[n].name;
}

uint32_t dns_find_rrset(const struct mica_dns_zone *z, uint32_t node, uint16_t type)
{
	const struct mica_dns_node *n = &z->nodes[node];
	for (uint32_t i = n->rrsets; i < n->rrsets + n->nrrsets; i++)
		if (z->rrsets[i].type == type)
			return i;
	return MICA_DNS_NONE;
}

/* The RDATA of an RRset's first RR, and its length. */
static const uint8_t *first_rdata(const struct mica_dns_zone *z, uint32_t rrset, uint16_t *rdlen)
{
	const uint8_t *p = z->rdata + z->rrsets[rrset].data;
	*rdlen = dns_get16(p + 4);
	return p + 6;
}

static bool same_owner(const struct ans *a, const uint8_t *x, const uint8_t *y)
{
	if (x == y)
		return true;
	return mica_dns_name_equal(x ? x : a->q->qname, y ? y : a->q->qname);
}

/* Add an RRset unless it is there already (then it may move to an
 * earlier section). Returns true when added or moved. */
bool dns_add_item(struct ans *a, int sec, const struct mica_dns_zone *z, uint32_t rrset, const uint8_t *owner,
                  bool neg)
{
	for (int i = 0; i < a->n; i++) {
		struct item *it = &a->it[i];
		if (!it->synth && it->z == z && it->rrset == rrset && it->neg == neg &&
		    same_owner(a, it->owner, owner)) {
			if (sec < it->sec) {
				it->sec = (uint8_t)sec;
				return true;
			}
			return false;
		}
	}
	if (a->n >= MAX_ITEMS)
		return false;
	a->it[a->n++] = (struct item){z, rrset, owner, NULL, (uint8_t)sec, neg, 1};
	return true;
}

/* Address records of an NS/MX/SRV/KX/RT/MB target held in the current
 * zone, synthesised from a wildcard when the target does not exist; for
 * RT (RFC 1183) also its X25 and ISDN records. */
static void add_additional(struct ans *a, const uint8_t *target, bool allow_glue, bool rt)
{
	const struct mica_dns_zone *z = a->zone;
	uint8_t lt[MICA_DNS_NAME_MAX];
	int len = mica_dns_name_len(target, MICA_DNS_NAME_MAX);
	if (len < 0)
		return;
	mica_dns_name_lower(lt, target, (size_t)len);
	size_t apex_len = z->nodes[z->apex].name_len;
	const struct mica_dns_zoneset one = {&a->zone, 1};
	if (mica_dns_find_zone(&one, lt, (size_t)len) == NULL)
		return;
	uint32_t src = mica_dns_find_node(z, lt, (size_t)len);
	const uint8_t *owner;
	if (src != MICA_DNS_NONE) {
		if (!allow_glue && z->nodes[src].cut != MICA_DNS_NONE)
			return;
		owner = dns_node_name(z, src);
	} else {
		size_t o = 0;
		uint32_t up = MICA_DNS_NONE;
		while (up == MICA_DNS_NONE && (size_t)len - o > apex_len) {
			o += (size_t)lt[o] + 1;
			up = mica_dns_find_node(z, lt + o, (size_t)len - o);
		}
		if (up == MICA_DNS_NONE)
			up = z->apex;
		if (!allow_glue && z->nodes[up].cut != MICA_DNS_NONE)
			return;
		src = z->nodes[up].wild;
		if (src == MICA_DNS_NONE)
			return;
		owner = target;
	}
	static const uint16_t types[4] = {MICA_DNS_A, MICA_DNS_AAAA, MICA_DNS_X25, MICA_DNS_ISDN};
	static const uint8_t secs[4] = {S_ADD_A, S_ADD_AAAA, S_ADD_OTHER, S_ADD_OTHER};
	for (int t = 0; t < (rt ? 4 : 2); t++) {
		uint32_t rs = dns_find_rrset(z, src, types[t]);
		if (rs != MICA_DNS_NONE)
			dns_add_item(a, secs[t], z, rs, owner, false);
	}
}

/* Add an RRset and the additional data its targets call for. */
bool dns_add_rrset(struct ans *a, int sec, uint32_t rrset, const uint8_t *owner)
{
	const struct mica_dns_zone *z = a->zone;
	bool added = dns_add_item(a, sec, z, rrset, owner, false);
	size_t skip;
	bool glue = false;
	uint16_t type = z->rrsets[rrset].type;
	switch (type) {
	case MICA_DNS_NS:
		skip = 0;
		glue = true;
		break;
	case MICA_DNS_MB: skip = 0; break;
	case MICA_DNS_MX:
	case MICA_DNS_KX:
	case MICA_DNS_RT: skip = 2; break;
	case MICA_DNS_SRV: skip = 6; break;
	default: return added;
	}
	const uint8_t *rr = z->rdata + z->rrsets[rrset].data;
	for (unsigned i = 0; i < z->rrsets[rrset].count; i++, rr += 6 + dns_get16(rr + 4))
		if (dns_get16(rr + 4) > skip)
			add_additional(a, rr + 6 + skip, glue, type == MICA_DNS_RT);
	return added;
}

static void answer_soa(struct ans *a)
{
	if (a->q->qclass != MICA_DNS_CLASS_ANY)
		dns_add_item(a, S_NS, a->zone, a->zone->soa, dns_node_name(a->zone, a->zone->apex), true);
}

static void lookup_zone(struct ans *a, const uint8_t *name, const uint8_t *lname, size_t len,
                        const struct mica_dns_lookup *forced);

/* RFC 8482 as NSD does it: one RRset, preferring small popular types. */
static void answer_any(struct ans *a, uint32_t node, const uint8_t *owner)
{
	const struct mica_dns_zone *z = a->zone;
	const struct mica_dns_node *n = &z->nodes[node];
	uint32_t pref = MICA_DNS_NONE, normal = MICA_DNS_NONE, nonpref = MICA_DNS_NONE;
	for (uint32_t i = n->rrsets; i < n->rrsets + n->nrrsets && pref == MICA_DNS_NONE; i++) {
		switch (z->rrsets[i].type) {
		case MICA_DNS_A:
		case MICA_DNS_AAAA:
		case MICA_DNS_SOA:
		case MICA_DNS_MX:
		case MICA_DNS_PTR: pref = i; break;
		case MICA_DNS_DNSKEY:
		case MICA_DNS_RRSIG:
		case MICA_DNS_NSEC: nonpref = i; break;
		default: normal = i; break;
		}
	}
	uint32_t pick = pref != MICA_DNS_NONE ? pref : normal != MICA_DNS_NONE ? normal : nonpref;
	if (pick != MICA_DNS_NONE)
		dns_add_rrset(a, S_AN, pick, owner);
	else
		answer_soa(a);
}

static bool needs_ns(uint16_t qtype)
{
	return qtype != MICA_DNS_DNSKEY && qtype != MICA_DNS_DS && qtype != MICA_DNS_ANY;
}

/* Follow a CNAME to its target, in whichever served zone holds it. */
static void follow_cname(struct ans *a, uint32_t rrset)
{
	uint16_t rdlen;
	const uint8_t *target = first_rdata(a->zone, rrset, &rdlen);
	int len = mica_dns_name_len(target, rdlen);
	if (len < 0 || ++a->cnames > MAX_CNAMES)
		return;
	uint8_t lt[MICA_DNS_NAME_MAX];
	mica_dns_name_lower(lt, target, (size_t)len);
	const struct mica_dns_zone *saved = a->zone;
	lookup_zone(a, target, lt, (size_t)len, NULL);
	a->zone = saved;
}

/* RFC 6672 (as NSD): a name below a DNAME gets the DNAME, a CNAME from
 * the name to the name under the DNAME's target (with the DNAME's TTL), and the
 * answer for that name. A DNAME already in the answer stops a loop; a
 * name that would grow past 255 bytes gets YXDOMAIN. */
static void answer_dname(struct ans *a, uint32_t rrset, uint32_t ce, const uint8_t *name,
                         const uint8_t *lname, size_t len)
{
	const struct mica_dns_zone *z = a->zone;
	bool first = a->cnames == 0;
	if (!dns_add_rrset(a, S_AN, rrset, dns_node_name(z, ce)))
		return;
	uint16_t rdlen;
	const uint8_t *target = first_rdata(z, rrset, &rdlen);
	int tlen = mica_dns_name_len(target, rdlen);
	size_t prefix = len - z->nodes[ce].name_len;
	if (tlen < 0 || a->nsynth >= MAX_SYNTH || ++a->cnames > MAX_CNAMES)
		return;
	if (prefix + (size_t)tlen > MICA_DNS_NAME_MAX) {
		a->m->flags = (uint16_t)((a->m->flags & ~0xfu) | MICA_DNS_YXDOMAIN);
		return;
	}
	uint8_t *nn = a->synth[a->nsynth++];
	memcpy(nn, lname, prefix);
	memcpy(nn + prefix, target, (size_t)tlen);
	if (a->n < MAX_ITEMS)
		a->it[a->n++] = (struct item){z, rrset, first ? NULL : name, nn, S_AN, false, 1};
	if (a->q->qtype == MICA_DNS_CNAME)
		return; /* the synthesised CNAME answers it */
	uint8_t lt[MICA_DNS_NAME_MAX];
	size_t nlen = prefix + (size_t)tlen;
	mica_dns_name_lower(lt, nn, nlen);
	const struct mica_dns_zone *saved = a->zone;
	lookup_zone(a, nn, lt, nlen, NULL);
	a->zone = saved;
}

/* NODATA: the SOA, and with DO the proof that the type is not at
 * `original` (the wildcard node for a wildcard NODATA). */
static void answer_nodata(struct ans *a, uint32_t original)
{
	answer_soa(a);
	dns_deny_nodata(a, original);
}

/* QTYPE RRSIG: every RRSIG of the name, sent as one RRset (they are
 * kept one RRset per covered type, after the name's other RRsets). */
static void answer_rrsigs(struct ans *a, uint32_t node, uint32_t first, const uint8_t *owner)
{
	const struct mica_dns_node *n = &a->zone->nodes[node];
	if (dns_add_item(a, S_AN, a->zone, first, owner, false))
		a->it[a->n - 1].nsets = (uint16_t)(n->rrsets + n->nrrsets - first);
}

static void answer_domain(struct ans *a, uint32_t node, const uint8_t *owner, uint32_t original)
{
	const struct mica_dns_zone *z = a->zone;
	uint16_t qtype = a->q->qtype;
	uint32_t rs;
	if (qtype == MICA_DNS_ANY) {
		answer_any(a, node, owner);
		return;
	}
	if (qtype == MICA_DNS_NSEC3) {
		answer_nodata(a, original); /* NSEC3 owners are not names of the zone */
		return;
	}
	if ((rs = dns_find_rrset(z, node, qtype)) != MICA_DNS_NONE) {
		if (qtype == MICA_DNS_RRSIG)
			answer_rrsigs(a, node, rs, owner);
		else
			dns_add_rrset(a, S_AN, rs, owner);
	} else if ((rs = dns_find_rrset(z, node, MICA_DNS_CNAME)) != MICA_DNS_NONE) {
		if (dns_add_rrset(a, S_AN, rs, owner))
			follow_cname(a, rs);
		return;
	} else {
		answer_nodata(a, original);
		return;
	}
	if (a->q->qclass != MICA_DNS_CLASS_ANY && z->ns != MICA_DNS_NONE && needs_ns(qtype))
		dns_add_rrset(a, S_OPTNS, z->ns, dns_node_name(z, z->apex));
}

static void lookup_zone(struct ans *a, const uint8_t *name, const uint8_t *lname, size_t len,
                        const struct mica_dns_lookup *forced)
{
	struct mica_dns_lookup lk;
	const struct mica_dns_zone *z = forced ? forced->zone : mica_dns_find_zone(a->zs, lname, len);
	if (!z) {
		if (a->cnames == 0)
			a->m->flags |= MICA_DNS_REFUSED;
		return;
	}
	a->zone = z;
	if (forced)
		lk = *forced;
	else
		mica_dns_lookup(z, lname, len, a->q->qtype, &lk);
	if (a->q->qclass == MICA_DNS_CLASS_ANY)
		a->m->flags &= (uint16_t)~MICA_DNS_F_AA;
	else
		a->m->flags |= MICA_DNS_F_AA;
	a->delegation = z->nodes[lk.ce].cut != MICA_DNS_NONE;
	bool first = a->cnames == 0;
	uint32_t dname = lk.kind == MICA_DNS_M_WILD || lk.kind == MICA_DNS_M_NXDOMAIN
	                     ? dns_find_rrset(z, lk.ce, MICA_DNS_DNAME)
	                     : MICA_DNS_NONE;
	if (dname != MICA_DNS_NONE) {
		answer_dname(a, dname, lk.ce, name, lname, len);
		return;
	}
	switch (lk.kind) {
	case MICA_DNS_M_REFERRAL:
		if (first)
			a->m->flags &= (uint16_t)~MICA_DNS_F_AA;
		else
			a->m->flags |= MICA_DNS_F_AA;
		dns_add_rrset(a, S_NS, dns_find_rrset(z, lk.node, MICA_DNS_NS), dns_node_name(z, lk.node));
		dns_deny_ds_at_cut(a, lk.node);
		break;
	case MICA_DNS_M_EXACT:
		if (a->q->qtype == MICA_DNS_DS && lk.node == z->apex)
			answer_nodata(a, z->apex); /* DS at an apex: the parent's business */
		else
			answer_domain(a, lk.node, first ? NULL : dns_node_name(z, lk.node), lk.node);
		break;
	case MICA_DNS_M_WILD:
		dns_deny_wildcard(a, lname, len, lk.ce);
		answer_domain(a, lk.node, first ? NULL : name, lk.node);
		break;
	case MICA_DNS_M_NXDOMAIN:
		a->m->flags = (uint16_t)((a->m->flags & ~0xfu) | MICA_DNS_NXDOMAIN);
		dns_deny_name(a, lname, len, lk.ce);
		answer_soa(a);
		break;
	}
}

void mica_dns_answer(const struct mica_dns_zoneset *zs, const struct mica_dns_query *q,
                     const struct mica_dns_lookup *lk, struct mica_dns_msg *m)
{
	struct ans a; /* ~6 KB of stack */
	a.zs = zs;
	a.q = q;
	a.m = m;
	a.zone = NULL;
	a.n = 0;
	a.cnames = 0;
	a.nsynth = 0;
	a.delegation = false;
	m->flags = 0;
	m->an = m->ns = m->ar = 0;
	const uint8_t *lname = q->lname;
	size_t len = q->qname_len;
	struct mica_dns_lookup local;
	if (!lk) {
		const struct mica_dns_zone *z = mica_dns_find_zone(zs, lname, len);
		/* DS at a zone's apex belongs to the parent zone when we serve it */
		if (z && q->qtype == MICA_DNS_DS && len == z->nodes[z->apex].name_len && len > 1) {
			const struct mica_dns_zone *p =
			    mica_dns_find_zone(zs, lname + lname[0] + 1, len - lname[0] - 1u);
			if (p)
				z = p;
		}
		if (z) {
			mica_dns_lookup(z, lname, len, q->qtype, &local);
			lk = &local;
		}
	}
	dns_dict_init(&a.dict, lname, len, lk ? lk->stable : len);
	if (!lk) {
		m->flags |= MICA_DNS_REFUSED;
		return;
	}
	lookup_zone(&a, q->qname, lname, len, lk);
	dns_encode(&a);
}
