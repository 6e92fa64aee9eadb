/* blkasync.c - a test app for the asynchronous block layer (platform.h),
 * built for every target by the tests in tests/integration/blk.
 *
 * --do=write  write --kib KiB from --sector on with up to --depth requests
 *             in flight, in pieces of varying size (one sector up to 1.5
 *             MiB, so the platform must split some), each sector tagged
 *             from its number and --seed; the last piece with FUA; then a
 *             FLUSH. Completions arrive in the event loop.
 * --do=read   read the range back in pieces of other sizes, check every tag
 * --do=errors requests the platform must refuse at once (past the end,
 *             zero sectors, bad op) and, on a read-only device, a write
 * Prints one line per step and the largest number of requests that were
 * in flight together; exit 1 on any failure. */
#include <mica/app.h>
#include <mica/err.h>
#include <mica/libc.h>
#include <mica/log.h>
#include <mica/loop.h>
#include <mica/platform.h>

#define MAX_DEPTH 32

static const struct mica_arg_spec args[] = {
    {"do", MICA_ARG_STR, "read", "write, read or errors", 0, 0},
    {"sector", MICA_ARG_INT, "0", "first sector", 0, 1 << 30},
    {"kib", MICA_ARG_INT, "1024", "KiB to transfer", 1, 65536},
    {"seed", MICA_ARG_INT, "1", "tag seed", 0, 1 << 30},
    {"depth", MICA_ARG_INT, "8", "requests in flight at most", 1, MAX_DEPTH},
};

static struct {
	struct mica_loop *loop;
	struct mica_blkif *blk;
	struct mica_blkif_info info;
	bool write;
	uint64_t first, total, next; /* sectors: range, next to submit */
	uint64_t seed;
	unsigned depth, inflight, max_inflight, reqs, piece;
	uint8_t *buf; /* the whole range */
	struct mica_blk_req req[MAX_DEPTH];
	struct mica_blk_req flush;
	bool failed, flushing;
} t;

static uint64_t tag(uint64_t sector)
{
	return (sector + 1) * 0x9e3779b97f4a7c15ull ^ t.seed;
}

static void put_tags(uint8_t *s, uint64_t sector)
{
	uint64_t v = tag(sector), w = ~v;
	memcpy(s, &v, 8);
	memcpy(s + t.info.sector_size - 8, &w, 8);
}

static bool tags_ok(const uint8_t *s, uint64_t sector)
{
	uint64_t v = tag(sector), w = ~v, a, b;
	memcpy(&a, s, 8);
	memcpy(&b, s + t.info.sector_size - 8, 8);
	return a == v && b == w;
}

/* Piece sizes cycle through these (sectors of 512 bytes; scaled). */
static uint32_t piece_sectors(void)
{
	static const uint32_t bytes[] = {512, 4096, 65536, 3 << 19, 8192, 1 << 20, 1536};
	uint32_t b = bytes[t.piece++ % MICA_ARRAY_LEN(bytes)] + (t.write ? 0 : 4096);
	uint32_t n = b / t.info.sector_size;
	return n ? n : 1;
}

static void finish(int code)
{
	mica_loop_stop(t.loop, code);
}

static void on_done(struct mica_blk_req *r);

static void submit_more(void)
{
	while (!t.failed && t.inflight < t.depth && t.next < t.first + t.total) {
		struct mica_blk_req *r = NULL;
		for (unsigned i = 0; i < t.depth && !r; i++)
			if (!t.req[i].done)
				r = &t.req[i];
		uint64_t n = piece_sectors(), left = t.first + t.total - t.next;
		if (n > left)
			n = left;
		*r = (struct mica_blk_req){
		    .op = t.write ? MICA_BLK_WRITE : MICA_BLK_READ,
		    .flags = t.write && t.next + n == t.first + t.total ? MICA_BLK_FUA : 0,
		    .nsectors = (uint32_t)n,
		    .sector = t.next,
		    .buf = t.buf + (t.next - t.first) * t.info.sector_size,
		    .done = on_done,
		};
		int rc = mica_blkif_submit(t.blk, r);
		if (rc < 0) {
			mica_printf("blkasync: submit: %s\n", mica_strerror(rc));
			t.failed = true;
			finish(1);
			return;
		}
		t.next += n;
		t.reqs++;
		if (++t.inflight > t.max_inflight)
			t.max_inflight = t.inflight;
	}
}

static void check_read(void)
{
	for (uint64_t s = 0; s < t.total; s++) {
		if (!tags_ok(t.buf + s * t.info.sector_size, t.first + s)) {
			mica_printf("blkasync: mismatch in sector %llu\n", (unsigned long long)(t.first + s));
			finish(1);
			return;
		}
	}
	mica_printf("blkasync: read %llu KiB in %u requests (%u in flight at most), every tag matches\n",
	            (unsigned long long)(t.total * t.info.sector_size / 1024), t.reqs, t.max_inflight);
	finish(0);
}

static void on_flushed(struct mica_blk_req *r)
{
	if (r->result < 0) {
		mica_printf("blkasync: flush: %s\n", mica_strerror(r->result));
		finish(1);
		return;
	}
	mica_printf("blkasync: wrote %llu KiB in %u requests (%u in flight at most), flushed\n",
	            (unsigned long long)(t.total * t.info.sector_size / 1024), t.reqs, t.max_inflight);
	finish(0);
}

static void on_done(struct mica_blk_req *r)
{
	t.inflight--;
	r->done = NULL;
	if (r->result < 0) {
		mica_printf("blkasync: %s at sector %llu: %s\n", t.write ? "write" : "read",
		            (unsigned long long)r->sector, mica_strerror(r->result));
		t.failed = true;
		finish(1);
		return;
	}
	submit_more();
	if (t.inflight > 0 || t.next < t.first + t.total || t.failed)
		return;
	if (!t.write) {
		check_read();
		return;
	}
	t.flush = (struct mica_blk_req){.op = MICA_BLK_FLUSH, .done = on_flushed};
	int rc = mica_blkif_submit(t.blk, &t.flush);
	if (rc < 0) {
		mica_printf("blkasync: flush submit: %s\n", mica_strerror(rc));
		finish(1);
	}
}

static int expect_refused(const char *what, struct mica_blk_req *r, int want)
{
	r->done = on_done;
	int rc = mica_blkif_submit(t.blk, r);
	mica_printf("blkasync: %s: %s\n", what, mica_strerror(rc));
	return rc == want ? 0 : 1;
}

static int check_errors(void)
{
	static uint8_t sec[4096] __attribute__((aligned(4096)));
	struct mica_blk_req r = {.op = MICA_BLK_READ, .nsectors = 1, .sector = t.info.sectors, .buf = sec};
	int bad = expect_refused("read past the end", &r, MICA_ERANGE);
	r = (struct mica_blk_req){
	    .op = MICA_BLK_READ, .nsectors = 2, .sector = t.info.sectors - 1, .buf = sec};
	bad |= expect_refused("read across the end", &r, MICA_ERANGE);
	r = (struct mica_blk_req){.op = MICA_BLK_READ, .nsectors = 0, .sector = 0, .buf = sec};
	bad |= expect_refused("zero sectors", &r, MICA_EINVAL);
	r = (struct mica_blk_req){.op = 7, .nsectors = 1, .sector = 0, .buf = sec};
	bad |= expect_refused("unknown op", &r, MICA_EINVAL);
	if (t.info.read_only) {
		r = (struct mica_blk_req){.op = MICA_BLK_WRITE, .nsectors = 1, .sector = 0, .buf = sec};
		bad |= expect_refused("write to a read-only device", &r, MICA_EPERM);
	}
	return bad;
}

static int start(struct mica_loop *loop)
{
	t.loop = loop;
	int rc = mica_blkif_open("disk", &t.blk);
	if (rc == 0)
		rc = mica_blkif_info(t.blk, &t.info);
	if (rc < 0) {
		mica_printf("blkasync: open: %s\n", mica_strerror(rc));
		return rc;
	}
	mica_printf("blkasync: %llu sectors of %u bytes%s, fua %s, queue depth %u\n",
	            (unsigned long long)t.info.sectors, t.info.sector_size,
	            t.info.read_only ? ", read-only" : "", t.info.fua ? "yes" : "emulated",
	            t.info.queue_depth);
	const char *what = mica_arg_str("do");
	if (strcmp(what, "errors") == 0)
		mica_plat_exit(check_errors());
	t.write = strcmp(what, "write") == 0;
	t.seed = (uint64_t)mica_arg_int("seed");
	t.depth = (unsigned)mica_arg_int("depth");
	t.first = (uint64_t)mica_arg_int("sector");
	t.total = (uint64_t)mica_arg_int("kib") * 1024 / t.info.sector_size;
	t.next = t.first;
	size_t bytes = t.total * t.info.sector_size;
	t.buf = mica_plat_alloc_pages((bytes + MICA_PAGE_SIZE - 1) / MICA_PAGE_SIZE);
	if (!t.buf)
		return MICA_ENOMEM;
	for (uint64_t s = 0; t.write && s < t.total; s++)
		put_tags(t.buf + s * t.info.sector_size, t.first + s);
	submit_more();
	return t.failed ? MICA_EIO : MICA_OK;
}

const struct mica_app mica_app = {
    .name = "blkasync",
    .summary = "asynchronous block request checks (tests)",
    .args = args,
    .nargs = MICA_ARRAY_LEN(args),
    .start = start,
};
