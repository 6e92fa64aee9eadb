/* commit.c - group commit. Writes fill the open batch; at the start of the
 * next loop turn (a deferred task, so every command of the turn's input
 * is in it) the open batch becomes the batch in flight and is written at
 * the end of the active region's log in one request - FUA where the device
 * has it, else a write and a flush - while the next batch fills. When it
 * is durable the index learns where its records live, tombstones of
 * durable deletes go, and on_commit reports the ticket. One batch is in
 * flight at a time, so the log has no holes. A batch that does not fit
 * in the region starts a compaction first (compact.c). A failed write
 * makes the store read-only (MICA_EIO) and reloads the index from the
 * device, so nothing that was not durable stays visible. */
#include <mica/log.h>
#include "kv_impl.h"

int kv_batch_alloc(struct mica_kv *kv, struct kv_batch *b)
{
	*b = (struct kv_batch){0};
	b->buf = kv_alloc_aligned(kv, kv->batch_max, &b->raw);
	return b->buf ? MICA_OK : MICA_ENOMEM;
}

void kv_batch_free(struct kv_batch *b)
{
	free(b->raw);
	free(b->hashes);
	*b = (struct kv_batch){0};
}

/* Keep the hash of record b->nrec while every earlier one is kept (the
 * count of records drops back on its own: a batch emptied or an append
 * taken back); without memory for it, settling hashes the key again. */
static void keep_hash(struct kv_batch *b, uint64_t hash)
{
	if (b->nhash > b->nrec)
		b->nhash = b->nrec;
	if (b->nhash < b->nrec)
		return;
	if (b->nhash == b->hash_cap) {
		uint32_t cap = b->hash_cap ? 2 * b->hash_cap : 64;
		uint64_t *p = realloc(b->hashes, cap * sizeof(*p));
		if (!p)
			return;
		b->hashes = p;
		b->hash_cap = cap;
	}
	b->hashes[b->nhash++] = hash;
}

int kv_append(struct mica_kv *kv, struct kv_batch *b, const struct kv_rec *r, uint64_t hash)
{
	uint32_t size = kv_rec_size(r->klen, r->vlen);
	if ((uint64_t)KV_BATCH_HDR + b->len + size > kv->batch_max)
		return MICA_EAGAIN;
	kv_rec_encode(r, kv->sb.salt, b->buf + KV_BATCH_HDR + b->len);
	keep_hash(b, hash);
	b->len += size;
	b->nrec++;
	return MICA_OK;
}

bool kv_has_room(const struct mica_kv *kv, uint64_t live_after)
{
	return live_after + 2ull * kv->batch_max + 2ull * kv->ssize <= kv->region_bytes;
}

static uint32_t batch_total(const struct mica_kv *kv, const struct kv_batch *b)
{
	uint32_t n = KV_BATCH_HDR + b->len;
	return (n + kv->ssize - 1) / kv->ssize * kv->ssize;
}

/* ---- writing one batch ---- */
static void batch_written(struct mica_blk_req *r);

static void batch_flushed(struct mica_blk_req *r)
{
	struct mica_kv *kv = r->arg;
	kv->write_done(kv, r->result);
}

static void batch_written(struct mica_blk_req *r)
{
	struct mica_kv *kv = r->arg;
	if (r->result == MICA_OK && !kv->dev->info.fua) {
		kv->freq = (struct mica_blk_req){.op = MICA_BLK_FLUSH, .done = batch_flushed, .arg = kv};
		int rc = mica_blk_submit(kv->dev, &kv->freq);
		if (rc == MICA_OK)
			return;
		r->result = rc;
	}
	kv->write_done(kv, r->result);
}

/* One batch write at a time (commits and compaction take turns). */
void kv_batch_write(struct mica_kv *kv, struct kv_batch *b, uint64_t at,
                    void (*done)(struct mica_kv *kv, int rc))
{
	struct kv_batch_hdr h = {.bseq = kv->next_bseq++,
	                         .epoch = kv->epoch,
	                         .nrec = b->nrec,
	                         .payload_len = b->len,
	                         .flags = kv->after_torn ? KV_BF_AFTER_TORN : 0};
	kv->after_torn = false;
	b->total = batch_total(kv, b);
	b->at = at;
	h.len = b->total;
	kv_batch_encode(&h, kv->sb.salt, b->buf);
	memset(b->buf + KV_BATCH_HDR + b->len, 0, b->total - KV_BATCH_HDR - b->len);
	kv->wreq = (struct mica_blk_req){.op = MICA_BLK_WRITE,
	                                 .flags = MICA_BLK_FUA,
	                                 .nsectors = b->total / kv->ssize,
	                                 .sector = at / kv->ssize,
	                                 .buf = b->buf,
	                                 .done = batch_written,
	                                 .arg = kv};
	kv->commit_bytes += b->total;
	kv->write_done = done;
	int rc = mica_blk_submit(kv->dev, &kv->wreq);
	if (rc < 0)
		done(kv, rc);
}

/* ---- what a durable batch means for the index ---- */
struct flush_sweep {
	struct mica_kv *kv;
	uint64_t seq;
};

static void settle_flush(void *arg, struct kv_entry *e)
{
	struct flush_sweep *s = arg;
	if ((e->flags & KV_E_DEAD) && e->seq == s->seq) {
		s->kv->tombstones--;
		kv_index_remove(&s->kv->ix, e);
	} else if (e->loc_seq < s->seq) {
		e->loc = 0; /* no durable version survives the flush */
	}
}

static void settle_record(struct mica_kv *kv, const struct kv_rec *r, uint64_t loc, uint64_t ticket,
                          uint64_t hash)
{
	if (r->type == KV_REC_FLUSH) {
		struct flush_sweep s = {kv, r->seq};
		kv_index_each(&kv->ix, settle_flush, &s);
		return;
	}
	struct kv_entry *e = kv_index_find(&kv->ix, r->key, r->klen, hash);
	if (!e || r->seq < e->loc_seq)
		return;
	if (r->type == KV_REC_DEL) {
		if ((e->flags & KV_E_DEAD) && e->seq == r->seq) {
			kv->tombstones--;
			kv_index_remove(&kv->ix, e);
			return;
		}
		e->loc = 0; /* set again since, by a write not durable yet */
		e->loc_seq = r->seq;
		return;
	}
	if (r->seq <= e->seq) {
		e->loc = loc;
		e->loc_seq = r->seq;
		e->loc_bytes = r->size;
	}
	if (e->pend == ticket)
		e->pend = 0;
}

void kv_batch_settle(struct mica_kv *kv, const struct kv_batch *b)
{
	const uint8_t *p = b->buf + KV_BATCH_HDR, *end = p + b->len;
	for (uint32_t i = 0; p < end; i++) {
		struct kv_rec r;
		if (kv_rec_decode(p, (size_t)(end - p), kv->sb.salt, &r) < 0)
			break; /* cannot happen: we encoded it */
		uint64_t hash = i < b->nhash && i < b->nrec ? b->hashes[i] : kv_hash(&kv->ix, r.key, r.klen);
		settle_record(kv, &r, b->at + (uint64_t)(p - b->buf), b->ticket, hash);
		p += r.size;
	}
	kv_cache_trim(&kv->ix, NULL);
}

/* ---- the commit cycle ---- */
static void commit_done(struct mica_kv *kv, int rc)
{
	struct kv_batch *b = &kv->flight;
	kv->writing = false;
	if (rc < 0) {
		mica_error("kv", "writing batch %llu (%u records) failed: %s", (unsigned long long)b->ticket,
		           b->nrec, mica_strerror(rc));
		kv_fail(kv, rc);
		return;
	}
	kv->append += b->total;
	kv->commits++;
	kv->commit_records += b->nrec;
	kv_batch_settle(kv, b);
	kv->durable_ticket = b->ticket;
	b->len = b->nrec = 0;
	if (kv->cfg.on_commit)
		kv->cfg.on_commit(kv->cfg.arg, kv->durable_ticket, MICA_OK);
	kv_commit_kick(kv);
}

static void commit_run(void *arg)
{
	struct mica_kv *kv = arg;
	struct kv_batch *o = &kv->open_batch;
	if (!kv->ready || kv->writing || kv->compacting || kv->read_only || o->nrec == 0)
		return;
	uint32_t total = batch_total(kv, o);
	if (kv->append + total > kv->region_bytes) {
		kv_compact_start(kv);
		return;
	}
	struct kv_batch t = kv->flight;
	kv->flight = *o;
	*o = t;
	o->len = o->nrec = 0;
	o->ticket = kv->next_ticket++;
	kv->writing = true;
	kv_batch_write(kv, &kv->flight, kv_region_start(kv, kv->sb.active) + kv->append, commit_done);
}

void kv_commit_kick(struct mica_kv *kv)
{
	if (!kv->commit_task.fn)
		mica_task_init(&kv->commit_task, commit_run, kv);
	mica_loop_defer(kv->loop, &kv->commit_task);
}

void kv_fail(struct mica_kv *kv, int rc)
{
	uint64_t last = kv->open_batch.nrec ? kv->open_batch.ticket : kv->flight.ticket;
	if (rc == MICA_EIO || rc == MICA_EPERM)
		kv->read_only = true;
	kv->open_batch.len = kv->open_batch.nrec = 0;
	kv->open_batch.ticket = kv->next_ticket++;
	kv->flight.len = kv->flight.nrec = 0;
	if (kv->read_only)
		mica_error("kv",
		           "a device error: the store is read-only from now on (restart to write again)");
	if (kv->cfg.on_commit)
		kv->cfg.on_commit(kv->cfg.arg, last, rc);
	kv_reload(kv);
}
