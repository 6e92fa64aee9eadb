/* rrl.c - response-rate limiting of UDP answers (include/mica/dns_rrl.h):
 * classify a response, keep a smoothed rate per (source prefix, class,
 * name) in a table of buckets, and cut a limited response down to its
 * truncated "slip" form. Behaviour follows nsd.conf(5)'s rrl options. */
#include <mica/dns_rrl.h>
#include <mica/err.h>
#include <mica/libc.h>
#include <mica/log.h>
#include <mica/loop.h>
#include "dns_impl.h"

struct rrl_bucket {
	uint32_t hash;    /* full hash of the key */
	uint32_t source;  /* masked source prefix */
	uint32_t rate;    /* smoothed: twice the responses per second */
	uint32_t counter; /* responses in second `stamp` */
	uint32_t stamp;   /* seconds */
	uint16_t kind;    /* MICA_RRL_* class; 0: never used */
	uint8_t blocked;  /* over the limit at its last response */
};

static const char *const kind_names[MICA_RRL_NKINDS] = {
    "nxdomain", "error", "referral", "any", "wildcard", "nodata", "dnskey", "positive", "rrsig",
};

void mica_rrl_defaults(struct mica_rrl_config *cfg)
{
	*cfg = (struct mica_rrl_config){
	    .rate = MICA_RRL_DEFAULT_RATE,
	    .whitelist_rate = MICA_RRL_DEFAULT_WHITELIST_RATE,
	    .slip = MICA_RRL_DEFAULT_SLIP,
	    .ipv4_prefix = MICA_RRL_DEFAULT_IPV4_PREFIX,
	    .size = MICA_RRL_DEFAULT_SIZE,
	};
}

static bool config_ok(const struct mica_rrl_config *cfg)
{
	return cfg->size > 0 && cfg->size <= (1u << 24) && cfg->ipv4_prefix <= 32 &&
	       cfg->rate <= 1000000000u && cfg->whitelist_rate <= 1000000000u;
}

size_t mica_rrl_table_bytes(const struct mica_rrl_config *cfg)
{
	return (size_t)cfg->size * sizeof(struct rrl_bucket);
}

int mica_rrl_init_table(struct mica_rrl *r, const struct mica_rrl_config *cfg, void *zeroed)
{
	memset(r, 0, sizeof(*r));
	if (!config_ok(cfg) || !zeroed)
		return MICA_EINVAL;
	r->buckets = zeroed;
	r->cfg = *cfg;
	return MICA_OK;
}

int mica_rrl_init(struct mica_rrl *r, const struct mica_rrl_config *cfg)
{
	memset(r, 0, sizeof(*r));
	if (!config_ok(cfg))
		return MICA_EINVAL;
	void *table = calloc(cfg->size, sizeof(struct rrl_bucket));
	if (!table)
		return MICA_ENOMEM;
	mica_rrl_init_table(r, cfg, table);
	r->owns_table = true;
	return MICA_OK;
}

void mica_rrl_free(struct mica_rrl *r)
{
	if (r->owns_table)
		free(r->buckets);
	r->buckets = NULL;
	r->owns_table = false;
}

static int kind_index(uint16_t kind)
{
	for (int i = 0; i < MICA_RRL_NKINDS; i++)
		if (kind == 1u << i)
			return i;
	return -1;
}

const char *mica_rrl_kind_name(uint16_t kind)
{
	int i = kind_index(kind);
	return kind == MICA_RRL_ALL ? "all" : i < 0 ? "unknown" : kind_names[i];
}

int mica_rrl_kinds_parse(const char *list, uint16_t *out)
{
	uint16_t bits = 0;
	const char *p = list;
	while (*p) {
		const char *end = p;
		while (*end && *end != ',')
			end++;
		size_t n = (size_t)(end - p);
		uint16_t bit = n == 3 && memcmp(p, "all", 3) == 0 ? MICA_RRL_ALL : 0;
		for (int i = 0; i < MICA_RRL_NKINDS && !bit; i++)
			if (strlen(kind_names[i]) == n && memcmp(p, kind_names[i], n) == 0)
				bit = (uint16_t)(1u << i);
		if (!bit)
			return MICA_EINVAL;
		bits |= bit;
		p = *end ? end + 1 : end;
	}
	*out = bits;
	return MICA_OK;
}

/* FNV-1a over the salt, the prefix, the class and the name. */
static uint32_t key_hash(uint32_t seed, uint32_t source, uint16_t kind, const uint8_t *name, size_t len)
{
	uint8_t head[10] = {(uint8_t)(seed >> 24),  (uint8_t)(seed >> 16),   (uint8_t)(seed >> 8),
	                    (uint8_t)seed,          (uint8_t)(source >> 24), (uint8_t)(source >> 16),
	                    (uint8_t)(source >> 8), (uint8_t)source,         (uint8_t)(kind >> 8),
	                    (uint8_t)kind};
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < sizeof(head); i++)
		h = (h ^ head[i]) * 16777619u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ name[i]) * 16777619u;
	return h ^ (h >> 16);
}

/* Count one response in its bucket; returns the rate it is judged by:
 * the smoothed rate, or what it will be if this second continues so. */
static uint32_t bucket_count(struct rrl_bucket *b, uint32_t hash, uint32_t source, uint16_t kind,
                             uint32_t now)
{
	if (b->kind != kind || b->hash != hash || b->source != source) {
		/* empty, or another key's: start this one from zero */
		*b = (struct rrl_bucket){
		    .hash = hash, .source = source, .kind = kind, .counter = 1, .stamp = now};
		return 1;
	}
	int32_t elapsed = (int32_t)(now - b->stamp);
	if (elapsed == 0) {
		b->counter++;
	} else {
		if (elapsed == 1)
			b->rate = b->rate / 2 + b->counter;
		else if (elapsed > 1 && elapsed <= 16) /* the seconds between counted nothing */
			b->rate = (b->rate >> elapsed) + (b->counter >> (elapsed - 1));
		else /* long idle, or the clock went back */
			b->rate = 0;
		b->counter = 1;
		b->stamp = now;
	}
	uint32_t projected = b->counter + b->rate / 2;
	return projected > b->rate ? projected : b->rate;
}

static uint32_t limit_of(const struct mica_rrl *r, uint16_t kind)
{
	return 2 * (r->cfg.whitelist & kind ? r->cfg.whitelist_rate : r->cfg.rate);
}

static void note_block(struct mica_rrl *r, struct rrl_bucket *b, uint32_t source, uint16_t kind)
{
	if (b->blocked)
		return;
	b->blocked = 1;
	r->st.blocks++;
	mica_debug("rrl", "limiting %u.%u.%u.%u/%u %s", source >> 24, (source >> 16) & 255,
	           (source >> 8) & 255, source & 255, r->cfg.ipv4_prefix, mica_rrl_kind_name(kind));
}

enum mica_rrl_verdict mica_rrl_check(struct mica_rrl *r, uint32_t src_ip, uint16_t kind, const uint8_t *name,
                                     size_t name_len, uint64_t now_ns)
{
	uint32_t limit = limit_of(r, kind);
	r->st.checked++;
	if (limit == 0)
		return MICA_RRL_SEND;
	uint32_t mask = r->cfg.ipv4_prefix ? 0xffffffffu << (32 - r->cfg.ipv4_prefix) : 0;
	uint32_t source = src_ip & mask;
	uint32_t hash = key_hash(r->cfg.seed, source, kind, name, name ? name_len : 0);
	struct rrl_bucket *b = &r->buckets[hash % r->cfg.size];
	if (bucket_count(b, hash, source, kind, (uint32_t)(now_ns / MICA_NS_PER_S)) < limit) {
		b->blocked = 0;
		return MICA_RRL_SEND;
	}
	note_block(r, b, source, kind);
	r->st.limited++;
	int k = kind_index(kind);
	if (k >= 0)
		r->st.by_kind[k]++;
	if (r->cfg.slip && ++r->slip_count >= r->cfg.slip) {
		r->slip_count = 0;
		r->st.slipped++;
		return MICA_RRL_SLIP;
	}
	r->st.dropped++;
	return MICA_RRL_DROP;
}

/* The question of a response (copied from the query, so uncompressed):
 * its lower-case name into lname, its type; returns the offset after it,
 * or 0 when there is none or it is not a plain name. */
static size_t question(const uint8_t *resp, size_t len, uint8_t *lname, size_t *lname_len, uint16_t *qtype)
{
	if (len < MICA_DNS_HDR_LEN || dns_get16(resp + 4) != 1)
		return 0;
	size_t o = MICA_DNS_HDR_LEN;
	while (o < len && resp[o] != 0) {
		if (resp[o] > MICA_DNS_LABEL_MAX)
			return 0;
		o += (size_t)resp[o] + 1;
	}
	size_t n = o + 1 - MICA_DNS_HDR_LEN;
	if (o + 5 > len || n > MICA_DNS_NAME_MAX)
		return 0;
	mica_dns_name_lower(lname, resp + MICA_DNS_HDR_LEN, n);
	*lname_len = n;
	*qtype = dns_get16(resp + o + 1);
	return o + 5;
}

static uint16_t keyed(uint16_t kind, const uint8_t *n, size_t len, const uint8_t **name, size_t *name_len)
{
	*name = n;
	*name_len = n ? len : 0;
	return kind;
}

static uint16_t keyed_node(uint16_t kind, const struct mica_dns_zone *z, uint32_t node, const uint8_t **name,
                           size_t *name_len)
{
	return keyed(kind, z->names + z->nodes[node].lname, z->nodes[node].name_len, name, name_len);
}

uint16_t mica_rrl_classify(const struct mica_dns_zoneset *zs, const uint8_t *resp, size_t len,
                           uint8_t *lname_buf, const uint8_t **name, size_t *name_len)
{
	size_t qlen = 0;
	uint16_t qtype = 0;
	*name = NULL;
	*name_len = 0;
	if (len < MICA_DNS_HDR_LEN)
		return MICA_RRL_ERROR;
	uint16_t flags = dns_get16(resp + 2), an = dns_get16(resp + 6), ns = dns_get16(resp + 8);
	bool has_q = question(resp, len, lname_buf, &qlen, &qtype) != 0;
	const struct mica_dns_zone *z = has_q ? mica_dns_find_zone(zs, lname_buf, qlen) : NULL;
	unsigned rcode = flags & 0xfu;
	if (rcode != MICA_DNS_NOERROR || !has_q || !z) {
		uint16_t kind = rcode == MICA_DNS_NXDOMAIN ? MICA_RRL_NXDOMAIN : MICA_RRL_ERROR;
		if (rcode == MICA_DNS_NOERROR && has_q) /* NOERROR outside our zones: not ours to class */
			kind = MICA_RRL_POSITIVE;
		return z ? keyed_node(kind, z, z->apex, name, name_len)
		         : keyed(kind, NULL, 0, name, name_len);
	}
	struct mica_dns_lookup lk;
	mica_dns_lookup(z, lname_buf, qlen, qtype, &lk);
	if (!(flags & MICA_DNS_F_AA) && an == 0 && ns > 0 && lk.kind == MICA_DNS_M_REFERRAL)
		return keyed_node(MICA_RRL_REFERRAL, z, lk.node, name, name_len);
	if (qtype == MICA_DNS_ANY)
		return keyed(MICA_RRL_ANY, lname_buf, qlen, name, name_len);
	if (qtype == MICA_DNS_RRSIG)
		return keyed(MICA_RRL_RRSIG, lname_buf, qlen, name, name_len);
	if (lk.kind == MICA_DNS_M_WILD)
		return keyed_node(MICA_RRL_WILDCARD, z, lk.node, name, name_len);
	if (an == 0)
		return keyed_node(MICA_RRL_NODATA, z, z->apex, name, name_len);
	if (qtype == MICA_DNS_DNSKEY)
		return keyed(MICA_RRL_DNSKEY, lname_buf, qlen, name, name_len);
	return keyed(MICA_RRL_POSITIVE, lname_buf, qlen, name, name_len);
}

/* Cut a response to its slip form: TC set, the question kept, no records
 * (and no OPT), as NSD sends it. */
static size_t slip_response(uint8_t *resp, size_t len)
{
	uint8_t lname[MICA_DNS_NAME_MAX];
	size_t qlen;
	uint16_t qtype;
	size_t end = question(resp, len, lname, &qlen, &qtype);
	if (end == 0) {
		end = MICA_DNS_HDR_LEN;
		dns_set16(resp + 4, 0);
	}
	resp[2] |= (uint8_t)(MICA_DNS_F_TC >> 8);
	dns_set16(resp + 6, 0);
	dns_set16(resp + 8, 0);
	dns_set16(resp + 10, 0);
	return end;
}

size_t mica_rrl_apply(struct mica_rrl *r, const struct mica_dns_zoneset *zs, uint32_t src_ip, uint8_t *resp,
                      size_t len, uint64_t now_ns)
{
	if ((r->cfg.rate == 0 && r->cfg.whitelist_rate == 0) || len < MICA_DNS_HDR_LEN)
		return len;
	uint8_t lname[MICA_DNS_NAME_MAX];
	const uint8_t *name;
	size_t name_len;
	uint16_t kind = mica_rrl_classify(zs, resp, len, lname, &name, &name_len);
	switch (mica_rrl_check(r, src_ip, kind, name, name_len, now_ns)) {
	case MICA_RRL_SEND: return len;
	case MICA_RRL_SLIP: return slip_response(resp, len);
	default: return 0;
	}
}

void mica_rrl_print_stats(const struct mica_rrl *r)
{
	const struct mica_rrl_stats *st = &r->st;
	mica_printf(
	    "rrl: %u qps per /%u, slip %u: responses %llu, limited %llu (slipped %llu, dropped %llu), "
	    "blocks %llu\n",
	    (unsigned)r->cfg.rate, (unsigned)r->cfg.ipv4_prefix, (unsigned)r->cfg.slip,
	    (unsigned long long)st->checked, (unsigned long long)st->limited, (unsigned long long)st->slipped,
	    (unsigned long long)st->dropped, (unsigned long long)st->blocks);
	for (int i = 0; i < MICA_RRL_NKINDS; i++)
		if (st->by_kind[i])
			mica_printf("rrl: limited %s %llu\n", kind_names[i],
			            (unsigned long long)st->by_kind[i]);
}
