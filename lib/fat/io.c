/* io.c - lib/fat's device requests and its sector cache.
 *
 * One request is in flight at a time (the calls are synchronous): it is
 * submitted to the struct mica_blk and the caller's wait() turns the loop
 * until it completes, or, without wait(), the platform's synchronous calls
 * do it. The cache holds up to MICA_FAT_SLOTS sectors of the caller's
 * memory, least recently used first out. Directory and FSInfo sectors are
 * written through at once (fat_put); FAT sectors are marked dirty and
 * written, to every copy of the table, at the end of a step
 * (fat_writeback), so that the caller decides the order of the steps. */
#include "fat_impl.h"

static void io_done(struct mica_blk_req *r)
{
	struct mica_fat *fs = r->arg;
	fs->io_done = true;
}

static int plat_io(struct mica_fat *fs, uint8_t op, uint64_t dsec, void *buf, uint32_t dn)
{
	struct mica_blkif *plat = fs->cfg.blk->plat;
	if (!plat)
		return MICA_EINVAL;
	if (op == MICA_BLK_READ)
		return mica_blkif_read(plat, dsec, buf, dn);
	if (op == MICA_BLK_WRITE)
		return mica_blkif_write(plat, dsec, buf, dn);
	return mica_blkif_flush(plat);
}

static int dev_io(struct mica_fat *fs, uint8_t op, uint64_t sector, void *buf, uint32_t n)
{
	struct mica_blk *b = fs->cfg.blk;
	uint32_t k = fs->sector_size / b->info.sector_size;
	if (fs->io_lost)
		return MICA_EIO;
	if (op == MICA_BLK_READ)
		fs->reads++;
	else if (op == MICA_BLK_WRITE)
		fs->writes++;
	else
		fs->flushes++;
	if (!fs->cfg.wait)
		return plat_io(fs, op, sector * k, buf, n * k);
	fs->req = (struct mica_blk_req){
	    .op = op, .nsectors = n * k, .sector = sector * k, .buf = buf, .done = io_done, .arg = fs};
	fs->io_done = false;
	int rc = mica_blk_submit(b, &fs->req);
	if (rc < 0)
		return rc;
	rc = fs->cfg.wait(fs->cfg.wait_ctx, &fs->io_done);
	if (rc < 0 || !fs->io_done) {
		fs->io_lost = true; /* the request may still be in flight */
		fs->broken = true;
		return rc < 0 ? rc : MICA_ETIMEDOUT;
	}
	return fs->req.result;
}

int fat_dev_read(struct mica_fat *fs, uint64_t sector, void *buf, uint32_t n)
{
	return dev_io(fs, MICA_BLK_READ, sector, buf, n);
}

int fat_dev_write(struct mica_fat *fs, uint64_t sector, const void *buf, uint32_t n)
{
	for (uint32_t i = 0; i < fs->nslots; i++) {
		struct fat_slot *s = &fs->slots[i];
		if (s->valid && s->sector >= sector && s->sector - sector < n)
			s->valid = s->dirty = false;
	}
	int rc = dev_io(fs, MICA_BLK_WRITE, sector, (void *)buf, n);
	if (rc < 0)
		fs->broken = true;
	return rc;
}

int fat_barrier(struct mica_fat *fs)
{
	if (!fs->cfg.barriers)
		return MICA_OK;
	int rc = dev_io(fs, MICA_BLK_FLUSH, 0, NULL, 0);
	if (rc < 0)
		fs->broken = true;
	return rc;
}

int fat_check_writable(const struct mica_fat *fs)
{
	if (!fs->cfg.writable)
		return MICA_EPERM;
	return fs->broken ? MICA_EIO : MICA_OK;
}

static struct fat_slot *slot_find(struct mica_fat *fs, uint64_t sector)
{
	for (uint32_t i = 0; i < fs->nslots; i++)
		if (fs->slots[i].valid && fs->slots[i].sector == sector)
			return &fs->slots[i];
	return NULL;
}

static bool in_fat(const struct mica_fat *fs, uint64_t sector)
{
	return sector >= fs->fat_start && sector - fs->fat_start < fs->fat_sectors;
}

/* Write a slot to disk: a FAT sector to each copy of the table. */
static int slot_write(struct mica_fat *fs, struct fat_slot *s)
{
	uint32_t copies = in_fat(fs, s->sector) ? fs->nfats : 1;
	for (uint32_t i = 0; i < copies; i++) {
		int rc = dev_io(fs, MICA_BLK_WRITE, s->sector + (uint64_t)i * fs->fat_sectors, s->data, 1);
		if (rc < 0) {
			fs->broken = true;
			return rc;
		}
	}
	s->dirty = false;
	return MICA_OK;
}

static int slot_victim(struct mica_fat *fs, struct fat_slot **out)
{
	struct fat_slot *v = &fs->slots[0]; /* mount made at least three */
	for (uint32_t i = 0; i < fs->nslots; i++) {
		struct fat_slot *s = &fs->slots[i];
		if (!s->valid) {
			v = s;
			break;
		}
		if (s->used < v->used)
			v = s;
	}
	if (v->valid && v->dirty) {
		int rc = slot_write(fs, v);
		if (rc < 0)
			return rc;
	}
	v->valid = false;
	*out = v;
	return MICA_OK;
}

int fat_get(struct mica_fat *fs, uint64_t sector, uint8_t **p)
{
	if (sector >= fs->total_sectors)
		return MICA_EBADMSG;
	struct fat_slot *s = slot_find(fs, sector);
	if (s) {
		fs->hits++;
	} else {
		int rc = slot_victim(fs, &s);
		if (rc < 0)
			return rc;
		rc = dev_io(fs, MICA_BLK_READ, sector, s->data, 1);
		if (rc < 0)
			return rc;
		s->sector = sector;
		s->valid = true;
		s->dirty = false;
	}
	s->used = ++fs->clock;
	*p = s->data;
	return MICA_OK;
}

int fat_put(struct mica_fat *fs, uint64_t sector)
{
	struct fat_slot *s = slot_find(fs, sector);
	return s ? slot_write(fs, s) : MICA_EINVAL;
}

void fat_mark_dirty(struct mica_fat *fs, uint64_t sector)
{
	struct fat_slot *s = slot_find(fs, sector);
	if (s)
		s->dirty = true;
}

int fat_writeback(struct mica_fat *fs)
{
	for (uint32_t i = 0; i < fs->nslots; i++) {
		struct fat_slot *s = &fs->slots[i];
		if (s->valid && s->dirty) {
			int rc = slot_write(fs, s);
			if (rc < 0)
				return rc;
		}
	}
	return MICA_OK;
}

void mica_fat_invalidate(struct mica_fat *fs)
{
	for (uint32_t i = 0; i < fs->nslots; i++)
		if (!fs->slots[i].dirty)
			fs->slots[i].valid = false;
}
