/* dir.c - directories: slot numbers to sectors (the fixed root of
 * FAT12/16, or a cluster chain), and the entry sets in them - long-name
 * slots checked by order number and checksum, then the short entry. A
 * broken long name falls back to the short name, as other readers do. */
#include "fat_impl.h"

/* Walk a directory's chain from its first cluster (fs->memo_*). */
static int memo_start(struct mica_fat *fs, uint32_t dir_cluster)
{
	if (!fat_cluster_ok(fs, dir_cluster))
		return MICA_EBADMSG;
	fs->memo_dir = dir_cluster;
	fs->memo_index = 0;
	fs->memo_cluster = dir_cluster;
	fs->memo_tortoise = dir_cluster;
	return MICA_OK;
}

/* One cluster further along the chain, with Brent's cycle check: a chain
 * that comes back to a cluster it passed is a damaged directory, found
 * within twice its length - not after 65536 slots read round and round
 * from the cache, on every lookup. The cluster compared against is moved
 * up at the indexes 1, 3, 7, 15, ... (doubling distances). */
static int memo_step(struct mica_fat *fs)
{
	uint32_t c = fs->memo_cluster;
	int rc = fat_advance(fs, &c, 1);
	if (rc < 0)
		return rc; /* MICA_ENOENT past the directory's end */
	if (c == fs->memo_tortoise)
		return MICA_EBADMSG;
	fs->memo_cluster = c;
	fs->memo_index++;
	if ((fs->memo_index & (fs->memo_index + 1)) == 0)
		fs->memo_tortoise = c;
	return MICA_OK;
}

int fat_dir_slot(struct mica_fat *fs, uint32_t dir_cluster, uint32_t slot, uint64_t *sector, uint32_t *off)
{
	uint64_t byte = (uint64_t)slot * FAT_DIRENT;
	if (slot >= 65536)
		return MICA_ENOENT; /* the most entries a directory has */
	*off = (uint32_t)(byte % fs->sector_size);
	if (dir_cluster == 0) {
		if (fs->type == MICA_FAT32 || slot >= fs->root_entries)
			return MICA_ENOENT;
		*sector = fs->root_start + byte / fs->sector_size;
		return MICA_OK;
	}
	uint32_t index = (uint32_t)(byte / fs->cluster_bytes);
	int rc = MICA_OK;
	if (fs->memo_dir != dir_cluster || fs->memo_index > index)
		rc = memo_start(fs, dir_cluster);
	while (rc == MICA_OK && fs->memo_index < index)
		rc = memo_step(fs);
	if (rc < 0)
		return rc;
	*sector = fat_cluster_sector(fs, fs->memo_cluster) + (byte % fs->cluster_bytes) / fs->sector_size;
	return MICA_OK;
}

void fat_stat_from_entry(const struct mica_fat *fs, const uint8_t *de, struct mica_fat_stat *st)
{
	uint32_t hi = fs->type == MICA_FAT32 ? fat_rd16(de + DE_CLUS_HI) : 0;
	st->cluster = hi << 16 | fat_rd16(de + DE_CLUS_LO);
	st->size = fat_rd32(de + DE_SIZE);
	st->attr = de[DE_ATTR];
	st->is_dir = de[DE_ATTR] & MICA_FAT_ATTR_DIR;
	st->mtime = fat_time_to_unix(fat_rd16(de + DE_WDATE), fat_rd16(de + DE_WTIME));
}

uint32_t fat_dir_cluster(const struct mica_fat *fs, const struct mica_fat_stat *st)
{
	if (st->cluster == 0)
		return fs->type == MICA_FAT32 ? fs->root_cluster : 0;
	return st->cluster;
}

/* The long name being assembled from its slots. */
struct lfn_state {
	bool active;
	uint32_t expect; /* order number of the next slot */
	uint32_t units;  /* slots * 13 */
	uint8_t csum;
	uint32_t first;
};

static void lfn_slot(struct lfn_state *l, const uint8_t *de, uint32_t slot, struct fat_found *f)
{
	uint32_t ord = de[0] & 0x1F;
	if (de[0] & FAT_LFN_LAST) {
		l->active = ord >= 1 && ord <= 20;
		if (!l->active)
			return;
		l->expect = ord - 1;
		l->units = ord * FAT_LFN_CHARS;
		l->csum = de[LFN_CSUM];
		l->first = slot;
		fat_lfn_take(de, f->name);
		return;
	}
	if (!l->active || ord != l->expect || ord == 0 || de[LFN_CSUM] != l->csum) {
		l->active = false;
		return;
	}
	l->expect--;
	fat_lfn_take(de, f->name);
}

/* The long name, if the slots before this short entry make one. */
static bool lfn_finish(const struct lfn_state *l, const uint8_t *de, struct fat_found *f)
{
	if (!l->active || l->expect != 0 || fat_lfn_checksum(de) != l->csum)
		return false;
	uint32_t n = 0;
	while (n < l->units && f->name[n] != 0)
		n++;
	f->name_len = n;
	return n > 0;
}

int fat_dir_next(struct mica_fat *fs, uint32_t dir_cluster, uint32_t *slot, struct fat_found *f)
{
	struct lfn_state l = {0};
	for (uint32_t s = *slot;; s++) {
		uint64_t sector;
		uint32_t off;
		uint8_t *p;
		int rc = fat_dir_slot(fs, dir_cluster, s, &sector, &off);
		if (rc == MICA_ENOENT)
			return 0;
		if (rc < 0 || (rc = fat_get(fs, sector, &p)) < 0)
			return rc;
		const uint8_t *de = p + off;
		if (de[0] == 0)
			return 0;
		if (de[0] == FAT_DELETED) {
			l.active = false;
			continue;
		}
		if ((de[DE_ATTR] & 0x3F) == FAT_ATTR_LFN) {
			lfn_slot(&l, de, s, f);
			continue;
		}
		memcpy(f->short_name, de, 11);
		if (!lfn_finish(&l, de, f)) {
			fat_short_to_ucs2(de, f->name, &f->name_len);
			l.active = false;
		}
		fat_stat_from_entry(fs, de, &f->st);
		f->st.loc = (struct mica_fat_loc){dir_cluster, l.active ? l.first : s, s};
		*slot = s + 1;
		return 1;
	}
}
