/* reader.c - read one region's log from its start, in order, through a
 * window of the device (reads of up to KV_READ_CHUNK plus the largest
 * batch), handing every record of every good batch to ops->record.
 *
 * A batch is good when its header checks out (magic, salted CRC), it is
 * the batch number expected next and its epoch is not older than the one
 * before it. A record that fails its checksum ends its batch (the rest of
 * that batch is skipped and counted). Where the header is not good the
 * log may have ended (a torn or never-written tail) or a batch may be
 * damaged: the reader looks for the next good header within the largest
 * batch size, with a later number and no older epoch; found, the batches
 * in between are counted lost and reading goes on, else the log ends.
 * Damage in the last batch of the log is a torn tail (a write the crash
 * cut short, never acknowledged); damage followed by good batches is a
 * loss, and logged as an error. */
#include <mica/log.h>
#include "kv_impl.h"

static void reader_step(struct kv_reader *rd);

static void finish(struct kv_reader *rd, int rc)
{
	if (rd->damaged) {
		mica_info("kv", "the last batch of the log (%llu) is torn from record %u of %u on: ignored",
		          (unsigned long long)rd->damaged_bseq, rd->damaged_rec, rd->damaged_nrec);
		rd->torn_tail = true;
		rd->damaged = 0;
	}
	rd->ops->done(rd->arg, rc);
}

static void read_done(struct mica_blk_req *r)
{
	struct kv_reader *rd = r->arg;
	rd->reading = false;
	if (r->result < 0) {
		mica_error("kv", "reading the log at byte %llu: %s",
		           (unsigned long long)r->sector * rd->kv->ssize, mica_strerror(r->result));
		finish(rd, r->result);
		return;
	}
	rd->buf_off = r->sector * rd->kv->ssize;
	rd->buf_len = (uint64_t)r->nsectors * rd->kv->ssize;
	reader_step(rd);
}

/* Make [a, b) (device bytes, a sector-aligned) visible in the window;
 * false when a read had to be started (reader_step runs again after it). */
static bool window(struct kv_reader *rd, uint64_t a, uint64_t b)
{
	if (b > rd->end)
		b = rd->end;
	if (a >= rd->buf_off && b <= rd->buf_off + rd->buf_len)
		return true;
	uint64_t len = rd->end - a < rd->buf_cap ? rd->end - a : rd->buf_cap;
	uint32_t ss = rd->kv->ssize;
	rd->req = (struct mica_blk_req){.op = MICA_BLK_READ,
	                                .nsectors = (uint32_t)(len / ss),
	                                .sector = a / ss,
	                                .buf = rd->buf,
	                                .done = read_done,
	                                .arg = rd};
	rd->reading = true;
	int rc = mica_blk_submit(rd->kv->dev, &rd->req);
	if (rc < 0) {
		rd->reading = false;
		finish(rd, rc);
	}
	return false;
}

static const uint8_t *at(const struct kv_reader *rd, uint64_t off)
{
	return rd->buf + (off - rd->buf_off);
}

/* A damaged batch turned out not to be the last one: a loss, unless the
 * batch after it says it was found torn by a crash when the log was
 * recovered (then it is old news). */
static void damage_was_loss(struct kv_reader *rd, uint32_t next_flags)
{
	if (!rd->damaged)
		return;
	if (next_flags & KV_BF_AFTER_TORN) {
		rd->damaged = 0;
		return;
	}
	mica_error("kv",
	           "batch %llu at byte %llu: record %u of %u fails its checksum; the %u records from there "
	           "to the end of the batch are lost",
	           (unsigned long long)rd->damaged_bseq, (unsigned long long)rd->damaged_at, rd->damaged_rec,
	           rd->damaged_nrec, rd->damaged);
	rd->bad_records += rd->damaged;
	rd->damaged = 0;
}

/* The records of the good batch at rd->pos. */
static void batch_records(struct kv_reader *rd, const struct kv_batch_hdr *h)
{
	uint64_t off = rd->pos + KV_BATCH_HDR, end = off + h->payload_len;
	damage_was_loss(rd, h->flags);
	rd->tail_damaged = false;
	for (uint32_t i = 0; i < h->nrec; i++) {
		struct kv_rec r;
		if (off > end || kv_rec_decode(at(rd, off), end - off, rd->kv->sb.salt, &r) < 0) {
			rd->damaged = h->nrec - i;
			rd->damaged_bseq = h->bseq;
			rd->damaged_at = off;
			rd->damaged_rec = i + 1;
			rd->damaged_nrec = h->nrec;
			rd->tail_damaged = true;
			return;
		}
		rd->records++;
		if (r.seq > rd->max_seq)
			rd->max_seq = r.seq;
		rd->ops->record(rd->arg, &r, off);
		off += r.size;
	}
}

static bool header_fits(const struct kv_reader *rd, const struct kv_batch_hdr *h, uint64_t pos)
{
	return h->epoch >= rd->last_epoch && h->len % rd->kv->ssize == 0 && h->len <= rd->kv->batch_max &&
	       pos + h->len <= rd->end;
}

/* Look for the next good header after a bad one at rd->pos. Returns its
 * offset, 0 when there is none, or 1 when a read had to be started. */
static uint64_t resync(struct kv_reader *rd, struct kv_batch_hdr *found)
{
	uint32_t ss = rd->kv->ssize;
	uint64_t limit = rd->pos + rd->kv->batch_max + ss;
	if (limit > rd->end)
		limit = rd->end;
	if (!window(rd, rd->pos, limit))
		return 1;
	for (uint64_t p = rd->pos + ss; p + KV_BATCH_HDR <= limit; p += ss) {
		struct kv_batch_hdr h;
		if (kv_batch_decode(at(rd, p), rd->kv->sb.salt, &h) == MICA_OK && h.bseq > rd->next_bseq &&
		    h.bseq - rd->next_bseq < (1u << 20) && header_fits(rd, &h, p)) {
			*found = h;
			return p;
		}
	}
	return 0;
}

static void reader_step(struct kv_reader *rd)
{
	while (!rd->reading) {
		if (rd->pos + KV_BATCH_HDR > rd->end) {
			finish(rd, MICA_OK);
			return;
		}
		if (!window(rd, rd->pos, rd->pos + KV_BATCH_HDR))
			return;
		struct kv_batch_hdr h;
		int rc = kv_batch_decode(at(rd, rd->pos), rd->kv->sb.salt, &h);
		if (rc == MICA_OK && h.bseq == rd->next_bseq && header_fits(rd, &h, rd->pos)) {
			if (!window(rd, rd->pos, rd->pos + h.len))
				return;
			batch_records(rd, &h);
			rd->batches++;
			rd->last_epoch = h.epoch;
			rd->next_bseq++;
			rd->pos += h.len;
			continue;
		}
		uint64_t p = resync(rd, &h);
		if (p == 1)
			return;
		if (p == 0) {
			rd->torn_tail |= kv_get_le32(at(rd, rd->pos)) == KV_BATCH_MAGIC;
			finish(rd, MICA_OK);
			return;
		}
		damage_was_loss(rd, 0);
		mica_error("kv",
		           "the log is damaged at byte %llu: batches %llu to %llu are lost; reading on "
		           "from byte %llu",
		           (unsigned long long)rd->pos, (unsigned long long)rd->next_bseq,
		           (unsigned long long)h.bseq - 1, (unsigned long long)p);
		rd->lost_batches += h.bseq - rd->next_bseq;
		rd->next_bseq = h.bseq;
		rd->pos = p;
	}
}

void kv_reader_start(struct kv_reader *rd, struct mica_kv *kv, uint32_t region, uint64_t first_bseq,
                     const struct kv_reader_ops *ops, void *arg)
{
	kv_reader_free(rd);
	*rd = (struct kv_reader){.kv = kv, .ops = ops, .arg = arg, .next_bseq = first_bseq};
	rd->start = rd->pos = kv_region_start(kv, region);
	rd->end = rd->start + kv->region_bytes;
	rd->buf_cap = KV_READ_CHUNK + kv->batch_max + 2 * (uint64_t)kv->ssize;
	rd->buf_cap -= rd->buf_cap % kv->ssize;
	rd->buf = kv_alloc_aligned(kv, rd->buf_cap, &rd->raw);
	if (!rd->buf) {
		finish(rd, MICA_ENOMEM);
		return;
	}
	reader_step(rd);
}

void kv_reader_free(struct kv_reader *rd)
{
	free(rd->raw);
	rd->raw = rd->buf = NULL;
}
