/* tap_ring.h - frames written to a tap through an io_uring, many per
 * system call (see tap_ring.c), and the iovecs of one frame (its
 * virtio-net header from ../vnet_hdr.h), shared with netif_tap.c's
 * one-writev-per-frame path. */
#ifndef MICA_TAP_RING_H
#define MICA_TAP_RING_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>
#include <mica/buf.h>
#include "../vnet_hdr.h"

/* The iovecs of frame b (a virtio-net header first when vnet): their count. */
int tap_frame_iov(const struct mica_buf *b, bool vnet, struct vnet_hdr *vh, struct iovec iov[3]);

enum tap_ring_mode { TAP_RING_INLINE, TAP_RING_SQPOLL };

struct tap_ring;
/* A ring writing frames to tapfd; MICA_E* when io_uring is not there. */
int tap_ring_open(int tapfd, bool vnet, enum tap_ring_mode mode, struct tap_ring **out);
void tap_ring_close(struct tap_ring *r); /* NULL: nothing */
/* Queue bufs[0..n) for writing, in order, and enter them with one system
 * call; the ring owns the ones it took (unref'd when written). Returns how
 * many it took: fewer than n when all its slots are in flight. */
int tap_ring_tx(struct tap_ring *r, struct mica_buf **bufs, int n);
/* Writes that failed so far (their frames are lost); 0 for NULL. */
uint64_t tap_ring_errors(const struct tap_ring *r);

#endif
