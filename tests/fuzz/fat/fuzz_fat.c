/* fuzz_fat.c - libFuzzer target for lib/fat: FAT metadata read from disk.
 *
 * The input is the disk: a device of 80 MiB whose every sector reads as
 * the input repeated (so a short input still reaches FAT32 layouts with
 * their tables and root far from the boot sector). The volume is mounted
 * read-only and its whole tree walked (bounded), every file read to the
 * end; then mounted writable on a private copy and changed (create,
 * write, mkdir, rename, truncate, unlink, rmdir) - whatever the metadata
 * says, lib/fat must answer with errors, never read or write out of
 * bounds, and never loop forever. Writes land in a copy of the input
 * with the same folding.
 *
 * Each phase may move DEV_SECTOR_BUDGET sectors; past that the device
 * fails every request with MICA_EIO, as a dying disk would. That bounds
 * an input's device I/O (large directories on the device are rescanned
 * by every path lookup of the walk, against libFuzzer's 10 s per input)
 * and fuzzes lib/fat's I/O-error paths too. Work done from the cache is
 * lib/fat's own to bound (a looping directory chain is EBADMSG). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mica/fat.h>
#include <mica/err.h>

#define DEV_SECTORS (80u * 2048u)
#define DEV_SECTOR_BUDGET 20000u

struct memdev {
	struct mica_blk blk;
	uint8_t *data;
	size_t len; /* a multiple of 512 */
	struct mica_blk_req *pending;
	uint32_t sectors_left; /* then every request fails */
};

static int mem_submit(struct mica_blk *b, struct mica_blk_req *r)
{
	struct memdev *d = (struct memdev *)b;
	if (r->op > MICA_BLK_FLUSH || (r->op != MICA_BLK_FLUSH && r->nsectors == 0))
		return MICA_EINVAL;
	if (r->op != MICA_BLK_FLUSH && (r->sector >= DEV_SECTORS || r->nsectors > DEV_SECTORS - r->sector))
		return MICA_ERANGE;
	d->pending = r; /* completed by wait(), never inside submit */
	if (r->nsectors > d->sectors_left) {
		d->sectors_left = 0;
		r->result = MICA_EIO;
		return MICA_OK;
	}
	d->sectors_left -= r->op == MICA_BLK_FLUSH ? 0 : r->nsectors;
	for (uint32_t i = 0; r->op != MICA_BLK_FLUSH && i < r->nsectors; i++) {
		uint8_t *disk = d->data + ((r->sector + i) * 512) % d->len;
		uint8_t *mem = (uint8_t *)r->buf + (size_t)i * 512;
		if (r->op == MICA_BLK_READ)
			memcpy(mem, disk, 512);
		else
			memcpy(disk, mem, 512);
	}
	r->result = MICA_OK;
	return MICA_OK;
}

static int mem_wait(void *ctx, const bool *done)
{
	struct memdev *d = ctx;
	struct mica_blk_req *r = d->pending;
	d->pending = NULL;
	if (r)
		r->done(r);
	return *done ? MICA_OK : MICA_EIO;
}

static int64_t fixed_now(void *ctx)
{
	(void)ctx;
	return 1700000000;
}

/* What lib/fat links against but never calls here (wait is set). */
int mica_blkif_read(struct mica_blkif *b, uint64_t s, void *buf, size_t n)
{
	(void)b, (void)s, (void)buf, (void)n;
	return MICA_EIO;
}
int mica_blkif_write(struct mica_blkif *b, uint64_t s, const void *buf, size_t n)
{
	(void)b, (void)s, (void)buf, (void)n;
	return MICA_EIO;
}
int mica_blkif_flush(struct mica_blkif *b)
{
	(void)b;
	return MICA_EIO;
}
uint64_t mica_plat_wall_ns(void)
{
	return 1700000000ull * 1000000000ull;
}

static uint8_t cache[16 * 512];
static uint8_t filebuf[4096];
static unsigned budget; /* directory entries and reads left for this input */

static void walk(struct mica_fat *fs, const char *path, int depth)
{
	struct mica_fat_dir d;
	struct mica_fat_dirent e;
	if (depth > 4 || mica_fat_opendir(fs, path, &d) < 0)
		return;
	while (budget && mica_fat_readdir(fs, &d, &e) == 1) {
		budget--;
		char child[MICA_FAT_UTF8_MAX + 64];
		snprintf(child, sizeof(child), "%s/%.*s", depth ? path : "", 200, e.name);
		if (e.st.is_dir) {
			walk(fs, child, depth + 1);
			continue;
		}
		struct mica_fat_file f;
		if (mica_fat_open(fs, child, 0, &f) < 0)
			continue;
		for (int i = 0; i < 64 && budget; i++, budget--)
			if (mica_fat_read(fs, &f, filebuf, sizeof(filebuf)) <= 0)
				break;
	}
}

static void change(struct mica_fat *fs)
{
	struct mica_fat_file f;
	memset(filebuf, 0x42, sizeof(filebuf));
	if (mica_fat_open(fs, "/new file with a long name.txt", MICA_FAT_CREATE, &f) == 0) {
		mica_fat_write(fs, &f, filebuf, sizeof(filebuf));
		mica_fat_truncate(fs, &f, 100);
	}
	mica_fat_mkdir(fs, "/newdir");
	mica_fat_rename(fs, "/new file with a long name.txt", "/newdir/moved.txt");
	struct mica_fat_dir d;
	struct mica_fat_dirent e;
	char first[MICA_FAT_UTF8_MAX + 2] = "";
	if (mica_fat_opendir(fs, "/", &d) == 0 && mica_fat_readdir(fs, &d, &e) == 1)
		snprintf(first, sizeof(first), "/%s", e.name);
	if (first[0] && mica_fat_open(fs, first, MICA_FAT_WRITE, &f) == 0) {
		mica_fat_seek(fs, &f, 3000);
		mica_fat_write(fs, &f, filebuf, 700);
		mica_fat_truncate(fs, &f, 10);
	}
	if (first[0] && mica_fat_unlink(fs, first) < 0)
		mica_fat_rmdir(fs, first);
	mica_fat_unlink(fs, "/newdir/moved.txt");
	mica_fat_rmdir(fs, "/newdir");
	uint32_t free;
	mica_fat_free_clusters(fs, &free);
	mica_fat_sync(fs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mica_fat fs;
	struct memdev dev = {0};
	if (size < 512)
		return 0;
	dev.len = size - size % 512;
	dev.data = malloc(dev.len);
	memcpy(dev.data, data, dev.len);
	dev.blk.submit = mem_submit;
	dev.blk.info = (struct mica_blkif_info){.sector_size = 512, .sectors = DEV_SECTORS};
	struct mica_fat_config cfg = {.blk = &dev.blk,
	                              .wait = mem_wait,
	                              .wait_ctx = &dev,
	                              .cache = cache,
	                              .cache_bytes = sizeof(cache),
	                              .now = fixed_now};
	budget = 2000;
	dev.sectors_left = DEV_SECTOR_BUDGET;
	if (mica_fat_mount(&fs, &cfg) == 0)
		walk(&fs, "/", 0);
	cfg.writable = true;
	budget = 2000;
	dev.sectors_left = DEV_SECTOR_BUDGET;
	if (mica_fat_mount(&fs, &cfg) == 0)
		change(&fs);
	free(dev.data);
	return 0;
}
