/* compact.c - moving the log to the other region when the active one is
 * full. Commits pause (writes keep filling the open batch); the index is
 * walked with a scan cursor, a few hundred keys per loop turn, and for
 * every key whose newest durable record lies in the old region that
 * record is copied - with its own sequence number and expiry - into copy
 * batches written from the start of the other region (from the cache
 * when the cached value is that version, else read back from the old
 * region). Expired keys are dropped instead. When every key is copied and
 * durable, the superblock naming the new region is written to the other
 * slot with the next generation: until that write completes a crash
 * recovers the old region, untouched; after it, the new one. Then commits
 * resume, in the new region after the copies. */
#include <mica/log.h>
#include "kv_impl.h"

#define STEP_KEYS 256

struct kv_compact {
	uint32_t to;
	uint64_t from_start, from_end, to_start;
	uint64_t append; /* bytes of copies in the new region */
	uint64_t first_bseq;
	uint64_t cursor;
	bool scan_done, busy;
	struct kv_batch copy;
	/* records to read back from the old region: device offset, bytes */
	struct {
		uint64_t loc;
		uint32_t bytes;
	} * todo;
	size_t ntodo, cap_todo, next_todo;
	struct kv_entry **expired;
	size_t nexpired;
	struct mica_blk_req req;
	uint8_t *rbuf, *rraw;
	struct mica_task task;
	struct kv_sb newsb;
	uint64_t copied, lost;
};

static void step(void *arg);

static void yield(struct mica_kv *kv)
{
	mica_loop_defer(kv->loop, &kv->cp->task);
}

static void finish(struct mica_kv *kv, int rc)
{
	struct kv_compact *cp = kv->cp;
	kv->compacting = false;
	if (rc < 0) {
		mica_error("kv", "compaction failed: %s", mica_strerror(rc));
		kv_compact_free(kv);
		kv_fail(kv, rc);
		return;
	}
	mica_info(
	    "kv",
	    "compaction done: %llu records copied (%llu KiB), %llu unreadable; the log is now in region %u",
	    (unsigned long long)cp->copied, (unsigned long long)(cp->append >> 10),
	    (unsigned long long)cp->lost, cp->to);
	kv->sb = cp->newsb;
	kv->append = cp->append;
	kv->compactions++;
	kv_compact_free(kv);
	kv_commit_kick(kv);
}

static void switched(struct mica_blk_req *r)
{
	finish(r->arg, r->result);
}

static void copies_written(struct mica_kv *kv, int rc)
{
	struct kv_compact *cp = kv->cp;
	cp->busy = false;
	if (rc < 0) {
		finish(kv, rc);
		return;
	}
	cp->append += cp->copy.total;
	kv_batch_settle(kv, &cp->copy);
	cp->copy.len = cp->copy.nrec = 0;
	step(kv);
}

/* Write the copy batch; false when there was nothing to write. */
static bool write_copies(struct mica_kv *kv)
{
	struct kv_compact *cp = kv->cp;
	if (!cp->copy.nrec)
		return false;
	uint64_t total = (KV_BATCH_HDR + cp->copy.len + kv->ssize - 1) / kv->ssize * kv->ssize;
	if (cp->append + total > kv->region_bytes) {
		finish(kv, MICA_ENOSPC);
		return true;
	}
	cp->busy = true;
	kv_batch_write(kv, &cp->copy, cp->to_start + cp->append, copies_written);
	return true;
}

static bool in_old_region(const struct kv_compact *cp, uint64_t loc)
{
	return loc >= cp->from_start && loc < cp->from_end;
}

static int todo_push(struct kv_compact *cp, uint64_t loc, uint32_t bytes)
{
	if (cp->ntodo == cp->cap_todo) {
		size_t cap = cp->cap_todo ? 2 * cp->cap_todo : 64;
		void *p = realloc(cp->todo, cap * sizeof(*cp->todo));
		if (!p)
			return MICA_ENOMEM;
		cp->todo = p;
		cp->cap_todo = cap;
	}
	cp->todo[cp->ntodo].loc = loc;
	cp->todo[cp->ntodo++].bytes = bytes;
	return MICA_OK;
}

static void visit(void *arg, struct kv_entry *e)
{
	struct mica_kv *kv = arg;
	struct kv_compact *cp = kv->cp;
	if (!e->loc || !in_old_region(cp, e->loc))
		return;
	if (kv_expired(kv, e) && !e->pend && !(e->flags & KV_E_DEAD)) {
		if (cp->nexpired < STEP_KEYS * 4)
			cp->expired[cp->nexpired++] = e;
		return;
	}
	if (e->val && !e->pend && !(e->flags & KV_E_DEAD) && e->loc_seq == e->seq) {
		struct kv_rec r = {.type = KV_REC_SET,
		                   .seq = e->seq,
		                   .expire_ms = e->expire_ms,
		                   .klen = e->klen,
		                   .vlen = e->vlen,
		                   .key = e->key,
		                   .val = e->val->data};
		if (kv_append(kv, &cp->copy, &r, e->hash) == MICA_OK) {
			cp->copied++;
			return;
		}
	}
	if (todo_push(cp, e->loc, e->loc_bytes) < 0)
		cp->lost++;
}

static void drop_expired(struct mica_kv *kv)
{
	struct kv_compact *cp = kv->cp;
	for (size_t i = 0; i < cp->nexpired; i++) {
		kv->live_bytes -= cp->expired[i]->rec_bytes;
		kv_index_remove(&kv->ix, cp->expired[i]);
	}
	cp->nexpired = 0;
}

/* A record read back from the old region: copy it (or count it lost). */
static void read_back(struct mica_blk_req *r)
{
	struct mica_kv *kv = r->arg;
	struct kv_compact *cp = kv->cp;
	uint64_t loc = cp->todo[cp->next_todo].loc;
	uint32_t bytes = cp->todo[cp->next_todo].bytes;
	cp->busy = false;
	struct kv_rec rec;
	const uint8_t *p = cp->rbuf + loc % kv->ssize;
	if (r->result < 0 || kv_rec_decode(p, bytes, kv->sb.salt, &rec) < 0 || rec.type != KV_REC_SET) {
		mica_error(
		    "kv", "compaction: the record at byte %llu cannot be read (%s); that key's value is lost",
		    (unsigned long long)loc, r->result < 0 ? mica_strerror(r->result) : "damaged");
		cp->lost++;
		struct kv_rec hdr;
		if (kv_rec_decode(p, bytes, kv->sb.salt, &hdr) == MICA_OK) {
			struct kv_entry *e =
			    kv_index_find(&kv->ix, hdr.key, hdr.klen, kv_hash(&kv->ix, hdr.key, hdr.klen));
			if (e)
				e->flags |= KV_E_BAD;
		}
		cp->next_todo++;
		step(kv);
		return;
	}
	if (kv_append(kv, &cp->copy, &rec, kv_hash(&kv->ix, rec.key, rec.klen)) == MICA_EAGAIN) {
		write_copies(kv); /* then read it again */
		return;
	}
	cp->copied++;
	cp->next_todo++;
	step(kv);
}

static void read_todo(struct mica_kv *kv)
{
	struct kv_compact *cp = kv->cp;
	uint64_t loc = cp->todo[cp->next_todo].loc;
	uint32_t bytes = cp->todo[cp->next_todo].bytes;
	uint64_t first = loc / kv->ssize, last = (loc + bytes + kv->ssize - 1) / kv->ssize;
	cp->req = (struct mica_blk_req){.op = MICA_BLK_READ,
	                                .nsectors = (uint32_t)(last - first),
	                                .sector = first,
	                                .buf = cp->rbuf,
	                                .done = read_back,
	                                .arg = kv};
	cp->busy = true;
	int rc = mica_blk_submit(kv->dev, &cp->req);
	if (rc < 0) {
		cp->req.result = rc;
		read_back(&cp->req);
	}
}

static void step(void *arg)
{
	struct mica_kv *kv = arg;
	struct kv_compact *cp = kv->cp;
	if (!cp || cp->busy)
		return;
	if (cp->next_todo < cp->ntodo) {
		read_todo(kv);
		return;
	}
	cp->ntodo = cp->next_todo = 0;
	if (!cp->scan_done) {
		cp->cursor = kv_index_scan(&kv->ix, cp->cursor, STEP_KEYS, visit, kv);
		drop_expired(kv);
		cp->scan_done = cp->cursor == 0;
		yield(kv);
		return;
	}
	if (write_copies(kv))
		return;
	cp->newsb = kv->sb;
	cp->newsb.generation++;
	cp->newsb.active = cp->to;
	cp->newsb.first_bseq = cp->first_bseq;
	cp->newsb.epoch = kv->epoch;
	cp->busy = true;
	kv_sb_write(kv, &cp->newsb, switched);
}

void kv_compact_start(struct mica_kv *kv)
{
	if (kv->compacting)
		return;
	struct kv_compact *cp = calloc(1, sizeof(*cp));
	if (cp)
		cp->expired = calloc(STEP_KEYS * 4, sizeof(*cp->expired));
	if (cp)
		cp->rbuf = kv_alloc_aligned(
		    kv, MICA_KV_VALUE_MAX + MICA_KV_KEY_MAX + 2 * KV_REC_HDR + 2 * kv->ssize, &cp->rraw);
	if (!cp || !cp->expired || !cp->rbuf || kv_batch_alloc(kv, &cp->copy) < 0) {
		kv->cp = cp;
		kv_compact_free(kv);
		mica_error("kv", "no memory to compact the log");
		kv_fail(kv, MICA_ENOMEM);
		return;
	}
	kv->cp = cp;
	kv->compacting = true;
	uint32_t from = kv->sb.active;
	cp->to = 1 - from;
	cp->from_start = kv_region_start(kv, from);
	cp->from_end = cp->from_start + kv->region_bytes;
	cp->to_start = kv_region_start(kv, cp->to);
	cp->first_bseq = kv->next_bseq;
	mica_task_init(&cp->task, step, kv);
	mica_info("kv", "region %u is full (%llu KiB of log, %llu KiB live): compacting into region %u", from,
	          (unsigned long long)(kv->append >> 10), (unsigned long long)(kv->live_bytes >> 10), cp->to);
	step(kv);
}

void kv_compact_free(struct mica_kv *kv)
{
	struct kv_compact *cp = kv->cp;
	if (!cp)
		return;
	free(cp->todo);
	free(cp->expired);
	free(cp->rraw);
	kv_batch_free(&cp->copy);
	free(cp);
	kv->cp = NULL;
	kv->compacting = false;
}
