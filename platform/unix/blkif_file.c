/* blkif_file.c - block devices backed by host files (--block:NAME=FILE),
 * for the Linux-process targets.
 *
 * A regular file (a whole number of 512-byte sectors) or a block device
 * (its own logical sector size). The file is opened with O_DIRECT where
 * the filesystem allows it, so the benchmark measures the disk and not
 * the page cache, and the durability of a flush does not depend on
 * writeback; a request whose buffer is not aligned as O_DIRECT needs goes
 * through a second, buffered descriptor of the same file (Linux keeps the
 * two coherent).
 *
 * Asynchronous requests (platform.h) run on io_uring (blk_uring.c) when
 * the kernel has it, else inline: done at submit with pread/pwrite, their
 * completions delivered by the next poll through an eventfd.
 * MICA_BLK_ENGINE=inline in the environment forces the inline engine. */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <mica/app.h>
#include <mica/args.h>
#include <mica/log.h>
#include <mica/err.h>
#include "blk.h"

#define SECTOR 512u
#define RING_ENTRIES 64
#define MAX_SECTORS_BYTES (1u << 20)

static bool declared(const char *name)
{
	for (const char *const *p = mica_manifest.blkifs; p && *p; p++)
		if (strcmp(*p, name) == 0)
			return true;
	return false;
}

/* The smallest alignment O_DIRECT accepts on fd (512 or 4096), or 0 when
 * it accepts neither (then the descriptor is not used for direct I/O). */
static uint32_t probe_dio_align(int fd)
{
	void *buf = NULL;
	if (posix_memalign(&buf, 4096, 4096) != 0)
		return 0;
	uint32_t align = 0;
	for (uint32_t a = 512; a <= 4096 && !align; a *= 8) {
		ssize_t n = pread(fd, (char *)buf + (a == 512 ? 512 : 0), a, 0);
		if (n >= 0)
			align = a;
	}
	free(buf);
	return align;
}

/* Size and sector size of what fd refers to. */
static int device_geometry(int fd, uint32_t want_sector, struct mica_blkif_info *info)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return mica_unix_err(errno);
	uint64_t bytes = (uint64_t)st.st_size;
	uint32_t sector = want_sector ? want_sector : SECTOR;
	if (S_ISBLK(st.st_mode)) {
		int ssz = 0;
		if (ioctl(fd, BLKGETSIZE64, &bytes) < 0 || ioctl(fd, BLKSSZGET, &ssz) < 0)
			return mica_unix_err(errno);
		if (!want_sector)
			sector = (uint32_t)ssz;
	} else if (!S_ISREG(st.st_mode)) {
		return MICA_EINVAL;
	}
	if (bytes % sector != 0)
		return MICA_EINVAL;
	info->sector_size = sector;
	info->sectors = bytes / sector;
	return MICA_OK;
}

static void inline_deliver(struct mica_unix_watch *w, uint32_t events)
{
	struct mica_blkif *b = w->arg;
	uint64_t v;
	(void)events;
	(void)!read(w->fd, &v, sizeof(v));
	struct mica_blk_req *r = b->done_head;
	b->done_head = b->done_tail = NULL;
	while (r) {
		struct mica_blk_req *next = r->next;
		blk_complete(r, r->result);
		r = next;
	}
}

static int open_engine(struct mica_blkif *b)
{
	const char *want = getenv("MICA_BLK_ENGINE");
	if ((!want || strcmp(want, "inline") != 0) && blk_ring_open(b, RING_ENTRIES) == MICA_OK)
		return MICA_OK;
	b->done_watch.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (b->done_watch.fd < 0)
		return mica_unix_err(errno);
	b->done_watch.fn = inline_deliver;
	b->done_watch.arg = b;
	return mica_unix_watch_add(&b->done_watch, EPOLLIN);
}

static int open_fds(struct mica_blkif *b, const char *path)
{
	int flags = O_RDWR | O_CLOEXEC;
	b->fd_cached = open(path, flags);
	if (b->fd_cached < 0 && (errno == EACCES || errno == EROFS)) {
		flags = O_RDONLY | O_CLOEXEC;
		b->info.read_only = true;
		b->fd_cached = open(path, flags);
	}
	if (b->fd_cached < 0)
		return mica_unix_err(errno);
	b->fd = open(path, flags | O_DIRECT);
	if (b->fd >= 0)
		b->dio_align = probe_dio_align(b->fd);
	if (b->fd >= 0 && !b->dio_align) {
		close(b->fd);
		b->fd = -1;
	}
	if (b->fd < 0)
		b->fd = b->fd_cached;
	return MICA_OK;
}

int mica_unix_blkif_open_path(const char *name, const char *path, uint32_t sector_size,
                              struct mica_blkif **out)
{
	struct mica_blkif *b = calloc(1, sizeof(*b));
	if (!b)
		return MICA_ENOMEM;
	snprintf(b->name, sizeof(b->name), "%s", name);
	b->fd = b->fd_cached = b->done_watch.fd = -1;
	int rc = open_fds(b, path);
	if (rc < 0) {
		mica_error("blk", "%s: cannot open %s: %s", name, path, strerror(errno));
		free(b);
		return rc;
	}
	rc = device_geometry(b->fd_cached, sector_size, &b->info);
	if (rc == MICA_EINVAL)
		mica_error("blk", "%s: %s is not a whole number of %u-byte sectors", name, path,
		           sector_size ? sector_size : SECTOR);
	if (rc == MICA_OK && b->dio_align > b->info.sector_size)
		b->info.buf_align = b->dio_align; /* direct only for aligned requests */
	if (rc == MICA_OK)
		rc = open_engine(b);
	if (rc < 0) {
		if (b->fd != b->fd_cached)
			close(b->fd);
		close(b->fd_cached);
		free(b);
		return rc;
	}
	if (b->dio_align && !b->info.buf_align)
		b->info.buf_align = b->dio_align;
	b->info.queue_depth = b->ring ? RING_ENTRIES : 1;
	b->info.max_sectors = MAX_SECTORS_BYTES / b->info.sector_size;
	b->info.fua = true; /* RWF_DSYNC / O_DSYNC */
	mica_debug("blk", "%s: %s, %llu sectors of %u bytes, %s, %s engine", name, path,
	           (unsigned long long)b->info.sectors, b->info.sector_size,
	           b->dio_align ? "O_DIRECT" : "buffered", b->ring ? "io_uring" : "inline");
	*out = b;
	return MICA_OK;
}

void mica_unix_blkif_close(struct mica_blkif *b)
{
	blk_ring_close(b);
	if (b->done_watch.fd >= 0) {
		mica_unix_watch_del(&b->done_watch);
		close(b->done_watch.fd);
	}
	if (b->fd != b->fd_cached)
		close(b->fd);
	close(b->fd_cached);
	free(b);
}

int mica_blkif_open(const char *name, struct mica_blkif **out)
{
	char key[80];
	if (!declared(name))
		return MICA_ENOENT;
	snprintf(key, sizeof(key), "block:%s", name);
	const char *path = mica_arg_str(key);
	if (!path)
		return MICA_ENOENT;
	return mica_unix_blkif_open_path(name, path, 0, out);
}

int mica_blkif_info(struct mica_blkif *blk, struct mica_blkif_info *info)
{
	*info = blk->info;
	return MICA_OK;
}

int blk_fd_for(const struct mica_blkif *b, const void *buf, uint64_t off, uint64_t len)
{
	uint32_t a = b->dio_align;
	if (a && (uintptr_t)buf % a == 0 && off % a == 0 && len % a == 0)
		return b->fd;
	return b->fd_cached;
}

void blk_complete(struct mica_blk_req *r, int result)
{
	r->result = result;
	r->next = NULL;
	r->done(r);
}

/* Whole transfer with pread/pwrite, retrying short ones and EINTR. */
static int transfer(struct mica_blkif *b, bool write, uint64_t sector, void *buf, uint64_t nsectors,
                    bool dsync)
{
	uint64_t off = sector * b->info.sector_size, len = nsectors * b->info.sector_size, done = 0;
	int fd = blk_fd_for(b, buf, off, len);
	while (done < len) {
		char *p = (char *)buf + done;
		struct iovec iov = {p, len - done};
		ssize_t n = write ? pwritev2(fd, &iov, 1, (off_t)(off + done), dsync ? RWF_DSYNC : 0)
		                  : pread(fd, p, len - done, (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return mica_unix_err(errno) == MICA_ENOSPC ? MICA_ENOSPC : MICA_EIO;
		if (n == 0)
			return MICA_EIO; /* the file shrank under us */
		if ((uint64_t)n < len - done)
			b->retries++;
		done += (uint64_t)n;
	}
	b->reqs++;
	b->bytes += len;
	return MICA_OK;
}

static int flush_fd(struct mica_blkif *b)
{
	return fdatasync(b->fd_cached) == 0 ? MICA_OK : MICA_EIO;
}

int mica_blkif_read(struct mica_blkif *blk, uint64_t sector, void *buf, size_t n)
{
	struct mica_blk_req r = {.op = MICA_BLK_READ, .nsectors = (uint32_t)n, .sector = sector, .buf = buf};
	if (n == 0)
		return MICA_OK;
	int rc = n > UINT32_MAX ? MICA_ERANGE : mica_blk_req_check(&blk->info, &r);
	return rc < 0 ? rc : transfer(blk, false, sector, buf, n, false);
}

int mica_blkif_write(struct mica_blkif *blk, uint64_t sector, const void *buf, size_t n)
{
	struct mica_blk_req r = {
	    .op = MICA_BLK_WRITE, .nsectors = (uint32_t)n, .sector = sector, .buf = (void *)buf};
	if (n == 0)
		return blk->info.read_only ? MICA_EPERM : MICA_OK;
	int rc = n > UINT32_MAX ? MICA_ERANGE : mica_blk_req_check(&blk->info, &r);
	return rc < 0 ? rc : transfer(blk, true, sector, (void *)buf, n, false);
}

int mica_blkif_flush(struct mica_blkif *blk)
{
	return flush_fd(blk);
}

/* The inline engine: do it now, deliver on the next poll. */
static void inline_run(struct mica_blkif *b, struct mica_blk_req *r)
{
	bool fua = r->flags & MICA_BLK_FUA;
	r->result = r->op == MICA_BLK_FLUSH
	                ? flush_fd(b)
	                : transfer(b, r->op == MICA_BLK_WRITE, r->sector, r->buf, r->nsectors, fua);
	r->next = NULL;
	if (b->done_tail)
		b->done_tail->next = r;
	else
		b->done_head = r;
	b->done_tail = r;
	uint64_t one = 1;
	(void)!write(b->done_watch.fd, &one, sizeof(one));
}

int mica_blkif_submit(struct mica_blkif *blk, struct mica_blk_req *req)
{
	int rc = mica_blk_req_check(&blk->info, req);
	if (rc < 0)
		return rc;
	req->result = MICA_OK;
	req->next = NULL;
	req->plat_parts = 0;
	req->plat_done = 0;
	req->plat_word = 0;
	if (blk->ring)
		blk_ring_submit(blk, req);
	else
		inline_run(blk, req);
	return MICA_OK;
}
