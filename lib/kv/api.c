/* api.c - the store's operations (kv.h): reads from the index and the
 * value cache (or the device), writes applied to the index at once and
 * appended to the open batch, the replay of recovered records, and the
 * fetches of values that are only on the device. */
#include <mica/log.h>
#include <mica/platform.h>
#include "kv_impl.h"

struct kv_fetch {
	struct kv_fetch *next;
	struct mica_kv *kv;
	struct mica_blk_req req;
	uint8_t *buf, *raw;
	uint64_t loc;
	uint32_t bytes;
	struct mica_kv_wait *waiters;
	size_t klen;
	uint8_t key[]; /* whose value it is */
};

int64_t kv_now_ms(struct mica_kv *kv)
{
	if (kv->cfg.now_ms)
		return kv->cfg.now_ms(kv->cfg.arg);
	return (int64_t)(mica_plat_wall_ns() / 1000000);
}

bool kv_expired(struct mica_kv *kv, const struct kv_entry *e)
{
	return e->expire_ms && e->expire_ms <= kv_now_ms(kv);
}

static struct kv_entry *find(struct mica_kv *kv, const void *key, size_t klen)
{
	return kv_index_find(&kv->ix, key, klen, kv_hash(&kv->ix, key, klen));
}

/* A live, unexpired entry for key, or NULL (an expired durable one is
 * dropped on the way: its record stays expired in the log too). */
static struct kv_entry *find_live(struct mica_kv *kv, const void *key, size_t klen, uint64_t *ticket)
{
	struct kv_entry *e = find(kv, key, klen);
	*ticket = e ? e->pend : 0;
	if (!e || (e->flags & KV_E_DEAD))
		return NULL;
	if (kv_expired(kv, e)) {
		if (!e->pend) {
			kv->live_bytes -= e->rec_bytes;
			kv_index_remove(&kv->ix, e);
		}
		return NULL;
	}
	return e;
}

/* ---- fetching a value from the device ---- */
static void fetch_done(struct mica_blk_req *r)
{
	struct kv_fetch *f = r->arg, **pp;
	struct mica_kv *kv = f->kv;
	for (pp = &kv->fetches; *pp != f; pp = &(*pp)->next)
		;
	*pp = f->next;
	struct kv_rec rec;
	const uint8_t *p = f->buf + f->loc % kv->ssize;
	bool ok = r->result == MICA_OK && kv_rec_decode(p, f->bytes, kv->sb.salt, &rec) == MICA_OK &&
	          rec.type == KV_REC_SET;
	ok = ok && rec.klen == f->klen && memcmp(rec.key, f->key, f->klen) == 0;
	struct kv_entry *e = find(kv, f->key, f->klen);
	if (e && e->loc == f->loc && !ok) {
		mica_error("kv", "the record at byte %llu cannot be read: %s", (unsigned long long)f->loc,
		           r->result < 0 ? mica_strerror(r->result) : "it fails its checksum");
		e->flags |= KV_E_BAD;
	} else if (e && ok && e->loc == f->loc && !e->pend && e->loc_seq == e->seq) {
		if (kv_cache_put(&kv->ix, e, rec.val, rec.vlen) == MICA_OK)
			kv_cache_trim(&kv->ix, e);
	}
	kv->gets_from_device++;
	struct mica_kv_wait *w = f->waiters;
	free(f->raw);
	free(f);
	while (w) {
		struct mica_kv_wait *next = w->next;
		w->waiting = false;
		w->fn(w->arg);
		w = next;
	}
}

static int fetch(struct mica_kv *kv, struct kv_entry *e, struct mica_kv_wait *w)
{
	struct kv_fetch *f;
	for (f = kv->fetches; f && f->loc != e->loc; f = f->next)
		;
	if (!f) {
		uint64_t first = e->loc / kv->ssize,
		         last = (e->loc + e->loc_bytes + kv->ssize - 1) / kv->ssize;
		f = calloc(1, sizeof(*f) + e->klen);
		if (f)
			f->buf = kv_alloc_aligned(kv, (last - first) * kv->ssize, &f->raw);
		if (!f || !f->buf) {
			free(f);
			return MICA_ENOMEM;
		}
		f->kv = kv;
		f->klen = e->klen;
		memcpy(f->key, e->key, e->klen);
		f->loc = e->loc;
		f->bytes = e->loc_bytes;
		f->req = (struct mica_blk_req){.op = MICA_BLK_READ,
		                               .nsectors = (uint32_t)(last - first),
		                               .sector = first,
		                               .buf = f->buf,
		                               .done = fetch_done,
		                               .arg = f};
		int rc = mica_blk_submit(kv->dev, &f->req);
		if (rc < 0) {
			free(f->raw);
			free(f);
			return rc;
		}
		f->next = kv->fetches;
		kv->fetches = f;
	}
	w->next = f->waiters;
	f->waiters = w;
	w->waiting = true;
	return MICA_EAGAIN;
}

void mica_kv_cancel_wait(struct mica_kv *kv, struct mica_kv_wait *w)
{
	if (!w->waiting)
		return;
	for (struct kv_fetch *f = kv->fetches; f; f = f->next)
		for (struct mica_kv_wait **pp = &f->waiters; *pp; pp = &(*pp)->next)
			if (*pp == w) {
				*pp = w->next;
				w->waiting = false;
				return;
			}
}

void kv_fetch_free_all(struct mica_kv *kv)
{
	while (kv->fetches) {
		struct kv_fetch *f = kv->fetches;
		kv->fetches = f->next;
		free(f->raw);
		free(f);
	}
}

/* ---- reads ---- */
int mica_kv_get(struct mica_kv *kv, const void *key, size_t klen, const uint8_t **val, size_t *len,
                uint64_t *ticket, struct mica_kv_wait *w)
{
	*ticket = 0;
	if (!kv->ready)
		return MICA_EIO;
	struct kv_entry *e = find_live(kv, key, klen, ticket);
	if (!e)
		return MICA_ENOENT;
	if (e->val) {
		e->ref = 1;
		*val = e->val->data;
		*len = e->vlen;
		return MICA_OK;
	}
	if ((e->flags & KV_E_BAD) || !e->loc)
		return MICA_EIO;
	return fetch(kv, e, w);
}

int mica_kv_meta(struct mica_kv *kv, const void *key, size_t klen, struct mica_kv_meta *m)
{
	m->ticket = 0;
	if (!kv->ready)
		return MICA_EIO;
	struct kv_entry *e = find_live(kv, key, klen, &m->ticket);
	if (!e)
		return MICA_ENOENT;
	m->vlen = e->vlen;
	m->expire_ms = e->expire_ms;
	return MICA_OK;
}

/* ---- writes ---- */
size_t mica_kv_write_room(struct mica_kv *kv)
{
	return kv->batch_max - KV_BATCH_HDR - kv->open_batch.len;
}

size_t mica_kv_record_bytes(size_t klen, size_t vlen)
{
	return kv_rec_size((uint32_t)klen, (uint32_t)vlen);
}

static int writable(struct mica_kv *kv)
{
	if (!kv->ready || kv->read_only)
		return MICA_EIO;
	return MICA_OK;
}

int mica_kv_set(struct mica_kv *kv, const void *key, size_t klen, const void *val, size_t vlen,
                int64_t expire_ms, uint64_t *ticket)
{
	int rc = writable(kv);
	if (rc < 0)
		return rc;
	if (klen > MICA_KV_KEY_MAX || vlen > kv->value_max)
		return MICA_EMSGSIZE;
	uint32_t size = kv_rec_size((uint32_t)klen, (uint32_t)vlen);
	uint64_t hash = kv_hash(&kv->ix, key, klen);
	struct kv_entry *e = kv_index_find(&kv->ix, key, klen, hash);
	bool live = e && !(e->flags & KV_E_DEAD);
	if (!kv_has_room(kv, kv->live_bytes - (live ? e->rec_bytes : 0) + size))
		return MICA_ENOSPC;
	if ((uint64_t)KV_BATCH_HDR + kv->open_batch.len + size > kv->batch_max)
		return MICA_EAGAIN;
	bool fresh = !e;
	if (fresh && !(e = kv_index_insert(&kv->ix, key, klen, hash)))
		return MICA_ENOMEM;
	/* The record first (val may be e's cached value), then the cache from
	 * the record's copy; without memory for that, the record goes again. */
	struct kv_rec r = {.type = KV_REC_SET,
	                   .seq = kv->next_seq,
	                   .expire_ms = expire_ms,
	                   .klen = (uint32_t)klen,
	                   .vlen = (uint32_t)vlen,
	                   .key = key,
	                   .val = val};
	struct kv_batch *b = &kv->open_batch;
	uint32_t at = b->len;
	kv_append(kv, b, &r, hash);
	if (kv_cache_put(&kv->ix, e, b->buf + KV_BATCH_HDR + at + KV_REC_HDR + klen, (uint32_t)vlen) < 0) {
		b->len = at;
		b->nrec--;
		if (fresh)
			kv_index_remove(&kv->ix, e);
		return MICA_ENOMEM;
	}
	kv->next_seq++;
	kv_cache_trim(&kv->ix, e);
	if (live)
		kv->live_bytes -= e->rec_bytes;
	else if (!fresh)
		kv->tombstones--;
	kv->live_bytes += size;
	e->seq = r.seq;
	e->expire_ms = expire_ms;
	e->vlen = (uint32_t)vlen;
	e->rec_bytes = size;
	e->pend = kv->open_batch.ticket;
	e->flags = 0;
	*ticket = e->pend;
	kv_commit_kick(kv);
	return MICA_OK;
}

int mica_kv_del(struct mica_kv *kv, const void *key, size_t klen, uint64_t *ticket)
{
	int rc = writable(kv);
	if (rc < 0)
		return rc;
	struct kv_entry *e = find_live(kv, key, klen, ticket);
	if (!e)
		return MICA_ENOENT;
	struct kv_rec r = {.type = KV_REC_DEL, .seq = kv->next_seq, .klen = (uint32_t)klen, .key = key};
	rc = kv_append(kv, &kv->open_batch, &r, e->hash);
	if (rc < 0)
		return rc;
	kv->next_seq++;
	kv->live_bytes -= e->rec_bytes;
	kv_cache_drop(&kv->ix, e);
	e->flags = KV_E_DEAD;
	e->seq = r.seq;
	e->pend = kv->open_batch.ticket;
	kv->tombstones++;
	*ticket = e->pend;
	kv_commit_kick(kv);
	return MICA_OK;
}

struct flush_mark {
	struct mica_kv *kv;
	uint64_t seq, ticket;
};

static void mark_flushed(void *arg, struct kv_entry *e)
{
	struct flush_mark *m = arg;
	if (e->flags & KV_E_DEAD) {
		e->seq = m->seq;
		e->pend = m->ticket;
		return;
	}
	m->kv->live_bytes -= e->rec_bytes;
	kv_cache_drop(&m->kv->ix, e);
	e->flags = KV_E_DEAD;
	e->seq = m->seq;
	e->pend = m->ticket;
	m->kv->tombstones++;
}

int mica_kv_flush_all(struct mica_kv *kv, uint64_t *ticket)
{
	int rc = writable(kv);
	if (rc < 0)
		return rc;
	struct kv_rec r = {.type = KV_REC_FLUSH, .seq = kv->next_seq};
	rc = kv_append(kv, &kv->open_batch, &r, 0);
	if (rc < 0)
		return rc;
	kv->next_seq++;
	struct flush_mark m = {kv, r.seq, kv->open_batch.ticket};
	kv_index_each(&kv->ix, mark_flushed, &m);
	*ticket = m.ticket;
	kv_commit_kick(kv);
	return MICA_OK;
}

/* ---- recovery ---- */
static void drop_all(void *arg, struct kv_entry *e)
{
	kv_index_remove(arg, e);
}

void kv_replay(struct mica_kv *kv, const struct kv_rec *r, uint64_t loc)
{
	if (r->type == KV_REC_FLUSH) {
		kv_index_each(&kv->ix, drop_all, &kv->ix);
		return;
	}
	uint64_t hash = kv_hash(&kv->ix, r->key, r->klen);
	struct kv_entry *e = kv_index_find(&kv->ix, r->key, r->klen, hash);
	if (e && r->seq <= e->seq)
		return;
	if (!e && !(e = kv_index_insert(&kv->ix, r->key, r->klen, hash))) {
		mica_error("kv", "recovery: no room for more keys (max %llu): a key is left out",
		           (unsigned long long)kv->ix.max_keys);
		return;
	}
	e->seq = r->seq;
	if (r->type == KV_REC_DEL) {
		kv_cache_drop(&kv->ix, e);
		e->flags = KV_E_DEAD;
		e->loc = 0;
		return;
	}
	e->flags = 0;
	e->expire_ms = r->expire_ms;
	e->vlen = r->vlen;
	e->rec_bytes = e->loc_bytes = r->size;
	e->loc = loc;
	e->loc_seq = r->seq;
	kv_cache_drop(&kv->ix, e);
	if (kv->ix.cache_bytes + r->vlen <= kv->ix.cache_limit)
		(void)kv_cache_put(&kv->ix, e, r->val, r->vlen);
}

/* ---- keys, statistics ---- */
uint64_t mica_kv_count(struct mica_kv *kv)
{
	return kv->ix.count - kv->tombstones;
}

struct scan_ctx {
	struct mica_kv *kv;
	void (*fn)(void *arg, const uint8_t *key, size_t klen);
	void *arg;
};

static void scan_one(void *arg, struct kv_entry *e)
{
	struct scan_ctx *c = arg;
	if (!(e->flags & KV_E_DEAD) && !kv_expired(c->kv, e))
		c->fn(c->arg, e->key, e->klen);
}

uint64_t mica_kv_scan(struct mica_kv *kv, uint64_t cursor, size_t count,
                      void (*fn)(void *arg, const uint8_t *key, size_t klen), void *arg)
{
	struct scan_ctx c = {kv, fn, arg};
	if (!kv->ready)
		return 0;
	return kv_index_scan(&kv->ix, cursor, count ? count : 1, scan_one, &c);
}

void mica_kv_stats(struct mica_kv *kv, struct mica_kv_stats *st)
{
	*st = (struct mica_kv_stats){
	    .keys = mica_kv_count(kv),
	    .max_keys = kv->ix.max_keys,
	    .index_bytes =
	        kv->ix.count * (uint64_t)MICA_KV_ENTRY_BYTES + kv->ix.key_bytes + (kv->ix.mask + 1) * 8,
	    .cache_bytes = kv->ix.cache_bytes,
	    .cache_limit = kv->ix.cache_limit,
	    .cached_values = kv->ix.cached,
	    .region_bytes = kv->region_bytes,
	    .used_bytes = kv->append,
	    .live_bytes = kv->live_bytes,
	    .commits = kv->commits,
	    .commit_records = kv->commit_records,
	    .commit_bytes = kv->commit_bytes,
	    .committed_ticket = kv->durable_ticket,
	    .compactions = kv->compactions,
	    .gets_from_device = kv->gets_from_device,
	    .recovered_records = kv->recovered_records,
	    .lost_batches = kv->lost_batches,
	    .read_only = kv->read_only,
	    .loading = !kv->ready,
	    .torn_tail = kv->torn_tail,
	    .sector_size = kv->ssize,
	    .value_max = kv->value_max,
	};
}
