/* fat.h - the FAT file system on a block device (lib/fat).
 *
 * Reads FAT12, FAT16 and FAT32 volumes; writes FAT32 volumes: long file
 * names (VFAT), create, write, truncate, delete, rename, mkdir, rmdir and
 * the free-cluster count of FSInfo. Paths are UTF-8, '/'-separated, from
 * the volume's root; names compare case-insensitively (ASCII letters).
 *
 * Calls are synchronous: each returns when its I/O has completed. The
 * device is a struct mica_blk (blk.h), so a test can stack the fault
 * injector under the file system. How a call waits for a request:
 *   cfg.wait set   wait(ctx, &done) runs the event loop until `done` (or
 *                  gives up with a negative code: the call fails with it);
 *   cfg.wait NULL  the platform's synchronous calls on blk->plat (a
 *                  platform device; no other callbacks run meanwhile).
 *
 * Memory is the caller's: `cache` holds the sector cache (at least four
 * sectors; at most MICA_FAT_SLOTS + 1 are used) and nothing is allocated.
 *
 * Crash safety of writes (docs/fat.md): every change is ordered so that a
 * crash between any two block writes leaves at worst clusters that
 * fsck.fat reclaims (lost clusters, a chain longer than its file's size,
 * a stale free count, the two FAT copies differing by such clusters) -
 * never a cross-linked chain or a directory entry that points at
 * clusters not yet allocated or written. New clusters are allocated,
 * linked among themselves and written before anything points at them;
 * a deleted file's entry is cleared before its clusters are freed. A
 * barrier (FLUSH) separates the steps when cfg.barriers is set. */
#ifndef MICA_FAT_H
#define MICA_FAT_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "blk.h"

#define MICA_FAT_SLOTS 32
#define MICA_FAT_NAME_MAX 255 /* UCS-2 units of a long name */
#define MICA_FAT_UTF8_MAX (MICA_FAT_NAME_MAX * 3 + 1)

enum mica_fat_type { MICA_FAT12 = 12, MICA_FAT16 = 16, MICA_FAT32 = 32 };

/* Directory entry attributes. */
#define MICA_FAT_ATTR_RO 0x01
#define MICA_FAT_ATTR_HIDDEN 0x02
#define MICA_FAT_ATTR_SYSTEM 0x04
#define MICA_FAT_ATTR_VOLUME 0x08
#define MICA_FAT_ATTR_DIR 0x10
#define MICA_FAT_ATTR_ARCHIVE 0x20

struct mica_fat_config {
	struct mica_blk *blk;
	int (*wait)(void *ctx, const bool *done);
	void *wait_ctx;
	void *cache;
	size_t cache_bytes;
	bool writable; /* FAT32 only; MICA_EPERM on a read-only device */
	bool barriers; /* FLUSH between the ordered steps of a change */
	/* Unix seconds (UTC) for the times written; NULL: the wall clock */
	int64_t (*now)(void *ctx);
	void *now_ctx;
};

/* Where an entry lives: its directory and the slots of its entry set. */
struct mica_fat_loc {
	uint32_t dir_cluster; /* first cluster of the directory; 0: the fixed root */
	uint32_t first_slot;  /* the first long-name slot (or the short entry) */
	uint32_t short_slot;  /* the short entry */
};

struct mica_fat_stat {
	uint64_t size;
	uint32_t cluster; /* first cluster, 0 for an empty file */
	int64_t mtime;    /* Unix seconds, the entry's write time taken as UTC */
	uint8_t attr;
	bool is_dir;
	struct mica_fat_loc loc;
};

struct mica_fat_dirent {
	char name[MICA_FAT_UTF8_MAX]; /* the long name, else the 8.3 name */
	struct mica_fat_stat st;
};

struct mica_fat_dir {
	uint32_t dir_cluster;
	uint32_t slot; /* next slot to look at */
};

struct mica_fat_file {
	struct mica_fat_stat st;
	uint64_t pos;
	/* the cluster holding pos's cluster index cur_index (0: none yet) */
	uint32_t cur_cluster, cur_index;
	bool writable;
};

struct fat_slot {
	uint64_t sector;
	uint8_t *data;
	uint32_t used; /* last use, for LRU */
	bool valid, dirty;
};

struct mica_fat {
	struct mica_fat_config cfg;
	enum mica_fat_type type;
	uint32_t sector_size, sec_per_clus, cluster_bytes;
	uint32_t reserved, nfats, fat_sectors;
	uint32_t root_entries; /* FAT12/16 fixed root */
	uint32_t root_cluster; /* FAT32 */
	uint64_t fat_start, root_start, data_start, total_sectors;
	uint32_t nclusters; /* data clusters: numbers 2 .. nclusters + 1 */
	uint32_t fsinfo_sector;
	uint32_t free_count; /* UINT32_MAX: unknown */
	uint32_t next_free;
	bool dirty_fsinfo;
	bool broken;  /* a write failed: no more writes */
	bool io_lost; /* wait gave up on a request: no more I/O at all */
	bool io_done;
	struct mica_blk_req req; /* the one request in flight */
	uint8_t *scratch;
	/* the last directory cluster found by slot, for walking in order, and
	 * the cluster Brent's cycle check compares against */
	uint32_t memo_dir, memo_index, memo_cluster, memo_tortoise;
	struct fat_slot slots[MICA_FAT_SLOTS];
	uint32_t nslots, clock;
	/* counters */
	uint64_t reads, writes, flushes, hits;
};

int mica_fat_mount(struct mica_fat *fs, const struct mica_fat_config *cfg);
/* Write back the free count and flush (a no-op when mounted read-only). */
int mica_fat_sync(struct mica_fat *fs);
/* Forget every cached sector (another writer changed the volume). */
void mica_fat_invalidate(struct mica_fat *fs);

int mica_fat_stat(struct mica_fat *fs, const char *path, struct mica_fat_stat *st);
int mica_fat_opendir(struct mica_fat *fs, const char *path, struct mica_fat_dir *d);
/* 1 and *e filled, 0 at the end, or a negative code. Skips ".", ".." and
 * the volume label. */
int mica_fat_readdir(struct mica_fat *fs, struct mica_fat_dir *d, struct mica_fat_dirent *e);

#define MICA_FAT_WRITE 1u
#define MICA_FAT_CREATE 2u /* create when missing (implies WRITE) */
#define MICA_FAT_EXCL 4u   /* with CREATE: MICA_EEXIST when present */
#define MICA_FAT_TRUNC 8u  /* truncate to 0 (implies WRITE) */
int mica_fat_open(struct mica_fat *fs, const char *path, unsigned flags, struct mica_fat_file *f);
/* Bytes read (0 at the end) or a negative code. */
long mica_fat_read(struct mica_fat *fs, struct mica_fat_file *f, void *buf, size_t n);
/* Bytes written (all of n) or a negative code; the entry's size and time
 * are updated before it returns. */
long mica_fat_write(struct mica_fat *fs, struct mica_fat_file *f, const void *buf, size_t n);
int mica_fat_seek(struct mica_fat *fs, struct mica_fat_file *f, uint64_t pos);
int mica_fat_truncate(struct mica_fat *fs, struct mica_fat_file *f, uint64_t size);

int mica_fat_unlink(struct mica_fat *fs, const char *path);
int mica_fat_mkdir(struct mica_fat *fs, const char *path);
int mica_fat_rmdir(struct mica_fat *fs, const char *path);
/* MICA_EEXIST when `to` exists. */
int mica_fat_rename(struct mica_fat *fs, const char *from, const char *to);

/* Free clusters (counted from the FAT when FSInfo does not know). */
int mica_fat_free_clusters(struct mica_fat *fs, uint32_t *free_out);

#endif
