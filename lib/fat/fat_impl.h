/* fat_impl.h - what the files of lib/fat share: the on-disk layout of
 * directory entries, and the internal calls of the sector cache (io.c),
 * the allocation table (table.c), directories (dir.c), names (name.c),
 * path lookup (lookup.c) and entry sets (entry.c). */
#ifndef FAT_IMPL_H
#define FAT_IMPL_H

#include <mica/fat.h>
#include <mica/err.h>
#include <mica/libc.h>

#define FAT_DIRENT 32u
#define FAT_EOC 0x0FFFFFFFu /* end of chain, as fat_next reports it */
#define FAT_DELETED 0xE5
#define FAT_ATTR_LFN 0x0F
#define FAT_LFN_LAST 0x40
#define FAT_LFN_CHARS 13u
#define FAT_NT_LOWER_BASE 0x08
#define FAT_NT_LOWER_EXT 0x10

/* Directory entry fields (offsets in the 32 bytes). */
#define DE_ATTR 11
#define DE_NTRES 12
#define DE_CTIME_TENTH 13
#define DE_CTIME 14
#define DE_CDATE 16
#define DE_ADATE 18
#define DE_CLUS_HI 20
#define DE_WTIME 22
#define DE_WDATE 24
#define DE_CLUS_LO 26
#define DE_SIZE 28
#define LFN_CSUM 13

static inline uint16_t fat_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}
static inline uint32_t fat_rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline void fat_wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}
static inline void fat_wr32(uint8_t *p, uint32_t v)
{
	fat_wr16(p, (uint16_t)v);
	fat_wr16(p + 2, (uint16_t)(v >> 16));
}

/* ---- io.c: device requests and the sector cache ---- */
/* n whole sectors of the volume straight to/from buf (bypassing the cache;
 * a write drops the cached copies it overwrites). */
int fat_dev_read(struct mica_fat *fs, uint64_t sector, void *buf, uint32_t n);
int fat_dev_write(struct mica_fat *fs, uint64_t sector, const void *buf, uint32_t n);
/* A FLUSH when cfg.barriers is set: what was written before is durable
 * before anything written after. */
int fat_barrier(struct mica_fat *fs);
/* The cached sector (read on a miss). *p stays valid until the next
 * fat_get. */
int fat_get(struct mica_fat *fs, uint64_t sector, uint8_t **p);
/* Write the cached sector now (directory entries, FSInfo). */
int fat_put(struct mica_fat *fs, uint64_t sector);
/* The cached sector was changed; fat_writeback writes it (FAT sectors, to
 * every copy of the table). */
void fat_mark_dirty(struct mica_fat *fs, uint64_t sector);
int fat_writeback(struct mica_fat *fs);
/* Refuse a change: read-only mount or a failed write before. */
int fat_check_writable(const struct mica_fat *fs);

/* ---- table.c: the allocation table ---- */
static inline bool fat_cluster_ok(const struct mica_fat *fs, uint32_t c)
{
	return c >= 2 && c - 2 < fs->nclusters;
}
static inline uint64_t fat_cluster_sector(const struct mica_fat *fs, uint32_t c)
{
	return fs->data_start + (uint64_t)(c - 2) * fs->sec_per_clus;
}
/* The entry of cluster c: the next cluster, FAT_EOC, or MICA_EBADMSG for a
 * free, bad or out-of-range entry inside a chain. */
int fat_next(struct mica_fat *fs, uint32_t c, uint32_t *next);
/* The raw entry (0 = free). */
int fat_entry(struct mica_fat *fs, uint32_t c, uint32_t *value);
/* Set an entry (FAT32): dirty until fat_writeback. */
int fat_set(struct mica_fat *fs, uint32_t c, uint32_t value);
/* n free clusters linked into a chain that ends in EOC, dirty until
 * fat_writeback; MICA_ENOSPC (nothing changed) when there are fewer. */
int fat_alloc(struct mica_fat *fs, uint32_t n, uint32_t *first);
/* Free the chain from c (dirty until fat_writeback). */
int fat_free_chain(struct mica_fat *fs, uint32_t c);
/* Follow `steps` links from *c: MICA_ENOENT when the chain ends first,
 * MICA_EBADMSG for a bad entry or more steps than clusters. */
int fat_advance(struct mica_fat *fs, uint32_t *c, uint32_t steps);
/* The n-th cluster (from 0) of the chain starting at first. */
int fat_chain_at(struct mica_fat *fs, uint32_t first, uint32_t n, uint32_t *out);
/* Length of the chain and its last cluster. */
int fat_chain_len(struct mica_fat *fs, uint32_t first, uint32_t *len, uint32_t *last);
int fat_count_free(struct mica_fat *fs, uint32_t *n);
/* Write the free count and hint to FSInfo when they changed (FAT32). */
int fat_fsinfo_write(struct mica_fat *fs);

/* ---- dir.c: directories ---- */
/* The sector and byte offset of slot `slot` of a directory; MICA_ENOENT
 * past its end. */
int fat_dir_slot(struct mica_fat *fs, uint32_t dir_cluster, uint32_t slot, uint64_t *sector, uint32_t *off);
static inline uint32_t fat_slots_per_sector(const struct mica_fat *fs)
{
	return fs->sector_size / FAT_DIRENT;
}

/* One entry set found by fat_dir_next. */
struct fat_found {
	uint16_t name[20 * FAT_LFN_CHARS + 1]; /* the long name, or the 8.3 name */
	uint32_t name_len;
	uint8_t short_name[11];
	struct mica_fat_stat st;
};
/* The next live entry set at or after *slot (LFN parts + short entry);
 * 1 found (and *slot past it), 0 at the end of the directory. Includes
 * "." and ".." and volume labels (st.attr tells). */
int fat_dir_next(struct mica_fat *fs, uint32_t dir_cluster, uint32_t *slot, struct fat_found *f);
/* Fill a stat from a short entry. */
void fat_stat_from_entry(const struct mica_fat *fs, const uint8_t *de, struct mica_fat_stat *st);
/* The cluster a directory's stat names (FAT32's root is its cluster). */
uint32_t fat_dir_cluster(const struct mica_fat *fs, const struct mica_fat_stat *st);

/* ---- name.c: names ---- */
/* UTF-8 (BMP) to UCS-2; MICA_EINVAL for bad UTF-8, MICA_EMSGSIZE over
 * MICA_FAT_NAME_MAX units. */
int fat_utf8_to_ucs2(const char *s, size_t len, uint16_t *out, uint32_t *n);
size_t fat_ucs2_to_utf8(const uint16_t *s, uint32_t n, char *out, size_t size);
bool fat_name_eq(const uint16_t *a, uint32_t na, const uint16_t *b, uint32_t nb);
/* A name a new entry may have (no '/', '\\', ':', ..., not "." or "..",
 * no trailing dot or space). */
int fat_name_valid(const uint16_t *name, uint32_t n);
uint8_t fat_lfn_checksum(const uint8_t *short_name);
/* The 8.3 name of a short entry, with the NT lower-case bits. */
void fat_short_to_ucs2(const uint8_t *de, uint16_t *out, uint32_t *n);
/* The short-name basis of a long name ("BASIS   EXT" without a tail). */
void fat_short_basis(const uint16_t *name, uint32_t n, uint8_t basis[11]);
/* basis with "~N" at the end of its first part. */
void fat_short_tail(const uint8_t basis[11], uint32_t num, uint8_t out[11]);
/* The long-name slot `ord` (1-based) of an entry set. */
void fat_lfn_slot(uint8_t *de, const uint16_t *name, uint32_t n, uint32_t ord, bool last, uint8_t csum);
/* Merge a long-name slot into the name being assembled. */
void fat_lfn_take(const uint8_t *de, uint16_t *name);

/* ---- time.c ---- */
int64_t fat_time_to_unix(uint16_t date, uint16_t time);
void fat_time_from_unix(int64_t t, uint16_t *date, uint16_t *time);
int64_t fat_now(struct mica_fat *fs);

/* ---- lookup.c ---- */
/* The entry a path names (the root: a directory with loc.short_slot ==
 * UINT32_MAX). */
int fat_lookup(struct mica_fat *fs, const char *path, struct mica_fat_stat *st);
/* The parent directory of the last component, and that component. */
int fat_lookup_parent(struct mica_fat *fs, const char *path, struct mica_fat_stat *parent, uint16_t *leaf,
                      uint32_t *leaf_len);
/* The entry named `name` in a directory: MICA_ENOENT when absent. */
int fat_find(struct mica_fat *fs, uint32_t dir_cluster, const uint16_t *name, uint32_t n,
             struct fat_found *f);

/* ---- entry.c: entry sets ---- */
/* Check a new name for directory dir (skip: the entry set being renamed,
 * or NULL), give the short entry de its short name; *need: its slots. */
int fat_entry_name(struct mica_fat *fs, uint32_t dir, const uint16_t *name, uint32_t n,
                   const struct mica_fat_loc *skip, uint8_t *de, uint32_t *need);
/* The `need` slots of the set (long-name slots, then de) at p. */
void fat_entry_fill(uint8_t *p, const uint16_t *name, uint32_t n, uint32_t need, const uint8_t *de);
/* Rename inside the sector of the old set's short entry, in one write
 * (long-name slots of the old set in earlier sectors are cleared first);
 * MICA_ENOSPC when the sector has no room. */
int fat_entry_rename_here(struct mica_fat *fs, const struct mica_fat_loc *old, const uint16_t *name,
                          uint32_t n, uint8_t *de);
/* Write a new entry set for `name` into the directory; `de` is its
 * short entry (name filled in here). Fills *loc. */
int fat_entry_create(struct mica_fat *fs, uint32_t dir_cluster, const uint16_t *name, uint32_t n, uint8_t *de,
                     struct mica_fat_loc *loc);
/* Mark an entry set deleted: long-name slots first, the short entry last. */
int fat_entry_delete(struct mica_fat *fs, const struct mica_fat_loc *loc);
/* Rewrite the short entry of an entry set (size, cluster, times). */
int fat_entry_update(struct mica_fat *fs, const struct mica_fat_stat *st, bool touch);
/* A fresh short entry (times = now). */
void fat_entry_init(struct mica_fat *fs, uint8_t *de, uint8_t attr, uint32_t cluster);

#endif
