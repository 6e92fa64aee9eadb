/* block.c - block devices: a guest blkif is a host file of whole sectors.
 *
 * Reads and writes are synchronous pread/pwrite of whole 512-byte sectors;
 * a request past the end is MICA_ERANGE to the guest, not a crash, and
 * every buffer is checked against guest memory (reads land only in memory
 * the guest may write). BLOCK_BATCH (and POLL's blk_batch) does many
 * requests in one exit, in order; the writes that must be durable (FUA,
 * or before a FLUSH) cost one fdatasync per device at the end of the
 * batch, since the guest sees no completion before the exit returns. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <mica/err.h>
#include "hvt.h"

#define SECTOR 512u
#define IO_MAX (1u << 20)

int hvt_block_open(struct hvt_dev *d)
{
	d->fd = open(d->arg, O_RDWR | O_CLOEXEC);
	if (d->fd < 0 && (errno == EACCES || errno == EROFS)) {
		d->fd = open(d->arg, O_RDONLY | O_CLOEXEC);
		d->read_only = true;
	}
	struct stat st;
	if (d->fd < 0 || fstat(d->fd, &st) < 0) {
		hvt_err("--block:%s=%s: cannot open: %s", d->name, d->arg, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size % SECTOR != 0 || st.st_size == 0) {
		hvt_err("--block:%s=%s: must be a regular file whose size is a non-zero multiple "
		        "of %u bytes",
		        d->name, d->arg, SECTOR);
		return -1;
	}
	d->sectors = (uint64_t)st.st_size / SECTOR;
	return 0;
}

static struct hvt_dev *blk_dev(struct hvt *h, uint32_t handle)
{
	if (handle >= h->ndevs || h->devs[handle].kind != MICA_HVT_DEV_BLOCK)
		return NULL;
	return &h->devs[handle];
}

void hvt_call_block_info(struct hvt *h, struct mica_hvt_block_info *a)
{
	struct hvt_dev *d = blk_dev(h, a->handle);
	if (!d) {
		a->ret = MICA_ENOENT;
		return;
	}
	a->sector_size = SECTOR;
	a->sectors = d->sectors;
	a->read_only = d->read_only;
	a->ret = 0;
}

static int64_t do_io(struct hvt_dev *d, uint64_t sector, uint32_t nsectors, void *p, bool write)
{
	size_t len = (size_t)nsectors * SECTOR, done = 0;
	off_t off = (off_t)(sector * SECTOR);
	while (done < len) {
		ssize_t n = write ? pwrite(d->fd, (const char *)p + done, len - done, off + (off_t)done)
		                  : pread(d->fd, (char *)p + done, len - done, off + (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -5; /* MICA_EIO */
		done += (size_t)n;
	}
	d->blk_reqs++;
	if (write)
		d->blk_write_bytes += len;
	else
		d->blk_read_bytes += len;
	return 0;
}

static int64_t do_sync(struct hvt_dev *d)
{
	d->blk_syncs++;
	return fdatasync(d->fd) == 0 ? MICA_OK : MICA_EIO;
}

void hvt_call_block_io(struct hvt *h, struct mica_hvt_block_io *a, int call)
{
	struct hvt_dev *d = blk_dev(h, a->handle);
	if (!d) {
		a->ret = MICA_ENOENT;
		return;
	}
	if (call == MICA_HVT_CALL_BLOCK_FLUSH) {
		a->ret = do_sync(d);
		return;
	}
	bool write = call == MICA_HVT_CALL_BLOCK_WRITE;
	if (a->sector > d->sectors || a->nsectors > d->sectors - a->sector ||
	    (uint64_t)a->nsectors * SECTOR > IO_MAX) {
		a->ret = MICA_ERANGE;
		return;
	}
	if (write && d->read_only) {
		a->ret = MICA_EPERM;
		return;
	}
	uint64_t len = (uint64_t)a->nsectors * SECTOR;
	void *p = write ? hvt_gpa_read(h, a->addr, len) : hvt_gpa_write(h, a->addr, len);
	if (!p)
		hvt_guest_fault(h,
		                "hypercall %s: bad guest pointer: buffer [0x%llx, +%llu) is not in "
		                "%s guest memory",
		                write ? "BLOCK_WRITE" : "BLOCK_READ", (unsigned long long)a->addr,
		                (unsigned long long)len, write ? "readable" : "writable");
	a->ret = do_io(d, a->sector, a->nsectors, p, write);
}

/* One request of a batch, without its sync; *sync is set when it needs
 * one (FLUSH, FUA write) before it may be reported done. */
static int64_t batch_one(struct hvt *h, const struct mica_hvt_block_req *r, bool *sync)
{
	struct hvt_dev *d = blk_dev(h, r->handle);
	*sync = false;
	if (!d)
		return MICA_ENOENT;
	if (r->op == MICA_HVT_BLK_FLUSH) {
		*sync = true;
		return MICA_OK;
	}
	if (r->op != MICA_HVT_BLK_READ && r->op != MICA_HVT_BLK_WRITE)
		return MICA_EINVAL;
	bool write = r->op == MICA_HVT_BLK_WRITE;
	if (r->nsectors == 0 || r->sector > d->sectors || r->nsectors > d->sectors - r->sector ||
	    (uint64_t)r->nsectors * SECTOR > MICA_HVT_BLOCK_IO_MAX)
		return MICA_ERANGE;
	if (write && d->read_only)
		return MICA_EPERM;
	uint64_t len = (uint64_t)r->nsectors * SECTOR;
	void *p = write ? hvt_gpa_read(h, r->addr, len) : hvt_gpa_write(h, r->addr, len);
	if (!p)
		hvt_guest_fault(h,
		                "hypercall BLOCK_BATCH: bad guest pointer: buffer [0x%llx, +%llu) is not in "
		                "%s guest memory",
		                (unsigned long long)r->addr, (unsigned long long)len,
		                write ? "readable" : "writable");
	*sync = write && (r->flags & MICA_HVT_BLK_FUA);
	return do_io(d, r->sector, r->nsectors, p, write);
}

static void run_batch(struct hvt *h, struct mica_hvt_block_batch *a)
{
	if (a->count > MICA_HVT_BLOCK_BATCH_MAX) {
		a->ret = MICA_EINVAL;
		return;
	}
	uint64_t bytes = (uint64_t)a->count * sizeof(struct mica_hvt_block_req);
	struct mica_hvt_block_req *reqs = hvt_gpa_write(h, a->reqs, bytes);
	if (!reqs && a->count)
		hvt_guest_fault(h, "hypercall BLOCK_BATCH: bad guest pointer: %u requests at 0x%llx",
		                a->count, (unsigned long long)a->reqs);
	bool need[MICA_HVT_BLOCK_BATCH_MAX] = {false};
	uint32_t handle[MICA_HVT_BLOCK_BATCH_MAX] = {0};
	uint64_t devs = 0; /* devices to sync at the end */
	for (uint32_t i = 0; i < a->count; i++) {
		struct mica_hvt_block_req r;
		memcpy(&r, &reqs[i], sizeof(r)); /* the guest's copy may change under us */
		int64_t ret = batch_one(h, &r, &need[i]);
		need[i] = need[i] && ret == MICA_OK;
		handle[i] = r.handle;
		if (need[i])
			devs |= 1ull << r.handle;
		reqs[i].ret = ret;
	}
	int64_t synced[MICA_HVT_MAX_DEVICES];
	for (unsigned i = 0; i < MICA_HVT_MAX_DEVICES; i++)
		synced[i] = devs & (1ull << i) ? do_sync(&h->devs[i]) : MICA_OK;
	for (uint32_t i = 0; i < a->count; i++)
		if (need[i] && synced[handle[i]] < 0)
			reqs[i].ret = MICA_EIO;
	a->ret = a->count;
}

void hvt_call_block_batch(struct hvt *h, struct mica_hvt_block_batch *a)
{
	run_batch(h, a);
}

void hvt_block_batch_at(struct hvt *h, uint64_t gpa)
{
	struct mica_hvt_block_batch *a = hvt_gpa_write(h, gpa, sizeof(*a));
	if (!a)
		hvt_guest_fault(h, "hypercall POLL: bad guest pointer: block batch at 0x%llx",
		                (unsigned long long)gpa);
	struct mica_hvt_block_batch copy;
	memcpy(&copy, a, sizeof(copy));
	run_batch(h, &copy);
	a->ret = copy.ret;
}
