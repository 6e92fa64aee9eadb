/* test_fat_crash.c - a crash between any two block writes of lib/fat
 * leaves a volume fsck.fat can at worst reclaim clusters on, never a
 * cross-linked, truncated-into or half-named file.
 *
 * A sequence of changes (create, write, append, mkdir, rename across
 * directories, unlink, a directory growing by clusters, truncate both
 * ways, rmdir) is run once on a clean FAT32 volume to count its writes
 * and flushes W, snapshotting the expected tree after every step with
 * mtools. Then for crash points N over 0..W the sequence runs again on a
 * fresh copy with the fault injector stopping the device dead after N
 * requests (odd rounds tear a multi-sector write at the crash point).
 * After each crash:
 *   - fsck.fat -n may only report what a crash is allowed to leave:
 *     lost clusters, a chain longer than its file's size, a stale free
 *     count, FAT copies differing (by such clusters);
 *   - after fsck.fat -a the volume is clean;
 *   - the tree mcopy sees equals the snapshot before the interrupted step
 *     or after it (for a rename to another directory: also without the
 *     renamed entry; within one directory a rename is one write).
 * FAT_CRASH_ALL=1 tries every crash point (bench/fat-crash.sh); make
 * test tries FAT_CRASH_POINTS (default 24) spread over the sequence. */
#include "../check.h"
#include "fattest.h"

static struct fatt T;
static char pristine[160];
static uint8_t buf[20000];

enum op_kind { OP_CREATE, OP_WRITE, OP_TRUNC, OP_MKDIR, OP_RMDIR, OP_UNLINK, OP_RENAME };
struct op {
	enum op_kind kind;
	const char *path, *to;
	uint32_t pos, len; /* WRITE: len bytes at pos; TRUNC: to len */
};

static const struct op seq[] = {
    {OP_CREATE, "/alpha.txt", NULL, 0, 0},
    {OP_WRITE, "/alpha.txt", NULL, 0, 3000},
    {OP_CREATE, "/beta with a long name.bin", NULL, 0, 0},
    {OP_WRITE, "/beta with a long name.bin", NULL, 0, 9000},
    {OP_MKDIR, "/d", NULL, 0, 0},
    {OP_CREATE, "/d/gamma.txt", NULL, 0, 0},
    {OP_WRITE, "/d/gamma.txt", NULL, 0, 700},
    {OP_WRITE, "/alpha.txt", NULL, 3000, 5000},
    {OP_TRUNC, "/beta with a long name.bin", NULL, 0, 1000},
    {OP_RENAME, "/alpha.txt", "/d/alpha moved.txt", 0, 0},
    {OP_UNLINK, "/d/gamma.txt", NULL, 0, 0},
    {OP_CREATE, "/d/file number 01.txt", NULL, 0, 0},
    {OP_CREATE, "/d/file number 02.txt", NULL, 0, 0},
    {OP_CREATE, "/d/file number 03.txt", NULL, 0, 0},
    {OP_CREATE, "/d/file number 04.txt", NULL, 0, 0},
    {OP_CREATE, "/d/file number 05.txt", NULL, 0, 0},
    {OP_CREATE, "/d/file number 06.txt", NULL, 0, 0},
    {OP_WRITE, "/d/file number 06.txt", NULL, 0, 1500},
    {OP_MKDIR, "/e", NULL, 0, 0},
    {OP_RMDIR, "/e", NULL, 0, 0},
    {OP_TRUNC, "/beta with a long name.bin", NULL, 0, 3000},
    {OP_UNLINK, "/old.bin", NULL, 0, 0},
    {OP_RENAME, "/d/file number 01.txt", "/d/one.txt", 0, 0},
};
#define NOPS (int)(sizeof(seq) / sizeof(seq[0]))

static int run_op(const struct op *o, int index)
{
	struct mica_fat_file f;
	int rc;
	switch (o->kind) {
	case OP_CREATE: return mica_fat_open(&T.fs, o->path, MICA_FAT_CREATE | MICA_FAT_EXCL, &f);
	case OP_WRITE:
		if ((rc = mica_fat_open(&T.fs, o->path, MICA_FAT_WRITE, &f)) < 0 ||
		    (rc = mica_fat_seek(&T.fs, &f, o->pos)) < 0)
			return rc;
		fatt_pattern(buf, o->len, (unsigned)index);
		rc = (int)mica_fat_write(&T.fs, &f, buf, o->len);
		return rc < 0 ? rc : 0;
	case OP_TRUNC:
		if ((rc = mica_fat_open(&T.fs, o->path, MICA_FAT_WRITE, &f)) < 0)
			return rc;
		return mica_fat_truncate(&T.fs, &f, o->len);
	case OP_MKDIR: return mica_fat_mkdir(&T.fs, o->path);
	case OP_RMDIR: return mica_fat_rmdir(&T.fs, o->path);
	case OP_UNLINK: return mica_fat_unlink(&T.fs, o->path);
	case OP_RENAME: return mica_fat_rename(&T.fs, o->path, o->to);
	}
	return MICA_EINVAL;
}

/* Does a rename move its entry to another directory? (Within one, the
 * entry set is rewritten in one sector: no state in between.) */
static bool moves(const struct op *o)
{
	const char *a = strrchr(o->path, '/'), *b = strrchr(o->to, '/');
	return a - o->path != b - o->to || strncmp(o->path, o->to, (size_t)(a - o->path)) != 0;
}

/* The tree mcopy sees, into dir. */
static int copy_tree(const char *dir)
{
	sh("rm -rf '%s' && mkdir -p '%s'", dir, dir);
	return sh("mcopy -s -n -i '%s' '::/*' '%s/' 2>/dev/null; true", T.img, dir);
}

/* The crash-free run: snapshots snap/K after step K (snap/0: before). */
static uint64_t reference_run(void)
{
	char d[200];
	snprintf(d, sizeof(d), "%s/snap/0", T.dir);
	copy_tree(d);
	CHECK_EQ(fatt_mount(&T, true), 0);
	for (int i = 0; i < NOPS; i++) {
		CHECK_EQ(run_op(&seq[i], i), 0);
		snprintf(d, sizeof(d), "%s/snap/%d", T.dir, i + 1);
		copy_tree(d);
		if (seq[i].kind == OP_RENAME && moves(&seq[i])) { /* between the two halves */
			snprintf(d, sizeof(d), "%s/snap/%d-mid", T.dir, i + 1);
			sh("cp -r '%s/snap/%d' '%s' && rm -rf '%s%s'", T.dir, i, d, d, seq[i].path);
		}
	}
	CHECK_EQ(mica_fat_sync(&T.fs), 0);
	uint64_t writes = T.fault.writes;
	fatt_unmount(&T);
	CHECK_EQ(fatt_fsck(&T), 0);
	return writes;
}

/* fsck.fat's complaints other than those a crash may leave. */
static int unexpected_fsck_lines(void)
{
	return sh("fsck.fat -n '%s' 2>&1 | grep -q -v -E "
	          "'^fsck.fat [0-9]|^Leaving filesystem unchanged|^ *Auto-correcting|^%s: [0-9]+ files|"
	          "^Free cluster summary wrong|^Reclaimed [0-9]+ unused clusters? |"
	          "^FATs differ but appear to be intact|^ *Using first FAT|^/|"
	          "^ *File size is [0-9]+ bytes, cluster chain length is >? ?[0-9]+ bytes|"
	          "^ *Truncating file to [0-9]+ bytes|^$' ",
	          T.img, T.img);
}

static bool tree_is(const char *out, const char *snap)
{
	return sh("diff -r '%s' '%s' >/dev/null 2>&1", out, snap) == 0;
}

static void crash_round(uint64_t n, bool torn)
{
	sh("cp --sparse=always '%s' '%s'", pristine, T.img);
	if (fatt_mount(&T, true) != 0) {
		CHECK(false);
		return;
	}
	mica_blk_fault_arm(&T.fault, MICA_BLK_FAULT_STOP, n, torn ? 1 : 0);
	int step = 0;
	while (step < NOPS && run_op(&seq[step], step) == 0)
		step++;
	if (step == NOPS)
		mica_fat_sync(&T.fs);
	fatt_unmount(&T);
	if (step == NOPS)
		step--; /* crashed in the final sync: compare with the end state */
	/* fsck: only what a crash may leave, then clean after a repair */
	if (unexpected_fsck_lines() == 0) {
		printf("  crash after %llu requests (in step %d):\n", (unsigned long long)n, step);
		sh("fsck.fat -n '%s' | sed 's/^/    /'", T.img);
		CHECK(false);
	}
	char out[200], before[200], after[200], mid[200];
	snprintf(out, sizeof(out), "%s/out", T.dir);
	snprintf(before, sizeof(before), "%s/snap/%d", T.dir, step);
	snprintf(after, sizeof(after), "%s/snap/%d", T.dir, step + 1);
	snprintf(mid, sizeof(mid), "%s/snap/%d-mid", T.dir, step + 1);
	copy_tree(out);
	bool ok =
	    tree_is(out, before) || tree_is(out, after) || (seq[step].kind == OP_RENAME && tree_is(out, mid));
	if (!ok) {
		printf("  crash after %llu requests (in step %d): tree is neither before nor after:\n",
		       (unsigned long long)n, step);
		sh("diff -r '%s' '%s' | head -5; diff -r '%s' '%s' | head -5", out, before, out, after);
	}
	CHECK(ok);
	sh("fsck.fat -a '%s' >/dev/null 2>&1", T.img);
	CHECK_EQ(fatt_fsck(&T), 0);
}

TEST(crash_points)
{
	uint64_t w = reference_run();
	printf("  the sequence makes %llu writes and flushes\n", (unsigned long long)w);
	const char *all = getenv("FAT_CRASH_ALL");
	const char *np = getenv("FAT_CRASH_POINTS");
	uint64_t points = np ? strtoull(np, NULL, 10) : 24;
	uint64_t stride = (all && *all == '1') || points == 0 || points >= w ? 1 : w / points;
	uint64_t rounds = 0;
	for (uint64_t n = 0; n <= w; n += stride, rounds++)
		crash_round(n, rounds % 2 == 1);
	printf("  %llu crash points\n", (unsigned long long)rounds);
}

int main(void)
{
	fatt_need_tools();
	fatt_init(&T);
	snprintf(pristine, sizeof(pristine), "%s/pristine.img", T.dir);
	uint8_t data[4000];
	char old[200];
	fatt_pattern(data, sizeof(data), 99);
	snprintf(old, sizeof(old), "%s/old.bin", T.host);
	fatt_write_host(old, data, sizeof(data));
	if (fatt_mkfs(&T, 32, 40, 1) != 0 || sh("mcopy -i '%s' '%s' ::/", T.img, old) != 0) {
		printf("cannot make the volume\n");
		return 1;
	}
	sh("cp --sparse=always '%s' '%s'", T.img, pristine);
	int rc = RUN_TESTS();
	fatt_cleanup(&T);
	return rc;
}
