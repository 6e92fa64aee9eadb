/* test_fat_write.c - lib/fat writes a FAT32 volume and the real tools
 * agree: after every step the volume is synced and fsck.fat -n must call
 * it clean (FSInfo's free count included), and the whole tree copied out
 * with mcopy must equal a model kept with plain POSIX calls on the host
 * (diff -r), and mdir must list the same names: files of every size around sector and cluster edges written
 * in odd pieces, long and short names, overwrite, append, a write past
 * the end (the gap reads as zeros), truncate both ways, unlink, mkdir,
 * rmdir, rename within and across directories, a directory that grows
 * by clusters, and a full volume (MICA_ENOSPC, nothing broken). */
#include "../check.h"
#include "fattest.h"

static struct fatt T;
int fat_count_free(struct mica_fat *fs, uint32_t *n); /* lib/fat/table.c */
static char model[160], outdir[160];
static uint8_t buf[300000];

static void mpath(char *out, size_t n, const char *path)
{
	snprintf(out, n, "%s%s", model, path);
}

/* Write `len` bytes of pattern seed at `pos` of `path` (created if new),
 * in the image and in the model. */
static void put_at(const char *path, uint64_t pos, size_t len, unsigned seed, bool trunc)
{
	struct mica_fat_file f;
	unsigned flags = MICA_FAT_CREATE | (trunc ? MICA_FAT_TRUNC : 0);
	int rc = mica_fat_open(&T.fs, path, flags, &f);
	CHECK_EQ(rc, 0);
	if (rc < 0)
		return;
	fatt_pattern(buf, len, seed);
	CHECK_EQ(mica_fat_seek(&T.fs, &f, pos), 0);
	for (size_t done = 0; done < len;) {
		size_t piece = 1 + (done * 7 + 333) % 5000;
		if (piece > len - done)
			piece = len - done;
		CHECK_EQ(mica_fat_write(&T.fs, &f, buf + done, piece), (long)piece);
		done += piece;
	}
	char mp[512];
	mpath(mp, sizeof(mp), path);
	FILE *h = fopen(mp, trunc ? "wb" : "r+b");
	if (!h)
		h = fopen(mp, "wb");
	fseek(h, (long)pos, SEEK_SET);
	fwrite(buf, 1, len, h);
	fclose(h);
}

static void truncate_to(const char *path, uint64_t size)
{
	struct mica_fat_file f;
	CHECK_EQ(mica_fat_open(&T.fs, path, MICA_FAT_WRITE, &f), 0);
	CHECK_EQ(mica_fat_truncate(&T.fs, &f, size), 0);
	char mp[512];
	mpath(mp, sizeof(mp), path);
	CHECK_EQ(truncate(mp, (off_t)size), 0);
}

/* Sync, then fsck.fat -n and the tree compared with the model. */
static void check_agree(const char *step)
{
	printf("  %s\n", step);
	CHECK_EQ(mica_fat_sync(&T.fs), 0);
	CHECK_EQ(fatt_fsck(&T), 0);
	sh("rm -rf '%s' && mkdir -p '%s'", outdir, outdir);
	CHECK_EQ(sh("mcopy -s -n -m -i '%s' '::/*' '%s/' 2>/dev/null || test -z \"$(ls -A '%s')\"", T.img,
	            outdir, model),
	         0);
	CHECK_EQ(sh("diff -r '%s' '%s'", model, outdir), 0);
	/* mdir lists the same names (directories with their slash) */
	sh("cd '%s' && find . -mindepth 1 \\( -type d -printf '::/%%P/\\n' \\) -o -printf '::/%%P\\n' | "
	   "LC_ALL=C sort > '%s.names'",
	   model, outdir);
	sh("LC_ALL=C.UTF-8 mdir -/ -b -i '%s' ::/ | LC_ALL=C sort > '%s.mdir'", T.img, outdir);
	CHECK_EQ(sh("diff '%s.names' '%s.mdir'", outdir, outdir), 0);
	/* lib/fat's free count agrees with a count of the FAT */
	uint32_t free_known, free_counted;
	CHECK_EQ(mica_fat_free_clusters(&T.fs, &free_known), 0);
	CHECK_EQ(fat_count_free(&T.fs, &free_counted), 0);
	CHECK_EQ(free_known, free_counted);
}

TEST(files)
{
	static const size_t sizes[] = {0, 1, 511, 512, 513, 1023, 4096, 4097, 100000, 250001};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char p[128];
		snprintf(p, sizeof(p), "/file of %zu bytes.bin", sizes[i]);
		put_at(p, 0, sizes[i], (unsigned)i, true);
	}
	put_at("/SHORT.TXT", 0, 10, 50, true);
	put_at("/lower.txt", 0, 20, 51, true);
	put_at("/a name with many dots.tar.gz.part", 0, 30, 52, true);
	put_at("/nearly-the-longest-name-one-sector-of-slots-can-hold-"
	       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	       "aaaaaa"
	       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaa.dat",
	       0, 40, 53, true);
	check_agree("new files");

	put_at("/file of 100000 bytes.bin", 5000, 20000, 60, false); /* overwrite inside */
	put_at("/file of 511 bytes.bin", 511, 3000, 61, false);      /* append */
	put_at("/file of 1 bytes.bin", 9000, 100, 62, false);        /* past the end: a gap of zeros */
	put_at("/file of 0 bytes.bin", 0, 1, 63, false);             /* the first cluster */
	put_at("/lower.txt", 0, 5, 64, true);                        /* O_TRUNC */
	check_agree("overwrite, append, gap");

	truncate_to("/file of 250001 bytes.bin", 1000);
	truncate_to("/file of 4097 bytes.bin", 0);
	truncate_to("/file of 513 bytes.bin", 20000);
	truncate_to("/file of 4096 bytes.bin", 4096);
	check_agree("truncate");

	struct mica_fat_file f;
	CHECK_EQ(mica_fat_open(&T.fs, "/SHORT.TXT", MICA_FAT_CREATE | MICA_FAT_EXCL, &f), MICA_EEXIST);
	CHECK_EQ(mica_fat_open(&T.fs, "/bad:name", MICA_FAT_CREATE, &f), MICA_EINVAL);
	CHECK_EQ(mica_fat_open(&T.fs, "/trailing.", MICA_FAT_CREATE, &f), MICA_EINVAL);
	CHECK_EQ(mica_fat_open(&T.fs, "/no/such/dir", MICA_FAT_CREATE, &f), MICA_ENOENT);
	CHECK_EQ(mica_fat_unlink(&T.fs, "/file of 1023 bytes.bin"), 0);
	CHECK_EQ(mica_fat_unlink(&T.fs, "/file of 1023 bytes.bin"), MICA_ENOENT);
	char mp[512];
	mpath(mp, sizeof(mp), "/file of 1023 bytes.bin");
	unlink(mp);
	check_agree("unlink, refusals");
}

TEST(directories)
{
	CHECK_EQ(mica_fat_mkdir(&T.fs, "/sub"), 0);
	CHECK_EQ(mica_fat_mkdir(&T.fs, "/sub/deeper dir"), 0);
	CHECK_EQ(mica_fat_mkdir(&T.fs, "/sub"), MICA_EEXIST);
	CHECK_EQ(mica_fat_mkdir(&T.fs, "/empty"), 0);
	sh("mkdir -p '%s/sub/deeper dir' '%s/empty'", model, model);
	for (int i = 0; i < 45; i++) { /* 45 entry sets of 3 slots: several clusters */
		char p[128];
		snprintf(p, sizeof(p), "/sub/entry number %02d.txt", i);
		put_at(p, 0, (size_t)i * 3, 100u + (unsigned)i, true);
	}
	put_at("/sub/deeper dir/leaf.bin", 0, 3000, 200, true);
	check_agree("mkdir, a directory of several clusters");

	CHECK_EQ(mica_fat_rmdir(&T.fs, "/sub"), MICA_EEXIST);
	CHECK_EQ(mica_fat_rmdir(&T.fs, "/empty"), 0);
	sh("rmdir '%s/empty'", model);
	for (int i = 0; i < 45; i += 2) {
		char p[128];
		snprintf(p, sizeof(p), "/sub/entry number %02d.txt", i);
		CHECK_EQ(mica_fat_unlink(&T.fs, p), 0);
		sh("rm '%s%s'", model, p);
	}
	put_at("/sub/a new name in the holes.txt", 0, 77, 201, true);
	check_agree("rmdir, holes reused");

	CHECK_EQ(mica_fat_rename(&T.fs, "/sub/entry number 01.txt", "/sub/renamed in place.txt"), 0);
	sh("mv '%s/sub/entry number 01.txt' '%s/sub/renamed in place.txt'", model, model);
	CHECK_EQ(mica_fat_rename(&T.fs, "/SHORT.TXT", "/sub/deeper dir/moved.txt"), 0);
	sh("mv '%s/SHORT.TXT' '%s/sub/deeper dir/moved.txt'", model, model);
	CHECK_EQ(mica_fat_rename(&T.fs, "/sub/deeper dir", "/top dir"), 0);
	sh("mv '%s/sub/deeper dir' '%s/top dir'", model, model);
	CHECK_EQ(mica_fat_rename(&T.fs, "/sub", "/sub/x"), MICA_EINVAL);
	CHECK_EQ(mica_fat_rename(&T.fs, "/lower.txt", "/top dir/leaf.bin"), MICA_EEXIST);
	CHECK_EQ(mica_fat_rename(&T.fs, "/lower.txt", "/LOWER.TXT"), 0); /* case only */
	sh("mv '%s/lower.txt' '%s/LOWER.TXT'", model, model);
	struct mica_fat_stat st;
	CHECK_EQ(mica_fat_stat(&T.fs, "/top dir/../top dir/moved.txt", &st), 0);
	check_agree("rename");
}

TEST(utf8_names)
{
	static const char name[] = "/caf\xc3\xa9 \xe2\x98\x95 \xd0\xb4\xd0\xb0.txt";
	put_at(name, 0, 10, 300, true);
	struct mica_fat_dir d;
	struct mica_fat_dirent e;
	bool found = false;
	CHECK_EQ(mica_fat_opendir(&T.fs, "/", &d), 0);
	while (mica_fat_readdir(&T.fs, &d, &e) == 1)
		found |= strcmp(e.name, name + 1) == 0;
	CHECK(found);
	struct mica_fat_file f;
	CHECK_EQ(mica_fat_open(&T.fs, "/bad\xff.txt", MICA_FAT_CREATE, &f), MICA_EINVAL);
	CHECK_EQ(mica_fat_unlink(&T.fs, name), 0);
	char mp[512];
	mpath(mp, sizeof(mp), name);
	unlink(mp);
	check_agree("UTF-8 names");
}

TEST(full_volume)
{
	struct mica_fat_file f;
	uint32_t free_before;
	CHECK_EQ(mica_fat_free_clusters(&T.fs, &free_before), 0);
	CHECK_EQ(mica_fat_open(&T.fs, "/filler", MICA_FAT_CREATE, &f), 0);
	long rc = 0;
	uint64_t total = 0;
	memset(buf, 0x5a, sizeof(buf));
	while ((rc = mica_fat_write(&T.fs, &f, buf, sizeof(buf))) > 0)
		total += (uint64_t)rc;
	CHECK_EQ(rc, MICA_ENOSPC);
	struct mica_fat_stat st;
	CHECK_EQ(mica_fat_stat(&T.fs, "/filler", &st), 0);
	CHECK_EQ(st.size, total);
	/* what is left is less than one more piece */
	uint32_t free_after;
	CHECK_EQ(mica_fat_free_clusters(&T.fs, &free_after), 0);
	CHECK((uint64_t)free_after * T.fs.cluster_bytes < sizeof(buf));
	CHECK_EQ(mica_fat_unlink(&T.fs, "/filler"), 0);
	CHECK_EQ(mica_fat_free_clusters(&T.fs, &free_after), 0);
	CHECK_EQ(free_after, free_before);
	check_agree("full volume");
}

int main(void)
{
	fatt_need_tools();
	fatt_init(&T);
	snprintf(model, sizeof(model), "%s/model", T.dir);
	snprintf(outdir, sizeof(outdir), "%s/out", T.dir);
	sh("mkdir -p '%s'", model);
	if (fatt_mkfs(&T, 32, 40, 1) != 0 || fatt_mount(&T, true) != 0) {
		printf("cannot make or mount the volume\n");
		return 1;
	}
	int rc = RUN_TESTS();
	fatt_unmount(&T);
	fatt_cleanup(&T);
	return rc;
}
