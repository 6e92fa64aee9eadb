/* answer.c - the answering engine (RFC 1034 4.3.2, RFC 2308, RFC 4592).
 *
 * It first collects the RRsets of the response in a list, each tagged
 * with its section (as NSD does: answer, authority, optional authority,
 * additional A, additional AAAA), then encodes the list in section order
 * with truncation: an answer or authority RRset that does not fit sets TC
 * and ends the message; an optional RRset that does not fit is dropped and
 * ends the message after its section. The memo (zonec) is built by this
 * same code, so both paths give the same bytes. */
#include "dns_impl.h"
#include <mica/libc.h>

#define MAX_ITEMS 128
#define MAX_CNAMES 64
#define MAX_SYNTH 8 /* CNAMEs synthesised from DNAMEs in one answer */

enum { S_AN, S_NS, S_OPTNS, S_ADD_A, S_ADD_AAAA, S_ADD_OTHER, S_COUNT };

struct item {
	const struct mica_dns_zone *z;
	uint32_t rrset;
	const uint8_t *owner; /* wire name; NULL: the query name (pointer 12) */
	const uint8_t *synth; /* CNAME target synthesised from a DNAME, or NULL */
	uint8_t sec;
	bool neg; /* SOA of a negative answer (RFC 2308 TTL) */
};

struct ans {
	const struct mica_dns_zoneset *zs;
	const struct mica_dns_query *q;
	struct mica_dns_msg *m;
	const struct mica_dns_zone *zone; /* zone being answered from */
	struct item it[MAX_ITEMS];
	int n;
	int cnames;
	bool delegation;
	struct dns_dict dict;
	uint8_t synth[MAX_SYNTH][MICA_DNS_NAME_MAX]; /* names made by DNAMEs */
	int nsynth;
};

static const uint8_t *node_name(const struct mica_dns_zone *z, uint32_t n)
{
	return z->names + z->nodes[n].name;
}

static uint32_t find_rrset(const struct mica_dns_zone *z, uint32_t node, uint16_t type)
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
static bool add_item(struct ans *a, int sec, const struct mica_dns_zone *z, uint32_t rrset,
                     const uint8_t *owner, bool neg)
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
	a->it[a->n++] = (struct item){z, rrset, owner, NULL, (uint8_t)sec, neg};
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
		owner = node_name(z, src);
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
		uint32_t rs = find_rrset(z, src, types[t]);
		if (rs != MICA_DNS_NONE)
			add_item(a, secs[t], z, rs, owner, false);
	}
}

/* Add an RRset and the additional data its targets call for. */
static bool add_rrset(struct ans *a, int sec, uint32_t rrset, const uint8_t *owner)
{
	const struct mica_dns_zone *z = a->zone;
	bool added = add_item(a, sec, z, rrset, owner, false);
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
		add_item(a, S_NS, a->zone, a->zone->soa, node_name(a->zone, a->zone->apex), true);
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
		add_rrset(a, S_AN, pick, owner);
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
	if (!add_rrset(a, S_AN, rrset, node_name(z, ce)))
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
		a->it[a->n++] = (struct item){z, rrset, first ? NULL : name, nn, S_AN, false};
	if (a->q->qtype == MICA_DNS_CNAME)
		return; /* the synthesised CNAME answers it */
	uint8_t lt[MICA_DNS_NAME_MAX];
	size_t nlen = prefix + (size_t)tlen;
	mica_dns_name_lower(lt, nn, nlen);
	const struct mica_dns_zone *saved = a->zone;
	lookup_zone(a, nn, lt, nlen, NULL);
	a->zone = saved;
}

static void answer_domain(struct ans *a, uint32_t node, const uint8_t *owner)
{
	const struct mica_dns_zone *z = a->zone;
	uint16_t qtype = a->q->qtype;
	uint32_t rs;
	if (qtype == MICA_DNS_ANY) {
		answer_any(a, node, owner);
		return;
	}
	if ((rs = find_rrset(z, node, qtype)) != MICA_DNS_NONE) {
		add_rrset(a, S_AN, rs, owner);
	} else if ((rs = find_rrset(z, node, MICA_DNS_CNAME)) != MICA_DNS_NONE) {
		if (add_rrset(a, S_AN, rs, owner))
			follow_cname(a, rs);
		return;
	} else {
		answer_soa(a);
		return;
	}
	if (a->q->qclass != MICA_DNS_CLASS_ANY && z->ns != MICA_DNS_NONE && needs_ns(qtype))
		add_rrset(a, S_OPTNS, z->ns, node_name(z, z->apex));
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
	                     ? find_rrset(z, lk.ce, MICA_DNS_DNAME)
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
		add_rrset(a, S_NS, find_rrset(z, lk.node, MICA_DNS_NS), node_name(z, lk.node));
		break;
	case MICA_DNS_M_EXACT:
		if (a->q->qtype == MICA_DNS_DS && lk.node == z->apex)
			answer_soa(a); /* DS at an apex: the parent's business */
		else
			answer_domain(a, lk.node, first ? NULL : node_name(z, lk.node));
		break;
	case MICA_DNS_M_WILD: answer_domain(a, lk.node, first ? NULL : name); break;
	case MICA_DNS_M_NXDOMAIN:
		a->m->flags = (uint16_t)((a->m->flags & ~0xfu) | MICA_DNS_NXDOMAIN);
		answer_soa(a);
		break;
	}
}

/* ---- encoding ---- */

static int put_rdata(struct ans *a, uint16_t type, const uint8_t *rd, uint16_t rdlen)
{
	struct mica_dns_msg *m = a->m;
	int n1, n2;
	switch (type) {
	case MICA_DNS_NS:
	case MICA_DNS_CNAME:
	case MICA_DNS_PTR:
	case MICA_DNS_MB:
	case MICA_DNS_MG:
	case MICA_DNS_MR: return dns_put_name(m, &a->dict, rd, true);
	case MICA_DNS_MINFO:
		n1 = mica_dns_name_len(rd, rdlen);
		if (n1 < 0 || mica_dns_name_len(rd + n1, (size_t)(rdlen - n1)) != rdlen - n1)
			return dns_put_bytes(m, rd, rdlen);
		if (dns_put_name(m, &a->dict, rd, true) < 0)
			return MICA_ENOSPC;
		return dns_put_name(m, &a->dict, rd + n1, true);
	case MICA_DNS_MX:
		if (dns_put_bytes(m, rd, 2) < 0)
			return MICA_ENOSPC;
		return dns_put_name(m, &a->dict, rd + 2, true);
	case MICA_DNS_SOA:
		n1 = mica_dns_name_len(rd, rdlen);
		n2 = n1 < 0 ? n1 : mica_dns_name_len(rd + n1, (size_t)(rdlen - n1));
		if (n2 < 0)
			return dns_put_bytes(m, rd, rdlen);
		if (dns_put_name(m, &a->dict, rd, true) < 0 || dns_put_name(m, &a->dict, rd + n1, true) < 0)
			return MICA_ENOSPC;
		return dns_put_bytes(m, rd + n1 + n2, (size_t)(rdlen - n1 - n2));
	default: return dns_put_bytes(m, rd, rdlen);
	}
}

/* One RR; `rr` points at its TTL in zone->rdata. */
static int put_rr(struct ans *a, const struct item *it, const uint8_t *rr)
{
	struct mica_dns_msg *m = a->m;
	const struct mica_dns_zone *z = it->z;
	uint32_t ttl = dns_get32(rr);
	uint16_t rdlen = dns_get16(rr + 4);
	const uint8_t *rd = rr + 6;
	uint16_t type = z->rrsets[it->rrset].type;
	int r = it->owner ? dns_put_name(m, &a->dict, it->owner, true) : dns_put_ptr(m, MICA_DNS_HDR_LEN);
	if (r < 0)
		return r;
	uint8_t fixed[10];
	if (it->neg && z->neg_ttl < ttl)
		ttl = z->neg_ttl;
	dns_set16(fixed, type);
	dns_set16(fixed + 2, MICA_DNS_CLASS_IN);
	dns_set16(fixed + 4, (uint16_t)(ttl >> 16));
	dns_set16(fixed + 6, (uint16_t)ttl);
	dns_set16(fixed + 8, 0);
	size_t at = m->len;
	if (dns_put_bytes(m, fixed, 10) < 0 || put_rdata(a, type, rd, rdlen) < 0)
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

static unsigned item_count(const struct item *it)
{
	return it->synth ? 1u : it->z->rrsets[it->rrset].count;
}

/* All RRs of one RRset, or none (the message is rolled back). */
static bool put_rrset(struct ans *a, const struct item *it)
{
	struct mica_dns_msg *m = a->m;
	size_t mark = m->len, fixmark = m->nfix;
	if (it->synth) {
		if (put_synth(a, it) == 0)
			return true;
		m->len = mark;
		m->nfix = fixmark;
		dns_dict_rollback(&a->dict, mark);
		return false;
	}
	unsigned count = it->z->rrsets[it->rrset].count;
	const uint8_t *rr = it->z->rdata + it->z->rrsets[it->rrset].data;
	for (unsigned i = 0; i < count; i++, rr += 6 + dns_get16(rr + 4)) {
		if (put_rr(a, it, rr) < 0) {
			m->len = mark;
			m->nfix = fixmark;
			dns_dict_rollback(&a->dict, mark);
			return false;
		}
	}
	return true;
}

static void encode(struct ans *a)
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
			if (put_rrset(a, it))
				counts[sec] += item_count(it);
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
	encode(&a);
}
