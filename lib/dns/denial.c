/* denial.c - DNSSEC in answers from pre-signed zones (RFC 4035 3.1,
 * RFC 5155 7.2), made as NSD 4.6 makes them so the two compare: the DS
 * RRset or its absence at a referral, and the NSEC or NSEC3 records that
 * prove a NODATA, a wildcard answer, a wildcard NODATA or an NXDOMAIN
 * (including NSEC3 opt-out: the closest provable encloser). RRSIGs are
 * added while encoding (encode.c). */
#include "answer.h"
#include <mica/libc.h>

bool dns_want_dnssec(const struct ans *a)
{
	return a->q->edns_do && a->zone->secure;
}

static bool nsec3_zone(const struct ans *a)
{
	return a->q->edns_do && a->zone->nsec3param != MICA_DNS_NONE;
}

static bool nsec_zone(const struct ans *a)
{
	return dns_want_dnssec(a) && a->zone->nsec3param == MICA_DNS_NONE;
}

static const uint8_t *node_lname(const struct mica_dns_zone *z, uint32_t n)
{
	return z->names + z->nodes[n].lname;
}

static bool is_wild(const struct mica_dns_zone *z, uint32_t n)
{
	const uint8_t *l = node_lname(z, n);
	return l[0] == 1 && l[1] == '*';
}

/* ---- NSEC ---- */

/* The NSEC at `from` or the last one before it (not before the apex). */
static void add_nsec_from(struct ans *a, uint32_t from)
{
	const struct mica_dns_zone *z = a->zone;
	for (uint32_t i = from;; i--) {
		uint32_t rs = dns_find_rrset(z, i, MICA_DNS_NSEC);
		if (rs != MICA_DNS_NONE) {
			dns_add_item(a, S_NS, z, rs, dns_node_name(z, i), false);
			return;
		}
		if (i == z->apex)
			return;
	}
}

/* The NSEC covering a name that does not exist. */
static void add_nsec_covering(struct ans *a, const uint8_t *lname, size_t len)
{
	add_nsec_from(a, dns_canon_pred(a->zone, lname, len));
}

/* The NSEC covering "*.<node>" (no wildcard there). */
static void add_nsec_no_wildcard(struct ans *a, uint32_t ce)
{
	const struct mica_dns_zone *z = a->zone;
	size_t len = z->nodes[ce].name_len;
	uint8_t star[MICA_DNS_NAME_MAX];
	if (len + 2 > MICA_DNS_NAME_MAX) {
		add_nsec_from(a, ce);
		return;
	}
	star[0] = 1;
	star[1] = '*';
	memcpy(star + 2, node_lname(z, ce), len);
	add_nsec_covering(a, star, len + 2);
}

/* ---- NSEC3 ---- */

static void add_nsec3(struct ans *a, uint32_t i)
{
	const struct mica_dns_zone *z = a->zone;
	if (i != MICA_DNS_NONE)
		dns_add_item(a, S_NS, z, z->nsec3[i].rrset, z->names + z->nsec3[i].name, false);
}

static uint32_t cover_node(const struct ans *a, uint32_t n, bool *exact)
{
	return dns_nsec3_cover(a->zone, node_lname(a->zone, n), a->zone->nodes[n].name_len, exact);
}

static bool node_exact(const struct ans *a, uint32_t n)
{
	bool exact;
	cover_node(a, n, &exact);
	return exact;
}

/* The NSEC3 covering the name one label below the closest encloser (of
 * ce_len bytes) on the way to lname (the next closer name, RFC 5155 7.2.1). */
static void add_next_closer(struct ans *a, const uint8_t *lname, size_t len, size_t ce_len)
{
	size_t o = 0;
	while (len - o > ce_len) {
		size_t next = o + (size_t)lname[o] + 1;
		if (len - next <= ce_len)
			break;
		o = next;
	}
	bool exact;
	add_nsec3(a, dns_nsec3_cover(a->zone, lname + o, len - o, &exact));
}

/* No DS at a name (RFC 5155 7.2.7, 7.2.4): its NSEC3, else the closest
 * provable encloser and the NSEC3 covering the name below it (opt-out). */
static void nsec3_no_ds(struct ans *a, uint32_t n)
{
	const struct mica_dns_zone *z = a->zone;
	bool exact;
	uint32_t own = cover_node(a, n, &exact);
	if (exact) {
		add_nsec3(a, own);
		return;
	}
	uint32_t par = z->nodes[n].parent, below = MICA_DNS_NONE, pc = MICA_DNS_NONE;
	while (par != MICA_DNS_NONE) {
		pc = cover_node(a, par, &exact);
		if (exact)
			break;
		below = par;
		par = z->nodes[par].parent;
	}
	if (par == MICA_DNS_NONE)
		return;
	add_nsec3(a, pc);
	add_nsec3(a, below != MICA_DNS_NONE ? cover_node(a, below, &exact) : own);
}

/* The NSEC3 matching a node's parent, when there is one. */
static void add_parent_exact(struct ans *a, uint32_t n)
{
	uint32_t par = a->zone->nodes[n].parent;
	bool exact;
	uint32_t c = par != MICA_DNS_NONE ? cover_node(a, par, &exact) : MICA_DNS_NONE;
	if (c != MICA_DNS_NONE && exact)
		add_nsec3(a, c);
}

static void nsec3_nodata(struct ans *a, uint32_t original)
{
	const struct mica_dns_zone *z = a->zone;
	bool exact;
	if (a->q->qtype == MICA_DNS_DS) {
		if (original == z->apex) {
			uint32_t c = cover_node(a, original, &exact);
			if (exact)
				add_nsec3(a, c);
			return;
		}
		nsec3_no_ds(a, original);
		if (is_wild(z, original))
			add_parent_exact(a, original);
	} else if (is_wild(z, original)) {
		add_parent_exact(a, original);
		add_nsec3(a, cover_node(a, original, &exact));
	} else {
		uint32_t o = original;
		if (!node_exact(a, o))
			while (z->nodes[o].parent != MICA_DNS_NONE && !node_exact(a, z->nodes[o].parent))
				o = z->nodes[o].parent;
		add_nsec3(a, cover_node(a, o, &exact));
		if (!exact)
			add_parent_exact(a, o);
	}
}

/* ---- the cases ---- */

void dns_deny_ds_at_cut(struct ans *a, uint32_t cut)
{
	const struct mica_dns_zone *z = a->zone;
	if (!dns_want_dnssec(a))
		return;
	uint32_t rs = dns_find_rrset(z, cut, MICA_DNS_DS);
	if (rs != MICA_DNS_NONE)
		dns_add_rrset(a, S_NS, rs, dns_node_name(z, cut));
	else if (z->nsec3param != MICA_DNS_NONE)
		nsec3_no_ds(a, cut);
	else if ((rs = dns_find_rrset(z, cut, MICA_DNS_NSEC)) != MICA_DNS_NONE)
		dns_add_item(a, S_NS, z, rs, dns_node_name(z, cut), false);
}

void dns_deny_nodata(struct ans *a, uint32_t original)
{
	if (nsec3_zone(a))
		nsec3_nodata(a, original);
	else if (nsec_zone(a))
		add_nsec_from(a, original);
}

void dns_deny_wildcard(struct ans *a, const uint8_t *lname, size_t len, uint32_t ce)
{
	if (nsec3_zone(a))
		add_next_closer(a, lname, len, a->zone->nodes[ce].name_len);
	else if (nsec_zone(a))
		add_nsec_covering(a, lname, len);
}

/* NSD keeps NSEC3 owners as names of the zone: a name below one has that
 * owner as closest encloser (and only the next closer name is denied).
 * The offset of the owner in lname, or 0. */
static size_t nsec3_owner_above(const struct ans *a, const uint8_t *lname, size_t len, uint32_t ce)
{
	const struct mica_dns_zone *z = a->zone;
	size_t apex_len = z->nodes[z->apex].name_len, o = 0;
	if (ce != z->apex || len <= apex_len)
		return 0;
	while (len - o - ((size_t)lname[o] + 1) > apex_len)
		o += (size_t)lname[o] + 1;
	/* lname + o is one label below the apex */
	return o > 0 && dns_nsec3_is_owner(z, lname + o, len - o) ? o : 0;
}

void dns_deny_name(struct ans *a, const uint8_t *lname, size_t len, uint32_t ce)
{
	if (nsec3_zone(a)) {
		const struct mica_dns_zone *z = a->zone;
		bool exact;
		const uint8_t *cen = node_lname(z, ce);
		size_t cl = z->nodes[ce].name_len, o = nsec3_owner_above(a, lname, len, ce);
		if (o) { /* NSD has no hash data for an NSEC3 owner: only this */
			add_next_closer(a, lname, len, len - o);
			return;
		}
		add_next_closer(a, lname, len, cl);
		uint32_t c = dns_nsec3_cover(z, cen, cl, &exact);
		if (exact)
			add_nsec3(a, c);
		uint8_t star[MICA_DNS_NAME_MAX];
		if (cl + 2 <= MICA_DNS_NAME_MAX) {
			star[0] = 1;
			star[1] = '*';
			memcpy(star + 2, cen, cl);
			add_nsec3(a, dns_nsec3_cover(z, star, cl + 2, &exact));
		}
	} else if (nsec_zone(a)) {
		add_nsec_covering(a, lname, len);
		add_nsec_no_wildcard(a, ce);
	}
}
