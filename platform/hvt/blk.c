/* blk.c - block devices of the hvt guest over the BLOCK_* hypercalls.
 * Requests are split into chunks of at most 1 MiB (the monitor's limit). */
#include <mica/err.h>
#include "hvt.h"

#define CHUNK_BYTES (1u << 20)

struct mica_blkif {
	uint32_t handle;
	struct mica_blkif_info info;
};

static struct mica_blkif blkifs[MICA_HVT_MAX_DEVICES];

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
		blkifs[i] = (struct mica_blkif){i, {a.sector_size, a.sectors, a.read_only != 0}};
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
