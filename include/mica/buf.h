/* buf.h - page-backed, reference-counted I/O buffers.
 *
 * A buffer is a slot of a pool: the pool takes whole pages from the platform
 * (mica_plat_alloc_pages) and cuts them into fixed-size slots; descriptors
 * live apart from the data so the data pages hold only packet bytes.
 *
 *   mem                head           head+len             size
 *   |---- headroom ----|==== data ====|---- tailroom ------|
 *
 * Receive: a device fills a buffer; each layer parses a view of the data
 * and pulls its header off the front (mica_buf_pull), so the payload an app
 * sees is the very memory the frame arrived in.
 * Transmit: allocate with enough headroom, write the payload, and each layer
 * pushes its header in front (mica_buf_push).
 * A buffer returns to its pool when its last reference is dropped. */
#ifndef MICA_BUF_H
#define MICA_BUF_H

#include <stddef.h>
#include <stdint.h>
#include "view.h"

struct mica_buf_pool;

struct mica_buf {
	uint8_t *mem;  /* start of the slot */
	uint32_t size; /* slot size in bytes */
	uint32_t head; /* offset of the first data byte */
	uint32_t len;  /* number of data bytes */
	uint32_t refs; /* 0 while free in the pool */
	struct mica_buf_pool *pool;
	struct mica_buf *next; /* free-list link; owners may use it for queues */
	uint64_t user;         /* scratch word for the current owner */
	/* Offload metadata between a network device and the stack (see
	 * mica_netif_info.tso_max); both are 0 on a fresh buffer. */
	uint16_t gso_size; /* > 0: a TCP super-frame the device cuts into segments of this payload */
	uint8_t csum;      /* MICA_CSUM_*: who vouches for the L4 checksum */
	/* Transmit only, for devices with mica_netif_info.tx_ext: the frame
	 * goes on with ext_len bytes at ext, memory the buffer does not own
	 * (zero-copy TCP sends it straight from the app's memory). When the
	 * buffer is freed, ext_put(ext_arg) is called. 0/NULL on a fresh buffer. */
	const uint8_t *ext;
	uint32_t ext_len;
	void (*ext_put)(void *arg);
	void *ext_arg;
};

enum {
	MICA_CSUM_NONE = 0,    /* the L4 checksum is complete and must be checked on receive */
	MICA_CSUM_TRUSTED = 1, /* received: the device checked it, or the frame never left the host */
	MICA_CSUM_PARTIAL = 2, /* to send: the field holds the pseudo-header sum; the device completes it */
};

struct mica_buf_pool {
	uint32_t slot_size;        /* bytes per buffer */
	uint32_t max_bufs;         /* hard limit on buffers */
	uint32_t nbufs;            /* buffers created so far */
	uint32_t nfree;            /* buffers on the free list */
	struct mica_buf *free;     /* free list */
	uint64_t alloc_failures;   /* allocations refused (pool exhausted) */
	struct desc_chunk *chunks; /* descriptor memory, for mica_buf_pool_fini */
};

/* Slot size must be a power of two between 256 and the page size (4096), or
 * a multiple of the page size. The pool grows a page at a time up to max_bufs. */
int mica_buf_pool_init(struct mica_buf_pool *pool, size_t slot_size, size_t max_bufs);

/* Free the descriptors (data pages stay with the platform). Every buffer
 * must have been returned first. */
void mica_buf_pool_fini(struct mica_buf_pool *pool);

/* A buffer with `headroom` bytes before an empty data area, refs = 1.
 * NULL when the pool is exhausted or headroom exceeds the slot. */
struct mica_buf *mica_buf_alloc(struct mica_buf_pool *pool, size_t headroom);

static inline void mica_buf_ref(struct mica_buf *b)
{
	b->refs++;
}
/* Drop one reference; the last one returns the buffer to its pool. */
void mica_buf_unref(struct mica_buf *b);

static inline uint8_t *mica_buf_data(const struct mica_buf *b)
{
	return b->mem + b->head;
}
static inline size_t mica_buf_headroom(const struct mica_buf *b)
{
	return b->head;
}
static inline size_t mica_buf_tailroom(const struct mica_buf *b)
{
	return b->size - b->head - b->len;
}
static inline struct mica_view mica_buf_view(const struct mica_buf *b)
{
	return mica_view_make(b->mem + b->head, b->len);
}
/* The length of the whole frame: the data area and the ext tail. */
static inline size_t mica_buf_frame_len(const struct mica_buf *b)
{
	return (size_t)b->len + b->ext_len;
}

/* Grow the data area by n bytes at the front; returns the new start, or NULL
 * (buffer unchanged) when the headroom is smaller than n. */
uint8_t *mica_buf_push(struct mica_buf *b, size_t n);
/* Remove n bytes from the front; returns the new start, or NULL when the data
 * is shorter than n. */
uint8_t *mica_buf_pull(struct mica_buf *b, size_t n);
/* Grow the data area by n bytes at the end; returns the first new byte, or
 * NULL when the tailroom is smaller than n. */
uint8_t *mica_buf_put(struct mica_buf *b, size_t n);
/* Cut the data to len bytes (MICA_ERANGE if len is longer than the data). */
int mica_buf_trim(struct mica_buf *b, size_t len);
/* Append bytes (MICA_ERANGE, buffer unchanged, if they do not fit). */
int mica_buf_append(struct mica_buf *b, const void *src, size_t n);

#endif
