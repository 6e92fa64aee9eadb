/* blk.c - a test guest for block devices (tests/integration/hvt/block.sh).
 *
 * --do=write  fill sectors [--sector, --sector + 2) with a pattern that
 *             depends on each sector number and --seed, flush
 * --do=read   read them back and check the pattern; exit 1 on a mismatch
 * --do=range  read one sector past the end: expect MICA_ERANGE
 * Prints one line saying what happened. */
#include <mica/app.h>
#include <mica/err.h>
#include <mica/libc.h>
#include <mica/log.h>
#include <mica/platform.h>

#define NSECT 2

static const struct mica_arg_spec args[] = {
    {"do", MICA_ARG_STR, "read", "write, read or range", 0, 0},
    {"sector", MICA_ARG_INT, "0", "first sector", 0, 1 << 30},
    {"seed", MICA_ARG_INT, "1", "pattern seed", 0, 255},
};

static uint8_t buf[NSECT * 512];

static uint8_t pattern(uint64_t sector, size_t i, unsigned seed)
{
	return (uint8_t)(sector * 31 + i * 7 + seed);
}

static int start(struct mica_loop *loop)
{
	(void)loop;
	struct mica_blkif *blk;
	struct mica_blkif_info info;
	const char *what = mica_arg_str("do");
	uint64_t first = (uint64_t)mica_arg_int("sector");
	unsigned seed = (unsigned)mica_arg_int("seed");
	int rc = mica_blkif_open("disk", &blk);
	if (rc == 0)
		rc = mica_blkif_info(blk, &info);
	if (rc != 0) {
		mica_printf("blk: open: %s\n", mica_strerror(rc));
		return rc;
	}
	mica_printf("blk: %llu sectors of %u bytes\n", (unsigned long long)info.sectors, info.sector_size);
	if (strcmp(what, "range") == 0) {
		rc = mica_blkif_read(blk, info.sectors, buf, 1);
		mica_printf("blk: read past the end: %s\n", mica_strerror(rc));
		mica_plat_exit(rc == MICA_ERANGE ? 0 : 1);
	}
	bool write = strcmp(what, "write") == 0;
	for (size_t i = 0; write && i < sizeof(buf); i++)
		buf[i] = pattern(first + i / 512, i % 512, seed);
	rc = write ? mica_blkif_write(blk, first, buf, NSECT) : mica_blkif_read(blk, first, buf, NSECT);
	if (rc == 0 && write)
		rc = mica_blkif_flush(blk);
	if (rc != 0) {
		mica_printf("blk: %s: %s\n", what, mica_strerror(rc));
		mica_plat_exit(1);
	}
	for (size_t i = 0; !write && i < sizeof(buf); i++) {
		if (buf[i] != pattern(first + i / 512, i % 512, seed)) {
			mica_printf("blk: mismatch at byte %zu\n", i);
			mica_plat_exit(1);
		}
	}
	mica_printf("blk: %s of %d sectors at %llu ok\n", what, NSECT, (unsigned long long)first);
	mica_plat_exit(0);
}

const struct mica_app mica_app = {
    .name = "blk",
    .summary = "block device checks (hvt tests)",
    .args = args,
    .nargs = MICA_ARRAY_LEN(args),
    .start = start,
};
