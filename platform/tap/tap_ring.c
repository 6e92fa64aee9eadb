/* tap_ring.c - frames written to a tap through an io_uring: one WRITEV
 * entry per frame, all the frames of a flush entered with one
 * io_uring_enter, each buffer kept until its completion.
 *
 * Why: a write to a tap runs the whole receive path of the frame in the
 * writer's system call (skb, forwarding, the receiving socket's TCP input
 * and the wake-up of its reader). Frames written back to back in one
 * system call reach the receiver as a burst, so it is woken once per
 * burst rather than once per frame, as behind Linux's own sender.
 *
 * Modes: INLINE - the kernel performs the writes inside io_uring_enter
 * (the tap's descriptor is non-blocking), so completions are there when
 * it returns; SQPOLL - a kernel thread takes the entries and writes them
 * on its own core, as vhost-net's thread would. The ring's descriptor is
 * in the epoll set so completions that come later (a write that waited
 * for room; SQPOLL) free their buffers. */
#include <errno.h>
#include <stdlib.h>
#include <linux/virtio_net.h>
#include <sys/epoll.h>
#include <mica/app.h>
#include <mica/err.h>
#include <mica/log.h>
#include "../unix/unix.h"
#include "../unix/uring.h"
#include "tap_ring.h"

#define RING_SLOTS 256
#define SQPOLL_IDLE_MS 2

struct tx_slot {
	struct mica_buf *buf;
	struct vnet_hdr vh;
	struct iovec iov[3];
};

struct tap_ring {
	struct mica_uring u;
	int tapfd;
	bool vnet;
	unsigned unentered; /* entries pushed but not yet taken by the kernel */
	unsigned nfree;
	uint16_t free[RING_SLOTS];
	struct tx_slot slots[RING_SLOTS];
	struct mica_unix_watch watch;
	uint64_t errors; /* writes that failed (the frame is lost, as on a wire) */
};

_Static_assert(sizeof(struct vnet_hdr) == sizeof(struct virtio_net_hdr), "the tap's header size");

int tap_frame_iov(const struct mica_buf *b, bool vnet, struct vnet_hdr *vh, struct iovec iov[3])
{
	int n = 0;
	if (vnet) {
		*vh = vnet_hdr_for_tx(b);
		iov[n++] = (struct iovec){vh, sizeof(*vh)};
	}
	iov[n++] = (struct iovec){(void *)mica_buf_data(b), b->len};
	if (b->ext_len)
		iov[n++] = (struct iovec){(void *)b->ext, b->ext_len};
	return n;
}

/* Free the slots of finished writes. */
static void reap(struct tap_ring *r)
{
	struct io_uring_cqe *c;
	while ((c = mica_uring_cqe(&r->u))) {
		unsigned s = (unsigned)c->user_data;
		if (c->res < 0)
			r->errors++;
		mica_uring_cqe_seen(&r->u);
		if (s < RING_SLOTS && r->slots[s].buf) {
			mica_buf_unref(r->slots[s].buf);
			r->slots[s].buf = NULL;
			r->free[r->nfree++] = (uint16_t)s;
		}
	}
}

static void enter(struct tap_ring *r)
{
	(void)mica_uring_submit(&r->u, &r->unentered); /* what is left goes with the next flush */
}

/* All slots in flight (the SQPOLL thread is behind): wait for some to
 * finish, as a blocking write would, rather than drop frames. */
static bool wait_room(struct tap_ring *r)
{
	enter(r);
	for (int tries = 0; tries < 4 && (!r->nfree || !mica_uring_sqe(&r->u)); tries++) {
		if (mica_uring_wait(&r->u, 1) < 0 && errno != EINTR)
			return false;
		reap(r);
	}
	return r->nfree && mica_uring_sqe(&r->u);
}

static void on_ring(struct mica_unix_watch *w, uint32_t events)
{
	(void)events;
	reap(w->arg);
	enter(w->arg); /* entries a refused enter left */
}

int tap_ring_tx(struct tap_ring *r, struct mica_buf **bufs, int n)
{
	reap(r);
	int i = 0;
	for (; i < n; i++) {
		struct io_uring_sqe *e = r->nfree ? mica_uring_sqe(&r->u) : NULL;
		if (!e && !wait_room(r))
			break;
		if (!e && !(e = mica_uring_sqe(&r->u)))
			break;
		unsigned s = r->free[--r->nfree];
		struct tx_slot *slot = &r->slots[s];
		slot->buf = bufs[i];
		e->opcode = IORING_OP_WRITEV;
		e->fd = r->tapfd;
		e->addr = (uintptr_t)slot->iov;
		e->len = (unsigned)tap_frame_iov(bufs[i], r->vnet, &slot->vh, slot->iov);
		e->user_data = s;
		mica_uring_push(&r->u);
		r->unentered++;
	}
	enter(r);
	reap(r);
	return i;
}

uint64_t tap_ring_errors(const struct tap_ring *r)
{
	return r ? r->errors : 0;
}

int tap_ring_open(int tapfd, bool vnet, enum tap_ring_mode mode, struct tap_ring **out)
{
	struct tap_ring *r = calloc(1, sizeof(*r));
	if (!r)
		return MICA_ENOMEM;
	/* COOP_TASKRUN: no interrupt to post a completion (see blk_uring.c) */
	const unsigned inline_flags[] = {IORING_SETUP_COOP_TASKRUN, 0};
	const unsigned sqpoll_flags[] = {IORING_SETUP_SQPOLL};
	int rc = mode == TAP_RING_SQPOLL
	             ? mica_uring_open(&r->u, RING_SLOTS, sqpoll_flags, MICA_ARRAY_LEN(sqpoll_flags),
	                               SQPOLL_IDLE_MS)
	             : mica_uring_open(&r->u, RING_SLOTS, inline_flags, MICA_ARRAY_LEN(inline_flags), 0);
	if (rc != MICA_OK) {
		free(r);
		return rc;
	}
	r->tapfd = tapfd;
	r->vnet = vnet;
	for (unsigned s = 0; s < RING_SLOTS; s++)
		r->free[r->nfree++] = (uint16_t)(RING_SLOTS - 1 - s);
	r->watch = (struct mica_unix_watch){.fd = r->u.fd, .fn = on_ring, .arg = r};
	rc = mica_unix_watch_add(&r->watch, EPOLLIN);
	if (rc != MICA_OK) {
		mica_uring_close(&r->u);
		free(r);
		return rc;
	}
	*out = r;
	return MICA_OK;
}

void tap_ring_close(struct tap_ring *r)
{
	if (!r)
		return;
	mica_unix_watch_del(&r->watch);
	mica_uring_close(&r->u); /* waits for the writes in flight */
	for (unsigned s = 0; s < RING_SLOTS; s++)
		if (r->slots[s].buf)
			mica_buf_unref(r->slots[s].buf);
	free(r);
}
