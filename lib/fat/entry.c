/* entry.c - directory entry sets: creating one (a fresh short name with a
 * "~N" tail, the long-name slots, placed in a run of free slots inside
 * one sector so that the set appears in a single write; the directory
 * grows by a zeroed cluster, linked only once written, when no sector has
 * room), deleting one (long-name slots first, the short entry last, so a
 * crash in between leaves a valid short-named entry), and rewriting the
 * short entry of a file (size, first cluster, times). */
#include "fat_impl.h"

#define TAILS_MAX 1024 /* "~1" .. "~1023" */

void fat_entry_init(struct mica_fat *fs, uint8_t *de, uint8_t attr, uint32_t cluster)
{
	uint16_t date, time;
	fat_time_from_unix(fat_now(fs), &date, &time);
	memset(de, 0, FAT_DIRENT);
	memset(de, ' ', 11);
	de[DE_ATTR] = attr;
	fat_wr16(de + DE_CTIME, time);
	fat_wr16(de + DE_CDATE, date);
	fat_wr16(de + DE_ADATE, date);
	fat_wr16(de + DE_WTIME, time);
	fat_wr16(de + DE_WDATE, date);
	fat_wr16(de + DE_CLUS_HI, (uint16_t)(cluster >> 16));
	fat_wr16(de + DE_CLUS_LO, (uint16_t)cluster);
}

/* The tail number in short name sn if it is basis with a tail, else 0. */
static uint32_t tail_of(const uint8_t *sn, const uint8_t basis[11])
{
	uint32_t t = 0, num = 0;
	while (t < 8 && sn[t] != '~')
		t++;
	for (uint32_t i = t + 1; i < 8 && sn[i] >= '0' && sn[i] <= '9'; i++)
		num = num * 10 + (uint32_t)(sn[i] - '0');
	if (t == 8 || num == 0 || num >= TAILS_MAX)
		return 0;
	uint8_t cand[11];
	fat_short_tail(basis, num, cand);
	return memcmp(cand, sn, 11) == 0 ? num : 0;
}

/* Pass 1: the name must be new; collect the tails taken for this basis. */
static int scan_names(struct mica_fat *fs, uint32_t dir, const uint16_t *name, uint32_t n,
                      const uint8_t basis[11], const struct mica_fat_loc *skip, uint8_t *taken)
{
	struct fat_found f;
	uint32_t slot = 0;
	int rc;
	while ((rc = fat_dir_next(fs, dir, &slot, &f)) == 1) {
		if (skip && f.st.loc.short_slot == skip->short_slot)
			continue; /* the entry being renamed */
		uint8_t de[FAT_DIRENT] = {0};
		uint16_t sn[12];
		uint32_t sl;
		memcpy(de, f.short_name, 11);
		fat_short_to_ucs2(de, sn, &sl);
		if (fat_name_eq(f.name, f.name_len, name, n) || fat_name_eq(sn, sl, name, n))
			return MICA_EEXIST;
		uint32_t t = tail_of(f.short_name, basis);
		taken[t / 8] |= (uint8_t)(1u << (t % 8));
	}
	return rc;
}

/* Pass 2: the first run of `need` free slots inside one sector (*pos),
 * the first slot of the end marker (*zero), and the number of slots. */
static int scan_room(struct mica_fat *fs, uint32_t dir, uint32_t need, uint32_t *pos, uint32_t *zero,
                     uint32_t *total)
{
	uint32_t per = fat_slots_per_sector(fs), run = 0, s;
	*pos = *zero = UINT32_MAX;
	for (s = 0;; s++) {
		uint64_t sector;
		uint32_t off;
		uint8_t *p;
		int rc = fat_dir_slot(fs, dir, s, &sector, &off);
		if (rc == MICA_ENOENT)
			break;
		if (rc < 0 || (rc = fat_get(fs, sector, &p)) < 0)
			return rc;
		if (s % per == 0)
			run = 0;
		bool end = *zero != UINT32_MAX || p[off] == 0;
		if (p[off] == 0 && *zero == UINT32_MAX)
			*zero = s;
		run = end || p[off] == FAT_DELETED ? run + 1 : 0;
		if (run == need && *pos == UINT32_MAX)
			*pos = s + 1 - need;
		if (*pos != UINT32_MAX)
			break;
	}
	*total = s;
	return MICA_OK;
}

/* Add a zeroed cluster to the directory whose last cluster is found by
 * walking it; written, then linked. */
static int grow_dir(struct mica_fat *fs, uint32_t dir)
{
	uint32_t len, last, c;
	int rc = fat_chain_len(fs, dir, &len, &last);
	if (rc < 0 || (rc = fat_alloc(fs, 1, &c)) < 0 || (rc = fat_writeback(fs)) < 0)
		return rc;
	memset(fs->scratch, 0, fs->sector_size);
	for (uint32_t i = 0; i < fs->sec_per_clus; i++)
		if ((rc = fat_dev_write(fs, fat_cluster_sector(fs, c) + i, fs->scratch, 1)) < 0)
			return rc;
	if ((rc = fat_barrier(fs)) < 0 || (rc = fat_set(fs, last, c)) < 0 || (rc = fat_writeback(fs)) < 0)
		return rc;
	return fat_barrier(fs);
}

/* Mark free slots [from, to) deleted instead of end-of-directory. */
static int unmark_end(struct mica_fat *fs, uint32_t dir, uint32_t from, uint32_t to)
{
	for (uint32_t s = from; s < to;) {
		uint64_t sector;
		uint32_t off;
		uint8_t *p;
		int rc = fat_dir_slot(fs, dir, s, &sector, &off);
		if (rc < 0 || (rc = fat_get(fs, sector, &p)) < 0)
			return rc;
		for (; s < to && off < fs->sector_size; s++, off += FAT_DIRENT)
			p[off] = FAT_DELETED;
		if ((rc = fat_put(fs, sector)) < 0)
			return rc;
	}
	return MICA_OK;
}

static int pick_tail(const uint8_t *taken, uint32_t *num)
{
	for (uint32_t t = 1; t < TAILS_MAX; t++)
		if (!(taken[t / 8] & (1u << (t % 8)))) {
			*num = t;
			return MICA_OK;
		}
	return MICA_ENOSPC;
}

int fat_entry_name(struct mica_fat *fs, uint32_t dir, const uint16_t *name, uint32_t n,
                   const struct mica_fat_loc *skip, uint8_t *de, uint32_t *need)
{
	uint8_t basis[11], taken[TAILS_MAX / 8] = {0};
	uint32_t tail;
	int rc = fat_name_valid(name, n);
	if (rc < 0)
		return rc;
	*need = (n + FAT_LFN_CHARS - 1) / FAT_LFN_CHARS + 1;
	if (*need > fat_slots_per_sector(fs))
		return MICA_EMSGSIZE; /* the set would not fit in one sector */
	fat_short_basis(name, n, basis);
	if ((rc = scan_names(fs, dir, name, n, basis, skip, taken)) < 0 || (rc = pick_tail(taken, &tail)) < 0)
		return rc;
	fat_short_tail(basis, tail, de);
	return MICA_OK;
}

void fat_entry_fill(uint8_t *p, const uint16_t *name, uint32_t n, uint32_t need, const uint8_t *de)
{
	uint8_t csum = fat_lfn_checksum(de);
	for (uint32_t i = 0; i + 1 < need; i++)
		fat_lfn_slot(p + i * FAT_DIRENT, name, n, need - 1 - i, i == 0, csum);
	memcpy(p + (need - 1) * FAT_DIRENT, de, FAT_DIRENT);
}

int fat_entry_create(struct mica_fat *fs, uint32_t dir, const uint16_t *name, uint32_t n, uint8_t *de,
                     struct mica_fat_loc *loc)
{
	uint32_t need, pos, zero, total;
	int rc = fat_entry_name(fs, dir, name, n, NULL, de, &need);
	if (rc < 0 || (rc = scan_room(fs, dir, need, &pos, &zero, &total)) < 0)
		return rc;
	if (pos == UINT32_MAX) {
		if (dir == 0)
			return MICA_ENOSPC; /* the fixed root of FAT12/16 */
		if ((rc = grow_dir(fs, dir)) < 0)
			return rc;
		pos = total;
	}
	if (zero < pos && (rc = unmark_end(fs, dir, zero, pos)) < 0)
		return rc;
	uint64_t sector;
	uint32_t off;
	uint8_t *p;
	if ((rc = fat_dir_slot(fs, dir, pos, &sector, &off)) < 0 || (rc = fat_get(fs, sector, &p)) < 0)
		return rc;
	fat_entry_fill(p + off, name, n, need, de);
	*loc = (struct mica_fat_loc){dir, pos, pos + need - 1};
	return fat_put(fs, sector);
}

int fat_entry_delete(struct mica_fat *fs, const struct mica_fat_loc *loc)
{
	uint64_t short_sector, sector;
	uint32_t off;
	uint8_t *p;
	int rc = fat_dir_slot(fs, loc->dir_cluster, loc->short_slot, &short_sector, &off);
	if (rc < 0)
		return rc;
	/* long-name slots in other sectors first, then the short entry's sector */
	for (int pass = 0; pass < 2; pass++) {
		uint64_t dirty = UINT64_MAX;
		for (uint32_t s = loc->first_slot; s <= loc->short_slot; s++) {
			if ((rc = fat_dir_slot(fs, loc->dir_cluster, s, &sector, &off)) < 0)
				return rc;
			if ((sector == short_sector) != (pass == 1))
				continue;
			if (dirty != UINT64_MAX && dirty != sector && (rc = fat_put(fs, dirty)) < 0)
				return rc;
			if ((rc = fat_get(fs, sector, &p)) < 0)
				return rc;
			p[off] = FAT_DELETED;
			fat_mark_dirty(fs, sector); /* kept if a FAT read evicts it */
			dirty = sector;
		}
		if (dirty != UINT64_MAX && (rc = fat_put(fs, dirty)) < 0)
			return rc;
	}
	return MICA_OK;
}

int fat_entry_update(struct mica_fat *fs, const struct mica_fat_stat *st, bool touch)
{
	uint64_t sector;
	uint32_t off;
	uint8_t *p;
	int rc = fat_dir_slot(fs, st->loc.dir_cluster, st->loc.short_slot, &sector, &off);
	if (rc < 0 || (rc = fat_get(fs, sector, &p)) < 0)
		return rc;
	uint8_t *de = p + off;
	fat_wr16(de + DE_CLUS_HI, (uint16_t)(st->cluster >> 16));
	fat_wr16(de + DE_CLUS_LO, (uint16_t)st->cluster);
	fat_wr32(de + DE_SIZE, (uint32_t)st->size);
	if (touch) {
		uint16_t date, time;
		fat_time_from_unix(st->mtime, &date, &time);
		fat_wr16(de + DE_WTIME, time);
		fat_wr16(de + DE_WDATE, date);
		fat_wr16(de + DE_ADATE, date);
	}
	return fat_put(fs, sector);
}
