/* build.c - check a parsed zone and lay it out as the data the server
 * reads (struct mica_dns_zone): nodes in canonical order with empty
 * non-terminals, RRsets, delegation points, wildcards, the name hash. */
#include "zonemd.h"
#include <stdlib.h>
#include <string.h>

struct bnode {
	uint8_t name[MICA_DNS_NAME_MAX], lname[MICA_DNS_NAME_MAX];
	uint8_t len;
	size_t *rrs, nrrs, caprrs; /* indices into zf->rrs, file order */
	uint32_t final;            /* index after sorting */
};

struct bmap {
	struct bnode *nodes;
	size_t n, cap;
	uint32_t *slots; /* node + 1 */
	size_t nslots;
};

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		perror("zonec");
		exit(1);
	}
	return p;
}

static void map_grow(struct bmap *m)
{
	size_t ns = m->nslots ? m->nslots * 2 : 1024;
	free(m->slots);
	m->slots = calloc(ns, sizeof(uint32_t));
	if (!m->slots) {
		perror("zonec");
		exit(1);
	}
	m->nslots = ns;
	for (size_t i = 0; i < m->n; i++) {
		size_t h = mica_dns_name_hash(m->nodes[i].lname, m->nodes[i].len) & (ns - 1);
		while (m->slots[h])
			h = (h + 1) & (ns - 1);
		m->slots[h] = (uint32_t)i + 1;
	}
}

/* The node of a lower-case name, or -1. */
static long map_find(const struct bmap *m, const uint8_t *lname, size_t len)
{
	size_t h = mica_dns_name_hash(lname, len) & (m->nslots - 1);
	while (m->slots[h]) {
		const struct bnode *b = &m->nodes[m->slots[h] - 1];
		if (b->len == len && memcmp(b->lname, lname, len) == 0)
			return (long)m->slots[h] - 1;
		h = (h + 1) & (m->nslots - 1);
	}
	return -1;
}

/* The node of a name, created when missing. */
static size_t map_get(struct bmap *m, const uint8_t *name, size_t len)
{
	uint8_t lname[MICA_DNS_NAME_MAX];
	mica_dns_name_lower(lname, name, len);
	if (m->n * 2 >= m->nslots)
		map_grow(m);
	size_t h = mica_dns_name_hash(lname, len) & (m->nslots - 1);
	while (m->slots[h]) {
		struct bnode *b = &m->nodes[m->slots[h] - 1];
		if (b->len == len && memcmp(b->lname, lname, len) == 0)
			return m->slots[h] - 1;
		h = (h + 1) & (m->nslots - 1);
	}
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 256;
		m->nodes = xrealloc(m->nodes, m->cap * sizeof(*m->nodes));
	}
	struct bnode *b = &m->nodes[m->n];
	memset(b, 0, sizeof(*b));
	memcpy(b->name, name, len);
	memcpy(b->lname, lname, len);
	b->len = (uint8_t)len;
	m->slots[h] = (uint32_t)m->n + 1;
	return m->n++;
}

static void map_free(struct bmap *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->nodes[i].rrs);
	free(m->nodes);
	free(m->slots);
}

static int cmp_nodes(const void *x, const void *y)
{
	const struct bnode *a = *(struct bnode *const *)x, *b = *(struct bnode *const *)y;
	return mica_dns_name_canon_cmp(a->lname, a->len, b->lname, b->len);
}

static void zerr(struct zfile *zf, const struct zrr *at, const char *msg, const uint8_t *name)
{
	char b[1024];
	int line = at ? at->line : (zf->last_line > 1 ? zf->last_line - 1 : 1);
	fprintf(zf->err, "%s:%d: %s%s\n", at ? at->file : zf->path, line, msg,
	        name ? mica_dns_name_str(name, b, sizeof(b)) : "");
	zf->nerrors++;
}

static int find_soa(struct zfile *zf)
{
	int soa = -1;
	for (size_t i = 0; i < zf->nrrs; i++) {
		if (zf->rrs[i].type != MICA_DNS_SOA)
			continue;
		if (soa >= 0) {
			zerr(zf, &zf->rrs[i], "second SOA record (a zone has one, at its apex)", NULL);
			return -1;
		}
		soa = (int)i;
	}
	if (soa < 0)
		zerr(zf, zf->nrrs ? &zf->rrs[0] : NULL, "missing SOA record (a zone needs one at its apex)",
		     NULL);
	return soa;
}

/* DNSSEC records may sit beside a CNAME (RFC 4035 2.5). */
static bool cname_companion(uint16_t type)
{
	return type == MICA_DNS_RRSIG || type == MICA_DNS_NSEC || type == 24 /* SIG */ ||
	       type == 30 /* NXT */;
}

/* CNAME beside other data, two CNAMEs (RFC 1034 3.6.2, RFC 2181 10.1),
 * two DNAMEs, DNAME beside CNAME (RFC 6672 5.2). */
static void check_cname(struct zfile *zf, struct bnode *b)
{
	const struct zrr *cname = NULL, *other = NULL, *dname = NULL;
	for (size_t k = 0; k < b->nrrs; k++) {
		const struct zrr *r = &zf->rrs[b->rrs[k]];
		if (r->type == MICA_DNS_CNAME) {
			if (cname)
				zerr(zf, r, "more than one CNAME at ", b->name);
			else
				cname = r;
		} else if (r->type == MICA_DNS_DNAME) {
			if (dname)
				zerr(zf, r, "more than one DNAME at ", b->name);
			else
				dname = r;
		}
		if (r->type != MICA_DNS_CNAME && !cname_companion(r->type) && !other)
			other = r;
	}
	if (cname && dname)
		zerr(zf, cname->line > dname->line ? cname : dname, "DNAME and CNAME at ", b->name);
	if (cname && other)
		zerr(zf, cname->line > other->line ? cname : other, "CNAME beside other data at ", b->name);
}

/* RFC 6672 2.3: no data below a DNAME (checked on the sorted nodes: the
 * names below a node follow it). */
static void check_dname_below(struct zfile *zf, struct bnode **order, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct zrr *dname = NULL;
		for (size_t k = 0; k < order[i]->nrrs && !dname; k++)
			if (zf->rrs[order[i]->rrs[k]].type == MICA_DNS_DNAME)
				dname = &zf->rrs[order[i]->rrs[k]];
		for (size_t j = i + 1; dname && j < n; j++) {
			const struct bnode *b = order[j];
			if (!mica_dns_name_has_suffix(b->lname, b->len, order[i]->lname, order[i]->len))
				break;
			if (b->nrrs == 0)
				continue;
			char nm[1024], msg[1300];
			snprintf(msg, sizeof(msg), "%s is below the DNAME at ",
			         mica_dns_name_str(b->name, nm, sizeof(nm)));
			zerr(zf, &zf->rrs[b->rrs[0]], msg, order[i]->name);
		}
	}
}

static bool same_rr(const struct zrr *a, const struct zrr *b)
{
	return a->type == b->type && a->rdlen == b->rdlen && memcmp(a->rdata, b->rdata, a->rdlen) == 0;
}

/* The RRset key of an RR: its type, and for an RRSIG the type it covers
 * (the RRSIGs of a name are kept as one RRset per covered type). */
static uint32_t rr_key(const struct zrr *r)
{
	uint32_t covered =
	    r->type == MICA_DNS_RRSIG && r->rdlen >= 2 ? (uint32_t)(r->rdata[0] << 8 | r->rdata[1]) : 0;
	return (uint32_t)r->type << 16 | covered;
}

struct rrcaps {
	size_t nrr, caprr, rdcap;
};

static void put_rr_data(struct zbuilt *zb, struct rrcaps *c, const struct zrr *x)
{
	while (zb->rdata_len + 6 + x->rdlen > c->rdcap) {
		c->rdcap = c->rdcap ? c->rdcap * 2 : 65536;
		zb->rdata = xrealloc(zb->rdata, c->rdcap);
	}
	uint8_t *p = zb->rdata + zb->rdata_len;
	p[0] = (uint8_t)(x->ttl >> 24);
	p[1] = (uint8_t)(x->ttl >> 16);
	p[2] = (uint8_t)(x->ttl >> 8);
	p[3] = (uint8_t)x->ttl;
	p[4] = (uint8_t)(x->rdlen >> 8);
	p[5] = (uint8_t)x->rdlen;
	memcpy(p + 6, x->rdata, x->rdlen);
	zb->rdata_len += 6u + x->rdlen;
}

/* One RRset: the RRs of rrs[] (file order, duplicates dropped) with key. */
static void emit_one(struct zbuilt *zb, struct zfile *zf, const size_t *rrs, size_t n, size_t first,
                     struct rrcaps *c)
{
	uint32_t key = rr_key(&zf->rrs[rrs[first]]);
	if (c->nrr == c->caprr) {
		c->caprr = c->caprr ? c->caprr * 2 : 256;
		zb->rrsets = xrealloc(zb->rrsets, c->caprr * sizeof(*zb->rrsets));
	}
	struct mica_dns_rrset *rs = &zb->rrsets[c->nrr++];
	rs->type = zf->rrs[rrs[first]].type;
	rs->count = 0;
	rs->data = (uint32_t)zb->rdata_len;
	rs->sigs = MICA_DNS_NONE;
	for (size_t j = first; j < n; j++) {
		const struct zrr *x = &zf->rrs[rrs[j]];
		bool dup = false;
		if (rr_key(x) != key)
			continue;
		for (size_t d = first; d < j && !dup; d++)
			dup = same_rr(&zf->rrs[rrs[d]], x);
		if (!dup) {
			put_rr_data(zb, c, x);
			rs->count++;
		}
	}
}

/* RRsets of a name: types in order of first appearance, then its RRSIGs
 * by covered type; each RRset points at the RRSIGs covering it. */
static void emit_rrsets(struct zbuilt *zb, struct zfile *zf, const size_t *rrs, size_t n, struct rrcaps *c)
{
	size_t start = c->nrr;
	for (int sigs = 0; sigs < 2; sigs++) {
		for (size_t k = 0; k < n; k++) {
			const struct zrr *r = &zf->rrs[rrs[k]];
			bool seen = (r->type == MICA_DNS_RRSIG) != sigs;
			for (size_t j = 0; j < k && !seen; j++)
				seen = rr_key(&zf->rrs[rrs[j]]) == rr_key(r);
			if (!seen)
				emit_one(zb, zf, rrs, n, k, c);
		}
	}
	for (size_t i = start; i < c->nrr; i++) {
		if (zb->rrsets[i].type == MICA_DNS_RRSIG)
			continue;
		for (size_t j = start; j < c->nrr; j++) {
			const uint8_t *rd = zb->rdata + zb->rrsets[j].data + 6;
			if (zb->rrsets[j].type == MICA_DNS_RRSIG &&
			    (rd[0] << 8 | rd[1]) == zb->rrsets[i].type)
				zb->rrsets[i].sigs = (uint32_t)j;
		}
	}
}

static uint32_t find_type(const struct zbuilt *zb, uint32_t node, uint16_t type)
{
	const struct mica_dns_node *n = &zb->nodes[node];
	for (uint32_t i = n->rrsets; i < n->rrsets + n->nrrsets; i++)
		if (zb->rrsets[i].type == type)
			return i;
	return MICA_DNS_NONE;
}

static void link_nodes(struct zbuilt *zb, const struct bmap *m, struct bnode **order, size_t n)
{
	uint8_t star[MICA_DNS_NAME_MAX + 2];
	for (size_t i = 0; i < n; i++) {
		struct bnode *b = order[i];
		struct mica_dns_node *nd = &zb->nodes[i];
		nd->parent = MICA_DNS_NONE;
		nd->wild = MICA_DNS_NONE;
		nd->cut = MICA_DNS_NONE;
		if (i > 0) {
			size_t pl = (size_t)b->lname[0] + 1;
			nd->parent = m->nodes[map_find(m, b->lname + pl, b->len - pl)].final;
		}
		if (b->len + 2 <= MICA_DNS_NAME_MAX) {
			star[0] = 1;
			star[1] = '*';
			memcpy(star + 2, b->lname, b->len);
			long w = map_find(m, star, b->len + 2u);
			if (w >= 0)
				nd->wild = m->nodes[w].final; /* NONE for an NSEC3 owner */
		}
	}
	/* the lowest NS-bearing name at or above each node, apex excluded;
	 * canonical order puts parents before children */
	for (size_t i = 1; i < n; i++) {
		struct mica_dns_node *nd = &zb->nodes[i];
		if (find_type(zb, (uint32_t)i, MICA_DNS_NS) != MICA_DNS_NONE)
			nd->cut = (uint32_t)i;
		else
			nd->cut = zb->nodes[nd->parent].cut;
	}
}

static void layout_nsec3_names(struct zbuilt *zb)
{
	for (uint32_t i = 0; i < zb->z.nnsec3; i++) {
		const struct bnode *b = zb->n3[i];
		struct mica_dns_nsec3 *e = &zb->nsec3[i];
		e->name = (uint32_t)zb->names_len;
		memcpy(zb->names + zb->names_len, b->name, b->len);
		zb->names_len += b->len;
		e->lname = (uint32_t)zb->names_len;
		memcpy(zb->names + zb->names_len, b->lname, b->len);
		zb->names_len += b->len;
	}
}

static void layout_names(struct zbuilt *zb, struct bnode **order, size_t n)
{
	size_t cap = 0;
	for (size_t i = 0; i < n; i++)
		cap += 2u * order[i]->len;
	for (size_t i = 0; i < zb->nn3; i++)
		cap += 2u * zb->n3[i]->len;
	zb->names = xrealloc(NULL, cap);
	zb->names_len = 0;
	for (size_t i = 0; i < n; i++) {
		struct mica_dns_node *nd = &zb->nodes[i];
		nd->name = (uint32_t)zb->names_len;
		memcpy(zb->names + zb->names_len, order[i]->name, order[i]->len);
		zb->names_len += order[i]->len;
		nd->lname = (uint32_t)zb->names_len;
		memcpy(zb->names + zb->names_len, order[i]->lname, order[i]->len);
		zb->names_len += order[i]->len;
		nd->name_len = order[i]->len;
	}
	layout_nsec3_names(zb);
}

static void make_hash(struct zbuilt *zb, size_t n)
{
	size_t size = 16;
	while (size < 2 * n)
		size *= 2;
	zb->hash = calloc(size, sizeof(uint32_t));
	if (!zb->hash) {
		perror("zonec");
		exit(1);
	}
	zb->hash_size = size;
	for (size_t i = 0; i < n; i++) {
		const struct mica_dns_node *nd = &zb->nodes[i];
		size_t h = mica_dns_name_hash(zb->names + nd->lname, nd->name_len) & (size - 1);
		while (zb->hash[h])
			h = (h + 1) & (size - 1);
		zb->hash[h] = (uint32_t)i + 1;
	}
}

/* NSEC3 owners (names holding only NSEC3 and its RRSIGs, RFC 5155 7.1)
 * are not names of the zone's tree: they go to zb->n3 (canonical order,
 * which is hash order) and out of `order`. Returns the new count. */
static size_t split_nsec3(struct zbuilt *zb, struct zfile *zf, struct bmap *m, struct bnode **order, size_t n)
{
	size_t kept = 0;
	zb->n3 = xrealloc(NULL, n * sizeof(*zb->n3));
	zb->nn3 = 0;
	for (size_t i = 0; i < n; i++) {
		struct bnode *b = order[i];
		bool only = b->nrrs > 0 && i > 0;
		for (size_t k = 0; k < b->nrrs && only; k++) {
			uint32_t key = rr_key(&zf->rrs[b->rrs[k]]);
			only = key >> 16 == MICA_DNS_NSEC3 ||
			       key == ((uint32_t)MICA_DNS_RRSIG << 16 | MICA_DNS_NSEC3);
		}
		/* a name below it keeps it in the tree */
		if (only && i + 1 < n &&
		    mica_dns_name_has_suffix(order[i + 1]->lname, order[i + 1]->len, b->lname, b->len))
			only = false;
		if (only) {
			b->final = MICA_DNS_NONE;
			zb->n3[zb->nn3++] = b;
		} else {
			order[kept++] = b;
		}
	}
	(void)m;
	return kept;
}

/* The apex NSEC3PARAM RR a server uses (hash 1, flags 0), or NULL. */
static const uint8_t *nsec3param_rdata(const struct zbuilt *zb, uint32_t rrset)
{
	if (rrset == MICA_DNS_NONE)
		return NULL;
	const uint8_t *rr = zb->rdata + zb->rrsets[rrset].data;
	for (unsigned i = 0; i < zb->rrsets[rrset].count; i++, rr += 6 + (rr[4] << 8 | rr[5]))
		if ((rr[4] << 8 | rr[5]) >= 5 && rr[6] == 1 && rr[7] == 0)
			return rr + 6;
	return NULL;
}

/* Same hash, iterations and salt as the NSEC3PARAM? */
static bool same_params(const uint8_t *param, const uint8_t *nsec3)
{
	return param[0] == nsec3[0] && param[2] == nsec3[2] && param[3] == nsec3[3] && param[4] == nsec3[4] &&
	       memcmp(param + 5, nsec3 + 5, param[4]) == 0;
}

/* The NSEC3 chain: RRsets of the NSEC3 owners whose parameters are the
 * apex NSEC3PARAM's (others are not served). */
static void emit_nsec3(struct zbuilt *zb, struct zfile *zf, struct rrcaps *c)
{
	zb->nsec3 = calloc(zb->nn3 + 1, sizeof(*zb->nsec3));
	uint32_t param_rrset = MICA_DNS_NONE;
	const struct mica_dns_node *apex = &zb->nodes[0];
	for (uint32_t i = apex->rrsets; i < apex->rrsets + apex->nrrsets; i++)
		if (zb->rrsets[i].type == MICA_DNS_NSEC3PARAM)
			param_rrset = i;
	const uint8_t *param = nsec3param_rdata(zb, param_rrset);
	zb->z.nsec3param = param ? param_rrset : MICA_DNS_NONE;
	size_t kept = 0;
	for (size_t i = 0; i < zb->nn3 && param; i++) {
		struct bnode *b = zb->n3[i];
		const struct zrr *first = NULL;
		for (size_t k = 0; k < b->nrrs && !first; k++)
			if (zf->rrs[b->rrs[k]].type == MICA_DNS_NSEC3)
				first = &zf->rrs[b->rrs[k]];
		if (!first || first->rdlen < 5 || first->rdlen < 5u + first->rdata[4] ||
		    !same_params(param, first->rdata))
			continue;
		struct mica_dns_nsec3 *e = &zb->nsec3[kept];
		zb->n3[kept++] = b;
		e->rrset = (uint32_t)c->nrr;
		emit_rrsets(zb, zf, b->rrs, b->nrrs, c);
		e->name_len = b->len;
	}
	zb->z.nnsec3 = (uint32_t)kept;
}

int zbuild(struct zbuilt *zb, struct zfile *zf)
{
	memset(zb, 0, sizeof(*zb));
	int soa = find_soa(zf);
	if (soa < 0)
		return -1;
	const struct zrr *s = &zf->rrs[soa];
	if (!zf->no_zonemd && zonemd_verify(zf, s->owner, s->owner_len) < 0)
		return -1;
	uint8_t lapex[MICA_DNS_NAME_MAX];
	mica_dns_name_lower(lapex, s->owner, s->owner_len);
	struct bmap m = {0};
	size_t apex = map_get(&m, s->owner, s->owner_len);
	for (size_t i = 0; i < zf->nrrs; i++) {
		const struct zrr *r = &zf->rrs[i];
		uint8_t l[MICA_DNS_NAME_MAX];
		mica_dns_name_lower(l, r->owner, r->owner_len);
		if (!mica_dns_name_has_suffix(l, r->owner_len, lapex, s->owner_len)) {
			char b[1024], msg[1400];
			snprintf(msg, sizeof(msg), "%s is outside the zone ",
			         mica_dns_name_str(r->owner, b, sizeof(b)));
			zerr(zf, r, msg, s->owner);
			continue;
		}
		/* the owner and every name between it and the apex */
		size_t o = 0;
		size_t bi = map_get(&m, r->owner, r->owner_len); /* may move m.nodes */
		struct bnode *b = &m.nodes[bi];
		if (b->nrrs == b->caprrs) {
			b->caprrs = b->caprrs ? b->caprrs * 2 : 4;
			b->rrs = xrealloc(b->rrs, b->caprrs * sizeof(size_t));
		}
		b->rrs[b->nrrs++] = i;
		while (r->owner_len - o > s->owner_len) {
			o += (size_t)r->owner[o] + 1;
			map_get(&m, r->owner + o, r->owner_len - o);
		}
	}
	(void)apex;
	for (size_t i = 0; i < m.n; i++)
		check_cname(zf, &m.nodes[i]);
	size_t n = m.n;
	struct bnode **order = xrealloc(NULL, n * sizeof(*order));
	for (size_t i = 0; i < n; i++)
		order[i] = &m.nodes[i];
	qsort(order, n, sizeof(*order), cmp_nodes);
	check_dname_below(zf, order, n);
	if (zf->nerrors) {
		map_free(&m);
		free(order);
		return -1;
	}
	n = split_nsec3(zb, zf, &m, order, n);
	zb->nodes = calloc(n, sizeof(*zb->nodes));
	struct rrcaps c = {0, 0, 0};
	for (size_t i = 0; i < n; i++) {
		order[i]->final = (uint32_t)i;
		zb->nodes[i].rrsets = (uint32_t)c.nrr;
		emit_rrsets(zb, zf, order[i]->rrs, order[i]->nrrs, &c);
		zb->nodes[i].nrrsets = (uint16_t)(c.nrr - zb->nodes[i].rrsets);
	}
	emit_nsec3(zb, zf, &c);
	size_t nrr = c.nrr;
	link_nodes(zb, &m, order, n);
	layout_names(zb, order, n);
	make_hash(zb, n);
	struct mica_dns_zone *z = &zb->z;
	z->names = zb->names;
	z->rdata = zb->rdata;
	z->nodes = zb->nodes;
	z->rrsets = zb->rrsets;
	z->hash = zb->hash;
	z->nnodes = (uint32_t)n;
	z->nrrsets = (uint32_t)nrr;
	z->hash_mask = (uint32_t)zb->hash_size - 1;
	z->apex = 0;
	z->soa = find_type(zb, 0, MICA_DNS_SOA);
	z->ns = find_type(zb, 0, MICA_DNS_NS);
	z->secure = find_type(zb, 0, MICA_DNS_RRSIG) != MICA_DNS_NONE;
	z->nsec3 = zb->nsec3;
	uint32_t ttl =
	    (uint32_t)(zb->rdata[zb->rrsets[z->soa].data] << 24 |
	               zb->rdata[zb->rrsets[z->soa].data + 1] << 16 |
	               zb->rdata[zb->rrsets[z->soa].data + 2] << 8 | zb->rdata[zb->rrsets[z->soa].data + 3]);
	const uint8_t *rd = s->rdata + s->rdlen - 4;
	uint32_t minimum = (uint32_t)rd[0] << 24 | (uint32_t)rd[1] << 16 | (uint32_t)rd[2] << 8 | rd[3];
	z->neg_ttl = ttl < minimum ? ttl : minimum;
	map_free(&m);
	free(order);
	return 0;
}

void zbuilt_free(struct zbuilt *b)
{
	free(b->names);
	free(b->rdata);
	free(b->memo_data);
	free(b->nodes);
	free(b->rrsets);
	free(b->nsec3);
	free(b->n3);
	free(b->hash);
	free(b->memo);
	free(b->memo_fix);
	memset(b, 0, sizeof(*b));
}
