/* csum_perf.c - the Internet checksum's speed (a helper of bench/csum.sh,
 * not a test): lib/net/csum.c against the plain 16-bit loop of
 * tests/unit/net/csum_ref.h and, built with -DWITH_PREV, against the
 * 32-bit loop csum.c had before (its functions renamed prev_csum_*), over
 * typical sizes at an aligned and an odd address. Prints GB/s (10^9 bytes
 * per second, the best of RUNS runs) of each and Mica's speed-ups.
 * Integer arithmetic only, so that it also builds with
 * -mgeneral-regs-only, as the hvt guests' code is.
 * Usage: csum_perf [MB per run, default 100] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "../lib/net/wire.h"
#include "../tests/unit/net/csum_ref.h"

#define RUNS 5
#define MAX_LEN 65536

typedef uint16_t (*csum_fn)(const uint8_t *d, size_t len);

static uint16_t mica_csum(const uint8_t *d, size_t len)
{
	return net_csum_fold(net_csum_add(0, d, len));
}

#ifdef WITH_PREV
uint32_t prev_csum_add(uint32_t sum, const void *data, size_t len);
uint16_t prev_csum_fold(uint32_t sum);

static uint16_t prev_csum(const uint8_t *d, size_t len)
{
	return prev_csum_fold(prev_csum_add(0, d, len));
}
#endif

static const struct impl {
	const char *name;
	csum_fn fn;
} impls[] = {
    {"mica", mica_csum},
    {"ref16", csum_reference},
#ifdef WITH_PREV
    {"prev32", prev_csum},
#endif
};
#define NIMPLS (sizeof(impls) / sizeof(impls[0]))

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static volatile uint16_t sink; /* the sums go somewhere, so none is skipped */

/* The time of `calls` checksums of [d, d + len), each through a pointer
 * read anew (no inlining, no hoisting out of the loop). */
static uint64_t time_calls(const struct impl *im, const uint8_t *d, size_t len, uint64_t calls)
{
	csum_fn volatile fn = im->fn;
	uint16_t acc = 0;
	uint64_t t0 = now_ns();
	for (uint64_t i = 0; i < calls; i++)
		acc ^= fn(d, len);
	uint64_t t = now_ns() - t0;
	sink = acc;
	return t ? t : 1;
}

/* ns[k]: the least time of RUNS runs of impls[k], the runs of all
 * implementations taken in turn (a machine whose speed drifts moves all
 * of them alike). */
static void best_ns(const uint8_t *d, size_t len, uint64_t calls, uint64_t ns[NIMPLS])
{
	for (size_t k = 0; k < NIMPLS; k++)
		ns[k] = UINT64_MAX;
	for (int run = 0; run < RUNS; run++) {
		for (size_t k = 0; k < NIMPLS; k++) {
			uint64_t t = time_calls(&impls[k], d, len, calls);
			if (t < ns[k])
				ns[k] = t;
		}
	}
}

/* x / y with two decimals, as "12.34" (x, y > 0). */
static void print_ratio(uint64_t x, uint64_t y)
{
	uint64_t r = x * 100 / y;
	printf(" %8llu.%02llu", (unsigned long long)(r / 100), (unsigned long long)(r % 100));
}

int main(int argc, char **argv)
{
	uint64_t mb = argc > 1 ? strtoull(argv[1], NULL, 10) : 100;
	static const size_t sizes[] = {20, 64, 576, 1460, 9000, 65536};
	static uint8_t buf[MAX_LEN + 64] __attribute__((aligned(64)));
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 151 + 17 + (i >> 8));
	printf("%6s %5s", "bytes", "align");
	for (size_t k = 0; k < NIMPLS; k++)
		printf(" %6s GB/s", impls[k].name);
	for (size_t k = 1; k < NIMPLS; k++)
		printf(" mica/%-6s", impls[k].name);
	printf("\n");
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		for (size_t off = 0; off < 2; off++) {
			size_t len = sizes[s];
			const uint8_t *d = buf + off; /* 0: 64-byte aligned; 1: odd */
			uint64_t calls = mb * 1000000 / len + 1, ns[NIMPLS];
			for (size_t k = 0; k < NIMPLS; k++) {
				if (impls[k].fn(d, len) != csum_reference(d, len)) {
					printf("%s: wrong sum for %zu bytes at offset %zu\n", impls[k].name,
					       len, off);
					return 1;
				}
			}
			best_ns(d, len, calls, ns);
			printf("%6zu %5s", len, off ? "odd" : "64");
			for (size_t k = 0; k < NIMPLS; k++)
				print_ratio(calls * len, ns[k]); /* bytes per ns = GB/s */
			for (size_t k = 1; k < NIMPLS; k++)
				print_ratio(ns[k], ns[0]);
			printf("\n");
		}
	}
	return 0;
}
