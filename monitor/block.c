/* block.c - block devices: a guest blkif is a host file of whole sectors.
 *
 * Reads and writes are synchronous pread/pwrite of whole 512-byte sectors;
 * a request past the end is MICA_ERANGE to the guest, not a crash, and
 * every buffer is checked against guest memory (reads land only in memory
 * the guest may write). */
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

static int64_t do_io(struct hvt_dev *d, struct mica_hvt_block_io *a, void *p, bool write)
{
	size_t len = (size_t)a->nsectors * SECTOR, done = 0;
	off_t off = (off_t)(a->sector * SECTOR);
	while (done < len) {
		ssize_t n = write ? pwrite(d->fd, (const char *)p + done, len - done, off + (off_t)done)
		                  : pread(d->fd, (char *)p + done, len - done, off + (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -5; /* MICA_EIO */
		done += (size_t)n;
	}
	return 0;
}

void hvt_call_block_io(struct hvt *h, struct mica_hvt_block_io *a, int call)
{
	struct hvt_dev *d = blk_dev(h, a->handle);
	if (!d) {
		a->ret = MICA_ENOENT;
		return;
	}
	if (call == MICA_HVT_CALL_BLOCK_FLUSH) {
		a->ret = fdatasync(d->fd) == 0 ? MICA_OK : MICA_EIO;
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
	a->ret = do_io(d, a, p, write);
}
