/* blk.c - virtio-blk: the block devices of a virtio guest.
 *
 * Queue-based underneath: a request (read, write or flush of one chunk)
 * is a chain of three descriptors - header, data, status byte - and up to
 * a queue's worth are in flight at once: blk_submit queues, blk_collect
 * takes completions. The synchronous calls of platform.h cut a transfer
 * into chunks, submit them all (one notification), then sleep in `hlt`
 * until the device's interrupt says they are done. A device without
 * VIRTIO_BLK_F_FLUSH has no volatile cache, so flush is then a no-op.
 *
 * Asynchronous requests (mica_blkif_submit) wait in a software queue;
 * each mica_plat_poll moves as many pieces as the ring takes onto it
 * (one notification for the whole turn), takes the completions and calls
 * done() for every request whose last piece is back. virtio-blk has no
 * FUA: a FUA write is followed by a flush of its own before it
 * completes. */
#include <mica/err.h>
#include <mica/loop.h>
#include <mica/libc.h>
#include <mica/log.h>
#include "virtio.h"

#define F_SIZE_MAX (1ull << 1)
#define F_SEG_MAX (1ull << 2)
#define F_RO (1ull << 5)
#define F_FLUSH (1ull << 9)
#define T_IN 0
#define T_OUT 1
#define T_FLUSH 4
#define S_OK 0
#define S_IOERR 1
#define S_UNSUPP 2
#define SECTOR 512u
#define QSIZE 64
#define CHUNK_MAX (1u << 20)
#define MAX_BLKIFS 8
#define WAIT_NS (30 * MICA_NS_PER_S)

struct blk_req {
	uint32_t type, reserved;
	uint64_t sector; /* the 16 bytes above are the device's request header */
	uint8_t status;
	bool busy;
	struct mica_blk_req *owner; /* an asynchronous request's piece, or NULL */
};

struct mica_blkif {
	struct virtio_dev *dev;
	const char *name;
	struct virtq q;
	struct mica_blkif_info info;
	uint32_t chunk; /* bytes per request */
	struct blk_req *reqs;
	unsigned inflight;
	int error; /* first error of the requests collected since the last wait */
	/* asynchronous requests: not yet wholly on the ring; completed, for
	 * the next poll to deliver */
	struct mica_blk_req *queue_head, *queue_tail, *done_head, *done_tail;
};

static struct mica_blkif blkifs[MAX_BLKIFS];
static unsigned nblkifs;

static int blk_setup(struct mica_blkif *b)
{
	struct virtio_dev *d = b->dev;
	int rc = vdev_begin(d, F_SIZE_MAX | F_SEG_MAX | F_RO | F_FLUSH);
	if (rc == MICA_OK)
		rc = vdev_queue(d, &b->q, 0, QSIZE, true);
	if (rc == MICA_OK)
		rc = vdev_ready(d);
	if (rc < 0)
		return rc;
	virtq_quiet(&b->q);
	b->reqs =
	    mica_plat_alloc_pages((b->q.size * sizeof(struct blk_req) + MICA_PAGE_SIZE - 1) / MICA_PAGE_SIZE);
	if (!b->reqs)
		return MICA_ENOMEM;
	b->info.sector_size = SECTOR;
	b->info.sectors = vdev_cfg64(d, 0);
	b->info.read_only = (d->features & F_RO) != 0;
	b->chunk = CHUNK_MAX;
	if (d->features & F_SIZE_MAX) {
		uint32_t max = vdev_cfg32(d, 8) & ~(SECTOR - 1);
		if (max >= SECTOR && max < b->chunk)
			b->chunk = max;
	}
	b->info.max_sectors = b->chunk / SECTOR;
	b->info.queue_depth = b->q.size / 3; /* three descriptors a request */
	return MICA_OK;
}

int mica_blkif_open(const char *name, struct mica_blkif **out)
{
	for (unsigned i = 0; i < nblkifs; i++) {
		if (strcmp(blkifs[i].name, name) == 0) {
			*out = &blkifs[i];
			return MICA_OK;
		}
	}
	struct virtio_dev *d = virtio_dev_for(name, VIRTIO_ID_BLOCK);
	if (!d)
		return MICA_ENOENT;
	if (nblkifs == MAX_BLKIFS)
		return MICA_ENOSPC;
	struct mica_blkif *b = &blkifs[nblkifs];
	*b = (struct mica_blkif){.dev = d, .name = name};
	int rc = blk_setup(b);
	if (rc < 0) {
		mica_error("virtio", "%s: virtio-blk device setup failed: %s", name, mica_strerror(rc));
		return rc;
	}
	nblkifs++;
	*out = b;
	return MICA_OK;
}

int mica_blkif_info(struct mica_blkif *blk, struct mica_blkif_info *info)
{
	*info = blk->info;
	return MICA_OK;
}

/* Queue one request; MICA_EAGAIN when the queue is full. */
static int blk_submit(struct mica_blkif *b, uint32_t type, uint64_t sector, uintptr_t buf, uint32_t bytes)
{
	uint16_t slot = b->q.free_head;
	if (slot >= b->q.size || b->q.nfree < 3)
		return MICA_EAGAIN;
	struct blk_req *r = &b->reqs[slot];
	*r = (struct blk_req){.type = type, .sector = sector, .status = 0xff, .busy = true};
	struct virtq_seg segs[3] = {
	    {(uintptr_t)r, 16, false}, {buf, bytes, type == T_IN}, {(uintptr_t)&r->status, 1, true}};
	if (bytes == 0)
		segs[1] = segs[2];
	int rc = virtq_add(&b->q, segs, bytes ? 3 : 2, r);
	if (rc == MICA_OK)
		b->inflight++;
	return rc;
}

static void req_list_push(struct mica_blk_req **head, struct mica_blk_req **tail, struct mica_blk_req *r)
{
	r->next = NULL;
	if (*tail)
		(*tail)->next = r;
	else
		*head = r;
	*tail = r;
}

/* The sectors an asynchronous request has in all (0 for a flush). */
static uint32_t req_total(const struct mica_blk_req *r)
{
	return r->op == MICA_BLK_FLUSH || (r->plat_word & 1) ? 0 : r->nsectors;
}

/* One piece of an asynchronous request is back. When it was the last: a
 * FUA write goes round again as its own flush; anything else is done. */
static void async_piece_done(struct mica_blkif *b, struct mica_blk_req *o, int rc)
{
	if (rc < 0 && o->result == MICA_OK)
		o->result = rc;
	if (--o->plat_parts > 0 || o->plat_done < req_total(o))
		return;
	bool fua = o->op == MICA_BLK_WRITE && (o->flags & MICA_BLK_FUA) && !(o->plat_word & 1) &&
	           (b->dev->features & F_FLUSH) && o->result == MICA_OK;
	if (fua) {
		o->plat_word |= 1; /* second stage: the flush */
		o->plat_done = 0;
		req_list_push(&b->queue_head, &b->queue_tail, o);
		return;
	}
	req_list_push(&b->done_head, &b->done_tail, o);
}

/* Take completed requests; remember the first error. */
static void blk_collect(struct mica_blkif *b)
{
	struct blk_req *r;
	uint32_t len;
	while ((r = virtq_take(&b->q, &len)) != NULL) {
		b->inflight--;
		r->busy = false;
		int rc = r->status == S_OK ? MICA_OK : r->status == S_UNSUPP ? MICA_ENOTSUP : MICA_EIO;
		if (r->owner)
			async_piece_done(b, r->owner, rc);
		else if (rc < 0 && b->error == MICA_OK)
			b->error = rc;
	}
}

/* Notify the device and sleep until every request in flight is done
 * (asynchronous ones included). */
static int blk_wait(struct mica_blkif *b)
{
	virtq_kick(&b->q);
	uint64_t deadline = mica_plat_monotonic_ns() + WAIT_NS;
	for (;;) {
		blk_collect(b);
		if (b->inflight == 0)
			break;
		if (mica_plat_monotonic_ns() >= deadline) {
			mica_error("virtio", "%s: the device did not complete %u requests in 30 s", b->name,
			           b->inflight);
			return MICA_EIO;
		}
		timer_arm(guest_clock_tsc_at(deadline));
		if (virtq_arm(&b->q))
			cpu_idle();
		virtq_quiet(&b->q);
	}
	int rc = b->error;
	b->error = MICA_OK;
	return rc;
}

static int blk_io(struct mica_blkif *b, uint32_t type, uint64_t sector, uintptr_t buf, size_t nsectors)
{
	uint64_t total = b->info.sectors;
	if (sector > total || nsectors > total - sector)
		return MICA_ERANGE;
	size_t per = b->chunk / SECTOR;
	while (nsectors > 0) {
		size_t k = nsectors < per ? nsectors : per;
		int rc = blk_submit(b, type, sector, buf, (uint32_t)(k * SECTOR));
		if (rc == MICA_EAGAIN) {
			rc = blk_wait(b); /* the queue is full: let it drain */
			if (rc < 0)
				return rc;
			continue;
		}
		sector += k;
		buf += k * SECTOR;
		nsectors -= k;
	}
	return blk_wait(b);
}

int mica_blkif_read(struct mica_blkif *blk, uint64_t sector, void *buf, size_t nsectors)
{
	return blk_io(blk, T_IN, sector, (uintptr_t)buf, nsectors);
}

int mica_blkif_write(struct mica_blkif *blk, uint64_t sector, const void *buf, size_t nsectors)
{
	if (blk->info.read_only)
		return MICA_EPERM;
	return blk_io(blk, T_OUT, sector, (uintptr_t)buf, nsectors);
}

int mica_blkif_flush(struct mica_blkif *blk)
{
	if (!(blk->dev->features & F_FLUSH))
		return MICA_OK;
	int rc = blk_submit(blk, T_FLUSH, 0, 0, 0);
	return rc < 0 ? rc : blk_wait(blk);
}

int mica_blkif_submit(struct mica_blkif *blk, struct mica_blk_req *r)
{
	int rc = mica_blk_req_check(&blk->info, r);
	if (rc < 0)
		return rc;
	r->result = MICA_OK;
	r->plat_parts = 0;
	r->plat_done = 0;
	r->plat_word = 0;
	req_list_push(&blk->queue_head, &blk->queue_tail, r);
	return MICA_OK;
}

/* Move queued pieces onto the ring while it has room. */
static void async_fill(struct mica_blkif *b)
{
	while (b->queue_head) {
		struct mica_blk_req *o = b->queue_head;
		bool flush = o->op == MICA_BLK_FLUSH || (o->plat_word & 1);
		if (flush && !(b->dev->features & F_FLUSH)) {
			o->plat_parts = 1; /* no volatile cache: nothing to do */
			b->queue_head = o->next;
			async_piece_done(b, o, MICA_OK);
			continue;
		}
		uint32_t per = b->chunk / SECTOR, left = req_total(o) - o->plat_done;
		uint32_t k = left < per ? left : per;
		uint16_t slot = b->q.free_head;
		int rc = flush
		             ? blk_submit(b, T_FLUSH, 0, 0, 0)
		             : blk_submit(b, o->op == MICA_BLK_WRITE ? T_OUT : T_IN, o->sector + o->plat_done,
		                          (uintptr_t)o->buf + (uint64_t)o->plat_done * SECTOR, k * SECTOR);
		if (rc < 0)
			break; /* the ring is full */
		b->reqs[slot].owner = o;
		o->plat_parts++;
		o->plat_done += flush ? 0 : k;
		if (o->plat_done == req_total(o)) {
			b->queue_head = o->next;
			if (!b->queue_head)
				b->queue_tail = NULL;
		}
	}
	if (!b->queue_head)
		b->queue_tail = NULL;
}

int blk_poll(void)
{
	int n = 0;
	for (unsigned i = 0; i < nblkifs; i++) {
		struct mica_blkif *b = &blkifs[i];
		if (!b->queue_head && !b->inflight && !b->done_head)
			continue;
		blk_collect(b);
		async_fill(b);
		virtq_kick(&b->q);
		struct mica_blk_req *r = b->done_head;
		b->done_head = b->done_tail = NULL;
		while (r) {
			struct mica_blk_req *next = r->next;
			r->next = NULL;
			n++;
			r->done(r);
			r = next;
		}
	}
	return n;
}

bool blk_arm(void)
{
	for (unsigned i = 0; i < nblkifs; i++) {
		struct mica_blkif *b = &blkifs[i];
		if (b->done_head)
			return false;
		if (b->inflight && !virtq_arm(&b->q))
			return false;
	}
	return true;
}

void blk_quiet(void)
{
	for (unsigned i = 0; i < nblkifs; i++)
		virtq_quiet(&blkifs[i].q);
}
