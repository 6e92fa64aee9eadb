/* kv.h - a crash-safe, log-structured key-value store on a block device
 * (lib/kv; docs/storage.md has the format and the reasoning).
 *
 * The device holds two superblocks and two equal regions; one region is
 * the active log. A write is a record (key, value, expiry, sequence
 * number, CRC-32C) appended to the open batch in memory and applied to the
 * in-memory index at once. Group commit: while one batch is being written
 * (one FUA write, or write + flush), the next one fills; a write is
 * durable when its batch's write has completed, which the store reports
 * through on_commit with the batch's ticket. A reader of a value that is
 * not durable yet is given that ticket too (mica_kv_get), so a server can
 * hold every reply that depends on a write until the write is durable.
 *
 * Recovery reads the log from the start of the active region and keeps
 * every batch that checks out (contiguous batch numbers, header and record
 * CRCs), stopping at a torn tail; a damaged batch followed by good ones is
 * skipped and counted. When the active region is full the live records
 * are copied into the other region and the superblock that names the
 * active region is rewritten (the two superblocks alternate), so a crash
 * at any point leaves one complete log.
 *
 * Memory: the index holds every key (MICA_KV_ENTRY_BYTES + the key's
 * length each, at most config.max_keys keys) and a cache of values (at
 * most config.cache_bytes; values of writes not yet durable stay cached
 * until they are). A value not in the cache is read from the device. */
#ifndef MICA_KV_H
#define MICA_KV_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "blk.h"
#include "loop.h"

#define MICA_KV_VALUE_MAX (512u * 1024) /* bytes of one value */
#define MICA_KV_KEY_MAX 16384u          /* bytes of one key */
#define MICA_KV_ENTRY_BYTES 80u         /* index memory per key besides the key */

struct mica_kv;

struct mica_kv_config {
	uint64_t max_keys;    /* 0: 1,000,000 */
	uint64_t cache_bytes; /* 0: 64 MiB */
	/* A write is durable: every write with ticket <= `ticket` (rc 0), or
	 * they failed (rc < 0; the store is read-only from then on). */
	void (*on_commit)(void *arg, uint64_t ticket, int rc);
	void *arg;
	/* Wall clock in ms for expiry (NULL: the platform's). */
	int64_t (*now_ms)(void *arg);
};

/* Open the store on dev: recover it, or format a device whose first and
 * last MiB are zero. done(arg, rc) is called from the loop when it is
 * ready (rc 0) or has failed: MICA_EBADMSG for a device that holds
 * something else (never written to), MICA_EIO for a device error. The
 * reason is logged under the tag "kv". After a failed write the store
 * reloads its index from the device and calls done again. */
int mica_kv_open(struct mica_loop *loop, struct mica_blk *dev, const struct mica_kv_config *cfg,
                 void (*done)(void *arg, int rc), void *arg, struct mica_kv **out);
/* Free the store's memory without any I/O (what a crash leaves behind;
 * the tests use it). Requests still in flight must have completed. */
void mica_kv_free(struct mica_kv *kv);

/* A fetch of a value that is only on the device: fn(arg) is called when
 * it is in memory (or failed to load); then ask again. A waiter that goes
 * away first (a closed connection) must be cancelled. */
struct mica_kv_wait {
	void (*fn)(void *arg);
	void *arg;
	struct mica_kv_wait *next; /* the store's */
	bool waiting;
};
void mica_kv_cancel_wait(struct mica_kv *kv, struct mica_kv_wait *w);

/* The value of key: MICA_OK with *val and *len (valid until the next call
 * into the store) and *ticket (0 when the value is durable, else the
 * ticket its write must reach); MICA_ENOENT (absent or expired);
 * MICA_EAGAIN (fetch started, w->fn follows); MICA_EIO (the record could
 * not be read or failed its checksum). */
int mica_kv_get(struct mica_kv *kv, const void *key, size_t klen, const uint8_t **val, size_t *len,
                uint64_t *ticket, struct mica_kv_wait *w);

struct mica_kv_meta {
	uint32_t vlen;
	int64_t expire_ms; /* 0: none */
	uint64_t ticket;   /* as for mica_kv_get */
};
/* Length and expiry without the value; MICA_ENOENT when absent. */
int mica_kv_meta(struct mica_kv *kv, const void *key, size_t klen, struct mica_kv_meta *m);

/* Writes. Each returns MICA_OK and the *ticket to wait for, or:
 * MICA_ENOSPC (the device is full; the store stays readable),
 * MICA_EMSGSIZE (key or value too large), MICA_ENOMEM (max_keys reached),
 * MICA_EIO (a device error made the store read-only),
 * MICA_EAGAIN (the open batch is full: retry after the next on_commit).
 * expire_ms is an absolute wall-clock time in ms, 0 for none. */
int mica_kv_set(struct mica_kv *kv, const void *key, size_t klen, const void *val, size_t vlen,
                int64_t expire_ms, uint64_t *ticket);
/* Room for writes in the open batch, in bytes of records: a command of
 * several writes checks that they all fit (mica_kv_record_bytes each)
 * before it makes the first, so it never stops halfway on MICA_EAGAIN. */
size_t mica_kv_write_room(struct mica_kv *kv);
size_t mica_kv_record_bytes(size_t klen, size_t vlen);
/* MICA_ENOENT when the key does not exist (nothing is written). */
int mica_kv_del(struct mica_kv *kv, const void *key, size_t klen, uint64_t *ticket);
int mica_kv_flush_all(struct mica_kv *kv, uint64_t *ticket);

/* Keys, and iteration: fn is called for up to `count` live keys from
 * cursor on; returns the next cursor (0: done). Keys present for the
 * whole iteration are seen at least once, also across index growth. */
uint64_t mica_kv_count(struct mica_kv *kv);
uint64_t mica_kv_scan(struct mica_kv *kv, uint64_t cursor, size_t count,
                      void (*fn)(void *arg, const uint8_t *key, size_t klen), void *arg);

struct mica_kv_stats {
	uint64_t keys, max_keys;
	uint64_t index_bytes, cache_bytes, cache_limit, cached_values;
	uint64_t region_bytes, used_bytes, live_bytes; /* log space */
	uint64_t commits, commit_records, commit_bytes, committed_ticket;
	uint64_t compactions, gets_from_device, recovered_records, lost_batches;
	bool read_only, torn_tail;
	bool loading; /* being read from the device (at open, after a failure) */
	uint32_t sector_size;
	uint64_t value_max; /* largest value this device takes */
};
void mica_kv_stats(struct mica_kv *kv, struct mica_kv_stats *st);

#endif
