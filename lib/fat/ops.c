/* ops.c - changes to the tree: unlink, mkdir, rmdir, rename.
 *
 * Order on disk: a new directory's cluster is allocated, then written
 * ("." and "..", the rest zeroed), and only then does an entry point at
 * it; a removed entry is cleared before its clusters are freed. A rename
 * inside a directory rewrites one sector when the new set fits there
 * (rename.c: the old name or the new one, whatever the crash); one that
 * moves the entry to another sector clears the old set first, then writes
 * the new one: a crash in between loses the name (its clusters become
 * lost clusters) but never leaves two entries on one chain. */
#include "fat_impl.h"

/* The entry `path` names and its directory, refusing the root. */
static int lookup_leaf(struct mica_fat *fs, const char *path, struct mica_fat_stat *st)
{
	struct mica_fat_stat parent;
	uint16_t leaf[MICA_FAT_NAME_MAX];
	uint32_t n;
	int rc = fat_lookup_parent(fs, path, &parent, leaf, &n);
	if (rc < 0)
		return rc;
	if ((n == 1 && leaf[0] == '.') || (n == 2 && leaf[0] == '.' && leaf[1] == '.'))
		return MICA_EINVAL;
	struct fat_found f;
	if ((rc = fat_find(fs, fat_dir_cluster(fs, &parent), leaf, n, &f)) < 0)
		return rc;
	*st = f.st;
	return MICA_OK;
}

/* Clear the entry, then free its chain. */
static int remove_entry(struct mica_fat *fs, const struct mica_fat_stat *st)
{
	int rc = fat_entry_delete(fs, &st->loc);
	if (rc < 0 || (rc = fat_barrier(fs)) < 0)
		return rc;
	if (st->cluster && fat_cluster_ok(fs, st->cluster)) {
		if ((rc = fat_free_chain(fs, st->cluster)) < 0 && rc != MICA_EBADMSG)
			return rc;
		if ((rc = fat_writeback(fs)) < 0)
			return rc;
	}
	return fat_fsinfo_write(fs);
}

int mica_fat_unlink(struct mica_fat *fs, const char *path)
{
	struct mica_fat_stat st;
	int rc = fat_check_writable(fs);
	if (rc < 0 || (rc = lookup_leaf(fs, path, &st)) < 0)
		return rc;
	if (st.is_dir)
		return MICA_EINVAL;
	return remove_entry(fs, &st);
}

/* Is directory `dir` empty but for "." and ".."? */
static int dir_empty(struct mica_fat *fs, uint32_t dir)
{
	struct fat_found f;
	uint32_t slot = 0;
	int rc;
	while ((rc = fat_dir_next(fs, dir, &slot, &f)) == 1) {
		bool dot = f.short_name[0] == '.' && (f.short_name[1] == ' ' || f.short_name[1] == '.');
		if (!dot && !((f.st.attr & MICA_FAT_ATTR_VOLUME) && !f.st.is_dir))
			return MICA_EEXIST;
	}
	return rc;
}

int mica_fat_rmdir(struct mica_fat *fs, const char *path)
{
	struct mica_fat_stat st;
	int rc = fat_check_writable(fs);
	if (rc < 0 || (rc = lookup_leaf(fs, path, &st)) < 0)
		return rc;
	if (!st.is_dir || !fat_cluster_ok(fs, st.cluster))
		return MICA_EINVAL;
	if ((rc = dir_empty(fs, st.cluster)) < 0)
		return rc;
	return remove_entry(fs, &st);
}

/* "." and ".." of a new directory c inside directory `parent`. */
static int write_new_dir(struct mica_fat *fs, uint32_t c, uint32_t parent, const uint8_t *de)
{
	uint8_t *s = fs->scratch;
	int rc;
	memset(s, 0, fs->sector_size);
	for (uint32_t i = 1; i < fs->sec_per_clus; i++)
		if ((rc = fat_dev_write(fs, fat_cluster_sector(fs, c) + i, s, 1)) < 0)
			return rc;
	uint32_t up = parent == fs->root_cluster ? 0 : parent;
	memcpy(s, de, FAT_DIRENT);
	memcpy(s + FAT_DIRENT, de, FAT_DIRENT);
	memcpy(s, ".          ", 11);
	memcpy(s + FAT_DIRENT, "..         ", 11);
	fat_wr16(s + FAT_DIRENT + DE_CLUS_HI, (uint16_t)(up >> 16));
	fat_wr16(s + FAT_DIRENT + DE_CLUS_LO, (uint16_t)up);
	return fat_dev_write(fs, fat_cluster_sector(fs, c), s, 1);
}

int mica_fat_mkdir(struct mica_fat *fs, const char *path)
{
	struct mica_fat_stat parent, st;
	uint16_t leaf[MICA_FAT_NAME_MAX];
	uint32_t n, c;
	uint8_t de[FAT_DIRENT];
	int rc = fat_check_writable(fs);
	if (rc < 0 || (rc = fat_lookup_parent(fs, path, &parent, leaf, &n)) < 0)
		return rc;
	if ((rc = fat_name_valid(leaf, n)) < 0)
		return rc;
	if ((rc = fat_lookup(fs, path, &st)) != MICA_ENOENT)
		return rc == MICA_OK ? MICA_EEXIST : rc;
	uint32_t dir = fat_dir_cluster(fs, &parent);
	if ((rc = fat_alloc(fs, 1, &c)) < 0 || (rc = fat_writeback(fs)) < 0)
		return rc;
	fat_entry_init(fs, de, MICA_FAT_ATTR_DIR, c);
	if ((rc = write_new_dir(fs, c, dir, de)) < 0 || (rc = fat_barrier(fs)) < 0)
		return rc;
	rc = fat_entry_create(fs, dir, leaf, n, de, &st.loc);
	if (rc < 0) {
		if (!fs->broken && fat_free_chain(fs, c) == MICA_OK)
			fat_writeback(fs);
		return rc;
	}
	return fat_fsinfo_write(fs);
}

/* Is directory `inner` (a cluster) `outer` or inside it? Walks "..". */
static int dir_inside(struct mica_fat *fs, uint32_t inner, uint32_t outer, bool *inside)
{
	*inside = false;
	for (uint32_t depth = 0; depth < 4096; depth++) {
		if (inner == outer) {
			*inside = true;
			return MICA_OK;
		}
		if (inner == 0 || inner == fs->root_cluster)
			return MICA_OK;
		uint64_t sector;
		uint32_t off;
		uint8_t *p;
		int rc = fat_dir_slot(fs, inner, 1, &sector, &off);
		if (rc < 0 || (rc = fat_get(fs, sector, &p)) < 0)
			return rc;
		if (memcmp(p + off, "..         ", 11) != 0)
			return MICA_EBADMSG;
		struct mica_fat_stat up;
		fat_stat_from_entry(fs, p + off, &up);
		inner = up.cluster;
	}
	return MICA_EBADMSG;
}

/* Point a moved directory's ".." at its new parent. */
static int set_dotdot(struct mica_fat *fs, uint32_t dir, uint32_t parent)
{
	uint64_t sector;
	uint32_t off;
	uint8_t *p;
	uint32_t up = parent == fs->root_cluster ? 0 : parent;
	int rc = fat_dir_slot(fs, dir, 1, &sector, &off);
	if (rc < 0 || (rc = fat_get(fs, sector, &p)) < 0)
		return rc;
	fat_wr16(p + off + DE_CLUS_HI, (uint16_t)(up >> 16));
	fat_wr16(p + off + DE_CLUS_LO, (uint16_t)up);
	return fat_put(fs, sector);
}

int mica_fat_rename(struct mica_fat *fs, const char *from, const char *to)
{
	struct mica_fat_stat st, parent, there;
	uint16_t leaf[MICA_FAT_NAME_MAX];
	uint32_t n;
	uint8_t de[FAT_DIRENT], *p;
	uint64_t sector;
	uint32_t off;
	int rc = fat_check_writable(fs);
	if (rc < 0 || (rc = lookup_leaf(fs, from, &st)) < 0)
		return rc;
	if ((rc = fat_lookup_parent(fs, to, &parent, leaf, &n)) < 0 || (rc = fat_name_valid(leaf, n)) < 0)
		return rc;
	uint32_t dir = fat_dir_cluster(fs, &parent);
	rc = fat_lookup(fs, to, &there);
	bool same = rc == MICA_OK && there.loc.dir_cluster == st.loc.dir_cluster &&
	            there.loc.short_slot == st.loc.short_slot;
	if (rc == MICA_OK && !same)
		return MICA_EEXIST;
	if (rc < 0 && rc != MICA_ENOENT)
		return rc;
	bool moved = dir != st.loc.dir_cluster;
	if (st.is_dir && moved) {
		bool inside;
		if ((rc = dir_inside(fs, dir, st.cluster, &inside)) < 0)
			return rc;
		if (inside)
			return MICA_EINVAL;
	}
	if ((rc = fat_dir_slot(fs, st.loc.dir_cluster, st.loc.short_slot, &sector, &off)) < 0 ||
	    (rc = fat_get(fs, sector, &p)) < 0)
		return rc;
	memcpy(de, p + off, FAT_DIRENT);
	de[DE_NTRES] = 0;
	if (!moved) {
		rc = fat_entry_rename_here(fs, &st.loc, leaf, n, de);
		if (rc != MICA_ENOSPC)
			return rc;
	}
	if ((rc = fat_entry_delete(fs, &st.loc)) < 0 || (rc = fat_barrier(fs)) < 0)
		return rc;
	struct mica_fat_loc loc;
	if ((rc = fat_entry_create(fs, dir, leaf, n, de, &loc)) < 0)
		return rc;
	if (st.is_dir && moved && (rc = set_dotdot(fs, st.cluster, dir)) < 0)
		return rc;
	return fat_fsinfo_write(fs);
}
