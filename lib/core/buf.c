/* buf.c - pools of page-backed, reference-counted I/O buffers. */
#include <mica/buf.h>
#include <mica/platform.h>
#include <mica/libc.h>
#include <mica/log.h>

int mica_buf_pool_init(struct mica_buf_pool *pool, size_t slot_size, size_t max_bufs)
{
	bool small_pow2 =
	    slot_size >= 256 && slot_size <= MICA_PAGE_SIZE && (slot_size & (slot_size - 1)) == 0;
	bool page_multiple = slot_size > MICA_PAGE_SIZE && slot_size % MICA_PAGE_SIZE == 0;
	if (!(small_pow2 || page_multiple) || max_bufs == 0 || max_bufs > UINT32_MAX)
		return MICA_EINVAL;
	memset(pool, 0, sizeof(*pool));
	pool->slot_size = (uint32_t)slot_size;
	pool->max_bufs = (uint32_t)max_bufs;
	return MICA_OK;
}

/* Descriptors are allocated in chunks, one per growth step. */
struct desc_chunk {
	struct desc_chunk *next;
	struct mica_buf bufs[];
};

void mica_buf_pool_fini(struct mica_buf_pool *pool)
{
	while (pool->chunks) {
		struct desc_chunk *c = pool->chunks;
		pool->chunks = c->next;
		free(c);
	}
	pool->free = NULL;
	pool->nfree = pool->nbufs = 0;
}

/* Add one page's worth of slots (or one multi-page slot) to the free list. */
static int pool_grow(struct mica_buf_pool *pool)
{
	size_t per_page = pool->slot_size <= MICA_PAGE_SIZE ? MICA_PAGE_SIZE / pool->slot_size : 1;
	size_t pages = pool->slot_size <= MICA_PAGE_SIZE ? 1 : pool->slot_size / MICA_PAGE_SIZE;
	size_t room = pool->max_bufs - pool->nbufs;
	size_t n = per_page < room ? per_page : room;
	if (n == 0)
		return MICA_ENOMEM;
	struct desc_chunk *chunk = calloc(1, sizeof(*chunk) + n * sizeof(struct mica_buf));
	if (!chunk)
		return MICA_ENOMEM;
	uint8_t *mem = mica_plat_alloc_pages(pages);
	if (!mem) {
		free(chunk);
		return MICA_ENOMEM;
	}
	chunk->next = pool->chunks;
	pool->chunks = chunk;
	struct mica_buf *descs = chunk->bufs;
	for (size_t i = 0; i < n; i++) {
		struct mica_buf *b = &descs[i];
		b->mem = mem + i * pool->slot_size;
		b->size = pool->slot_size;
		b->pool = pool;
		b->next = pool->free;
		pool->free = b;
	}
	pool->nbufs += (uint32_t)n;
	pool->nfree += (uint32_t)n;
	return MICA_OK;
}

struct mica_buf *mica_buf_alloc(struct mica_buf_pool *pool, size_t headroom)
{
	if (headroom > pool->slot_size)
		return NULL;
	if (!pool->free && pool_grow(pool) != MICA_OK) {
		pool->alloc_failures++;
		return NULL;
	}
	struct mica_buf *b = pool->free;
	pool->free = b->next;
	pool->nfree--;
	b->next = NULL;
	b->head = (uint32_t)headroom;
	b->len = 0;
	b->refs = 1;
	b->user = 0;
	b->gso_size = 0;
	b->csum = MICA_CSUM_NONE;
	b->ext = NULL;
	b->ext_len = 0;
	b->ext_put = NULL;
	return b;
}

void mica_buf_unref(struct mica_buf *b)
{
	mica_assert(b->refs > 0);
	if (--b->refs)
		return;
	if (b->ext_put) {
		b->ext_put(b->ext_arg);
		b->ext_put = NULL;
	}
	struct mica_buf_pool *pool = b->pool;
	b->next = pool->free;
	pool->free = b;
	pool->nfree++;
}

uint8_t *mica_buf_push(struct mica_buf *b, size_t n)
{
	if (n > b->head)
		return NULL;
	b->head -= (uint32_t)n;
	b->len += (uint32_t)n;
	return b->mem + b->head;
}

uint8_t *mica_buf_pull(struct mica_buf *b, size_t n)
{
	if (n > b->len)
		return NULL;
	b->head += (uint32_t)n;
	b->len -= (uint32_t)n;
	return b->mem + b->head;
}

uint8_t *mica_buf_put(struct mica_buf *b, size_t n)
{
	if (n > mica_buf_tailroom(b))
		return NULL;
	uint8_t *p = b->mem + b->head + b->len;
	b->len += (uint32_t)n;
	return p;
}

int mica_buf_trim(struct mica_buf *b, size_t len)
{
	if (len > b->len)
		return MICA_ERANGE;
	b->len = (uint32_t)len;
	return MICA_OK;
}

int mica_buf_append(struct mica_buf *b, const void *src, size_t n)
{
	uint8_t *p = mica_buf_put(b, n);
	if (!p)
		return MICA_ERANGE;
	if (n)
		memcpy(p, src, n);
	return MICA_OK;
}
