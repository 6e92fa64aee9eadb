/* open.c - opening a store: read both superblocks and take the valid one
 * with the higher generation; with none valid, format the device if its
 * first and last MiB are zero and refuse it (never writing) otherwise;
 * then recover the index by reading the active region's log (reader.c).
 * Also: superblock writes, the reload after a failed write, free. */
#include <mica/log.h>
#include <mica/platform.h>
#include "kv_impl.h"

#define MIN_REGION (256u * 1024)

static void open_finish(struct mica_kv *kv, int rc);

/* An opening step's request that failed: say what failed and end the open
 * with its error. False when it succeeded. */
static bool open_step_failed(struct mica_kv *kv, const struct mica_blk_req *r, const char *what)
{
	if (r->result >= 0)
		return false;
	mica_error("kv", "%s: %s", what, mica_strerror(r->result));
	open_finish(kv, r->result);
	return true;
}

uint64_t kv_region_start(const struct mica_kv *kv, uint32_t region)
{
	return kv->sb.region_start[region] * kv->ssize;
}

uint8_t *kv_alloc_aligned(const struct mica_kv *kv, size_t len, uint8_t **raw)
{
	size_t align = kv->dev->info.buf_align > MICA_PAGE_SIZE ? kv->dev->info.buf_align : MICA_PAGE_SIZE;
	*raw = malloc(len + align);
	if (!*raw)
		return NULL;
	return (uint8_t *)(((uintptr_t)*raw + align - 1) & ~(uintptr_t)(align - 1));
}

void kv_sb_write(struct mica_kv *kv, const struct kv_sb *sb, void (*done)(struct mica_blk_req *r))
{
	memset(kv->sbuf, 0, kv->ssize);
	kv_sb_encode(sb, kv->sbuf);
	kv->sreq = (struct mica_blk_req){.op = MICA_BLK_WRITE,
	                                 .flags = MICA_BLK_FUA,
	                                 .nsectors = 1,
	                                 .sector = sb->generation % 2,
	                                 .buf = kv->sbuf,
	                                 .done = done,
	                                 .arg = kv};
	int rc = mica_blk_submit(kv->dev, &kv->sreq);
	if (rc < 0) {
		kv->sreq.result = rc;
		done(&kv->sreq);
	}
}

/* ---- recovery ---- */
static void recovered_record(void *arg, const struct kv_rec *r, uint64_t loc)
{
	kv_replay(arg, r, loc);
}

/* After the log: drop tombstones and expired keys, count what is live. */
static void settle_entry(void *arg, struct kv_entry *e)
{
	struct mica_kv *kv = arg;
	if ((e->flags & KV_E_DEAD) || kv_expired(kv, e)) {
		kv_index_remove(&kv->ix, e);
		return;
	}
	kv->live_bytes += e->rec_bytes;
}

static void recovered(void *arg, int rc)
{
	struct mica_kv *kv = arg;
	struct kv_reader *rd = &kv->rd;
	if (rc < 0) {
		open_finish(kv, rc);
		return;
	}
	kv->tombstones = 0;
	kv->live_bytes = 0;
	kv_index_each(&kv->ix, settle_entry, kv);
	kv->append = rd->pos - rd->start;
	kv->next_bseq = rd->next_bseq;
	kv->epoch = (rd->last_epoch > kv->sb.epoch ? rd->last_epoch : (uint32_t)kv->sb.epoch) + 1;
	if (rd->max_seq >= kv->next_seq)
		kv->next_seq = rd->max_seq + 1;
	kv->recovered_records += rd->records;
	kv->lost_batches += rd->lost_batches;
	kv->torn_tail = rd->torn_tail;
	kv->after_torn = rd->tail_damaged;
	if (rd->lost_batches || rd->bad_records)
		mica_error("kv",
		           "recovered with losses: %llu records in %llu batches kept, %llu batches lost, "
		           "%llu records skipped as damaged",
		           (unsigned long long)rd->records, (unsigned long long)rd->batches,
		           (unsigned long long)rd->lost_batches, (unsigned long long)rd->bad_records);
	mica_info("kv", "recovered %llu keys from %llu records in %llu batches (%llu KiB of log%s)",
	          (unsigned long long)kv->ix.count, (unsigned long long)rd->records,
	          (unsigned long long)rd->batches, (unsigned long long)(kv->append >> 10),
	          rd->torn_tail ? ", a torn tail ignored" : "");
	kv_reader_free(rd);
	open_finish(kv, MICA_OK);
}

static const struct kv_reader_ops recovery_ops = {recovered_record, recovered};

static void recover(struct mica_kv *kv)
{
	kv->region_bytes = kv->sb.region_sectors * kv->ssize;
	kv_reader_start(&kv->rd, kv, kv->sb.active, kv->sb.first_bseq, &recovery_ops, kv);
}

void kv_reload(struct mica_kv *kv)
{
	kv->ready = false;
	kv_index_free(&kv->ix);
	int rc = kv_index_init(&kv->ix, kv->cfg.max_keys, kv->cfg.cache_bytes);
	if (rc < 0) {
		open_finish(kv, rc);
		return;
	}
	mica_info("kv", "reloading the index from the device");
	recover(kv);
}

/* ---- format ---- */
static void formatted(struct mica_blk_req *r)
{
	struct mica_kv *kv = r->arg;
	if (open_step_failed(kv, r, "formatting: writing the superblock"))
		return;
	mica_info("kv", "formatted an empty store: two regions of %llu KiB",
	          (unsigned long long)(kv->region_bytes >> 10));
	kv->append = 0;
	kv->next_bseq = kv->sb.first_bseq;
	kv->epoch = (uint32_t)kv->sb.epoch;
	open_finish(kv, MICA_OK);
}

static void format(struct mica_kv *kv)
{
	struct kv_sb *sb = &kv->sb;
	uint64_t total = kv->dev->info.sectors * kv->ssize;
	uint64_t region = ((total - KV_DATA_START) / 2) & ~(uint64_t)4095;
	*sb =
	    (struct kv_sb){.sector_size = kv->ssize,
	                   .device_sectors = kv->dev->info.sectors,
	                   .generation = 1,
	                   .region_sectors = region / kv->ssize,
	                   .region_start = {KV_DATA_START / kv->ssize, (KV_DATA_START + region) / kv->ssize},
	                   .first_bseq = 1,
	                   .epoch = 1};
	if (mica_plat_random(&sb->salt, sizeof(sb->salt)) < 0)
		sb->salt = mica_plat_wall_ns() ^ 0x5bd1e9955bd1e995ull;
	kv->region_bytes = region;
	kv_sb_write(kv, sb, formatted);
}

/* ---- the zero check before formatting ---- */
/* p is page-aligned and n a multiple of the sector size: a word at a time
 * (on hvt every guest instruction is emulated, so this is 8x fewer). */
static bool all_zero(const uint8_t *p, size_t n)
{
	const uint64_t *w = (const uint64_t *)(const void *)p;
	for (size_t i = 0; i + 4 <= n / 8; i += 4)
		if (w[i] | w[i + 1] | w[i + 2] | w[i + 3])
			return false;
	return true;
}

static void zero_checked(struct mica_blk_req *r);

/* Read n sectors from `sector` into a buffer of their own (kept in
 * kv->rd.raw) for the zero check; zero_checked follows. */
static void zero_check_read(struct mica_kv *kv, uint64_t sector, uint32_t n)
{
	uint8_t *raw;
	uint8_t *buf = kv_alloc_aligned(kv, (size_t)n * kv->ssize, &raw);
	if (!buf) {
		open_finish(kv, MICA_ENOMEM);
		return;
	}
	kv->rd.raw = raw;
	kv->sreq = (struct mica_blk_req){.op = MICA_BLK_READ,
	                                 .nsectors = n,
	                                 .sector = sector,
	                                 .buf = buf,
	                                 .done = zero_checked,
	                                 .arg = kv};
	int rc = mica_blk_submit(kv->dev, &kv->sreq);
	if (rc < 0)
		open_finish(kv, rc);
}

/* A zero-check read is back: the first MiB zero, read the last one; both
 * zero, format; else refuse the device. */
static void zero_checked(struct mica_blk_req *r)
{
	struct mica_kv *kv = r->arg;
	uint64_t first = r->sector, bytes = (uint64_t)r->nsectors * kv->ssize;
	bool zero = r->result == MICA_OK && all_zero(r->buf, bytes);
	free(kv->rd.raw);
	kv->rd.raw = NULL;
	if (open_step_failed(kv, r, "reading the device"))
		return;
	if (!zero) {
		mica_error("kv",
		           "the device holds data that is not a Mica key-value store (bytes %llu to %llu are "
		           "not all zero): refusing to format it; give an empty (zeroed) device",
		           (unsigned long long)(first * kv->ssize),
		           (unsigned long long)(first * kv->ssize + bytes));
		open_finish(kv, MICA_EBADMSG);
		return;
	}
	uint64_t last = kv->dev->info.sectors - r->nsectors;
	if (first == 0 && last > 0) {
		zero_check_read(kv, last, r->nsectors);
		return;
	}
	format(kv);
}

static void check_zero(struct mica_kv *kv)
{
	uint64_t bytes = KV_ZERO_CHECK;
	if (bytes > kv->dev->info.sectors * kv->ssize)
		bytes = kv->dev->info.sectors * kv->ssize;
	zero_check_read(kv, 0, (uint32_t)(bytes / kv->ssize));
}

/* ---- superblocks ---- */
static bool sb_fits(struct mica_kv *kv, const struct kv_sb *sb)
{
	uint64_t end = sb->region_start[1] + sb->region_sectors;
	if (sb->sector_size != kv->ssize || sb->device_sectors > kv->dev->info.sectors ||
	    end > sb->device_sectors || sb->region_start[0] + sb->region_sectors > sb->region_start[1] ||
	    sb->region_sectors * kv->ssize < MIN_REGION) {
		mica_error("kv",
		           "the superblock does not fit this device (store of %llu sectors of %u bytes, "
		           "device of %llu sectors of %u bytes): refusing it",
		           (unsigned long long)sb->device_sectors, sb->sector_size,
		           (unsigned long long)kv->dev->info.sectors, kv->ssize);
		return false;
	}
	return true;
}

static void sbs_read(struct mica_blk_req *r)
{
	struct mica_kv *kv = r->arg;
	if (open_step_failed(kv, r, "reading the superblocks"))
		return;
	struct kv_sb a, b;
	bool va = kv_sb_decode(kv->sbuf, &a) == MICA_OK;
	bool vb = kv_sb_decode(kv->sbuf + kv->ssize, &b) == MICA_OK;
	if (!va && !vb) {
		check_zero(kv);
		return;
	}
	kv->sb = va && (!vb || a.generation > b.generation) ? a : b;
	if (!sb_fits(kv, &kv->sb)) {
		open_finish(kv, MICA_EBADMSG);
		return;
	}
	recover(kv);
}

/* ---- open, free ---- */
static void open_finished(void *arg)
{
	struct mica_kv *kv = arg;
	if (kv->open_done)
		kv->open_done(kv->open_arg, kv->open_rc);
}

static void open_finish(struct mica_kv *kv, int rc)
{
	kv_reader_free(&kv->rd);
	kv->ready = rc == MICA_OK;
	kv->open_rc = rc;
	if (rc == MICA_OK) {
		kv->region_bytes = kv->sb.region_sectors * kv->ssize;
		kv_commit_kick(kv);
	}
	mica_loop_defer(kv->loop, &kv->open_task);
}

static int check_device(struct mica_blk *dev)
{
	uint32_t ss = dev->info.sector_size;
	if (ss < 512 || ss > 65536 || (ss & (ss - 1))) {
		mica_error("kv", "sector size %u is not supported (512 to 64 KiB, a power of two)", ss);
		return MICA_EINVAL;
	}
	if (dev->info.sectors * ss < KV_DATA_START + 2ull * MIN_REGION) {
		mica_error("kv", "the device is too small (%llu bytes; at least %u KiB)",
		           (unsigned long long)(dev->info.sectors * ss),
		           (KV_DATA_START + 2 * MIN_REGION) >> 10);
		return MICA_EINVAL;
	}
	if (dev->info.read_only) {
		mica_error("kv", "the device is read-only");
		return MICA_EPERM;
	}
	return MICA_OK;
}

static void sizes(struct mica_kv *kv)
{
	uint64_t total = kv->dev->info.sectors * kv->ssize;
	uint64_t region = ((total - KV_DATA_START) / 2) & ~(uint64_t)4095;
	uint64_t bm = region / 8 < KV_BATCH_MAX ? region / 8 : KV_BATCH_MAX;
	kv->batch_max = (uint32_t)(bm - bm % kv->ssize);
	uint64_t vmax = kv->batch_max - KV_BATCH_HDR - KV_REC_HDR - 1024;
	kv->value_max = vmax < MICA_KV_VALUE_MAX ? vmax : MICA_KV_VALUE_MAX;
}

int mica_kv_open(struct mica_loop *loop, struct mica_blk *dev, const struct mica_kv_config *cfg,
                 void (*done)(void *arg, int rc), void *arg, struct mica_kv **out)
{
	int rc = check_device(dev);
	if (rc < 0)
		return rc;
	struct mica_kv *kv = calloc(1, sizeof(*kv));
	if (!kv)
		return MICA_ENOMEM;
	kv->loop = loop;
	kv->dev = dev;
	kv->cfg = *cfg;
	if (!kv->cfg.max_keys)
		kv->cfg.max_keys = 1000000;
	if (!kv->cfg.cache_bytes)
		kv->cfg.cache_bytes = 64ull << 20;
	kv->ssize = dev->info.sector_size;
	kv->open_done = done;
	kv->open_arg = arg;
	kv->next_seq = 1;
	kv->next_ticket = 1;
	mica_task_init(&kv->open_task, open_finished, kv);
	sizes(kv);
	kv->sbuf = kv_alloc_aligned(kv, 2 * (size_t)kv->ssize, &kv->sbuf_raw);
	rc = kv->sbuf ? kv_index_init(&kv->ix, kv->cfg.max_keys, kv->cfg.cache_bytes) : MICA_ENOMEM;
	if (rc == MICA_OK)
		rc = kv_batch_alloc(kv, &kv->open_batch);
	if (rc == MICA_OK)
		rc = kv_batch_alloc(kv, &kv->flight);
	if (rc < 0) {
		mica_kv_free(kv);
		return rc;
	}
	kv->open_batch.ticket = kv->next_ticket++;
	kv->sreq = (struct mica_blk_req){
	    .op = MICA_BLK_READ, .nsectors = 2, .sector = 0, .buf = kv->sbuf, .done = sbs_read, .arg = kv};
	rc = mica_blk_submit(dev, &kv->sreq);
	if (rc < 0) {
		mica_kv_free(kv);
		return rc;
	}
	*out = kv;
	return MICA_OK;
}

void mica_kv_free(struct mica_kv *kv)
{
	if (!kv)
		return;
	kv_compact_free(kv);
	kv_fetch_free_all(kv);
	kv_reader_free(&kv->rd);
	kv_index_free(&kv->ix);
	kv_batch_free(&kv->open_batch);
	kv_batch_free(&kv->flight);
	free(kv->sbuf_raw);
	free(kv);
}
