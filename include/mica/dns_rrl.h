/* dns_rrl.h - response-rate limiting for the DNS server's UDP answers, as
 * NSD's rrl does (nsd.conf(5) rrl-*):
 *
 * Every UDP response is classified (nxdomain, error, referral, any, rrsig,
 * wildcard, nodata, dnskey, positive) and keyed by the source's prefix
 * (/24 for IPv4), the class and a name (the zone apex for nxdomain, error
 * and nodata; the delegation for a referral; the wildcard for a wildcard
 * answer; else the query name). Each key has a smoothed rate in a hash
 * table of buckets: per second, rate = rate/2 + responses, so it counts
 * twice the responses per second; a response is limited when
 * max(rate, responses this second + rate/2) reaches twice the limit in qps.
 * A limited response is dropped, except every `slip`-th one, which goes
 * out truncated (TC set, header and question only) so a real client
 * retries over TCP. TCP answers are never limited. A bucket taken by
 * another key (a collision) starts again from zero, as NSD's do.
 *
 * The caller passes time explicitly (nanoseconds of any monotonic clock),
 * so the arithmetic is unit-tested with made-up clocks. Freestanding. */
#ifndef MICA_DNS_RRL_H
#define MICA_DNS_RRL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "dns.h"

/* Response classes (NSD's rrl types and bit values). */
enum {
	MICA_RRL_NXDOMAIN = 0x01,
	MICA_RRL_ERROR = 0x02,
	MICA_RRL_REFERRAL = 0x04,
	MICA_RRL_ANY = 0x08,
	MICA_RRL_WILDCARD = 0x10,
	MICA_RRL_NODATA = 0x20,
	MICA_RRL_DNSKEY = 0x40,
	MICA_RRL_POSITIVE = 0x80,
	MICA_RRL_RRSIG = 0x100,
	MICA_RRL_ALL = 0x1ff,
};
#define MICA_RRL_NKINDS 9

/* NSD's defaults. */
#define MICA_RRL_DEFAULT_RATE 200            /* qps per prefix and class */
#define MICA_RRL_DEFAULT_SLIP 2              /* every 2nd limited response goes out with TC */
#define MICA_RRL_DEFAULT_IPV4_PREFIX 24      /* sources grouped by /24 */
#define MICA_RRL_DEFAULT_WHITELIST_RATE 2000 /* qps for whitelisted classes */
/* NSD's table has 1000000 buckets; a guest's memory is smaller, so ours
 * defaults to 65536 (24 bytes each: 1.5 MiB). */
#define MICA_RRL_DEFAULT_SIZE 65536

struct mica_rrl_config {
	uint32_t rate;           /* qps; 0: unlimited */
	uint32_t whitelist_rate; /* qps for the classes in `whitelist`; 0: unlimited */
	uint16_t whitelist;      /* MICA_RRL_* bits */
	uint16_t slip;           /* 0: drop every limited response; 1: truncate every one */
	uint8_t ipv4_prefix;     /* 0..32 */
	uint32_t size;           /* buckets (>= 1) */
	uint32_t seed;           /* hash salt (random, so keys cannot be aimed at buckets) */
};

struct mica_rrl_stats {
	uint64_t checked;                  /* responses looked at */
	uint64_t limited;                  /* of which over the limit */
	uint64_t slipped, dropped;         /* limited ones sent truncated / not sent */
	uint64_t blocks;                   /* times a key went over its limit */
	uint64_t by_kind[MICA_RRL_NKINDS]; /* limited, by class */
};

struct rrl_bucket;
struct mica_rrl {
	struct mica_rrl_config cfg;
	struct rrl_bucket *buckets;
	bool owns_table; /* allocated by mica_rrl_init (freed by mica_rrl_free) */
	uint32_t slip_count;
	struct mica_rrl_stats st;
};

/* Default configuration (NSD's). */
void mica_rrl_defaults(struct mica_rrl_config *cfg);
/* Bytes of the bucket table for cfg. */
size_t mica_rrl_table_bytes(const struct mica_rrl_config *cfg);
/* Start with a caller's table of mica_rrl_table_bytes, all zero (a guest
 * takes fresh pages from mica_plat_alloc_pages: zero without a memset,
 * which costs seconds when every instruction is emulated). MICA_EINVAL for
 * a bad config. */
int mica_rrl_init_table(struct mica_rrl *r, const struct mica_rrl_config *cfg, void *zeroed);
/* The same with a table from calloc; MICA_ENOMEM. mica_rrl_free frees it. */
int mica_rrl_init(struct mica_rrl *r, const struct mica_rrl_config *cfg);
void mica_rrl_free(struct mica_rrl *r);

/* What to do with one response. */
enum mica_rrl_verdict { MICA_RRL_SEND, MICA_RRL_SLIP, MICA_RRL_DROP };

/* The rate bookkeeping alone: one response of class `kind` keyed by `name`
 * (lower-case wire form, or NULL) to source `src_ip` at time `now_ns`. */
enum mica_rrl_verdict mica_rrl_check(struct mica_rrl *r, uint32_t src_ip, uint16_t kind, const uint8_t *name,
                                     size_t name_len, uint64_t now_ns);

/* Class of the response `resp` (len bytes, as mica_dns_respond wrote it)
 * and the name it is keyed by (*name points into the zones or into
 * lname_buf, which must hold MICA_DNS_NAME_MAX bytes; NULL when none). */
uint16_t mica_rrl_classify(const struct mica_dns_zoneset *zs, const uint8_t *resp, size_t len,
                           uint8_t *lname_buf, const uint8_t **name, size_t *name_len);

/* The whole UDP hook: classify, check, and apply the verdict to the
 * response in place. Returns the length to send: len, a shorter truncated
 * (slip) response, or 0 to send nothing. */
size_t mica_rrl_apply(struct mica_rrl *r, const struct mica_dns_zoneset *zs, uint32_t src_ip, uint8_t *resp,
                      size_t len, uint64_t now_ns);

/* Class names as NSD spells them ("nxdomain", ..., "all"): parse a comma
 * separated list into bits (MICA_EINVAL on an unknown name) and name one
 * class (a single bit). */
int mica_rrl_kinds_parse(const char *list, uint16_t *out);
const char *mica_rrl_kind_name(uint16_t kind);

/* Print the counters, through mica_printf. */
void mica_rrl_print_stats(const struct mica_rrl *r);

#endif
