/* fat_perf.c - lib/fat's throughput on a FAT32 image (a helper of
 * bench/fat.sh, not a test): write a file of MIB MiB in 64 KiB pieces,
 * sync, then read it back in 64 KiB pieces, through the unix block layer
 * (io_uring, one request in flight) and the event loop, and print MB/s
 * for each. Usage: fat_perf IMAGE MIB */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <mica/app.h>
#include <mica/blk.h>
#include <mica/fat.h>
#include <mica/loop.h>
#include "../platform/unix/unix.h"

const struct mica_manifest mica_manifest = {NULL, NULL};
static struct mica_loop loop;

static int wait_done(void *ctx, const bool *done)
{
	(void)ctx;
	for (unsigned i = 0; i < 1000000 && !*done; i++)
		mica_loop_run_once(&loop, mica_loop_now(&loop) + 2 * MICA_NS_PER_MS);
	return *done ? 0 : MICA_ETIMEDOUT;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: fat_perf IMAGE MIB [PIECE_KIB [BARRIERS]]\n");
		return 2;
	}
	size_t mib = strtoul(argv[2], NULL, 10), piece = (argc > 3 ? strtoul(argv[3], NULL, 10) : 64) * 1024;
	bool barriers = argc > 4 ? atoi(argv[4]) != 0 : true;
	static uint8_t cache[32 * 1024];
	uint8_t *buf = malloc(piece);
	struct mica_blkif *plat;
	struct mica_blk blk;
	struct mica_fat fs;
	struct mica_fat_file f;
	mica_loop_init(&loop);
	if (mica_unix_blkif_open_path("vol", argv[1], 512, &plat) < 0 || mica_blk_from_blkif(&blk, plat) < 0)
		return 1;
	struct mica_fat_config cfg = {.blk = &blk,
	                              .wait = wait_done,
	                              .cache = cache,
	                              .cache_bytes = sizeof(cache),
	                              .writable = true,
	                              .barriers = barriers};
	int rc = mica_fat_mount(&fs, &cfg);
	if (rc == 0)
		rc = mica_fat_open(&fs, "/perf.bin", MICA_FAT_CREATE | MICA_FAT_TRUNC, &f);
	if (rc < 0) {
		fprintf(stderr, "fat_perf: %s\n", mica_strerror(rc));
		return 1;
	}
	memset(buf, 0xa5, piece);
	double t0 = now();
	for (size_t done = 0; done < mib << 20; done += piece)
		if (mica_fat_write(&fs, &f, buf, piece) != (long)piece)
			return 1;
	mica_fat_sync(&fs);
	double t1 = now();
	mica_fat_seek(&fs, &f, 0);
	size_t got = 0;
	long r;
	while ((r = mica_fat_read(&fs, &f, buf, piece)) > 0)
		got += (size_t)r;
	double t2 = now();
	printf("lib/fat write %.1f MB/s  read %.1f MB/s  (%zu MiB in %zu KiB pieces, cluster %u B, "
	       "barriers %s: %llu writes, %llu flushes)\n",
	       (double)(mib << 20) / (t1 - t0) / 1e6, (double)got / (t2 - t1) / 1e6, mib, piece >> 10,
	       fs.cluster_bytes, barriers ? "on" : "off", (unsigned long long)fs.writes,
	       (unsigned long long)fs.flushes);
	return got == mib << 20 ? 0 : 1;
}
