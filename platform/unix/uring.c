/* uring.c - see uring.h: io_uring set-up, mapping and the ring indices,
 * with the raw system calls. */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <mica/err.h>
#include "unix.h"
#include "uring.h"

static int map_rings(struct mica_uring *r, const struct io_uring_params *p)
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
	r->sq_flags = (unsigned *)(sq + p->sq_off.flags);
	r->cq_head = (unsigned *)(cq + p->cq_off.head);
	r->cq_tail = (unsigned *)(cq + p->cq_off.tail);
	r->cq_mask = (unsigned *)(cq + p->cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)(cq + p->cq_off.cqes);
	return MICA_OK;
}

int mica_uring_open(struct mica_uring *r, unsigned entries, const unsigned *flags, unsigned nflags,
                    unsigned idle_ms)
{
	memset(r, 0, sizeof(*r));
	r->fd = -1;
	struct io_uring_params p;
	for (unsigned i = 0; i < nflags; i++) {
		memset(&p, 0, sizeof(p));
		p.flags = flags[i];
		p.sq_thread_idle = idle_ms;
		r->fd = (int)syscall(__NR_io_uring_setup, entries, &p);
		if (r->fd >= 0 || errno != EINVAL)
			break;
	}
	if (r->fd < 0)
		return mica_unix_err(errno);
	r->entries = p.sq_entries;
	r->flags = p.flags;
	int rc = map_rings(r, &p);
	if (rc != MICA_OK) {
		int e = errno;
		mica_uring_close(r);
		errno = e;
	}
	return rc;
}

void mica_uring_close(struct mica_uring *r)
{
	if (r->sqes && r->sqes != MAP_FAILED)
		munmap(r->sqes, r->sqes_len);
	if (r->cq_map && r->cq_map != MAP_FAILED && r->cq_map != r->sq_map)
		munmap(r->cq_map, r->cq_map_len);
	if (r->sq_map && r->sq_map != MAP_FAILED)
		munmap(r->sq_map, r->sq_map_len);
	if (r->fd >= 0)
		close(r->fd);
	memset(r, 0, sizeof(*r));
	r->fd = -1;
}

struct io_uring_sqe *mica_uring_sqe(struct mica_uring *r)
{
	unsigned head = __atomic_load_n(r->sq_head, __ATOMIC_ACQUIRE), tail = *r->sq_tail;
	if (tail - head >= r->entries)
		return NULL;
	struct io_uring_sqe *e = &r->sqes[tail & *r->sq_mask];
	memset(e, 0, sizeof(*e));
	return e;
}

void mica_uring_push(struct mica_uring *r)
{
	unsigned tail = *r->sq_tail, idx = tail & *r->sq_mask;
	r->sq_array[idx] = idx;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
}

int mica_uring_enter(struct mica_uring *r, unsigned to_submit)
{
	unsigned flags = 0;
	if (r->flags & IORING_SETUP_SQPOLL) {
		/* the thread takes the entries itself; wake it if it sleeps */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (!(__atomic_load_n(r->sq_flags, __ATOMIC_RELAXED) & IORING_SQ_NEED_WAKEUP))
			return (int)to_submit;
		flags |= IORING_ENTER_SQ_WAKEUP;
	}
	return (int)syscall(__NR_io_uring_enter, r->fd, to_submit, 0, flags, NULL, 0);
}

/* Retry rule, right for the block engine and the tap alike: EINTR (a
 * signal, or task work that ran on the way in) took nothing, so enter
 * again. EAGAIN is the kernel short of memory for the requests: it ends
 * without us, and giving up could strand a block request with nothing
 * else in flight to bring the caller back, so enter again too. EBUSY
 * (older kernels: completions waiting to be posted because the completion
 * ring is full) ends only when the user reaps, so retrying here would spin
 * for ever: return, and the user's reap submits what is left. */
int mica_uring_submit(struct mica_uring *r, unsigned *unentered)
{
	while (*unentered) {
		int n = mica_uring_enter(r, *unentered);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return mica_unix_err(errno);
		if (n == 0)
			return MICA_EAGAIN; /* nothing taken: left for the next submit */
		*unentered -= (unsigned)n < *unentered ? (unsigned)n : *unentered;
	}
	return MICA_OK;
}

struct io_uring_cqe *mica_uring_cqe(struct mica_uring *r)
{
	unsigned head = *r->cq_head, tail = __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE);
	return head == tail ? NULL : &r->cqes[head & *r->cq_mask];
}

void mica_uring_cqe_seen(struct mica_uring *r)
{
	__atomic_store_n(r->cq_head, *r->cq_head + 1, __ATOMIC_RELEASE);
}

int mica_uring_wait(struct mica_uring *r, unsigned min_complete)
{
	return (int)syscall(__NR_io_uring_enter, r->fd, 0, min_complete, IORING_ENTER_GETEVENTS, NULL, 0);
}
