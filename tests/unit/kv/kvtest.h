/* kvtest.h - what the lib/kv unit tests share: a scratch device file (on
 * /dev/shm when there is one: the crash tests simulate durability with the
 * fault injector, so the page cache is as good as a disk and much faster),
 * the event loop, and opening a store and waiting for it. */
#ifndef KVTEST_H
#define KVTEST_H

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <mica/app.h>
#include <mica/blk.h>
#include <mica/kv.h>
#include <mica/loop.h>
#include <mica/err.h>
#include "../../../platform/unix/unix.h"

/* The unix block layer checks names against the app's manifest; a test
 * opens its devices by path, so it declares none. */
const struct mica_manifest mica_manifest = {NULL, NULL};

struct kvt {
	struct mica_loop loop;
	char path[64];
	struct mica_blkif *plat;
	struct mica_blk blk;
	struct mica_blk_fault fault;
	struct mica_kv *kv;
	int open_rc;
	bool opened;
	uint64_t durable; /* on_commit: every ticket up to this is durable */
	int commit_rc;    /* the last failure reported, or 0 */
	uint64_t failed_ticket;
};

static void kvt_commit(void *arg, uint64_t ticket, int rc)
{
	struct kvt *t = arg;
	if (rc == MICA_OK)
		t->durable = ticket;
	else {
		t->commit_rc = rc;
		t->failed_ticket = ticket;
	}
}

static void kvt_opened(void *arg, int rc)
{
	struct kvt *t = arg;
	t->open_rc = rc;
	t->opened = true;
}

/* A zeroed device file of `bytes`, opened with sector size ss. */
static int kvt_device(struct kvt *t, uint64_t bytes, uint32_t ss)
{
	const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(t->path, sizeof(t->path), "%s/mica-kvtest-XXXXXX", dir);
	int fd = mkstemp(t->path);
	if (fd < 0 || ftruncate(fd, (off_t)bytes) < 0)
		return MICA_EIO;
	close(fd);
	int rc = mica_unix_blkif_open_path("data", t->path, ss, &t->plat);
	if (rc == MICA_OK)
		rc = mica_blk_from_blkif(&t->blk, t->plat);
	mica_blk_fault_init(&t->fault, &t->blk, &t->loop);
	return rc;
}

static void kvt_run_until(struct kvt *t, bool *flag, unsigned max_turns)
{
	for (unsigned i = 0; i < max_turns && !*flag; i++)
		mica_loop_run_once(&t->loop, mica_loop_now(&t->loop) + 2 * MICA_NS_PER_MS);
}

/* Open (or reopen) the store on the fault injector; returns open's rc. */
static int kvt_open(struct kvt *t, const struct mica_kv_config *extra)
{
	struct mica_kv_config cfg = {.on_commit = kvt_commit, .arg = t};
	if (extra) {
		cfg.max_keys = extra->max_keys;
		cfg.cache_bytes = extra->cache_bytes;
		cfg.now_ms = extra->now_ms;
	}
	t->opened = false;
	t->kv = NULL;
	t->durable = 0;
	t->commit_rc = 0;
	int rc = mica_kv_open(&t->loop, &t->fault.blk, &cfg, kvt_opened, t, &t->kv);
	if (rc < 0)
		return rc;
	kvt_run_until(t, &t->opened, 100000);
	return t->opened ? t->open_rc : MICA_ETIMEDOUT;
}

/* Let everything the device still has in flight finish, then drop the
 * store without any I/O: what a crash leaves. */
static void kvt_crash(struct kvt *t)
{
	for (unsigned i = 0; i < 100000 && (t->fault.inflight || t->loop.tasks); i++)
		mica_loop_run_once(&t->loop, mica_loop_now(&t->loop) + 2 * MICA_NS_PER_MS);
	mica_kv_free(t->kv);
	t->kv = NULL;
	mica_blk_fault_arm(&t->fault, MICA_BLK_FAULT_NONE, 0, 0);
}

/* Run the loop until every write up to `ticket` is durable (or failed). */
static void kvt_sync(struct kvt *t, uint64_t ticket)
{
	for (unsigned i = 0; i < 200000 && t->durable < ticket && !t->commit_rc; i++)
		mica_loop_run_once(&t->loop, mica_loop_now(&t->loop) + 2 * MICA_NS_PER_MS);
}

#endif
