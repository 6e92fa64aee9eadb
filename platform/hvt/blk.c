/* blk.c - block devices of the hvt guest over the BLOCK_* hypercalls.
 *
 * The synchronous calls make one BLOCK_READ/WRITE/FLUSH exit per chunk of
 * at most 1 MiB (the monitor's limit). Asynchronous requests
 * (mica_blkif_submit) wait in one queue for all devices; the next POLL
 * carries up to MICA_HVT_BLOCK_BATCH_MAX chunks of them (POLL's
 * blk_batch), the monitor does them before it looks at the network, and
 * the completions are delivered on the way out of mica_plat_poll - so a
 * batch of writes and the network traffic of that loop turn cost one VM
 * exit. A request bigger than a chunk is split; it completes when its
 * last piece has, with the first error of its pieces. */
#include <mica/err.h>
#include "hvt.h"

#define CHUNK_BYTES (1u << 20)

struct mica_blkif {
	uint32_t handle;
	struct mica_blkif_info info;
};

static struct mica_blkif blkifs[MICA_HVT_MAX_DEVICES];

/* Submitted requests not yet wholly handed to the monitor, and the batch
 * of pieces the current POLL carries (abi_req[i] owns abi[i]). */
static struct mica_blk_req *queue_head, *queue_tail;
static struct mica_hvt_block_req abi[MICA_HVT_BLOCK_BATCH_MAX];
static struct mica_blk_req *abi_req[MICA_HVT_BLOCK_BATCH_MAX];
static struct mica_hvt_block_batch batch;

int mica_blkif_open(const char *name, struct mica_blkif **out)
{
	const struct mica_hvt_boot_info *bi = hvt.bi;
	for (uint32_t i = 0; i < bi->ndevices && i < MICA_HVT_MAX_DEVICES; i++) {
		const struct mica_hvt_device *d = &bi->devices[i];
		if (d->kind != MICA_HVT_DEV_BLOCK || __builtin_strncmp(d->name, name, MICA_HVT_NAME_MAX))
			continue;
		struct mica_hvt_block_info a = {.handle = i};
		hvt_call(MICA_HVT_CALL_BLOCK_INFO, &a);
		if (a.ret < 0)
			return (int)a.ret;
		blkifs[i] = (struct mica_blkif){i,
		                                {.sector_size = a.sector_size,
		                                 .sectors = a.sectors,
		                                 .read_only = a.read_only != 0,
		                                 .fua = true,
		                                 .queue_depth = MICA_HVT_BLOCK_BATCH_MAX,
		                                 .max_sectors = CHUNK_BYTES / a.sector_size}};
		*out = &blkifs[i];
		return MICA_OK;
	}
	return MICA_ENOENT;
}

int mica_blkif_info(struct mica_blkif *blk, struct mica_blkif_info *info)
{
	*info = blk->info;
	return MICA_OK;
}

static int block_io(struct mica_blkif *blk, int call, uint64_t sector, uintptr_t buf, size_t n)
{
	uint64_t total = blk->info.sectors;
	if (sector > total || n > total - sector)
		return MICA_ERANGE;
	size_t per = CHUNK_BYTES / blk->info.sector_size;
	while (n > 0) {
		size_t k = n < per ? n : per;
		struct mica_hvt_block_io a = {blk->handle, (uint32_t)k, sector, buf, 0};
		hvt_call((unsigned)call, &a);
		if (a.ret < 0)
			return (int)a.ret;
		sector += k;
		buf += k * blk->info.sector_size;
		n -= k;
	}
	return MICA_OK;
}

int mica_blkif_read(struct mica_blkif *blk, uint64_t sector, void *buf, size_t nsectors)
{
	return block_io(blk, MICA_HVT_CALL_BLOCK_READ, sector, (uintptr_t)buf, nsectors);
}

int mica_blkif_write(struct mica_blkif *blk, uint64_t sector, const void *buf, size_t nsectors)
{
	if (blk->info.read_only)
		return MICA_EPERM;
	return block_io(blk, MICA_HVT_CALL_BLOCK_WRITE, sector, (uintptr_t)buf, nsectors);
}

int mica_blkif_flush(struct mica_blkif *blk)
{
	struct mica_hvt_block_io a = {.handle = blk->handle};
	hvt_call(MICA_HVT_CALL_BLOCK_FLUSH, &a);
	return (int)a.ret;
}

int mica_blkif_submit(struct mica_blkif *blk, struct mica_blk_req *r)
{
	int rc = mica_blk_req_check(&blk->info, r);
	if (rc < 0)
		return rc;
	r->result = MICA_OK;
	r->next = NULL;
	r->plat_parts = 0;
	r->plat_done = 0;
	r->plat_word = blk->handle;
	if (queue_tail)
		queue_tail->next = r;
	else
		queue_head = r;
	queue_tail = r;
	return MICA_OK;
}

/* The next piece of the request at the head of the queue into abi[i]. */
static void take_piece(struct mica_blk_req *r, uint32_t i)
{
	struct mica_blkif *b = &blkifs[r->plat_word];
	uint32_t per = CHUNK_BYTES / b->info.sector_size;
	uint32_t left = r->op == MICA_BLK_FLUSH ? 0 : r->nsectors - r->plat_done;
	uint32_t k = left < per ? left : per;
	abi[i] = (struct mica_hvt_block_req){
	    .handle = b->handle,
	    .op = r->op,
	    .flags = (r->flags & MICA_BLK_FUA) ? MICA_HVT_BLK_FUA : 0,
	    .nsectors = k,
	    .sector = r->sector + r->plat_done,
	    .addr = (uintptr_t)r->buf + (uint64_t)r->plat_done * b->info.sector_size,
	};
	abi_req[i] = r;
	r->plat_done += k;
	r->plat_parts++;
	if (r->plat_done == (r->op == MICA_BLK_FLUSH ? 0 : r->nsectors)) {
		queue_head = r->next;
		if (!queue_head)
			queue_tail = NULL;
	}
}

uint64_t hvt_blk_poll_prepare(void)
{
	uint32_t n = 0;
	while (queue_head && n < MICA_HVT_BLOCK_BATCH_MAX)
		take_piece(queue_head, n++);
	batch = (struct mica_hvt_block_batch){.count = n, .reqs = (uintptr_t)abi};
	return n ? (uint64_t)(uintptr_t)&batch : 0;
}

int hvt_blk_poll_done(void)
{
	uint32_t n = batch.count;
	int completed = 0;
	batch.count = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct mica_blk_req *r = abi_req[i];
		int64_t ret = batch.ret < 0 ? batch.ret : abi[i].ret;
		if (ret < 0 && r->result == MICA_OK)
			r->result = (int)ret;
		bool whole = r->plat_done == (r->op == MICA_BLK_FLUSH ? 0 : r->nsectors);
		abi_req[i] = NULL;
		if (--r->plat_parts == 0 && whole) {
			r->next = NULL;
			completed++;
			r->done(r);
		}
	}
	return completed;
}
