/* slab.c - the index's small objects (key entries, cached values) packed
 * into large chunks of pages from the platform instead of the general heap.
 *
 * A GET touches a bucket, an entry and a value. Spread by malloc over
 * thousands of 4 KiB pages, each of those is a TLB miss, and on a
 * virtualized host a TLB miss costs a page walk through two sets of page
 * tables; packed into 2 MiB chunks (transparent huge pages on unix) the
 * whole index sits in a handful of TLB entries (GET throughput under
 * redis-benchmark: 2.7x on the benchmark VM).
 *
 * Size classes of 16 bytes up to KV_SLAB_MAX; larger objects come from
 * malloc. A freed object goes on its class's free list and is reused by
 * that class; chunks go back to a process-wide pool when the index is
 * freed (the next store opened in the process takes them), never to the
 * platform. So the slab holds at most the peak of each class: bounded by
 * the key limit (entries) and the cache limit (values) per class. */
#include <mica/platform.h>
#include "kv_impl.h"

#define SLAB_ALIGN 16u
#define CHUNK_BIG (2u << 20)     /* one huge page */
#define CHUNK_SMALL (256u << 10) /* on machines under 512 MiB (small guests) */

struct kv_slab_chunk {
	struct kv_slab_chunk *next;
};

/* Chunks of stores that were freed, for the next one (one size per process). */
static struct kv_slab_chunk *spare;

static size_t chunk_bytes(void)
{
	static size_t bytes;
	if (!bytes)
		bytes = mica_plat_mem_size() >= (512ull << 20) ? CHUNK_BIG : CHUNK_SMALL;
	return bytes;
}

void kv_slab_init(struct kv_slab *s)
{
	memset(s, 0, sizeof(*s));
}

static size_t class_of(size_t n)
{
	return (n + SLAB_ALIGN - 1) / SLAB_ALIGN - 1;
}

/* A new chunk to carve from: a spare one, else pages from the platform. */
static bool slab_grow(struct kv_slab *s)
{
	size_t bytes = chunk_bytes();
	struct kv_slab_chunk *c = spare;
	if (c)
		spare = c->next;
	else
		c = mica_plat_alloc_pages(bytes / MICA_PAGE_SIZE);
	if (!c)
		return false;
	c->next = s->chunks;
	s->chunks = c;
	s->cur = (uint8_t *)c + SLAB_ALIGN;
	s->left = bytes - SLAB_ALIGN;
	s->bytes += bytes;
	return true;
}

void *kv_slab_alloc(struct kv_slab *s, size_t n)
{
	if (n == 0 || n > KV_SLAB_MAX)
		return malloc(n);
	size_t k = class_of(n), size = (k + 1) * SLAB_ALIGN;
	void *p = s->free[k];
	if (p) {
		s->free[k] = *(void **)p;
		return p;
	}
	if (s->left < size && !slab_grow(s))
		return NULL;
	p = s->cur;
	s->cur += size;
	s->left -= size;
	return p;
}

void kv_slab_free(struct kv_slab *s, void *p, size_t n)
{
	if (!p)
		return;
	if (n == 0 || n > KV_SLAB_MAX) {
		free(p);
		return;
	}
	size_t k = class_of(n);
	*(void **)p = s->free[k];
	s->free[k] = p;
}

void kv_slab_release(struct kv_slab *s)
{
	while (s->chunks) {
		struct kv_slab_chunk *c = s->chunks;
		s->chunks = c->next;
		c->next = spare;
		spare = c;
	}
	kv_slab_init(s);
}
