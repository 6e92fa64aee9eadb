/* mount.c - reading a FAT volume's boot sector (BIOS parameter block) and
 * FSInfo, checking every field a later computation depends on, and
 * laying the caller's cache memory out in sectors. FAT32 is told by its
 * BPB (a 16-bit FAT size of 0); FAT12 from FAT16 by the number of data
 * clusters, as the specification says. */
#include "fat_impl.h"

static bool pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

static void cache_layout(struct mica_fat *fs)
{
	uint8_t *mem = fs->cfg.cache;
	size_t n = fs->cfg.cache_bytes / fs->sector_size - 1;
	fs->nslots = n > MICA_FAT_SLOTS ? MICA_FAT_SLOTS : (uint32_t)n;
	fs->scratch = mem;
	for (uint32_t i = 0; i < fs->nslots; i++)
		fs->slots[i] = (struct fat_slot){.data = mem + (size_t)(i + 1) * fs->sector_size};
}

/* The geometry from the boot sector b; MICA_EBADMSG when it is not FAT. */
static int parse_bpb(struct mica_fat *fs, const uint8_t *b, uint64_t dev_bytes)
{
	uint32_t ss = fat_rd16(b + 11), spc = b[13], rsvd = fat_rd16(b + 14), nfats = b[16];
	uint32_t root_ents = fat_rd16(b + 17), fatsz = fat_rd16(b + 22);
	uint64_t total = fat_rd16(b + 19);
	if (b[510] != 0x55 || b[511] != 0xAA)
		return MICA_EBADMSG;
	if (!pow2(ss) || ss < 512 || ss > 4096 || ss % fs->cfg.blk->info.sector_size)
		return MICA_EBADMSG;
	if (!pow2(spc) || (uint64_t)spc * ss > 65536 || rsvd == 0 || nfats == 0 || nfats > 4)
		return MICA_EBADMSG;
	if (!total)
		total = fat_rd32(b + 32);
	if (!fatsz)
		fatsz = fat_rd32(b + 36);
	uint32_t root_secs = (root_ents * FAT_DIRENT + ss - 1) / ss;
	uint64_t meta = rsvd + (uint64_t)nfats * fatsz + root_secs;
	if (fatsz == 0 || total > dev_bytes / ss || total <= meta)
		return MICA_EBADMSG;
	uint64_t count = (total - meta) / spc;
	if (count == 0 || count > 0x0FFFFFF5u)
		return MICA_EBADMSG;
	/* FAT32 by its BPB (no 16-bit FAT size), as Linux and mtools decide,
	 * so a small FAT32 volume (mkfs.fat warns) still reads; else by count. */
	fs->type = fat_rd16(b + 22) == 0 ? MICA_FAT32 : count < 4085 ? MICA_FAT12 : MICA_FAT16;
	if (fs->type == MICA_FAT16 && count >= 65525)
		return MICA_EBADMSG; /* cluster numbers would collide with EOC */
	uint64_t entries = fs->type == MICA_FAT12   ? (uint64_t)fatsz * ss * 2 / 3
	                   : fs->type == MICA_FAT16 ? (uint64_t)fatsz * ss / 2
	                                            : (uint64_t)fatsz * ss / 4;
	if (entries < count + 2)
		return MICA_EBADMSG;
	fs->sector_size = ss;
	fs->sec_per_clus = spc;
	fs->cluster_bytes = spc * ss;
	fs->reserved = rsvd;
	fs->nfats = nfats;
	fs->fat_sectors = fatsz;
	fs->root_entries = root_ents;
	fs->fat_start = rsvd;
	fs->root_start = rsvd + (uint64_t)nfats * fatsz;
	fs->data_start = meta;
	fs->total_sectors = total;
	fs->nclusters = (uint32_t)count;
	if (fs->type != MICA_FAT32) {
		if (root_ents == 0)
			return MICA_EBADMSG;
		return MICA_OK;
	}
	if (root_ents != 0 || fat_rd16(b + 22) != 0)
		return MICA_EBADMSG;
	fs->root_cluster = fat_rd32(b + 44);
	fs->fsinfo_sector = fat_rd16(b + 48);
	if (!fat_cluster_ok(fs, fs->root_cluster))
		return MICA_EBADMSG;
	if (fs->fsinfo_sector >= rsvd)
		fs->fsinfo_sector = 0;
	if (fs->cfg.writable && (fat_rd16(b + 40) & 0x80))
		return MICA_ENOTSUP; /* one active FAT, mirroring off */
	return MICA_OK;
}

static int read_fsinfo(struct mica_fat *fs)
{
	uint8_t *p;
	fs->free_count = UINT32_MAX;
	fs->next_free = 2;
	if (fs->type != MICA_FAT32 || !fs->fsinfo_sector)
		return MICA_OK;
	int rc = fat_get(fs, fs->fsinfo_sector, &p);
	if (rc < 0)
		return rc;
	if (fat_rd32(p) != 0x41615252u || fat_rd32(p + 484) != 0x61417272u) {
		fs->fsinfo_sector = 0;
		return MICA_OK;
	}
	uint32_t free = fat_rd32(p + 488), next = fat_rd32(p + 492);
	if (free <= fs->nclusters)
		fs->free_count = free;
	if (fat_cluster_ok(fs, next))
		fs->next_free = next;
	return MICA_OK;
}

int mica_fat_mount(struct mica_fat *fs, const struct mica_fat_config *cfg)
{
	*fs = (struct mica_fat){.cfg = *cfg};
	const struct mica_blkif_info *info = &cfg->blk->info;
	if (info->sector_size < 512 || info->sector_size > 4096 || !cfg->cache ||
	    cfg->cache_bytes < 4 * (size_t)info->sector_size)
		return MICA_EINVAL;
	if (cfg->writable && info->read_only)
		return MICA_EPERM;
	/* The boot sector, read into the scratch sector. */
	fs->sector_size = info->sector_size;
	fs->total_sectors = info->sectors;
	uint8_t *boot = cfg->cache;
	int rc = fat_dev_read(fs, 0, boot, 1);
	if (rc < 0)
		return rc;
	if ((rc = parse_bpb(fs, boot, info->sectors * info->sector_size)) < 0)
		return rc;
	if (cfg->cache_bytes < 4 * (size_t)fs->sector_size)
		return MICA_EINVAL;
	if (cfg->writable && fs->type != MICA_FAT32)
		return MICA_ENOTSUP;
	cache_layout(fs);
	if ((rc = read_fsinfo(fs)) < 0)
		return rc;
	if (cfg->writable && fs->free_count == UINT32_MAX) {
		if ((rc = fat_count_free(fs, &fs->free_count)) < 0)
			return rc;
		fs->dirty_fsinfo = true;
	}
	return MICA_OK;
}

int mica_fat_sync(struct mica_fat *fs)
{
	if (!fs->cfg.writable)
		return MICA_OK;
	int rc = fat_check_writable(fs);
	if (rc == MICA_OK)
		rc = fat_writeback(fs);
	if (rc == MICA_OK)
		rc = fat_fsinfo_write(fs);
	if (rc == MICA_OK && fs->cfg.barriers)
		rc = fat_barrier(fs);
	return rc;
}
