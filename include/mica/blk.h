/* blk.h - block devices as the storage libraries (lib/fat, lib/kv) see them.
 *
 * A `struct mica_blk` is anything that takes asynchronous block requests
 * (platform.h's struct mica_blk_req, with the same semantics): the
 * platform's device by name, or a layer stacked on another one. The one
 * layer here is the fault injector the crash tests use: after a chosen
 * number of writes it either stops the device dead (a crash: nothing
 * after that point reaches the disk and nothing completes, the write at
 * the crash point optionally torn) or makes every later write fail with
 * MICA_EIO (a failing disk that can still be read). */
#ifndef MICA_BLK_H
#define MICA_BLK_H

#include <stdint.h>
#include <stdbool.h>
#include "platform.h"
#include "loop.h"

struct mica_blk;
typedef int (*mica_blk_submit_fn)(struct mica_blk *b, struct mica_blk_req *r);

struct mica_blk {
	mica_blk_submit_fn submit;
	struct mica_blkif_info info;
	struct mica_blkif *plat; /* the platform device, when it is one */
};

/* The platform device the app declared as `name`. */
int mica_blk_open(struct mica_blk *b, const char *name);
/* A platform device already open. */
int mica_blk_from_blkif(struct mica_blk *b, struct mica_blkif *plat);

static inline int mica_blk_submit(struct mica_blk *b, struct mica_blk_req *r)
{
	return b->submit(b, r);
}

/* ---- Fault injection ---- */
enum mica_blk_fault_mode {
	MICA_BLK_FAULT_NONE, /* pass everything through */
	MICA_BLK_FAULT_STOP, /* crash: the device stops after `after` writes */
	MICA_BLK_FAULT_FAIL, /* later writes and flushes fail with MICA_EIO */
};

struct mica_blk_fault {
	struct mica_blk blk; /* what the layer above uses */
	struct mica_blk *lower;
	struct mica_loop *loop; /* failed requests complete on a later turn */
	enum mica_blk_fault_mode mode;
	uint64_t after; /* writes and flushes let through before the fault */
	/* STOP: the write at the crash point reaches the disk in part (its
	 * first torn_sectors sectors, if it has more) instead of not at all */
	uint32_t torn_sectors;
	/* counters */
	uint64_t writes;    /* writes and flushes seen */
	uint64_t swallowed; /* requests that never completed (STOP) */
	uint64_t failed;    /* requests failed (FAIL) */
	uint32_t inflight;  /* passed down, not completed yet */
	bool tripped;       /* the fault point has been reached */
	/* FAIL: completions waiting for the next turn */
	struct mica_blk_req *fail_head, *fail_tail;
	struct mica_task fail_task;
};

/* Stack a fault injector on `lower`; mode NONE until mica_blk_fault_arm. */
void mica_blk_fault_init(struct mica_blk_fault *f, struct mica_blk *lower, struct mica_loop *loop);
void mica_blk_fault_arm(struct mica_blk_fault *f, enum mica_blk_fault_mode mode, uint64_t after,
                        uint32_t torn_sectors);

#endif
