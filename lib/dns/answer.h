/* answer.h - private to lib/dns: the answer being collected (answer.c,
 * denial.c) and encoded (encode.c). RRsets are gathered as items tagged
 * with their section, as NSD does (answer, authority, optional
 * authority, additional A, AAAA, other), then written in section order. */
#ifndef MICA_DNS_ANSWER_H
#define MICA_DNS_ANSWER_H

#include "dns_impl.h"

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
	bool neg;       /* SOA of a negative answer (RFC 2308 TTL) */
	uint16_t nsets; /* RRsets from `rrset` on sent as one (a name's RRSIGs) */
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

const uint8_t *dns_node_name(const struct mica_dns_zone *z, uint32_t n);
/* The RRset of a type at a node (the first RRSIG RRset for RRSIG), or NONE. */
uint32_t dns_find_rrset(const struct mica_dns_zone *z, uint32_t node, uint16_t type);
/* Add an RRset unless it is there already (then it may move to an
 * earlier section). Returns true when added or moved. */
bool dns_add_item(struct ans *a, int sec, const struct mica_dns_zone *z, uint32_t rrset, const uint8_t *owner,
                  bool neg);
/* Add an RRset of the current zone and the additional data it calls for. */
bool dns_add_rrset(struct ans *a, int sec, uint32_t rrset, const uint8_t *owner);
/* Write the items into the message (encode.c). */
void dns_encode(struct ans *a);

/* ---- DNSSEC denial of existence (denial.c), with DO in signed zones ---- */
/* Does this answer carry DNSSEC data from the current zone? */
bool dns_want_dnssec(const struct ans *a);
/* Referral: the DS RRset at the cut, or the proof that there is none. */
void dns_deny_ds_at_cut(struct ans *a, uint32_t cut);
/* NODATA at node `original` (a wildcard node for a wildcard NODATA). */
void dns_deny_nodata(struct ans *a, uint32_t original);
/* Wildcard answer for lname (wild: the "*" node, ce its parent). */
void dns_deny_wildcard(struct ans *a, const uint8_t *lname, size_t len, uint32_t ce);
/* NXDOMAIN for lname whose closest encloser is ce. */
void dns_deny_name(struct ans *a, const uint8_t *lname, size_t len, uint32_t ce);

/* ---- zone order and NSEC3 lookups (lookup.c, nsec3.c) ---- */
/* The last node at or before a lower-case name in canonical order. */
uint32_t dns_canon_pred(const struct mica_dns_zone *z, const uint8_t *lname, size_t len);
/* The NSEC3 record matching (exact) or covering the hash of a lower-case
 * name, or NONE when the zone has no NSEC3 chain. */
uint32_t dns_nsec3_cover(const struct mica_dns_zone *z, const uint8_t *lname, size_t len, bool *exact);
/* Is this lower-case name the owner of an NSEC3 record of the chain? */
bool dns_nsec3_is_owner(const struct mica_dns_zone *z, const uint8_t *lname, size_t len);

#endif
