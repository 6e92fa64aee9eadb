/* hcfuzz.c - a hostile guest: --calls random hypercalls (every call but
 * HALT and ABORT) whose argument structs are filled with random mixes of
 * valid addresses, addresses in read-only memory, at the edge of memory,
 * outside it, huge lengths and random words. POLL carries frames most of
 * the time (tx batches, rx buffers, extra I/O entries: the hottest path),
 * with frame lengths around the limits and batch counts up to and past
 * MICA_HVT_NET_BATCH_MAX; block request batches (BLOCK_BATCH, and on
 * POLL's blk_batch) with every op, lengths around the 1 MiB limit, ranges
 * past the end and counts past MICA_HVT_BLOCK_BATCH_MAX. The monitor must serve each
 * call or end the guest with a report (--wild sets how often a word is
 * one it must refuse); tests/integration/hvt/
 * hypercall-fuzz.sh checks it never crashes. Exits 0 when all calls were
 * made (the monitor refused none fatally). */
#include <mica/app.h>
#include <mica/hvt_abi.h>
#include <mica/log.h>
#include <mica/platform.h>

static const struct mica_arg_spec args[] = {
    {"seed", MICA_ARG_INT, "1", "random seed", 1, 1 << 30},
    {"calls", MICA_ARG_INT, "100", "hypercalls to make", 0, 100000},
    {"wild", MICA_ARG_INT, "10", "percent of words that are bad addresses", 0, 100},
};

static uint64_t state;
static uint64_t wild_percent;
static uint8_t scratch[8192] __attribute__((aligned(64)));
static uint64_t frames[2 * MICA_HVT_NET_BATCH_MAX + 8];
static struct mica_hvt_frame rx_frames[MICA_HVT_NET_BATCH_MAX + 8];
static struct mica_hvt_poll_io poll_io[MICA_HVT_MAX_DEVICES + 2];
static struct mica_hvt_block_req blk_reqs[MICA_HVT_BLOCK_BATCH_MAX + 2];
static struct mica_hvt_block_batch blk_batch;

static uint64_t next(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

static uint64_t good_ptr(void)
{
	return (uintptr_t)scratch + next() % 4096;
}

/* A value the monitor must refuse as an address (or as a length). */
static uint64_t bad_value(uint64_t mem)
{
	const uint64_t bad[] = {
	    (uintptr_t)&next, /* text: read-only */
	    MICA_HVT_BOOT_INFO_ADDR, mem - 8, mem, mem + 4096, 0xffffffffull, 1ull << 63, ~0ull, next(),
	};
	return bad[next() % (sizeof(bad) / sizeof(bad[0]))];
}

static bool wild(void)
{
	return next() % 100 < wild_percent;
}

/* A batch count: mostly small, sometimes the limit, when wild too big. */
static uint32_t batch_count(void)
{
	if (wild())
		return next() % 2 ? MICA_HVT_NET_BATCH_MAX + 1 : (uint32_t)next();
	return next() % 8 == 0 ? MICA_HVT_NET_BATCH_MAX : (uint32_t)(next() % 9);
}

/* n frames in fr: buffers in scratch, lengths around real frame sizes
 * (below the Ethernet header, typical, above the MTU); when wild one gets
 * a bad address. */
static void fill_frames(struct mica_hvt_frame *fr, unsigned n, uint64_t mem)
{
	static const uint32_t lens[] = {0, 13, 14, 60, 1514, 2000, 4096, 9216, 9217};
	for (unsigned i = 0; i < n; i++)
		fr[i] = (struct mica_hvt_frame){(uintptr_t)scratch + next() % 4096,
		                                next() % 2 ? lens[next() % 9] : (uint32_t)(next() % 4096), 0};
	if (n && wild())
		fr[next() % n].addr = bad_value(mem);
}

/* A block batch: requests of every op (and unknown ones) on handles 0-3,
 * lengths up to past 1 MiB, sectors near and past the end of the 64 KiB
 * disk, buffers in scratch; when wild a bad buffer, count or array. */
static void fill_block_batch(struct mica_hvt_block_batch *b, uint64_t mem)
{
	static const uint32_t lens[] = {0, 1, 8, 127, 128, 2048, 2049};
	b->count = (uint32_t)(next() % 6);
	if (next() % 16 == 0)
		b->count = MICA_HVT_BLOCK_BATCH_MAX + (uint32_t)(next() % 3) - 1;
	b->reqs = (uintptr_t)blk_reqs;
	for (unsigned i = 0; i < b->count && i < MICA_HVT_BLOCK_BATCH_MAX + 2; i++) {
		blk_reqs[i] = (struct mica_hvt_block_req){
		    .handle = (uint32_t)(next() % 4),
		    .op = (uint16_t)(next() % 4),
		    .flags = (uint16_t)(next() % 2),
		    .nsectors = next() % 2 ? lens[next() % 7] : (uint32_t)(next() % 9),
		    .sector = next() % 8 ? next() % 140 : ~0ull - next() % 4,
		    .addr = (uintptr_t)scratch + next() % 4096,
		};
		/* reads land in scratch only: a longer one becomes a write */
		if (blk_reqs[i].op == MICA_HVT_BLK_READ &&
		    blk_reqs[i].nsectors * 512ull + (blk_reqs[i].addr - (uintptr_t)scratch) > sizeof(scratch))
			blk_reqs[i].op = MICA_HVT_BLK_WRITE;
		if (wild())
			blk_reqs[i].addr = bad_value(mem);
	}
	if (wild())
		b->reqs = bad_value(mem);
}

/* POLL carrying frames: a tx batch and rx buffers for io_handle, and
 * extra I/O entries for other handles (valid or not). */
static void fill_poll(struct mica_hvt_poll *p, uint32_t handle, uint64_t mem)
{
	struct mica_hvt_frame *tx = (struct mica_hvt_frame *)frames;
	p->timeout_ns = next() % 4 ? next() % 1000000 : 0;
	p->io_handle = handle;
	p->tx_count = next() % 2 ? batch_count() : 0;
	p->tx_frames = (uintptr_t)tx;
	fill_frames(tx, p->tx_count <= MICA_HVT_NET_BATCH_MAX ? p->tx_count : 0, mem);
	p->rx_count = next() % 2 ? batch_count() : 0;
	p->rx_frames = (uintptr_t)rx_frames;
	fill_frames(rx_frames, p->rx_count <= MICA_HVT_NET_BATCH_MAX ? p->rx_count : 0, mem);
	p->nio = next() % 3 ? 0 : (wild() ? (uint32_t)next() : (uint32_t)(next() % 4));
	p->io = (uintptr_t)poll_io;
	for (unsigned i = 0; i < MICA_HVT_MAX_DEVICES && i < p->nio; i++) {
		struct mica_hvt_poll_io *e = &poll_io[i];
		*e = (struct mica_hvt_poll_io){.handle = (uint32_t)(next() % 4),
		                               .tx_count = (uint32_t)(next() % 3),
		                               .tx_frames = (uintptr_t)(tx + 16),
		                               .rx_count = (uint32_t)(next() % 3),
		                               .rx_frames = (uintptr_t)(tx + 32)};
		if (wild())
			e->handle = (uint32_t)next();
		fill_frames(tx + 16, e->tx_count, mem);
		fill_frames(tx + 32, e->rx_count, mem);
	}
	if (next() % 4 == 0) {
		fill_block_batch(&blk_batch, mem);
		p->blk_batch = (uintptr_t)&blk_batch;
		if (wild())
			p->blk_batch = bad_value(mem);
	}
}

/* Fill the call's struct with valid-looking values; when wild, one field
 * (or the struct's own address) becomes a bad one. */
static void one_call(uint64_t mem)
{
	union {
		struct mica_hvt_console con;
		struct mica_hvt_poll poll;
		struct mica_hvt_net_info ni;
		struct mica_hvt_net_io io;
		struct mica_hvt_block_info bi;
		struct mica_hvt_block_io bio;
		struct mica_hvt_block_batch bb;
		uint64_t w[16];
	} u = {.w = {0}};
	unsigned nr;
	do
		nr = 1 + (unsigned)(next() % (MICA_HVT_CALL_MAX - 1));
	while (nr == MICA_HVT_CALL_HALT || nr == MICA_HVT_CALL_ABORT);
	uint32_t handle = (uint32_t)(next() % 4); /* 0 net0, 1 disk, 2-3 none */
	struct mica_hvt_frame *fr = (struct mica_hvt_frame *)frames;
	switch (nr) {
	case MICA_HVT_CALL_CONSOLE: u.con = (struct mica_hvt_console){good_ptr(), next() % 64, 0}; break;
	case MICA_HVT_CALL_POLL: fill_poll(&u.poll, handle, mem); break;
	case MICA_HVT_CALL_NET_INFO: u.ni.handle = handle; break;
	case MICA_HVT_CALL_NET_WRITE:
	case MICA_HVT_CALL_NET_READ:
		u.io = (struct mica_hvt_net_io){handle, batch_count(), (uintptr_t)fr, 0};
		fill_frames(fr, u.io.count <= MICA_HVT_NET_BATCH_MAX ? u.io.count : 0, mem);
		break;
	case MICA_HVT_CALL_BLOCK_INFO: u.bi.handle = handle; break;
	case MICA_HVT_CALL_BLOCK_READ:
	case MICA_HVT_CALL_BLOCK_WRITE:
	case MICA_HVT_CALL_BLOCK_FLUSH:
		u.bio = (struct mica_hvt_block_io){handle, (uint32_t)(next() % 8), next() % 140,
		                                   (uintptr_t)scratch + next() % 4096, 0};
		if (next() % 10 == 0)
			u.bio.sector = ~0ull - next() % 4; /* overflowing ranges */
		break;
	case MICA_HVT_CALL_BLOCK_BATCH: fill_block_batch(&u.bb, mem); break;
	}
	uint64_t where = (uintptr_t)&u;
	if (wild()) {
		if (next() % 4 == 0)
			where = bad_value(mem);
		else
			u.w[next() % 3] = bad_value(mem);
	}
	__asm__ volatile("outl %0, %1"
	                 :
	                 : "a"((uint32_t)where), "d"((uint16_t)(MICA_HVT_PORT_BASE + nr))
	                 : "memory");
}

static int start(struct mica_loop *loop)
{
	(void)loop;
	state = (uint64_t)mica_arg_int("seed") * 0x9e3779b97f4a7c15ull;
	wild_percent = (uint64_t)mica_arg_int("wild");
	uint64_t mem = 0;
	/* The boot info is at a fixed address (read-only, readable). */
	mem = ((const struct mica_hvt_boot_info *)MICA_HVT_BOOT_INFO_ADDR)->mem_size;
	int64_t n = mica_arg_int("calls");
	for (int64_t i = 0; i < n; i++)
		one_call(mem);
	mica_printf("\nhcfuzz: %lld calls made\n", (long long)n);
	mica_plat_exit(0);
}

const struct mica_app mica_app = {
    .name = "hcfuzz",
    .summary = "random hypercalls (hvt tests)",
    .args = args,
    .nargs = MICA_ARRAY_LEN(args),
    .start = start,
};
