/* blkrt.c - a test guest for virtio-blk (tests/integration/virtio/block.sh).
 *
 * --do=write  write --kib KiB from --sector on, each 512-byte sector
 *             tagged in its first and last 8 bytes (from its number and
 *             --seed; zero between), in one call (several requests in
 *             flight: the driver cuts it into 1 MiB requests), then flush
 * --do=read   read them back into fresh memory and check every tag
 * --do=ro     a write must be refused (MICA_EPERM) on a read-only device
 * --do=range  a read past the end must be refused (MICA_ERANGE)
 * Prints one line per step; exit 1 on any failure. */
#include <mica/app.h>
#include <mica/err.h>
#include <mica/libc.h>
#include <mica/log.h>
#include <mica/platform.h>

static const struct mica_arg_spec args[] = {
    {"do", MICA_ARG_STR, "read", "write, read, ro or range", 0, 0},
    {"sector", MICA_ARG_INT, "0", "first sector", 0, 1 << 30},
    {"kib", MICA_ARG_INT, "4", "KiB to transfer (a multiple of 4)", 4, 8192},
    {"seed", MICA_ARG_INT, "1", "tag seed", 0, 1 << 30},
};

static uint64_t seed;

static uint64_t tag(uint64_t sector)
{
	return (sector + 1) * 0x9e3779b97f4a7c15ull ^ seed;
}

static int fail(const char *what, int rc)
{
	mica_printf("blkrt: %s: %s\n", what, mica_strerror(rc));
	return 1;
}

static int run(void)
{
	struct mica_blkif *blk;
	struct mica_blkif_info info;
	int rc = mica_blkif_open("disk", &blk);
	if (rc == MICA_OK)
		rc = mica_blkif_info(blk, &info);
	if (rc != MICA_OK)
		return fail("open", rc);
	mica_printf("blkrt: %llu sectors of %u bytes%s\n", (unsigned long long)info.sectors, info.sector_size,
	            info.read_only ? ", read-only" : "");
	const char *what = mica_arg_str("do");
	seed = (uint64_t)mica_arg_int("seed");
	uint64_t first = (uint64_t)mica_arg_int("sector");
	size_t kib = (size_t)mica_arg_int("kib"), n = kib * 2;
	uint64_t *buf = mica_plat_alloc_pages(kib / 4);
	if (!buf)
		return fail("memory", MICA_ENOMEM);
	if (strcmp(what, "range") == 0) {
		rc = mica_blkif_read(blk, info.sectors, buf, 1);
		mica_printf("blkrt: read past the end: %s\n", mica_strerror(rc));
		return rc == MICA_ERANGE ? 0 : 1;
	}
	if (strcmp(what, "write") == 0 || strcmp(what, "ro") == 0) {
		for (size_t s = 0; s < n; s++) {
			buf[s * 64] = tag(first + s);
			buf[s * 64 + 63] = ~tag(first + s);
		}
		rc = mica_blkif_write(blk, first, buf, n);
		if (strcmp(what, "ro") == 0) {
			mica_printf("blkrt: write to a read-only device: %s\n", mica_strerror(rc));
			return rc == MICA_EPERM ? 0 : 1;
		}
		if (rc != MICA_OK)
			return fail("write", rc);
		rc = mica_blkif_flush(blk);
		if (rc != MICA_OK)
			return fail("flush", rc);
		mica_printf("blkrt: wrote %zu KiB at sector %llu, flushed\n", kib, (unsigned long long)first);
		return 0;
	}
	rc = mica_blkif_read(blk, first, buf, n);
	if (rc != MICA_OK)
		return fail("read", rc);
	for (size_t s = 0; s < n; s++) {
		if (buf[s * 64] != tag(first + s) || buf[s * 64 + 63] != ~tag(first + s)) {
			mica_printf("blkrt: mismatch in sector %llu\n", (unsigned long long)(first + s));
			return 1;
		}
	}
	mica_printf("blkrt: read %zu KiB at sector %llu: every tag matches\n", kib,
	            (unsigned long long)first);
	return 0;
}

static int start(struct mica_loop *loop)
{
	mica_loop_stop(loop, run());
	return MICA_OK;
}

const struct mica_app mica_app = {
    .name = "blkrt",
    .summary = "virtio-blk round trip test guest",
    .args = args,
    .nargs = MICA_ARRAY_LEN(args),
    .start = start,
};
