/* blk_uring.c - the io_uring engine of the Linux-process block devices.
 *
 * One ring per device, set up with the raw system calls (no liburing).
 * A request becomes one submission queue entry - READ, WRITE (RWF_DSYNC
 * for FUA) or FSYNC(DATASYNC) - entered at once, also when a completion's
 * callback submits it, as fio does: the device starts on it while the
 * other completions are reaped (entering a reap's requests together, one
 * system call for all, measured 0.71-0.79x fio for 4 KiB random reads at
 * depth 16 against 0.96-1.24x entered one by one). The ring's descriptor
 * is in the platform's epoll set and is readable while completions wait,
 * so mica_plat_poll reaps them and calls each request's done(); what
 * completes during the reap is reaped in the same turn. A short
 * transfer is resubmitted for the rest; more requests than the ring holds
 * wait in a software queue until completions free entries. */
#include <errno.h>
#include <linux/io_uring.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <mica/err.h>
#include <mica/log.h>
#include "blk.h"

struct blk_ring {
	int fd;
	unsigned entries, inflight;
	unsigned unentered; /* entries filled but not yet given to the kernel */
	/* submission ring */
	void *sq_map;
	size_t sq_map_len;
	unsigned *sq_head, *sq_tail, *sq_mask, *sq_array;
	struct io_uring_sqe *sqes;
	size_t sqes_len;
	/* completion ring */
	void *cq_map;
	size_t cq_map_len;
	unsigned *cq_head, *cq_tail, *cq_mask;
	struct io_uring_cqe *cqes;
	/* requests waiting for a free entry */
	struct mica_blk_req *backlog_head, *backlog_tail;
	struct mica_unix_watch watch;
	struct mica_blkif *blk;
};

/* Ring set-ups, best first (older kernels refuse the newer flag):
 * COOP_TASKRUN as fio sets it (no inter-processor interrupt to run a
 * completion's task work; it runs at the next kernel entry). fio also asks
 * for DEFER_TASKRUN, which it can use because it waits in io_uring_enter;
 * Mica waits in epoll_wait, and a deferred ring's descriptor does not
 * become readable for it (measured: blkbench hangs). */
static const unsigned setup_flags[] = {
    IORING_SETUP_COOP_TASKRUN,
    0,
};

static int ring_setup(unsigned entries, struct io_uring_params *p)
{
	return (int)syscall(__NR_io_uring_setup, entries, p);
}

static int ring_enter(int fd, unsigned to_submit)
{
	return (int)syscall(__NR_io_uring_enter, fd, to_submit, 0, 0, NULL, 0);
}

static int map_rings(struct blk_ring *r, const struct io_uring_params *p)
{
	r->sq_map_len = p->sq_off.array + p->sq_entries * sizeof(unsigned);
	r->cq_map_len = p->cq_off.cqes + p->cq_entries * sizeof(struct io_uring_cqe);
	bool single = p->features & IORING_FEAT_SINGLE_MMAP;
	if (single && r->cq_map_len > r->sq_map_len)
		r->sq_map_len = r->cq_map_len;
	r->sq_map = mmap(NULL, r->sq_map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
	                 IORING_OFF_SQ_RING);
	if (r->sq_map == MAP_FAILED)
		return mica_unix_err(errno);
	r->cq_map = single ? r->sq_map
	                   : mmap(NULL, r->cq_map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
	                          r->fd, IORING_OFF_CQ_RING);
	if (r->cq_map == MAP_FAILED)
		return mica_unix_err(errno);
	r->sqes_len = p->sq_entries * sizeof(struct io_uring_sqe);
	r->sqes = mmap(NULL, r->sqes_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
	               IORING_OFF_SQES);
	if (r->sqes == MAP_FAILED)
		return mica_unix_err(errno);
	char *sq = r->sq_map, *cq = r->cq_map;
	r->sq_head = (unsigned *)(sq + p->sq_off.head);
	r->sq_tail = (unsigned *)(sq + p->sq_off.tail);
	r->sq_mask = (unsigned *)(sq + p->sq_off.ring_mask);
	r->sq_array = (unsigned *)(sq + p->sq_off.array);
	r->cq_head = (unsigned *)(cq + p->cq_off.head);
	r->cq_tail = (unsigned *)(cq + p->cq_off.tail);
	r->cq_mask = (unsigned *)(cq + p->cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)(cq + p->cq_off.cqes);
	return MICA_OK;
}

static void ring_free(struct blk_ring *r)
{
	if (r->sqes && r->sqes != MAP_FAILED)
		munmap(r->sqes, r->sqes_len);
	if (r->cq_map && r->cq_map != MAP_FAILED && r->cq_map != r->sq_map)
		munmap(r->cq_map, r->cq_map_len);
	if (r->sq_map && r->sq_map != MAP_FAILED)
		munmap(r->sq_map, r->sq_map_len);
	if (r->fd >= 0)
		close(r->fd);
	free(r);
}

/* Give the kernel the entries filled since the last time. */
static void ring_flush(struct blk_ring *ring)
{
	while (ring->unentered) {
		int n = ring_enter(ring->fd, ring->unentered);
		if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EBUSY))
			continue;
		if (n <= 0)
			break; /* they stay in the ring; the next enter takes them */
		ring->unentered -= (unsigned)n < ring->unentered ? (unsigned)n : ring->unentered;
	}
}

/* Fill one entry for what is left of r and enter it. */
static void ring_push(struct blk_ring *ring, struct mica_blk_req *r)
{
	struct mica_blkif *b = ring->blk;
	unsigned tail = *ring->sq_tail, idx = tail & *ring->sq_mask;
	struct io_uring_sqe *e = &ring->sqes[idx];
	memset(e, 0, sizeof(*e));
	e->user_data = (uintptr_t)r;
	if (r->op == MICA_BLK_FLUSH) {
		e->opcode = IORING_OP_FSYNC;
		e->fd = b->fd_cached;
		e->fsync_flags = IORING_FSYNC_DATASYNC;
	} else {
		uint64_t off = r->sector * b->info.sector_size,
		         len = (uint64_t)r->nsectors * b->info.sector_size;
		uint64_t done = r->plat_word;
		e->opcode = r->op == MICA_BLK_WRITE ? IORING_OP_WRITE : IORING_OP_READ;
		e->fd = blk_fd_for(b, r->buf, off, len);
		e->addr = (uintptr_t)r->buf + done;
		e->len = (uint32_t)(len - done);
		e->off = off + done;
		if (r->op == MICA_BLK_WRITE && (r->flags & MICA_BLK_FUA))
			e->rw_flags = RWF_DSYNC;
	}
	ring->sq_array[idx] = idx;
	__atomic_store_n(ring->sq_tail, tail + 1, __ATOMIC_RELEASE);
	ring->inflight++;
	ring->unentered++;
	ring_flush(ring);
}

static void backlog_push(struct blk_ring *ring, struct mica_blk_req *r)
{
	r->next = NULL;
	if (ring->backlog_tail)
		ring->backlog_tail->next = r;
	else
		ring->backlog_head = r;
	ring->backlog_tail = r;
}

void blk_ring_submit(struct mica_blkif *b, struct mica_blk_req *r)
{
	struct blk_ring *ring = b->ring;
	if (ring->inflight < ring->entries && !ring->backlog_head)
		ring_push(ring, r);
	else
		backlog_push(ring, r);
}

/* One completion: resubmit the rest of a short transfer, or finish. */
static void ring_finish(struct blk_ring *ring, struct mica_blk_req *r, int res)
{
	struct mica_blkif *b = ring->blk;
	if (res < 0) {
		blk_complete(r, mica_unix_err(-res) == MICA_ENOSPC ? MICA_ENOSPC : MICA_EIO);
		return;
	}
	if (r->op == MICA_BLK_FLUSH) {
		blk_complete(r, MICA_OK);
		return;
	}
	uint64_t len = (uint64_t)r->nsectors * b->info.sector_size;
	r->plat_word += (uint64_t)res;
	if (res == 0 && r->plat_word < len) {
		blk_complete(r, MICA_EIO); /* end of file: the file shrank under us */
		return;
	}
	if (r->plat_word < len) {
		b->retries++;
		backlog_push(ring, r); /* resubmitted below, ahead of nothing new */
		return;
	}
	b->reqs++;
	b->bytes += len;
	blk_complete(r, MICA_OK);
}

static void ring_refill(struct blk_ring *ring)
{
	while (ring->backlog_head && ring->inflight < ring->entries) {
		struct mica_blk_req *r = ring->backlog_head;
		ring->backlog_head = r->next;
		if (!ring->backlog_head)
			ring->backlog_tail = NULL;
		r->next = NULL;
		ring_push(ring, r);
	}
}

/* Finish the completions in the ring; how many there were. */
static unsigned ring_drain(struct blk_ring *ring)
{
	unsigned n = 0;
	for (;; n++) {
		unsigned head = *ring->cq_head, tail = __atomic_load_n(ring->cq_tail, __ATOMIC_ACQUIRE);
		if (head == tail)
			return n;
		struct io_uring_cqe *c = &ring->cqes[head & *ring->cq_mask];
		struct mica_blk_req *r = (struct mica_blk_req *)(uintptr_t)c->user_data;
		int res = c->res;
		__atomic_store_n(ring->cq_head, head + 1, __ATOMIC_RELEASE);
		ring->inflight--;
		ring_finish(ring, r, res);
		ring_refill(ring);
	}
}

/* The ring's descriptor is readable: reap every completion, also those
 * that arrive meanwhile (posted when the callbacks' requests are
 * entered), until a pass finds none. */
static void ring_reap(struct mica_unix_watch *w, uint32_t events)
{
	struct blk_ring *ring = w->arg;
	(void)events;
	while (ring_drain(ring))
		;
	ring_flush(ring); /* entries a failed enter left */
}

int blk_ring_open(struct mica_blkif *b, unsigned entries)
{
	struct blk_ring *ring = calloc(1, sizeof(*ring));
	if (!ring)
		return MICA_ENOMEM;
	struct io_uring_params p;
	for (unsigned i = 0; i < sizeof(setup_flags) / sizeof(setup_flags[0]); i++) {
		memset(&p, 0, sizeof(p));
		p.flags = setup_flags[i];
		ring->fd = ring_setup(entries, &p);
		if (ring->fd >= 0 || errno != EINVAL)
			break;
	}
	if (ring->fd < 0) {
		int err = errno;
		free(ring);
		mica_debug("blk", "io_uring_setup: %s (using the inline engine)", strerror(err));
		return mica_unix_err(err);
	}
	int rc = map_rings(ring, &p);
	ring->entries = p.sq_entries;
	ring->blk = b;
	ring->watch = (struct mica_unix_watch){.fd = ring->fd, .fn = ring_reap, .arg = ring};
	if (rc == MICA_OK)
		rc = mica_unix_watch_add(&ring->watch, EPOLLIN);
	if (rc < 0) {
		ring_free(ring);
		return rc;
	}
	b->ring = ring;
	return MICA_OK;
}

void blk_ring_close(struct mica_blkif *b)
{
	if (!b->ring)
		return;
	mica_unix_watch_del(&b->ring->watch);
	ring_free(b->ring);
	b->ring = NULL;
}
