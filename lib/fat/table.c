/* table.c - the file allocation table: entries of FAT12, FAT16 and FAT32
 * (read), FAT32 (write), chains, allocation, freeing and the free count
 * kept in FSInfo. Every chain walk is bounded by the number of clusters,
 * so a looping chain on a damaged volume is an error, not a hang. */
#include "fat_impl.h"

static uint32_t eoc_min(const struct mica_fat *fs)
{
	return fs->type == MICA_FAT12 ? 0xFF8u : fs->type == MICA_FAT16 ? 0xFFF8u : 0x0FFFFFF8u;
}

static int fat_byte(struct mica_fat *fs, uint64_t off, uint8_t *out)
{
	uint8_t *p;
	int rc = fat_get(fs, fs->fat_start + off / fs->sector_size, &p);
	if (rc == MICA_OK)
		*out = p[off % fs->sector_size];
	return rc;
}

int fat_entry(struct mica_fat *fs, uint32_t c, uint32_t *value)
{
	uint8_t *p;
	int rc;
	if (c - 2 >= fs->nclusters && c >= 2)
		return MICA_EBADMSG;
	if (fs->type == MICA_FAT12) {
		uint64_t off = (uint64_t)c + c / 2;
		uint8_t lo = 0, hi = 0;
		if ((rc = fat_byte(fs, off, &lo)) < 0 || (rc = fat_byte(fs, off + 1, &hi)) < 0)
			return rc;
		uint32_t v = (uint32_t)lo | (uint32_t)hi << 8;
		*value = c & 1 ? v >> 4 : v & 0xFFF;
		return MICA_OK;
	}
	uint32_t width = fs->type == MICA_FAT16 ? 2 : 4;
	uint64_t off = (uint64_t)c * width;
	if ((rc = fat_get(fs, fs->fat_start + off / fs->sector_size, &p)) < 0)
		return rc;
	p += off % fs->sector_size;
	*value = width == 2 ? fat_rd16(p) : fat_rd32(p) & 0x0FFFFFFFu;
	return MICA_OK;
}

int fat_next(struct mica_fat *fs, uint32_t c, uint32_t *next)
{
	uint32_t v;
	int rc = fat_entry(fs, c, &v);
	if (rc < 0)
		return rc;
	if (v >= eoc_min(fs))
		*next = FAT_EOC;
	else if (fat_cluster_ok(fs, v))
		*next = v;
	else
		return MICA_EBADMSG;
	return MICA_OK;
}

int fat_set(struct mica_fat *fs, uint32_t c, uint32_t value)
{
	uint8_t *p;
	if (fs->type != MICA_FAT32 || !fat_cluster_ok(fs, c))
		return MICA_EINVAL;
	uint64_t off = (uint64_t)c * 4;
	uint64_t sector = fs->fat_start + off / fs->sector_size;
	int rc = fat_get(fs, sector, &p);
	if (rc < 0)
		return rc;
	p += off % fs->sector_size;
	fat_wr32(p, (fat_rd32(p) & 0xF0000000u) | (value & 0x0FFFFFFFu));
	fat_mark_dirty(fs, sector);
	fs->memo_dir = 0; /* a chain changed */
	return MICA_OK;
}

static void count_change(struct mica_fat *fs, int64_t delta)
{
	if (fs->free_count != UINT32_MAX)
		fs->free_count = (uint32_t)((int64_t)fs->free_count + delta);
	fs->dirty_fsinfo = true;
}

int fat_alloc(struct mica_fat *fs, uint32_t n, uint32_t *first)
{
	uint32_t got = 0, prev = 0, c = fs->next_free;
	*first = 0;
	for (uint32_t seen = 0; seen < fs->nclusters && got < n; seen++, c++) {
		if (!fat_cluster_ok(fs, c))
			c = 2;
		uint32_t v;
		int rc = fat_entry(fs, c, &v);
		if (rc < 0)
			return rc;
		if (v != 0)
			continue;
		if ((rc = fat_set(fs, c, FAT_EOC)) < 0 || (prev && (rc = fat_set(fs, prev, c)) < 0))
			return rc;
		if (!prev)
			*first = c;
		prev = c;
		got++;
	}
	if (got < n) {
		count_change(fs, -(int64_t)got); /* freeing them counts them back */
		if (*first)
			fat_free_chain(fs, *first);
		*first = 0;
		return MICA_ENOSPC;
	}
	fs->next_free = fat_cluster_ok(fs, prev + 1) ? prev + 1 : 2;
	count_change(fs, -(int64_t)n);
	return MICA_OK;
}

int fat_free_chain(struct mica_fat *fs, uint32_t c)
{
	uint32_t freed = 0;
	int rc = MICA_OK;
	for (uint32_t i = 0; i < fs->nclusters && c != FAT_EOC; i++) {
		uint32_t next;
		if ((rc = fat_next(fs, c, &next)) < 0 && rc != MICA_EBADMSG)
			break;
		bool last = rc == MICA_EBADMSG;
		if ((rc = fat_set(fs, c, 0)) < 0)
			break;
		freed++;
		if (last) {
			rc = MICA_EBADMSG;
			break;
		}
		if (c < fs->next_free)
			fs->next_free = c;
		c = next;
	}
	count_change(fs, freed);
	return rc;
}

int fat_advance(struct mica_fat *fs, uint32_t *c, uint32_t steps)
{
	if (!fat_cluster_ok(fs, *c) || steps > fs->nclusters)
		return MICA_EBADMSG;
	for (uint32_t i = 0; i < steps; i++) {
		int rc = fat_next(fs, *c, c);
		if (rc < 0)
			return rc;
		if (*c == FAT_EOC)
			return MICA_ENOENT;
	}
	return MICA_OK;
}

int fat_chain_at(struct mica_fat *fs, uint32_t first, uint32_t n, uint32_t *out)
{
	*out = first;
	int rc = fat_advance(fs, out, n);
	return rc == MICA_ENOENT ? MICA_EBADMSG : rc;
}

int fat_chain_len(struct mica_fat *fs, uint32_t first, uint32_t *len, uint32_t *last)
{
	uint32_t c = first, n = 0;
	*len = 0;
	*last = 0;
	if (first == 0)
		return MICA_OK;
	while (c != FAT_EOC) {
		if (n >= fs->nclusters)
			return MICA_EBADMSG; /* a loop */
		*last = c;
		n++;
		int rc = fat_next(fs, c, &c);
		if (rc < 0)
			return rc;
	}
	*len = n;
	return MICA_OK;
}

int fat_count_free(struct mica_fat *fs, uint32_t *n)
{
	uint32_t free = 0;
	for (uint32_t c = 2; c - 2 < fs->nclusters; c++) {
		uint32_t v;
		int rc = fat_entry(fs, c, &v);
		if (rc < 0)
			return rc;
		free += v == 0;
	}
	*n = free;
	return MICA_OK;
}

int fat_fsinfo_write(struct mica_fat *fs)
{
	uint8_t *p;
	if (!fs->dirty_fsinfo || fs->type != MICA_FAT32 || !fs->fsinfo_sector)
		return MICA_OK;
	int rc = fat_get(fs, fs->fsinfo_sector, &p);
	if (rc < 0)
		return rc;
	if (fat_rd32(p) != 0x41615252u || fat_rd32(p + 484) != 0x61417272u)
		return MICA_OK; /* not an FSInfo sector: leave it alone */
	fat_wr32(p + 488, fs->free_count);
	fat_wr32(p + 492, fs->next_free);
	fs->dirty_fsinfo = false;
	return fat_put(fs, fs->fsinfo_sector);
}

int mica_fat_free_clusters(struct mica_fat *fs, uint32_t *free_out)
{
	if (fs->free_count == UINT32_MAX) {
		int rc = fat_count_free(fs, &fs->free_count);
		if (rc < 0)
			return rc;
	}
	*free_out = fs->free_count;
	return MICA_OK;
}
