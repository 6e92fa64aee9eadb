/* memo.c - precompute answers: for every name of every zone and every
 * type that occurs in the zones, run the answering engine on a template
 * query and keep the encoded sections; answers equal to the one for "any
 * other type" are stored once (qtype 0). Each delegation has one referral
 * template, each name one NXDOMAIN template for the names below it (when
 * no wildcard covers them and no DNAME redirects them: DNAME answers hold
 * the query name and go to the engine); wildcards use the wildcard
 * node's entries. A budget bounds the memo of all zones: a name's entries
 * with DO, or all of them, are left out (to the engine) when they would go
 * past it, so a large signed zone cannot blow up the image. */
#include "zonec.h"
#include <stdlib.h>
#include <string.h>

#define MEMO_MAX_LEN 15000 /* template + 2 x 255-byte names stay below 0x3fff */
#define MAX_FIX 8192

struct tmpl {
	struct mica_dns_memo e;
	uint8_t *data;
	uint16_t *fix;
	bool ok;
};

static uint8_t buf[65536];
static uint16_t fixbuf[MAX_FIX];

/* Run the engine for (name, qtype); forced: a lookup result to use. */
static void run(const struct mica_dns_zoneset *zs, const struct mica_dns_zone *z, uint32_t node,
                uint16_t qtype, bool dnssec, const struct mica_dns_lookup *forced, struct tmpl *t)
{
	struct mica_dns_query q;
	memset(&q, 0, sizeof(q));
	const struct mica_dns_node *nd = &z->nodes[node];
	q.qname_len = nd->name_len;
	memcpy(q.qname, z->names + nd->name, nd->name_len);
	memcpy(q.lname, z->names + nd->lname, nd->name_len);
	q.qtype = qtype;
	q.qclass = MICA_DNS_CLASS_IN;
	q.hdr.qdcount = 1;
	q.edns_do = dnssec;
	size_t qend = MICA_DNS_HDR_LEN + nd->name_len + 4u;
	q.question_end = qend;
	memset(buf, 0, MICA_DNS_HDR_LEN);
	memcpy(buf + MICA_DNS_HDR_LEN, q.qname, nd->name_len);
	buf[qend - 4] = (uint8_t)(qtype >> 8);
	buf[qend - 3] = (uint8_t)qtype;
	buf[qend - 2] = 0;
	buf[qend - 1] = 1;
	struct mica_dns_lookup lk;
	if (forced)
		lk = *forced;
	else
		mica_dns_lookup(z, q.lname, q.qname_len, qtype, &lk);
	struct mica_dns_msg m = {
	    .buf = buf, .len = qend, .limit = sizeof(buf) - 1, .fix = fixbuf, .capfix = MAX_FIX};
	mica_dns_answer(zs, &q, forced, &m);
	memset(t, 0, sizeof(*t));
	t->ok = m.err == 0 && m.len < MEMO_MAX_LEN && !(m.flags & MICA_DNS_F_TC);
	if (!t->ok)
		return;
	t->e.qtype = qtype;
	t->e.dnssec = dnssec;
	t->e.flags = m.flags;
	t->e.an = m.an;
	t->e.ns = m.ns;
	t->e.ar = m.ar;
	t->e.xlen = lk.stable;
	t->e.tq_len = nd->name_len;
	t->e.len = (uint32_t)(m.len - qend);
	t->e.nfix = (uint16_t)m.nfix;
	t->data = malloc(t->e.len + 1);
	t->fix = malloc((m.nfix + 1) * sizeof(uint16_t));
	if (!t->data || !t->fix) {
		perror("zonec");
		exit(1);
	}
	memcpy(t->data, buf + qend, t->e.len);
	for (size_t i = 0; i < m.nfix; i++)
		t->fix[i] = (uint16_t)(fixbuf[i] - qend);
}

static bool same(const struct tmpl *a, const struct tmpl *b)
{
	return a->ok && b->ok && a->e.flags == b->e.flags && a->e.an == b->e.an && a->e.ns == b->e.ns &&
	       a->e.ar == b->e.ar && a->e.len == b->e.len && a->e.nfix == b->e.nfix &&
	       memcmp(a->data, b->data, a->e.len) == 0 &&
	       memcmp(a->fix, b->fix, a->e.nfix * sizeof(uint16_t)) == 0;
}

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return p;
	while (*cap < need)
		*cap = *cap ? *cap * 2 : 1024;
	p = realloc(p, *cap * elem);
	if (!p) {
		perror("zonec");
		exit(1);
	}
	return p;
}

struct caps {
	size_t memo, data, fix;
	size_t used, budget; /* memo bytes of all zones so far, and the limit */
};

size_t zmemo_size(const struct zbuilt *zb)
{
	return zb->memo_data_len + zb->z.nmemo * sizeof(struct mica_dns_memo) + zb->nfix * sizeof(uint16_t);
}

/* Append a template to the zone's memo; returns its index. */
static uint32_t keep(struct zbuilt *zb, struct caps *c, struct tmpl *t, uint16_t qtype)
{
	zb->memo = grow(zb->memo, &c->memo, zb->z.nmemo + 1, sizeof(*zb->memo));
	zb->memo_data = grow(zb->memo_data, &c->data, zb->memo_data_len + t->e.len, 1);
	zb->memo_fix = grow(zb->memo_fix, &c->fix, zb->nfix + t->e.nfix, sizeof(uint16_t));
	struct mica_dns_memo *e = &zb->memo[zb->z.nmemo];
	*e = t->e;
	e->qtype = qtype;
	e->data = (uint32_t)zb->memo_data_len;
	e->fix = (uint32_t)zb->nfix;
	memcpy(zb->memo_data + zb->memo_data_len, t->data, t->e.len);
	zb->memo_data_len += t->e.len;
	memcpy(zb->memo_fix + zb->nfix, t->fix, t->e.nfix * sizeof(uint16_t));
	zb->nfix += t->e.nfix;
	return zb->z.nmemo++;
}

static void drop(struct tmpl *t)
{
	free(t->data);
	free(t->fix);
	t->data = NULL;
	t->fix = NULL;
}

static bool special(uint16_t t)
{
	return t == 0 || t == MICA_DNS_OPT || t == MICA_DNS_DS || t == MICA_DNS_DNSKEY || t == 249 ||
	       t == 250 || (t >= MICA_DNS_IXFR && t <= MICA_DNS_ANY) || t == MICA_DNS_MEMO_NX;
}

static bool has_type(const struct mica_dns_zone *z, uint32_t node, uint16_t type)
{
	const struct mica_dns_node *n = &z->nodes[node];
	for (uint32_t i = n->rrsets; i < n->rrsets + n->nrrsets; i++)
		if (z->rrsets[i].type == type)
			return true;
	return false;
}

/* The entries of one node for queries without DO (dnssec false) or with
 * DO (signed zones); false when an answer cannot be memoised. */
static bool memo_group(const struct mica_dns_zoneset *zs, struct zbuilt *zb, struct caps *c, uint32_t i,
                       const uint16_t *types, size_t ntypes, uint16_t other_type, bool dnssec)
{
	const struct mica_dns_node *nd = &zb->nodes[i];
	const struct mica_dns_zone *z = &zb->z;
	struct tmpl other, t;
	if (nd->cut == i) { /* the referral for every name at or below the cut */
		struct mica_dns_lookup lk = {z, MICA_DNS_M_REFERRAL, i, i, 0};
		run(zs, z, i, other_type, dnssec, &lk, &other);
		if (other.ok)
			keep(zb, c, &other, 0);
		drop(&other);
		return other.ok;
	}
	run(zs, z, i, other_type, dnssec, NULL, &other);
	bool ok = other.ok;
	for (size_t k = 0; k < ntypes && ok; k++) {
		run(zs, z, i, types[k], dnssec, NULL, &t);
		ok = t.ok;
		if (ok && !same(&t, &other))
			keep(zb, c, &t, types[k]);
		drop(&t);
	}
	/* NXDOMAIN below (without DO: with DO the proof depends on the name) */
	if (ok && !dnssec && nd->wild == MICA_DNS_NONE && !has_type(z, i, MICA_DNS_DNAME)) {
		struct mica_dns_lookup lk = {z, MICA_DNS_M_NXDOMAIN, i, i, 0};
		run(zs, z, i, other_type, false, &lk, &t);
		if (t.ok)
			keep(zb, c, &t, MICA_DNS_MEMO_NX);
		drop(&t);
	}
	if (ok)
		keep(zb, c, &other, 0);
	drop(&other);
	return ok;
}

/* One group of a node's entries (without or with DO), kept only when it
 * is complete and fits in the budget; false otherwise (nothing kept; one
 * more name counted in *over when the budget was the reason). */
static bool memo_group_fits(const struct mica_dns_zoneset *zs, struct zbuilt *zb, struct caps *c, uint32_t i,
                            const uint16_t *types, size_t ntypes, uint16_t other_type, bool dnssec,
                            uint32_t *over)
{
	size_t before = zmemo_size(zb);
	uint32_t nmemo = zb->z.nmemo;
	size_t data = zb->memo_data_len, nfix = zb->nfix;
	bool ok = memo_group(zs, zb, c, i, types, ntypes, other_type, dnssec);
	size_t cost = zmemo_size(zb) - before;
	if (ok && c->used + cost <= c->budget) {
		c->used += cost;
		return true;
	}
	zb->z.nmemo = nmemo;
	zb->memo_data_len = data;
	zb->nfix = nfix;
	if (ok)
		(*over)++;
	return false;
}

static void memo_node(const struct mica_dns_zoneset *zs, struct zbuilt *zb, struct caps *c, uint32_t i,
                      const uint16_t *types, size_t ntypes, uint16_t other_type)
{
	struct mica_dns_node *nd = &zb->nodes[i];
	nd->memo = zb->z.nmemo;
	nd->nmemo = 0;
	if (nd->cut != MICA_DNS_NONE && nd->cut != i)
		return; /* below a delegation: the cut's referral */
	/* a group left out: its queries go to the engine (lib/dns/memo.c
	 * finds no entry of that kind for the name) */
	if (!memo_group_fits(zs, zb, c, i, types, ntypes, other_type, false, &zb->memo_none))
		return;
	if (zb->z.secure)
		(void)memo_group_fits(zs, zb, c, i, types, ntypes, other_type, true, &zb->memo_no_do);
	nd->nmemo = (uint16_t)(zb->z.nmemo - nd->memo);
}

int zmemo(struct zbuilt *zones, size_t n, size_t budget)
{
	const struct mica_dns_zone *ptrs[64];
	if (n > 64)
		return -1;
	uint16_t types[256];
	size_t ntypes = 0;
	for (size_t k = 0; k < n; k++) {
		ptrs[k] = &zones[k].z;
		for (uint32_t r = 0; r < zones[k].z.nrrsets; r++) {
			uint16_t t = zones[k].z.rrsets[r].type;
			bool seen = special(t);
			for (size_t j = 0; j < ntypes && !seen; j++)
				seen = types[j] == t;
			if (!seen && ntypes < 256)
				types[ntypes++] = t;
		}
	}
	/* a type that occurs nowhere stands for "every other type" */
	uint16_t other = 65534;
	for (bool clash = true; clash;) {
		clash = false;
		for (size_t j = 0; j < ntypes; j++)
			if (types[j] == other) {
				other--;
				clash = true;
			}
	}
	const struct mica_dns_zoneset zs = {ptrs, n};
	size_t used = 0;
	for (size_t k = 0; k < n; k++) {
		struct zbuilt *zb = &zones[k];
		struct caps c = {.used = used, .budget = budget};
		for (uint32_t i = 0; i < zb->z.nnodes; i++)
			memo_node(&zs, zb, &c, i, types, ntypes, other);
		zb->z.memo = zb->memo;
		zb->z.memo_data = zb->memo_data;
		zb->z.memo_fix = zb->memo_fix;
		used = c.used;
	}
	return 0;
}
