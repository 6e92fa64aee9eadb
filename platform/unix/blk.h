/* blk.h - private interface of the Linux-process block devices:
 * blkif_file.c (opening, the synchronous calls, request checks, the inline
 * engine) and blk_uring.c (the io_uring engine that runs requests
 * asynchronously). */
#ifndef MICA_PLATFORM_UNIX_BLK_H
#define MICA_PLATFORM_UNIX_BLK_H

#include <stdint.h>
#include <stdbool.h>
#include <mica/platform.h>
#include "unix.h"

struct blk_ring;

struct mica_blkif {
	char name[32];
	int fd;             /* O_DIRECT where the filesystem allows it, else buffered */
	int fd_cached;      /* buffered: for buffers or ranges O_DIRECT cannot take */
	uint32_t dio_align; /* 0: fd is buffered; else what O_DIRECT needs */
	struct mica_blkif_info info;
	struct blk_ring *ring; /* NULL: the inline engine */
	/* inline engine: requests done at submit, delivered by the next poll */
	struct mica_blk_req *done_head, *done_tail;
	struct mica_unix_watch done_watch; /* an eventfd, readable while done_head */
	/* statistics */
	uint64_t reqs, bytes, retries;
};

/* The descriptor a request of `len` bytes at `off` from `buf` may use. */
int blk_fd_for(const struct mica_blkif *b, const void *buf, uint64_t off, uint64_t len);
/* Finish a request: set its result and call done(). */
void blk_complete(struct mica_blk_req *r, int result);

/* io_uring: MICA_OK with b->ring set, or an error (the caller then uses
 * the inline engine). */
int blk_ring_open(struct mica_blkif *b, unsigned entries);
void blk_ring_submit(struct mica_blkif *b, struct mica_blk_req *r);
void blk_ring_close(struct mica_blkif *b);

#endif
