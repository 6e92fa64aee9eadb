/* test_fat_read.c - lib/fat reads what mkfs.fat and mcopy made: FAT12,
 * FAT16 and FAT32 volumes holding empty, tiny, sector- and cluster-edge
 * and multi-cluster files, long and short names, nested directories and
 * a directory that spans several clusters. Every file is read back
 * byte-exact, its size and time (mcopy -m keeps the host's) checked, and
 * every directory listed with the names mtools wrote. */
#include "../check.h"
#include "fattest.h"
#include <time.h>
#include <utime.h>

static struct fatt T;

struct hfile {
	const char *path;
	size_t size;
};

static const struct hfile files[] = {
    {"/empty.txt", 0},
    {"/README.TXT", 1},
    {"/index.html", 511},
    {"/sector.bin", 512},
    {"/Long File Name With Spaces.dat", 5000},
    {"/dir1/sub dir/deep.bin", 70001},
    {"/dir1/UPPER.C", 2048},
    {"/a-name-that-is-quite-long-so-it-needs-several-long-name-slots-to-hold-it.text", 1234},
    {"/mixed.Case.Name.tar.gz", 4097},
};
#define NMANY 60 /* files in /many: several clusters of directory */

static const int64_t MTIME = 1600000000; /* 2020-09-13 12:26:40 UTC */

static void make_host_tree(void)
{
	uint8_t *buf = malloc(80000);
	sh("mkdir -p '%s/dir1/sub dir' '%s/many'", T.host, T.host);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char p[512];
		snprintf(p, sizeof(p), "%s%s", T.host, files[i].path);
		fatt_pattern(buf, files[i].size, (unsigned)i + 1);
		fatt_write_host(p, buf, files[i].size);
		struct utimbuf ut = {MTIME, MTIME};
		utime(p, &ut);
	}
	for (int i = 0; i < NMANY; i++) {
		char p[512];
		snprintf(p, sizeof(p), "%s/many/file number %02d.txt", T.host, i);
		fatt_pattern(buf, (size_t)i * 10, 1000u + (unsigned)i);
		fatt_write_host(p, buf, (size_t)i * 10);
	}
	free(buf);
}

static void check_volume(int bits)
{
	printf("  FAT%d\n", bits);
	CHECK_EQ(T.fs.type, bits);
	uint8_t *want = malloc(80000);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		size_t n = 0;
		int err;
		uint8_t *got = fatt_read_fat(&T, files[i].path, &n, &err);
		fatt_pattern(want, files[i].size, (unsigned)i + 1);
		if (!got) {
			printf("  %s: %s\n", files[i].path, mica_strerror(err));
			CHECK(got != NULL);
			continue;
		}
		CHECK_EQ(n, files[i].size);
		CHECK(memcmp(got, want, files[i].size) == 0);
		struct mica_fat_stat st;
		CHECK_EQ(mica_fat_stat(&T.fs, files[i].path, &st), 0);
		CHECK_EQ(st.mtime, MTIME);
		free(got);
	}
	for (int i = 0; i < NMANY; i++) {
		char p[128];
		size_t n;
		int err;
		snprintf(p, sizeof(p), "/MANY/File Number %02d.TXT", i); /* case folds */
		uint8_t *got = fatt_read_fat(&T, p, &n, &err);
		fatt_pattern(want, (size_t)i * 10, 1000u + (unsigned)i);
		CHECK(got && n == (size_t)i * 10 && memcmp(got, want, n) == 0);
		free(got);
	}
	/* listings */
	struct mica_fat_dir d;
	struct mica_fat_dirent e;
	int count = 0, dirs = 0;
	CHECK_EQ(mica_fat_opendir(&T.fs, "/", &d), 0);
	while (mica_fat_readdir(&T.fs, &d, &e) == 1) {
		count++;
		dirs += e.st.is_dir;
		if (strcmp(e.name, "Long File Name With Spaces.dat") == 0)
			CHECK_EQ(e.st.size, 5000);
	}
	CHECK_EQ(count, 9); /* 7 files at the root, dir1, many */
	CHECK_EQ(dirs, 2);
	count = 0;
	bool seen[NMANY] = {0};
	CHECK_EQ(mica_fat_opendir(&T.fs, "many", &d), 0);
	while (mica_fat_readdir(&T.fs, &d, &e) == 1) {
		int k = -1;
		char tail[8] = "";
		CHECK(sscanf(e.name, "file number %d%7s", &k, tail) == 2 && strcmp(tail, ".txt") == 0);
		if (k >= 0 && k < NMANY && !seen[k]) {
			seen[k] = true;
			count++;
		}
	}
	CHECK_EQ(count, NMANY);
	/* errors */
	struct mica_fat_stat st;
	CHECK_EQ(mica_fat_stat(&T.fs, "/nope", &st), MICA_ENOENT);
	CHECK_EQ(mica_fat_stat(&T.fs, "/index.html/x", &st), MICA_ENOENT);
	CHECK_EQ(mica_fat_stat(&T.fs, "/dir1/sub dir/../UPPER.C", &st), 0);
	CHECK_EQ(st.size, 2048);
	struct mica_fat_file f;
	CHECK_EQ(mica_fat_open(&T.fs, "/index.html", MICA_FAT_WRITE, &f), MICA_EPERM);
	CHECK_EQ(mica_fat_unlink(&T.fs, "/index.html"), MICA_EPERM);
	free(want);
}

static void one_volume(int bits, int mib, int spc)
{
	CHECK_EQ(fatt_mkfs(&T, bits, mib, spc), 0);
	CHECK_EQ(sh("cd '%s' && mcopy -s -m -i '%s' ./* ::/", T.host, T.img), 0);
	CHECK_EQ(fatt_mount(&T, false), 0);
	check_volume(bits);
	fatt_unmount(&T);
	CHECK_EQ(fatt_fsck(&T), 0);
}

TEST(fat12)
{
	one_volume(12, 4, 2);
}

TEST(fat16)
{
	one_volume(16, 20, 1);
}

TEST(fat32)
{
	one_volume(32, 40, 1);
}

TEST(fat32_big_clusters)
{
	one_volume(32, 300, 8);
}

TEST(not_fat)
{
	CHECK_EQ(sh("dd if=/dev/zero of='%s' bs=1M count=2 2>/dev/null", T.img), 0);
	CHECK_EQ(fatt_mount(&T, false), MICA_EBADMSG);
	fatt_unmount(&T);
}

/* A directory whose chain comes back on itself is damaged: listing it and
 * looking a name up in it end with MICA_EBADMSG once round the loop, not
 * after 65536 slots read again and again from the cache on every lookup.
 * The directory fills two clusters (".", ".." and 30 short names in 32
 * slots, so no end-of-directory entry stops the walk first), and the
 * second one's FAT entry is made to point to itself. */
TEST(looping_directory)
{
	CHECK_EQ(fatt_mkfs(&T, 32, 40, 1), 0);
	CHECK_EQ(sh("mmd -i '%s' ::/sub && cd '%s' && for i in $(seq 10 39); do "
	            "mcopy -i '%s' index.html ::/sub/F$i.TXT || exit 1; done",
	            T.img, T.host, T.img),
	         0);
	CHECK_EQ(fatt_mount(&T, false), 0);
	struct mica_fat_stat st;
	CHECK_EQ(mica_fat_stat(&T.fs, "/sub", &st), 0);
	uint64_t fat = T.fs.fat_start * T.fs.sector_size;
	fatt_unmount(&T);
	int fd = open(T.img, O_RDWR);
	CHECK(fd >= 0);
	uint8_t second[4];
	CHECK_EQ(pread(fd, second, 4, (off_t)(fat + (uint64_t)st.cluster * 4)), 4);
	uint32_t c2 = (uint32_t)second[0] | (uint32_t)second[1] << 8 | (uint32_t)second[2] << 16 |
	              (uint32_t)(second[3] & 0x0F) << 24;
	CHECK(c2 >= 2 && c2 < 0x0FFFFFF8u); /* the directory has a second cluster */
	CHECK_EQ(pwrite(fd, second, 4, (off_t)(fat + (uint64_t)c2 * 4)), 4);
	close(fd);

	CHECK_EQ(fatt_mount(&T, false), 0);
	struct mica_fat_dir d;
	struct mica_fat_dirent e;
	CHECK_EQ(mica_fat_opendir(&T.fs, "/sub", &d), 0);
	int rc, listed = 0;
	while ((rc = mica_fat_readdir(&T.fs, &d, &e)) == 1)
		listed++;
	CHECK_EQ(rc, MICA_EBADMSG);
	CHECK(listed >= 30 && listed <= 46); /* once each, a cluster's worth more at most */
	uint64_t before = T.fs.reads + T.fs.hits;
	CHECK_EQ(mica_fat_stat(&T.fs, "/sub/not there", &st), MICA_EBADMSG);
	CHECK(T.fs.reads + T.fs.hits - before < 256); /* not 4096 sectors round the loop */
	fatt_unmount(&T);
}

int main(void)
{
	fatt_need_tools();
	fatt_init(&T);
	make_host_tree();
	int rc = RUN_TESTS();
	fatt_cleanup(&T);
	return rc;
}
