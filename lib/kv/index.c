/* index.c - the store's in-memory index: a chained hash table of every
 * key (seeded hash, doubled when it holds as many keys as buckets), the
 * value cache kept under its byte limit by a clock hand over the buckets,
 * and Redis-style reverse-binary scan cursors that survive the doubling. */
#include <mica/platform.h>
#include "kv_impl.h"

#define MIN_BUCKETS 1024u

static uint64_t mul_fold(uint64_t a, uint64_t b)
{
	__uint128_t r = (__uint128_t)a * b;
	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

uint64_t kv_hash(const struct kv_index *ix, const void *key, size_t klen)
{
	const uint8_t *p = key;
	uint64_t h = ix->seed[0] ^ (klen * 0x9e3779b97f4a7c15ull);
	for (; klen >= 8; klen -= 8, p += 8)
		h = mul_fold(h ^ kv_get_le64(p), ix->seed[1] ^ 0xa0761d6478bd642full);
	uint64_t last = 0;
	for (size_t i = 0; i < klen; i++)
		last |= (uint64_t)p[i] << (8 * i);
	h = mul_fold(h ^ last, ix->seed[1] ^ 0xe7037ed1a0b428dbull);
	return mul_fold(h, 0x8ebc6af09c88c6e3ull);
}

int kv_index_init(struct kv_index *ix, uint64_t max_keys, uint64_t cache_limit)
{
	memset(ix, 0, sizeof(*ix));
	kv_slab_init(&ix->slab);
	ix->buckets = calloc(MIN_BUCKETS, sizeof(*ix->buckets));
	if (!ix->buckets)
		return MICA_ENOMEM;
	ix->mask = MIN_BUCKETS - 1;
	ix->max_keys = max_keys;
	ix->cache_limit = cache_limit;
	if (mica_plat_random(ix->seed, sizeof(ix->seed)) < 0) {
		ix->seed[0] = 0x243f6a8885a308d3ull; /* no entropy: still a working table */
		ix->seed[1] = 0x13198a2e03707344ull;
	}
	return MICA_OK;
}

static void entry_free(struct kv_index *ix, struct kv_entry *e)
{
	kv_cache_drop(ix, e);
	ix->key_bytes -= e->klen;
	kv_slab_free(&ix->slab, e, sizeof(*e) + e->klen);
}

void kv_index_free(struct kv_index *ix)
{
	for (uint64_t b = 0; ix->buckets && b <= ix->mask; b++) {
		struct kv_entry *e = ix->buckets[b];
		while (e) {
			struct kv_entry *next = e->next;
			entry_free(ix, e);
			e = next;
		}
	}
	free(ix->buckets);
	ix->buckets = NULL;
	ix->count = 0;
	kv_slab_release(&ix->slab);
}

struct kv_entry *kv_index_find(struct kv_index *ix, const void *key, size_t klen, uint64_t hash)
{
	for (struct kv_entry *e = ix->buckets[hash & ix->mask]; e; e = e->next)
		if (e->hash == hash && e->klen == klen && memcmp(e->key, key, klen) == 0)
			return e;
	return NULL;
}

/* Double the table (kept as it is when memory is short). */
static void grow(struct kv_index *ix)
{
	uint64_t n = (ix->mask + 1) * 2;
	struct kv_entry **nb = calloc(n, sizeof(*nb));
	if (!nb)
		return;
	for (uint64_t b = 0; b <= ix->mask; b++) {
		struct kv_entry *e = ix->buckets[b];
		while (e) {
			struct kv_entry *next = e->next;
			e->next = nb[e->hash & (n - 1)];
			nb[e->hash & (n - 1)] = e;
			e = next;
		}
	}
	free(ix->buckets);
	ix->buckets = nb;
	ix->mask = n - 1;
}

struct kv_entry *kv_index_insert(struct kv_index *ix, const void *key, size_t klen, uint64_t hash)
{
	if (ix->count >= ix->max_keys)
		return NULL;
	struct kv_entry *e = kv_slab_alloc(&ix->slab, sizeof(*e) + klen);
	if (!e)
		return NULL;
	memset(e, 0, sizeof(*e));
	e->hash = hash;
	e->klen = (uint16_t)klen;
	memcpy(e->key, key, klen);
	e->next = ix->buckets[hash & ix->mask];
	ix->buckets[hash & ix->mask] = e;
	ix->count++;
	ix->key_bytes += klen;
	if (ix->count > ix->mask + 1)
		grow(ix);
	return e;
}

void kv_index_remove(struct kv_index *ix, struct kv_entry *e)
{
	struct kv_entry **pp = &ix->buckets[e->hash & ix->mask];
	while (*pp && *pp != e)
		pp = &(*pp)->next;
	if (*pp)
		*pp = e->next;
	ix->count--;
	entry_free(ix, e);
}

void kv_cache_drop(struct kv_index *ix, struct kv_entry *e)
{
	if (!e->val)
		return;
	ix->cache_bytes -= e->val->len;
	ix->cached--;
	kv_slab_free(&ix->slab, e->val, sizeof(*e->val) + e->val->len);
	e->val = NULL;
}

int kv_cache_put(struct kv_index *ix, struct kv_entry *e, const uint8_t *val, uint32_t len)
{
	struct kv_val *v = kv_slab_alloc(&ix->slab, sizeof(*v) + len);
	if (!v)
		return MICA_ENOMEM;
	v->len = len;
	if (len)
		memcpy(v->data, val, len);
	kv_cache_drop(ix, e);
	e->val = v;
	e->ref = 1;
	ix->cache_bytes += len;
	ix->cached++;
	return MICA_OK;
}

/* The clock: a value whose bit is set gets a second chance; values of
 * writes not durable yet (pend) stay. At most two sweeps per call. */
void kv_cache_trim(struct kv_index *ix, const struct kv_entry *keep)
{
	uint64_t steps = 2 * (ix->mask + 1);
	while (ix->cache_bytes > ix->cache_limit && steps--) {
		uint64_t b = ix->clock_bucket++ & ix->mask;
		for (struct kv_entry *e = ix->buckets[b]; e; e = e->next) {
			if (!e->val || e->pend || e == keep)
				continue;
			if (e->ref)
				e->ref = 0;
			else
				kv_cache_drop(ix, e);
		}
	}
}

static uint64_t rev64(uint64_t v)
{
	uint64_t r = 0;
	for (int i = 0; i < 64; i++, v >>= 1)
		r = r << 1 | (v & 1);
	return r;
}

uint64_t kv_index_scan(struct kv_index *ix, uint64_t cursor, size_t count,
                       void (*fn)(void *arg, struct kv_entry *e), void *arg)
{
	uint64_t v = cursor, m = ix->mask;
	size_t visited = 0;
	do {
		for (struct kv_entry *e = ix->buckets[v & m]; e; e = e->next, visited++)
			fn(arg, e);
		v |= ~m; /* the next bucket in reverse-bit order */
		v = rev64(v);
		v++;
		v = rev64(v);
	} while (v != 0 && visited < count);
	return v;
}

void kv_index_each(struct kv_index *ix, void (*fn)(void *arg, struct kv_entry *e), void *arg)
{
	for (uint64_t b = 0; b <= ix->mask; b++) {
		struct kv_entry *e = ix->buckets[b];
		while (e) {
			struct kv_entry *next = e->next;
			fn(arg, e);
			e = next;
		}
	}
}
