/* blkif_file.c - block devices backed by host files (--block:NAME=FILE),
 * for the Linux-process targets. Sector size 512; a file whose size is not
 * a whole number of sectors is refused. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <mica/app.h>
#include <mica/args.h>
#include <mica/log.h>
#include <mica/platform.h>
#include <mica/err.h>
#include "unix.h"

#define SECTOR 512u

struct mica_blkif {
	int fd;
	uint64_t sectors;
	bool read_only;
};

static bool declared(const char *name)
{
	for (const char *const *p = mica_manifest.blkifs; p && *p; p++)
		if (strcmp(*p, name) == 0)
			return true;
	return false;
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
	bool ro = false;
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0 && (errno == EACCES || errno == EROFS)) {
		ro = true;
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0) {
		mica_error("blk", "%s: cannot open %s: %s", name, path, strerror(errno));
		return mica_unix_err(errno);
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || st.st_size % SECTOR != 0) {
		mica_error("blk", "%s: %s is not a whole number of %u-byte sectors", name, path, SECTOR);
		close(fd);
		return MICA_EINVAL;
	}
	struct mica_blkif *b = calloc(1, sizeof(*b));
	if (!b) {
		close(fd);
		return MICA_ENOMEM;
	}
	b->fd = fd;
	b->sectors = (uint64_t)st.st_size / SECTOR;
	b->read_only = ro;
	*out = b;
	return MICA_OK;
}

int mica_blkif_info(struct mica_blkif *blk, struct mica_blkif_info *info)
{
	info->sector_size = SECTOR;
	info->sectors = blk->sectors;
	info->read_only = blk->read_only;
	return MICA_OK;
}

static int check_range(struct mica_blkif *blk, uint64_t sector, size_t n)
{
	return sector > blk->sectors || n > blk->sectors - sector ? MICA_ERANGE : MICA_OK;
}

int mica_blkif_read(struct mica_blkif *blk, uint64_t sector, void *buf, size_t n)
{
	if (check_range(blk, sector, n))
		return MICA_ERANGE;
	ssize_t got = pread(blk->fd, buf, n * SECTOR, (off_t)(sector * SECTOR));
	return got == (ssize_t)(n * SECTOR) ? MICA_OK : MICA_EIO;
}

int mica_blkif_write(struct mica_blkif *blk, uint64_t sector, const void *buf, size_t n)
{
	if (blk->read_only)
		return MICA_EPERM;
	if (check_range(blk, sector, n))
		return MICA_ERANGE;
	ssize_t put = pwrite(blk->fd, buf, n * SECTOR, (off_t)(sector * SECTOR));
	return put == (ssize_t)(n * SECTOR) ? MICA_OK : MICA_EIO;
}

int mica_blkif_flush(struct mica_blkif *blk)
{
	return fdatasync(blk->fd) == 0 ? MICA_OK : MICA_EIO;
}
