/* malloc.c - the guest heap: malloc, calloc, realloc, free.
 *
 * A boundary-tag allocator with segregated free lists:
 *   - every chunk has a 16-byte header (size of the previous chunk when that
 *     one is free, own size with IN_USE/PREV_IN_USE flags); payloads are
 *     16-byte aligned;
 *   - free chunks sit in one of NBINS doubly linked lists by size class
 *     (powers of two, a bitmap says which are non-empty); malloc takes the
 *     first fit in the request's class, else the head of the next
 *     non-empty class, splitting off the rest;
 *   - free merges a chunk with free neighbours at once, so free memory is
 *     never split into adjacent pieces (fragmentation stays bounded);
 *   - memory comes from mica_plat_alloc_pages; a new run of pages right
 *     after the last one extends it, otherwise it becomes a new region
 *     closed by an in-use fence chunk at its end. */
#include <mica/platform.h>
#include "libc_impl.h"

#define ALIGN 16u
#define HDR 16u
#define MIN_CHUNK 32u
#define IN_USE 1u
#define PREV_IN_USE 2u
#define FLAGS 3u
#define NBINS 48
#define GROW_MIN (64u << 10)

struct chunk {
	size_t prev_size;          /* valid only when the previous chunk is free */
	size_t head;               /* size | flags */
	struct chunk *next, *prev; /* free-list links, only while free */
};

struct heap {
	struct chunk *bins[NBINS];
	uint64_t nonempty;   /* bit b set: bins[b] has chunks */
	uint8_t *region_end; /* end of the most recent region (after its fence) */
};

static struct heap heap;

static size_t csize(const struct chunk *c)
{
	return c->head & ~(size_t)FLAGS;
}
static struct chunk *next_chunk(struct chunk *c)
{
	return (struct chunk *)((uint8_t *)c + csize(c));
}
static struct chunk *prev_chunk(struct chunk *c)
{
	return (struct chunk *)((uint8_t *)c - c->prev_size);
}
static void *payload(struct chunk *c)
{
	return (uint8_t *)c + HDR;
}
static struct chunk *of_payload(void *p)
{
	return (struct chunk *)((uint8_t *)p - HDR);
}

/* Size class: bin b holds chunks of [32 << b, 64 << b) bytes. */
static unsigned bin_of(size_t size)
{
	unsigned b = (unsigned)(63 - __builtin_clzll((unsigned long long)size)) - 5;
	return b < NBINS ? b : NBINS - 1;
}

static void unlink_free(struct chunk *c)
{
	if (c->prev) {
		c->prev->next = c->next;
	} else {
		unsigned b = bin_of(csize(c));
		heap.bins[b] = c->next;
		if (!c->next)
			heap.nonempty &= ~(1ull << b);
	}
	if (c->next)
		c->next->prev = c->prev;
}

/* Mark c (of `size`, flags kept) free, tell its successor, and bin it. */
static void insert_free(struct chunk *c, size_t size)
{
	c->head = size | (c->head & PREV_IN_USE);
	struct chunk *n = next_chunk(c);
	n->prev_size = size;
	n->head &= ~(size_t)PREV_IN_USE;
	unsigned b = bin_of(size);
	c->prev = NULL;
	c->next = heap.bins[b];
	if (c->next)
		c->next->prev = c;
	heap.bins[b] = c;
	heap.nonempty |= 1ull << b;
}

/* Merge the free chunk c with free neighbours and bin the result. */
static void release(struct chunk *c)
{
	size_t size = csize(c);
	struct chunk *n = next_chunk(c);
	if (!(n->head & IN_USE)) {
		unlink_free(n);
		size += csize(n);
	}
	if (!(c->head & PREV_IN_USE)) {
		struct chunk *p = prev_chunk(c);
		unlink_free(p);
		size += csize(p);
		c = p;
	}
	insert_free(c, size);
}

static bool grow(size_t need)
{
	size_t bytes = need + 2 * HDR > GROW_MIN ? need + 2 * HDR : GROW_MIN;
	size_t pages = (bytes + MICA_PAGE_SIZE - 1) / MICA_PAGE_SIZE;
	uint8_t *mem = mica_plat_alloc_pages(pages);
	if (!mem)
		return false;
	uint8_t *end = mem + pages * MICA_PAGE_SIZE;
	struct chunk *c;
	if (mem == heap.region_end) {
		c = (struct chunk *)(mem - HDR); /* the old fence becomes free space */
	} else {
		c = (struct chunk *)mem;
		c->head = PREV_IN_USE; /* nothing before a region */
	}
	struct chunk *fence = (struct chunk *)(end - HDR);
	fence->head = HDR | IN_USE;
	c->head = (size_t)((uint8_t *)fence - (uint8_t *)c) | (c->head & PREV_IN_USE) | IN_USE;
	heap.region_end = end;
	release(c);
	return true;
}

/* First fit in the request's own class, else any chunk of a larger
 * (non-empty) class, which always fits. */
static struct chunk *find_fit(size_t need)
{
	unsigned b = bin_of(need);
	for (struct chunk *c = heap.bins[b]; c; c = c->next)
		if (csize(c) >= need)
			return c;
	uint64_t larger = b + 1 < NBINS ? heap.nonempty & (~0ull << (b + 1)) : 0;
	return larger ? heap.bins[__builtin_ctzll(larger)] : NULL;
}

/* Mark c in use with `need` bytes, freeing the tail when it is big enough. */
static void *take(struct chunk *c, size_t need)
{
	size_t size = csize(c);
	if (size - need >= MIN_CHUNK) {
		struct chunk *rest = (struct chunk *)((uint8_t *)c + need);
		c->head = need | (c->head & PREV_IN_USE) | IN_USE;
		rest->head = (size - need) | PREV_IN_USE | IN_USE;
		next_chunk(rest)->head |= PREV_IN_USE;
		release(rest);
	} else {
		c->head |= IN_USE;
		next_chunk(c)->head |= PREV_IN_USE;
	}
	return payload(c);
}

static size_t request_size(size_t n)
{
	if (n > SIZE_MAX / 2)
		return 0;
	size_t need = (n + HDR + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	return need < MIN_CHUNK ? MIN_CHUNK : need;
}

void *LIBC_NAME(malloc)(size_t n)
{
	size_t need = request_size(n);
	if (need == 0)
		return NULL;
	struct chunk *c = find_fit(need);
	if (!c) {
		if (!grow(need))
			return NULL;
		c = find_fit(need);
		if (!c)
			return NULL;
	}
	unlink_free(c);
	return take(c, need);
}

void LIBC_NAME(free)(void *p)
{
	if (!p)
		return;
	struct chunk *c = of_payload(p);
	if (!(c->head & IN_USE))
		return; /* double free: ignore rather than corrupt the lists */
	c->head &= ~(size_t)IN_USE;
	release(c);
}

void *LIBC_NAME(calloc)(size_t count, size_t n)
{
	if (n && count > SIZE_MAX / n)
		return NULL;
	void *p = LIBC_NAME(malloc)(count * n);
	if (p)
		LIBC_NAME(memset)(p, 0, count * n);
	return p;
}

void *LIBC_NAME(realloc)(void *p, size_t n)
{
	if (!p)
		return LIBC_NAME(malloc)(n);
	if (n == 0) {
		LIBC_NAME(free)(p);
		return NULL;
	}
	size_t need = request_size(n);
	if (need == 0)
		return NULL;
	struct chunk *c = of_payload(p);
	struct chunk *nx = next_chunk(c);
	size_t have = csize(c);
	if (have < need && !(nx->head & IN_USE) && have + csize(nx) >= need) {
		unlink_free(nx); /* grow in place into the free neighbour */
		have += csize(nx);
		c->head = have | (c->head & FLAGS);
		next_chunk(c)->head |= PREV_IN_USE;
	}
	if (have >= need) {
		c->head &= ~(size_t)IN_USE;
		return take(c, need);
	}
	void *q = LIBC_NAME(malloc)(n);
	if (q) {
		LIBC_NAME(memcpy)(q, p, have - HDR);
		LIBC_NAME(free)(p);
	}
	return q;
}
