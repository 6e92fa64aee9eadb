/* blk.c - virtio-blk: the block devices of a virtio guest.
 *
 * Queue-based underneath: a request (read, write or flush of one chunk)
 * is a chain of three descriptors - header, data, status byte - and up to
 * a queue's worth are in flight at once: blk_submit queues, blk_collect
 * takes completions. The synchronous calls of platform.h cut a transfer
 * into chunks, submit them all (one notification), then sleep in `hlt`
 * until the device's interrupt says they are done. A device without
 * VIRTIO_BLK_F_FLUSH has no volatile cache, so flush is then a no-op. */
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
	uint64_t sector;
	uint8_t status;
	bool busy;
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

/* Take completed requests; remember the first error. */
static void blk_collect(struct mica_blkif *b)
{
	struct blk_req *r;
	uint32_t len;
	while ((r = virtq_take(&b->q, &len)) != NULL) {
		b->inflight--;
		r->busy = false;
		int rc = r->status == S_OK ? MICA_OK : r->status == S_UNSUPP ? MICA_ENOTSUP : MICA_EIO;
		if (rc < 0 && b->error == MICA_OK)
			b->error = rc;
	}
}

/* Notify the device and sleep until every request in flight is done. */
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
