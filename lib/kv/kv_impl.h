/* kv_impl.h - private to lib/kv: the on-disk format, the index and the
 * store's state. Files:
 *   format.c  superblocks, batch headers, records: encode, check, decode
 *   index.c   the hash index of keys, the value cache, scan cursors
 *   reader.c  reading a region's log in order (recovery and compaction)
 *   open.c    open: superblocks, format, recovery
 *   commit.c  the open batch, group commit, device errors
 *   compact.c copying the live records into the other region
 *   api.c     get, set, del, flush_all, scan, stats
 *
 * On-disk layout (little-endian; S = the device's sector size):
 *   byte 0       superblock slot 0 (one sector)
 *   byte S       superblock slot 1
 *   byte 64 KiB  region 0, then region 1 (equal, multiples of 4 KiB)
 * A region's log is a run of batches from its start, each a 64-byte header
 * and records, padded to a whole number of sectors. */
#ifndef MICA_KV_IMPL_H
#define MICA_KV_IMPL_H

#include <mica/kv.h>
#include <mica/err.h>
#include <mica/libc.h>

#define KV_SB_BYTES 512u /* meaningful bytes of a superblock sector */
#define KV_SB_MAGIC "MICA-KV1"
#define KV_VERSION 1u
#define KV_DATA_START (64u * 1024)
#define KV_BATCH_MAGIC 0x42564b4du /* "MKVB" */
#define KV_REC_MAGIC 0x52564b4du   /* "MKVR" */
#define KV_BATCH_HDR 64u
#define KV_REC_HDR 40u
#define KV_BATCH_MAX (2u << 20)
/* batch flags: the batch before this one was found torn by a crash (its
 * damage is known, not a loss) */
#define KV_BF_AFTER_TORN 1u
#define KV_READ_CHUNK (1u << 20) /* sequential reads of the log */
#define KV_ZERO_CHECK (1u << 20) /* bytes at each end that must be zero to format */

enum kv_rec_type { KV_REC_SET = 1, KV_REC_DEL = 2, KV_REC_FLUSH = 3 };

/* ---- format.c ---- */
struct kv_sb {
	uint32_t sector_size;
	uint64_t device_sectors, generation, salt, region_sectors;
	uint64_t region_start[2]; /* sectors */
	uint32_t active;
	uint64_t first_bseq; /* of the active region's log */
	uint64_t epoch;
};
struct kv_batch_hdr {
	uint64_t bseq;
	uint32_t epoch, nrec, flags;
	uint64_t len;         /* bytes, header and padding included */
	uint64_t payload_len; /* bytes of records */
};
struct kv_rec {
	uint8_t type;
	uint64_t seq;
	int64_t expire_ms;
	uint32_t klen, vlen;
	const uint8_t *key, *val;
	uint32_t size; /* bytes in the log, padded to 8 */
};

void kv_sb_encode(const struct kv_sb *sb, uint8_t *out);
int kv_sb_decode(const uint8_t *in, struct kv_sb *sb); /* MICA_EBADMSG if not valid */
void kv_batch_encode(const struct kv_batch_hdr *h, uint64_t salt, uint8_t *out);
int kv_batch_decode(const uint8_t *in, uint64_t salt, struct kv_batch_hdr *h);
static inline uint32_t kv_rec_size(uint32_t klen, uint32_t vlen)
{
	return (KV_REC_HDR + klen + vlen + 7u) & ~7u;
}
/* Write a record at out (kv_rec_size bytes, padding zeroed). */
void kv_rec_encode(const struct kv_rec *r, uint64_t salt, uint8_t *out);
/* Parse the record at in (avail bytes): MICA_OK, MICA_EBADMSG. */
int kv_rec_decode(const uint8_t *in, size_t avail, uint64_t salt, struct kv_rec *r);
uint64_t kv_get_le64(const uint8_t *p);
uint32_t kv_get_le32(const uint8_t *p);
void kv_put_le64(uint8_t *p, uint64_t v);
void kv_put_le32(uint8_t *p, uint32_t v);

/* ---- slab.c: small objects of the index packed in large page chunks ---- */
#define KV_SLAB_MAX 1024u /* bytes; larger objects come from malloc */
struct kv_slab_chunk;
struct kv_slab {
	void *free[KV_SLAB_MAX / 16]; /* per 16-byte size class */
	struct kv_slab_chunk *chunks;
	uint8_t *cur; /* carving point in the newest chunk */
	size_t left;
	uint64_t bytes; /* in chunks */
};
void kv_slab_init(struct kv_slab *s);
/* n bytes (16-byte aligned); NULL when out of memory. */
void *kv_slab_alloc(struct kv_slab *s, size_t n);
/* Free p, allocated with the same n. */
void kv_slab_free(struct kv_slab *s, void *p, size_t n);
/* Give every chunk back (to the process's pool); objects over KV_SLAB_MAX
 * must have been freed one by one before. */
void kv_slab_release(struct kv_slab *s);

/* ---- index.c ---- */
struct kv_val {
	uint32_t len;
	uint8_t data[];
};

/* One key. Its latest version (seq, vlen, expiry, the cached value) may
 * be in a batch not durable yet (pend); loc/loc_seq then still name the
 * newest durable record of the key, which compaction must keep. */
struct kv_entry {
	struct kv_entry *next;
	uint64_t hash;
	uint64_t seq;     /* latest version */
	uint64_t pend;    /* ticket of the batch holding it; 0: durable */
	uint64_t loc;     /* device byte offset of the newest durable record; 0: none */
	uint64_t loc_seq; /* its version */
	int64_t expire_ms;
	struct kv_val *val; /* cached value of the latest version, or NULL */
	uint32_t vlen;
	uint32_t rec_bytes; /* size of the latest version's record */
	uint32_t loc_bytes; /* size of the record at loc */
	uint16_t klen;
	uint8_t ref;   /* the cache's clock bit */
	uint8_t flags; /* KV_E_* */
	uint8_t key[];
};
#define KV_E_DEAD 1u /* deleted by a write not durable yet (a tombstone) */
#define KV_E_BAD 2u  /* its record failed its checksum when read */

struct kv_index {
	struct kv_entry **buckets;
	uint64_t mask; /* buckets - 1 */
	uint64_t count, max_keys;
	uint64_t key_bytes;
	uint64_t seed[2];
	/* value cache */
	uint64_t cache_bytes, cache_limit, cached;
	uint64_t clock_bucket; /* eviction hand */
	struct kv_slab slab;   /* entries and cached values */
};

int kv_index_init(struct kv_index *ix, uint64_t max_keys, uint64_t cache_limit);
void kv_index_free(struct kv_index *ix);
uint64_t kv_hash(const struct kv_index *ix, const void *key, size_t klen);
struct kv_entry *kv_index_find(struct kv_index *ix, const void *key, size_t klen, uint64_t hash);
/* A new entry for key (not present yet); NULL when out of memory or keys. */
struct kv_entry *kv_index_insert(struct kv_index *ix, const void *key, size_t klen, uint64_t hash);
void kv_index_remove(struct kv_index *ix, struct kv_entry *e);
/* Cache a copy of val for e (replacing what it had; val may be e's old
 * value). */
int kv_cache_put(struct kv_index *ix, struct kv_entry *e, const uint8_t *val, uint32_t len);
void kv_cache_drop(struct kv_index *ix, struct kv_entry *e);
/* Keep the cache under its limit, evicting values whose records are
 * durable - never keep's (NULL: none). */
void kv_cache_trim(struct kv_index *ix, const struct kv_entry *keep);
/* Visit entries from a reverse-binary cursor (see scan in kv.h). */
uint64_t kv_index_scan(struct kv_index *ix, uint64_t cursor, size_t count,
                       void (*fn)(void *arg, struct kv_entry *e), void *arg);
/* Call fn for every entry (fn may remove the entry it is given). */
void kv_index_each(struct kv_index *ix, void (*fn)(void *arg, struct kv_entry *e), void *arg);

/* ---- reader.c: a region's log in order ---- */
struct kv_reader;
struct kv_compact;
struct kv_fetch;
/* Called for each record of each good batch, with the record's device
 * byte offset; at the end done(arg, rc). */
struct kv_reader_ops {
	void (*record)(void *arg, const struct kv_rec *r, uint64_t loc);
	void (*done)(void *arg, int rc);
};
struct kv_reader {
	struct mica_kv *kv;
	const struct kv_reader_ops *ops;
	void *arg;
	uint64_t start, end; /* device bytes of the region */
	uint64_t pos;        /* device offset of the next batch */
	uint64_t next_bseq;  /* the batch expected there */
	uint32_t last_epoch; /* epochs never go down along a log */
	uint8_t *buf, *raw;  /* window of the log: [buf_off, buf_off + buf_len) */
	uint64_t buf_off, buf_len, buf_cap;
	struct mica_blk_req req;
	bool reading;
	/* a damaged batch: the tail, unless good batches follow */
	uint32_t damaged, damaged_rec, damaged_nrec;
	uint64_t damaged_bseq, damaged_at;
	/* results */
	uint64_t batches, records, bad_records, lost_batches, max_seq;
	bool torn_tail;
	bool tail_damaged; /* the last batch read is damaged (a torn tail) */
};
void kv_reader_start(struct kv_reader *rd, struct mica_kv *kv, uint32_t region, uint64_t first_bseq,
                     const struct kv_reader_ops *ops, void *arg);
void kv_reader_free(struct kv_reader *rd);

/* ---- the store ---- */
struct kv_batch {
	uint8_t *buf; /* batch_max bytes, aligned for the device */
	uint8_t *raw; /* what malloc returned */
	uint32_t len; /* bytes of records after the header */
	uint32_t nrec;
	uint64_t ticket;
	uint64_t at;    /* device byte offset it is written to */
	uint32_t total; /* bytes written: header, records, padding */
	/* The index hash of each record's key, for its settling: the first
	 * nhash records (fewer than nrec only when memory ran short). */
	uint64_t *hashes;
	uint32_t nhash, hash_cap;
};

struct mica_kv {
	struct mica_loop *loop;
	struct mica_blk *dev;
	struct mica_kv_config cfg;
	uint32_t ssize;
	struct kv_sb sb;
	struct kv_index ix;
	uint64_t next_seq;       /* version of the next record */
	uint32_t epoch;          /* of this run */
	uint64_t next_bseq;      /* on-disk number of the next batch */
	uint64_t next_ticket;    /* ticket of the next open batch */
	uint64_t durable_ticket; /* every write up to this ticket is durable */
	uint64_t tombstones;     /* entries that are KV_E_DEAD */
	bool ready;
	uint64_t region_bytes, append; /* active region: size, next batch offset in it */
	uint64_t live_bytes;           /* sum of the live entries' record sizes */
	uint32_t batch_max;
	uint64_t value_max;
	/* group commit */
	struct kv_batch open_batch, flight; /* filling, being written */
	bool writing, flushing;
	struct mica_blk_req wreq, freq;
	void (*write_done)(struct mica_kv *kv, int rc);
	struct mica_task commit_task;
	bool read_only;
	/* opening */
	void (*open_done)(void *arg, int rc);
	void *open_arg;
	struct mica_task open_task;
	int open_rc;
	uint8_t *sbuf, *sbuf_raw; /* aligned scratch of 2 sectors (superblocks) */
	struct mica_blk_req sreq;
	uint64_t flush_seq; /* recovery: records older than the last FLUSH are dead */
	struct kv_reader rd;
	/* compaction */
	bool compacting;
	struct kv_compact *cp;
	/* fetches of values from the device */
	struct kv_fetch *fetches;
	unsigned fetches_inflight;
	/* statistics */
	uint64_t commits, commit_records, commit_bytes, compactions, gets_from_device;
	uint64_t recovered_records, lost_batches;
	bool torn_tail;
	bool after_torn; /* the next batch written gets KV_BF_AFTER_TORN */
};

/* open.c */
uint64_t kv_region_start(const struct mica_kv *kv, uint32_t region); /* device bytes */
/* Aligned memory for device buffers; kv_free_aligned takes what
 * kv_alloc_aligned returned in *raw. */
uint8_t *kv_alloc_aligned(const struct mica_kv *kv, size_t len, uint8_t **raw);
/* Write superblock `sb` to its slot (generation % 2), durably. */
void kv_sb_write(struct mica_kv *kv, const struct kv_sb *sb, void (*done)(struct mica_blk_req *r));
/* Drop the index and read it back from the device (after a failed
 * write); the store is read-only afterwards when read_only is set. */
void kv_reload(struct mica_kv *kv);
/* commit.c */
int kv_batch_alloc(struct mica_kv *kv, struct kv_batch *b);
void kv_batch_free(struct kv_batch *b);
/* Append record r, whose key has index hash `hash` (any value for a
 * FLUSH), to batch b; MICA_EAGAIN when it does not fit. */
int kv_append(struct mica_kv *kv, struct kv_batch *b, const struct kv_rec *r, uint64_t hash);
/* Write batch b durably at device offset `at` (header filled in here);
 * done(kv, rc) follows. */
void kv_batch_write(struct mica_kv *kv, struct kv_batch *b, uint64_t at,
                    void (*done)(struct mica_kv *kv, int rc));
void kv_commit_kick(struct mica_kv *kv);
bool kv_has_room(const struct mica_kv *kv, uint64_t live_after);
/* A batch of ours is durable at b->at: move index locations to it. */
void kv_batch_settle(struct mica_kv *kv, const struct kv_batch *b);
/* A write failed: report it, make the store read-only on MICA_EIO, and
 * reload the index from what is durable. */
void kv_fail(struct mica_kv *kv, int rc);
/* compact.c */
void kv_compact_start(struct mica_kv *kv);
void kv_compact_free(struct mica_kv *kv);
/* api.c */
int64_t kv_now_ms(struct mica_kv *kv);
bool kv_expired(struct mica_kv *kv, const struct kv_entry *e);
/* Apply a record read back from the log (recovery). */
void kv_replay(struct mica_kv *kv, const struct kv_rec *r, uint64_t loc);
void kv_fetch_free_all(struct mica_kv *kv);

#endif
