/* rename.c - renaming an entry inside its directory in one sector write,
 * so a crash leaves either the old name or the new one. The new set goes
 * into a run of slots of the sector holding the old short entry, where
 * each slot is free or belongs to the old set; the old set's slots in
 * that sector are marked deleted and end-of-directory marks before the
 * run turned into deleted ones, all in the same image of the sector. The
 * old set's long-name slots in earlier sectors are cleared before (a
 * crash there leaves the old short-named entry, still valid). */
#include "fat_impl.h"

/* May slot s (byte off in sector p) take part of the new set? */
static bool reusable(const uint8_t *p, uint32_t off, uint32_t s, const struct mica_fat_loc *old, bool end)
{
	return end || p[off] == 0 || p[off] == FAT_DELETED || (s >= old->first_slot && s <= old->short_slot);
}

/* The first run of `need` reusable slots in the sector of slot s0 (the
 * first slot of that sector); UINT32_MAX when none. */
static uint32_t find_run(const uint8_t *p, uint32_t s0, uint32_t per, uint32_t need,
                         const struct mica_fat_loc *old)
{
	uint32_t run = 0;
	bool end = false;
	for (uint32_t i = 0; i < per; i++) {
		end |= p[i * FAT_DIRENT] == 0;
		run = reusable(p, i * FAT_DIRENT, s0 + i, old, end) ? run + 1 : 0;
		if (run == need)
			return s0 + i + 1 - need;
	}
	return UINT32_MAX;
}

/* Clear the old set's slots in sectors before `sector`. */
static int clear_earlier(struct mica_fat *fs, const struct mica_fat_loc *old, uint64_t sector)
{
	for (uint32_t s = old->first_slot; s < old->short_slot; s++) {
		uint64_t sec;
		uint32_t off;
		uint8_t *p;
		int rc = fat_dir_slot(fs, old->dir_cluster, s, &sec, &off);
		if (rc < 0)
			return rc;
		if (sec == sector)
			break;
		if ((rc = fat_get(fs, sec, &p)) < 0)
			return rc;
		p[off] = FAT_DELETED;
		fat_mark_dirty(fs, sec);
		if ((rc = fat_put(fs, sec)) < 0)
			return rc;
	}
	return MICA_OK;
}

int fat_entry_rename_here(struct mica_fat *fs, const struct mica_fat_loc *old, const uint16_t *name,
                          uint32_t n, uint8_t *de)
{
	uint32_t need, per = fat_slots_per_sector(fs), off;
	uint64_t sector;
	uint8_t *p;
	int rc = fat_entry_name(fs, old->dir_cluster, name, n, old, de, &need);
	if (rc < 0 || (rc = fat_dir_slot(fs, old->dir_cluster, old->short_slot, &sector, &off)) < 0 ||
	    (rc = fat_get(fs, sector, &p)) < 0)
		return rc;
	uint32_t s0 = old->short_slot - off / FAT_DIRENT;
	uint32_t pos = find_run(p, s0, per, need, old);
	if (pos == UINT32_MAX)
		return MICA_ENOSPC;
	if ((rc = clear_earlier(fs, old, sector)) < 0 || (rc = fat_get(fs, sector, &p)) < 0)
		return rc;
	for (uint32_t s = s0; s < s0 + per; s++) {
		uint8_t *slot = p + (s - s0) * FAT_DIRENT;
		if ((s >= old->first_slot && s <= old->short_slot) || (s < pos && slot[0] == 0))
			slot[0] = FAT_DELETED;
	}
	fat_entry_fill(p + (pos - s0) * FAT_DIRENT, name, n, need, de);
	fat_mark_dirty(fs, sector);
	return fat_put(fs, sector);
}
