/* blkbench.c - the block layer's microbenchmark (bench/storage.sh runs it
 * next to fio on the same file): --rw=read|write|randread|randwrite of
 * --bs KiB blocks, --depth requests in flight, --mib MiB in all (random
 * offsets inside the first --span MiB of the device, aligned to the block
 * size; a write run ends with a FLUSH, counted in its time, as fio's
 * end_fsync). Completions arrive in the event loop like any app's. Each
 * request slot has its own buffer, a run of pages under 2 MiB (on unix:
 * 4 KiB pages, as fio's malloc'd buffers; one 16 MiB run would be in
 * huge pages, whose cheaper pinning made 1 MiB transfers 1.5-4.5x fio's).
 * Prints one line: bytes, seconds, MB/s, IOPS. */
#include <mica/app.h>
#include <mica/err.h>
#include <mica/libc.h>
#include <mica/log.h>
#include <mica/loop.h>
#include <mica/platform.h>

#define MAX_DEPTH 64

static const struct mica_arg_spec args[] = {
    {"rw", MICA_ARG_STR, "read", "read, write, randread or randwrite", 0, 0},
    {"bs", MICA_ARG_INT, "4", "block size in KiB", 1, 1024},
    {"depth", MICA_ARG_INT, "16", "requests in flight at most", 1, MAX_DEPTH},
    {"mib", MICA_ARG_INT, "256", "MiB to transfer in all", 1, 1 << 20},
    {"span", MICA_ARG_INT, "0", "MiB of the device used (0: all of it)", 0, 1 << 20},
    {"seed", MICA_ARG_INT, "1", "random offsets seed", 0, 1 << 30},
    {"mem", MICA_ARG_STR, "pages",
     "buffers: pages (a run per request slot) or huge (one run of whole 2 MiB huge pages for all)", 0, 0},
};

#define HUGE_PAGE_BYTES ((size_t)2 << 20)

static struct {
	struct mica_loop *loop;
	struct mica_blkif *blk;
	struct mica_blkif_info info;
	bool write, random;
	uint32_t bs_sectors;
	uint64_t blocks;     /* in the span */
	uint64_t todo, next; /* requests in all, next to submit */
	uint64_t done, rng;
	uint64_t start_ns;
	unsigned depth, inflight;
	uint8_t *buf[MAX_DEPTH];
	struct mica_blk_req req[MAX_DEPTH];
	struct mica_blk_req flush;
} t;

static uint64_t next_block(void)
{
	if (!t.random)
		return t.next % t.blocks;
	t.rng ^= t.rng << 13; /* xorshift64 */
	t.rng ^= t.rng >> 7;
	t.rng ^= t.rng << 17;
	return t.rng % t.blocks;
}

static void report(void)
{
	uint64_t ns = mica_plat_monotonic_ns() - t.start_ns;
	uint64_t bytes = t.done * t.bs_sectors * t.info.sector_size;
	uint64_t mbps_x10 = ns ? bytes * 10000 / ns : 0; /* bytes/ns = GB/s; MB/s x10 */
	uint64_t iops = ns ? t.done * 1000000000ull / ns : 0;
	mica_printf(
	    "blkbench: %s bs=%uKiB depth=%u bytes=%llu seconds=%llu.%03llu MB/s=%llu.%llu IOPS=%llu\n",
	    mica_arg_str("rw"), (unsigned)(t.bs_sectors * t.info.sector_size / 1024), t.depth,
	    (unsigned long long)bytes, (unsigned long long)(ns / 1000000000ull),
	    (unsigned long long)(ns / 1000000 % 1000), (unsigned long long)(mbps_x10 / 10),
	    (unsigned long long)(mbps_x10 % 10), (unsigned long long)iops);
}

static void on_flushed(struct mica_blk_req *r)
{
	if (r->result < 0) {
		mica_printf("blkbench: flush: %s\n", mica_strerror(r->result));
		mica_loop_stop(t.loop, 1);
		return;
	}
	report();
	mica_loop_stop(t.loop, 0);
}

static void on_done(struct mica_blk_req *r);

static int submit(struct mica_blk_req *r)
{
	unsigned slot = (unsigned)(r - t.req);
	*r = (struct mica_blk_req){
	    .op = t.write ? MICA_BLK_WRITE : MICA_BLK_READ,
	    .nsectors = t.bs_sectors,
	    .sector = next_block() * t.bs_sectors,
	    .buf = t.buf[slot],
	    .done = on_done,
	};
	t.next++;
	t.inflight++;
	return mica_blkif_submit(t.blk, r);
}

static void on_done(struct mica_blk_req *r)
{
	t.inflight--;
	if (r->result < 0) {
		mica_printf("blkbench: %s at sector %llu: %s\n", t.write ? "write" : "read",
		            (unsigned long long)r->sector, mica_strerror(r->result));
		mica_loop_stop(t.loop, 1);
		return;
	}
	t.done++;
	if (t.next < t.todo) {
		int rc = submit(r);
		if (rc < 0) {
			mica_printf("blkbench: submit: %s\n", mica_strerror(rc));
			mica_loop_stop(t.loop, 1);
		}
		return;
	}
	if (t.inflight)
		return;
	if (!t.write) {
		report();
		mica_loop_stop(t.loop, 0);
		return;
	}
	t.flush = (struct mica_blk_req){.op = MICA_BLK_FLUSH, .done = on_flushed};
	if (mica_blkif_submit(t.blk, &t.flush) < 0)
		mica_loop_stop(t.loop, 1);
}

static int alloc_buffers(uint64_t bs)
{
	size_t pages = (bs + MICA_PAGE_SIZE - 1) / MICA_PAGE_SIZE;
	bool huge = strcmp(mica_arg_str("mem"), "huge") == 0;
	if (!huge && strcmp(mica_arg_str("mem"), "pages") != 0)
		return MICA_EINVAL;
	uint8_t *pool = NULL;
	if (huge) { /* rounded up to whole huge pages, which the platform aligns */
		size_t bytes = t.depth * pages * MICA_PAGE_SIZE;
		bytes = (bytes + HUGE_PAGE_BYTES - 1) / HUGE_PAGE_BYTES * HUGE_PAGE_BYTES;
		pool = mica_plat_alloc_pages(bytes / MICA_PAGE_SIZE);
		if (!pool)
			return MICA_ENOMEM;
	}
	for (unsigned d = 0; d < t.depth; d++) {
		t.buf[d] = huge ? pool + d * pages * MICA_PAGE_SIZE : mica_plat_alloc_pages(pages);
		if (!t.buf[d])
			return MICA_ENOMEM;
		/* one word per sector is enough to make the data not all zero (on
		 * hvt every guest instruction is emulated: no byte-by-byte fill) */
		for (size_t i = 0; t.write && i < pages * MICA_PAGE_SIZE; i += 512) {
			size_t v = d * pages * MICA_PAGE_SIZE + i;
			memcpy(t.buf[d] + i, &v, sizeof(v));
		}
	}
	return MICA_OK;
}

static int setup(void)
{
	const char *rw = mica_arg_str("rw");
	t.write = strcmp(rw, "write") == 0 || strcmp(rw, "randwrite") == 0;
	t.random = strncmp(rw, "rand", 4) == 0;
	if (!t.write && !t.random && strcmp(rw, "read") != 0)
		return MICA_EINVAL;
	uint64_t bs = (uint64_t)mica_arg_int("bs") * 1024;
	if (bs % t.info.sector_size)
		return MICA_EINVAL;
	t.bs_sectors = (uint32_t)(bs / t.info.sector_size);
	uint64_t span = (uint64_t)mica_arg_int("span") << 20;
	uint64_t dev = t.info.sectors * t.info.sector_size;
	if (!span || span > dev)
		span = dev;
	t.blocks = span / bs;
	t.todo = ((uint64_t)mica_arg_int("mib") << 20) / bs;
	t.depth = (unsigned)mica_arg_int("depth");
	t.rng = (uint64_t)mica_arg_int("seed") * 0x9e3779b97f4a7c15ull | 1;
	if (!t.blocks || !t.todo)
		return MICA_EINVAL;
	return alloc_buffers(bs);
}

static int start(struct mica_loop *loop)
{
	t.loop = loop;
	int rc = mica_blkif_open("disk", &t.blk);
	if (rc == 0)
		rc = mica_blkif_info(t.blk, &t.info);
	if (rc == 0)
		rc = setup();
	if (rc < 0) {
		mica_printf("blkbench: %s\n", mica_strerror(rc));
		return rc;
	}
	t.start_ns = mica_plat_monotonic_ns();
	for (unsigned i = 0; i < t.depth && t.next < t.todo; i++) {
		rc = submit(&t.req[i]);
		if (rc < 0) {
			mica_printf("blkbench: submit: %s\n", mica_strerror(rc));
			return rc;
		}
	}
	return MICA_OK;
}

const struct mica_app mica_app = {
    .name = "blkbench",
    .summary = "block layer microbenchmark (bench/storage.sh)",
    .args = args,
    .nargs = MICA_ARRAY_LEN(args),
    .start = start,
};
