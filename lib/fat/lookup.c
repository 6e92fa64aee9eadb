/* lookup.c - paths to entries: each '/'-separated component is looked up
 * by its long name or its short name (case-insensitively) in the
 * directory the previous one named; empty components are skipped. */
#include "fat_impl.h"

static void root_stat(struct mica_fat_stat *st)
{
	*st = (struct mica_fat_stat){.attr = MICA_FAT_ATTR_DIR, .is_dir = true};
	st->loc.short_slot = UINT32_MAX;
}

int fat_find(struct mica_fat *fs, uint32_t dir_cluster, const uint16_t *name, uint32_t n, struct fat_found *f)
{
	uint32_t slot = 0;
	for (;;) {
		int rc = fat_dir_next(fs, dir_cluster, &slot, f);
		if (rc <= 0)
			return rc == 0 ? MICA_ENOENT : rc;
		if ((f->st.attr & MICA_FAT_ATTR_VOLUME) && !f->st.is_dir)
			continue;
		if (fat_name_eq(f->name, f->name_len, name, n))
			return MICA_OK;
		uint8_t de[FAT_DIRENT] = {0};
		uint16_t sn[12];
		uint32_t sl;
		memcpy(de, f->short_name, 11);
		fat_short_to_ucs2(de, sn, &sl);
		if (fat_name_eq(sn, sl, name, n))
			return MICA_OK;
	}
}

/* Walk the components of path[0, len) from the root. */
static int walk(struct mica_fat *fs, const char *path, size_t len, struct mica_fat_stat *st)
{
	uint16_t name[MICA_FAT_NAME_MAX];
	uint32_t n;
	struct fat_found f;
	root_stat(st);
	for (size_t i = 0; i < len;) {
		while (i < len && path[i] == '/')
			i++;
		size_t start = i;
		while (i < len && path[i] != '/')
			i++;
		if (i == start)
			break;
		int rc = fat_utf8_to_ucs2(path + start, i - start, name, &n);
		if (rc < 0)
			return rc;
		if (n == 1 && name[0] == '.')
			continue;
		if (!st->is_dir)
			return MICA_ENOENT;
		if ((rc = fat_find(fs, fat_dir_cluster(fs, st), name, n, &f)) < 0)
			return rc;
		*st = f.st;
	}
	return MICA_OK;
}

int fat_lookup(struct mica_fat *fs, const char *path, struct mica_fat_stat *st)
{
	return walk(fs, path, strlen(path), st);
}

int fat_lookup_parent(struct mica_fat *fs, const char *path, struct mica_fat_stat *parent, uint16_t *leaf,
                      uint32_t *leaf_len)
{
	size_t len = strlen(path);
	while (len && path[len - 1] == '/')
		len--;
	size_t cut = len;
	while (cut && path[cut - 1] != '/')
		cut--;
	if (cut == len)
		return MICA_EINVAL; /* no last component: the root */
	int rc = fat_utf8_to_ucs2(path + cut, len - cut, leaf, leaf_len);
	if (rc < 0)
		return rc;
	if ((rc = walk(fs, path, cut, parent)) < 0)
		return rc;
	return parent->is_dir ? MICA_OK : MICA_ENOENT;
}

int mica_fat_stat(struct mica_fat *fs, const char *path, struct mica_fat_stat *st)
{
	return fat_lookup(fs, path, st);
}

int mica_fat_opendir(struct mica_fat *fs, const char *path, struct mica_fat_dir *d)
{
	struct mica_fat_stat st;
	int rc = fat_lookup(fs, path, &st);
	if (rc < 0)
		return rc;
	if (!st.is_dir)
		return MICA_EINVAL;
	*d = (struct mica_fat_dir){fat_dir_cluster(fs, &st), 0};
	return MICA_OK;
}

int mica_fat_readdir(struct mica_fat *fs, struct mica_fat_dir *d, struct mica_fat_dirent *e)
{
	struct fat_found found, *f = &found;
	for (;;) {
		int rc = fat_dir_next(fs, d->dir_cluster, &d->slot, f);
		if (rc <= 0)
			return rc;
		if ((f->st.attr & MICA_FAT_ATTR_VOLUME) && !f->st.is_dir)
			continue;
		if (f->short_name[0] == '.' && (f->short_name[1] == ' ' || f->short_name[1] == '.'))
			continue;
		fat_ucs2_to_utf8(f->name, f->name_len, e->name, sizeof(e->name));
		e->st = f->st;
		return 1;
	}
}
