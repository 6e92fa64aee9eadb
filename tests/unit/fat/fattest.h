/* fattest.h - what the lib/fat unit tests share: scratch images made by
 * mkfs.fat and filled by mtools (on /dev/shm when there is one), the
 * image opened through the unix block layer with the fault injector on
 * top, a mount whose wait() turns the event loop, and the checks done
 * with the real tools: fsck.fat -n, mdir, mcopy. The tests exit 77
 * (skipped) when dosfstools or mtools are missing. */
#ifndef FATTEST_H
#define FATTEST_H

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <mica/app.h>
#include <mica/blk.h>
#include <mica/fat.h>
#include <mica/loop.h>
#include <mica/err.h>
#include "../../../platform/unix/unix.h"

/* The unix block layer checks names against the app's manifest; a test
 * opens its devices by path, so it declares none. */
const struct mica_manifest mica_manifest = {NULL, NULL};

struct fatt {
	struct mica_loop loop;
	char dir[64];  /* scratch directory */
	char img[96];  /* the image */
	char host[96]; /* files to copy in / out */
	struct mica_blkif *plat;
	struct mica_blk blk;
	struct mica_blk_fault fault;
	struct mica_fat fs;
	uint8_t cache[32 * 1024];
	bool open;
};

/* Run a shell command (printf-style); its exit status. */
static inline int sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	int rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : 255;
}

static inline void fatt_need_tools(void)
{
	char path[1024];
	const char *p = getenv("PATH");
	snprintf(path, sizeof(path), "%s:/usr/sbin:/sbin", p ? p : "/usr/bin:/bin");
	setenv("PATH", path, 1);
	setenv("MTOOLS_SKIP_CHECK", "1", 1);
	setenv("TZ", "UTC", 1);
	if (sh("for t in mkfs.fat fsck.fat mcopy mdir; do command -v $t >/dev/null || exit 1; done") != 0) {
		printf("SKIPPED: dosfstools or mtools not installed\n");
		exit(77);
	}
}

static inline void fatt_init(struct fatt *t)
{
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(t->dir, sizeof(t->dir), "%s/mica-fattest-XXXXXX", base);
	if (!mkdtemp(t->dir)) {
		printf("cannot make a scratch directory\n");
		exit(1);
	}
	snprintf(t->img, sizeof(t->img), "%s/vol.img", t->dir);
	snprintf(t->host, sizeof(t->host), "%s/host", t->dir);
	mkdir(t->host, 0755);
	mica_loop_init(&t->loop);
}

static inline void fatt_cleanup(struct fatt *t)
{
	if (getenv("FATTEST_KEEP"))
		printf("kept %s\n", t->dir);
	else
		sh("rm -rf '%s'", t->dir);
}

/* mkfs.fat -F bits on a fresh image of `mib` MiB, sectors per cluster spc. */
static inline int fatt_mkfs(struct fatt *t, int bits, int mib, int spc)
{
	unlink(t->img);
	return sh("mkfs.fat -F %d -s %d -n MICATEST -i 12345678 -C '%s' %d >/dev/null", bits, spc, t->img,
	          mib * 1024);
}

static inline int fatt_wait(void *ctx, const bool *done)
{
	struct fatt *t = ctx;
	for (unsigned i = 0; i < 200000 && !*done; i++) {
		if (t->fault.tripped && t->fault.mode == MICA_BLK_FAULT_STOP)
			return MICA_EIO; /* the device is dead: nothing completes */
		mica_loop_run_once(&t->loop, mica_loop_now(&t->loop) + 2 * MICA_NS_PER_MS);
	}
	return *done ? MICA_OK : MICA_ETIMEDOUT;
}

static inline int64_t fatt_now(void *ctx)
{
	(void)ctx;
	return 1700000000; /* 2023-11-14 22:13:20 UTC */
}

/* Open the image and mount it (writable or not; barriers on). */
static inline int fatt_mount(struct fatt *t, bool writable)
{
	int rc = mica_unix_blkif_open_path("vol", t->img, 512, &t->plat);
	if (rc < 0)
		return rc;
	if ((rc = mica_blk_from_blkif(&t->blk, t->plat)) < 0)
		return rc;
	mica_blk_fault_init(&t->fault, &t->blk, &t->loop);
	t->open = true;
	struct mica_fat_config cfg = {.blk = &t->fault.blk,
	                              .wait = fatt_wait,
	                              .wait_ctx = t,
	                              .cache = t->cache,
	                              .cache_bytes = sizeof(t->cache),
	                              .writable = writable,
	                              .barriers = true,
	                              .now = fatt_now};
	return mica_fat_mount(&t->fs, &cfg);
}

/* Let torn writes still in flight land, then close the device. */
static inline void fatt_unmount(struct fatt *t)
{
	if (!t->open)
		return;
	for (unsigned i = 0; i < 100000 && (t->fault.inflight || t->loop.tasks); i++)
		mica_loop_run_once(&t->loop, mica_loop_now(&t->loop) + 2 * MICA_NS_PER_MS);
	mica_unix_blkif_close(t->plat);
	t->open = false;
}

/* fsck.fat -n: 0 when the volume is clean; its output in t->dir/fsck.out. */
static inline int fatt_fsck(struct fatt *t)
{
	int rc = sh("fsck.fat -n '%s' > '%s/fsck.out' 2>&1", t->img, t->dir);
	if (rc != 0) {
		printf("  fsck.fat -n %s says (exit %d):\n", t->img, rc);
		sh("sed 's/^/    /' '%s/fsck.out'", t->dir);
	}
	return rc;
}

/* A file of `n` bytes of pattern `seed` on the host. */
static inline void fatt_pattern(uint8_t *buf, size_t n, unsigned seed)
{
	uint32_t x = seed * 2654435761u + 1;
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (uint8_t)x;
	}
}

static inline int fatt_write_host(const char *path, const uint8_t *buf, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	size_t w = fwrite(buf, 1, n, f);
	fclose(f);
	return w == n ? 0 : -1;
}

/* The whole of a host file (malloc'd; *n its size), NULL if missing. */
static inline uint8_t *fatt_read_host(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *buf = malloc(len > 0 ? (size_t)len : 1);
	*n = fread(buf, 1, (size_t)len, f);
	fclose(f);
	return buf;
}

/* A whole file read through lib/fat (malloc'd), NULL on error. */
static inline uint8_t *fatt_read_fat(struct fatt *t, const char *path, size_t *n, int *err)
{
	struct mica_fat_file f;
	int rc = mica_fat_open(&t->fs, path, 0, &f);
	*err = rc;
	if (rc < 0)
		return NULL;
	uint8_t *buf = malloc(f.st.size + 1);
	size_t got = 0;
	for (;;) {
		/* odd read sizes cross sector and cluster edges */
		long r = mica_fat_read(&t->fs, &f, buf + got, 777 + got % 3000);
		if (r < 0) {
			*err = (int)r;
			free(buf);
			return NULL;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	*n = got;
	return buf;
}

/* Copy a file out of the image with mcopy; its bytes, NULL if that fails. */
static inline uint8_t *fatt_mcopy_out(struct fatt *t, const char *path, size_t *n)
{
	char out[160];
	snprintf(out, sizeof(out), "%s/out.bin", t->dir);
	unlink(out);
	if (sh("mcopy -n -o -i '%s' '::%s' '%s' 2>/dev/null", t->img, path, out) != 0)
		return NULL;
	return fatt_read_host(out, n);
}

#endif
