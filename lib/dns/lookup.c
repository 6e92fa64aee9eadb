/* lookup.c - find the zone and the node a query name lands on: exact
 * match, delegation (referral), wildcard (RFC 4592) or NXDOMAIN; and the
 * canonical order of names (RFC 4034 6.1) for NSEC proofs. */
#include "answer.h"
#include <mica/libc.h>

static const uint8_t *node_lname(const struct mica_dns_zone *z, uint32_t n)
{
	return z->names + z->nodes[n].lname;
}

bool mica_dns_name_has_suffix(const uint8_t *name, size_t len, const uint8_t *suffix, size_t sl)
{
	if (sl > len)
		return false;
	size_t o = 0;
	while (len - o > sl)
		o += (size_t)name[o] + 1;
	return len - o == sl && memcmp(name + o, suffix, sl) == 0;
}

const struct mica_dns_zone *mica_dns_find_zone(const struct mica_dns_zoneset *zs, const uint8_t *lname,
                                               size_t len)
{
	const struct mica_dns_zone *best = NULL;
	size_t best_len = 0;
	for (size_t i = 0; i < zs->nzones; i++) {
		const struct mica_dns_zone *z = zs->zones[i];
		size_t al = z->nodes[z->apex].name_len;
		if (al > best_len || !best) {
			if (mica_dns_name_has_suffix(lname, len, node_lname(z, z->apex), al)) {
				best = z;
				best_len = al;
			}
		}
	}
	return best;
}

uint32_t mica_dns_find_node(const struct mica_dns_zone *z, const uint8_t *lname, size_t len)
{
	uint32_t i = mica_dns_name_hash(lname, len) & z->hash_mask;
	for (;;) {
		uint32_t slot = z->hash[i];
		if (slot == 0)
			return MICA_DNS_NONE;
		const struct mica_dns_node *n = &z->nodes[slot - 1];
		if (n->name_len == len && memcmp(z->names + n->lname, lname, len) == 0)
			return slot - 1;
		i = (i + 1) & z->hash_mask;
	}
}

void mica_dns_lookup(const struct mica_dns_zone *z, const uint8_t *lname, size_t len, uint16_t qtype,
                     struct mica_dns_lookup *out)
{
	size_t apex_len = z->nodes[z->apex].name_len;
	size_t o = 0;
	uint32_t ce = MICA_DNS_NONE;
	/* Closest encloser: the longest existing suffix (the apex exists). */
	while (len - o >= apex_len) {
		ce = mica_dns_find_node(z, lname + o, len - o);
		if (ce != MICA_DNS_NONE || len - o == apex_len)
			break;
		o += (size_t)lname[o] + 1;
	}
	if (ce == MICA_DNS_NONE)
		ce = z->apex;
	bool exact = o == 0;
	const struct mica_dns_node *n = &z->nodes[ce];
	out->zone = z;
	out->ce = ce;
	if (n->cut != MICA_DNS_NONE && !(exact && qtype == MICA_DNS_DS && n->cut == ce)) {
		/* compress against the closest encloser, as NSD does: names
		 * below the cut (glue) may be in the query */
		out->kind = MICA_DNS_M_REFERRAL;
		out->node = n->cut;
		out->stable = (uint8_t)(len - n->name_len);
	} else if (exact) {
		out->kind = MICA_DNS_M_EXACT;
		out->node = ce;
		/* "*.x" asked for literally is answered like a wildcard match */
		out->stable = lname[0] == 1 && lname[1] == '*' ? 2 : 0;
	} else if (n->wild != MICA_DNS_NONE) {
		out->kind = MICA_DNS_M_WILD;
		out->node = n->wild;
		out->stable = (uint8_t)(len - n->name_len);
	} else {
		out->kind = MICA_DNS_M_NXDOMAIN;
		out->node = ce;
		out->stable = (uint8_t)(len - n->name_len);
	}
}

int mica_dns_name_canon_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	/* compare labels from the right: find label starts first */
	uint8_t la[128] = {0}, lb[128] = {0};
	int na = 0, nb = 0;
	for (size_t o = 0; o < alen && a[o] && na < 128; o += (size_t)a[o] + 1)
		la[na++] = (uint8_t)o;
	for (size_t o = 0; o < blen && b[o] && nb < 128; o += (size_t)b[o] + 1)
		lb[nb++] = (uint8_t)o;
	while (na > 0 && nb > 0) {
		const uint8_t *x = a + la[--na], *y = b + lb[--nb];
		size_t n = *x < *y ? *x : *y;
		int c = memcmp(x + 1, y + 1, n);
		if (c)
			return c;
		if (*x != *y)
			return *x < *y ? -1 : 1;
	}
	return na - nb;
}

uint32_t dns_canon_pred(const struct mica_dns_zone *z, const uint8_t *lname, size_t len)
{
	uint32_t lo = 0, hi = z->nnodes; /* nodes[lo] <= name < nodes[hi] */
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		const struct mica_dns_node *n = &z->nodes[mid];
		if (mica_dns_name_canon_cmp(z->names + n->lname, n->name_len, lname, len) <= 0)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}
