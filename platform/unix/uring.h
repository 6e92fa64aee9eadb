/* uring.h - a bare io_uring (raw system calls, no liburing) shared by the
 * Linux-process devices: the block engine (blk_uring.c) and the tap's
 * batched frame writes (platform/tap/tap_ring.c). Set-up and mapping of
 * the rings, taking a submission entry, entering, reaping completions;
 * what the entries mean is the user's business. */
#ifndef MICA_PLATFORM_UNIX_URING_H
#define MICA_PLATFORM_UNIX_URING_H

#include <stddef.h>
#include <stdbool.h>
#include <linux/io_uring.h>

struct mica_uring {
	int fd;
	unsigned entries; /* submission entries */
	unsigned flags;   /* the IORING_SETUP_* flags the ring was made with */
	void *sq_map;
	size_t sq_map_len;
	unsigned *sq_head, *sq_tail, *sq_mask, *sq_array, *sq_flags;
	struct io_uring_sqe *sqes;
	size_t sqes_len;
	void *cq_map;
	size_t cq_map_len;
	unsigned *cq_head, *cq_tail, *cq_mask;
	struct io_uring_cqe *cqes;
};

/* Make a ring of `entries`, trying the set-up flag sets in `flags` in order
 * until the kernel takes one (older kernels refuse newer flags with
 * EINVAL); `idle_ms` is the SQPOLL thread's idle time when a set asks for
 * it. MICA_OK, or a MICA_E* code with errno set. */
int mica_uring_open(struct mica_uring *r, unsigned entries, const unsigned *flags, unsigned nflags,
                    unsigned idle_ms);
void mica_uring_close(struct mica_uring *r);

/* The next free submission entry, zeroed, or NULL when the ring is full;
 * mica_uring_push makes it visible to the kernel (not yet entered). */
struct io_uring_sqe *mica_uring_sqe(struct mica_uring *r);
void mica_uring_push(struct mica_uring *r);

/* io_uring_enter(to_submit) with the SQPOLL wake-up when the ring's
 * thread sleeps; the system call's result. */
int mica_uring_enter(struct mica_uring *r, unsigned to_submit);

/* Enter the *unentered entries pushed since the last time, until the
 * kernel has taken them all; *unentered counts down. MICA_OK, or the
 * MICA_E* code of a refusal (see uring.c for which are retried): the
 * entries not taken stay in the ring; submit again after reaping. */
int mica_uring_submit(struct mica_uring *r, unsigned *unentered);

/* Wait until at least min_complete completions are there. */
int mica_uring_wait(struct mica_uring *r, unsigned min_complete);

/* The oldest completion not yet consumed, or NULL; mica_uring_cqe_seen
 * consumes it. */
struct io_uring_cqe *mica_uring_cqe(struct mica_uring *r);
void mica_uring_cqe_seen(struct mica_uring *r);

#endif
