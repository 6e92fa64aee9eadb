/* file.c - reading and writing files.
 *
 * A write is three ordered steps: (1) the clusters it needs beyond the
 * file's chain are allocated as a chain of their own and the data is
 * written (a crash leaves lost clusters); (2) that chain is linked to the
 * file's last cluster (a crash leaves a chain longer than the size, which
 * fsck.fat cuts back); (3) the entry gets the new size, first cluster and
 * time in one sector write. A first write to an empty file has no step 2:
 * step 3 points the entry at the new chain. Shrinking runs the other way:
 * the entry first, then the chain is cut, then the tail freed. */
#include "fat_impl.h"

/* The cluster holding byte `pos` (pos < chain length). */
static int cluster_at(struct mica_fat *fs, struct mica_fat_file *f, uint64_t pos, uint32_t *out)
{
	uint32_t index = (uint32_t)(pos / fs->cluster_bytes), c = f->st.cluster, from = 0;
	if (f->cur_cluster && f->cur_index <= index) {
		c = f->cur_cluster;
		from = f->cur_index;
	}
	int rc = fat_advance(fs, &c, index - from);
	if (rc < 0)
		return rc == MICA_ENOENT ? MICA_EBADMSG : rc; /* the chain is shorter than the size */
	f->cur_cluster = c;
	f->cur_index = index;
	*out = c;
	return MICA_OK;
}

/* Sectors from cluster c's end onwards that follow c on disk without a
 * gap (up to `want` more), added to *room: one request reads them. */
static int contiguous(struct mica_fat *fs, uint32_t c, uint32_t want, uint32_t *room)
{
	for (uint32_t got = 0; got < want && got < fs->nclusters;) {
		uint32_t next;
		int rc = fat_next(fs, c, &next);
		if (rc < 0)
			return rc;
		if (next != c + 1)
			break;
		c = next;
		*room += fs->sec_per_clus;
		got += fs->sec_per_clus;
	}
	return MICA_OK;
}

long mica_fat_read(struct mica_fat *fs, struct mica_fat_file *f, void *buf, size_t n)
{
	uint8_t *out = buf;
	if (f->pos >= f->st.size)
		return 0;
	if (n > f->st.size - f->pos)
		n = (size_t)(f->st.size - f->pos);
	if (n > 0x7FFFFFFF)
		n = 0x7FFFFFFF;
	size_t done = 0;
	while (done < n) {
		uint32_t c, ss = fs->sector_size;
		int rc = cluster_at(fs, f, f->pos, &c);
		if (rc < 0)
			return rc;
		uint32_t in = (uint32_t)(f->pos % fs->cluster_bytes), soff = in % ss;
		uint64_t sector = fat_cluster_sector(fs, c) + in / ss;
		size_t left = n - done;
		if (soff == 0 && left >= ss) {
			uint32_t k = (uint32_t)(left / ss), room = (fs->cluster_bytes - in) / ss;
			if (k > room && (rc = contiguous(fs, c, k - room, &room)) < 0)
				return rc;
			k = k < room ? k : room;
			if ((rc = fat_dev_read(fs, sector, out + done, k)) < 0)
				return rc;
			done += (size_t)k * ss;
			f->pos += (uint64_t)k * ss;
			continue;
		}
		if ((rc = fat_dev_read(fs, sector, fs->scratch, 1)) < 0)
			return rc;
		size_t take = ss - soff < left ? ss - soff : left;
		memcpy(out + done, fs->scratch + soff, take);
		done += take;
		f->pos += take;
	}
	return (long)done;
}

int mica_fat_seek(struct mica_fat *fs, struct mica_fat_file *f, uint64_t pos)
{
	(void)fs;
	if (pos > 0xFFFFFFFFu)
		return MICA_EINVAL;
	f->pos = pos;
	return MICA_OK;
}

/* What is written: bytes [from, end) of the file, zeros below src_pos
 * (the gap a write past the end leaves), then src. */
struct span {
	uint64_t from, end, src_pos, old_size;
	const uint8_t *src;
	uint32_t old_len, old_last, new_first; /* chains: the file's, the new one */
};

static void fill(const struct span *sp, uint8_t *dst, uint64_t at, size_t len)
{
	for (size_t i = 0; i < len; i++, at++)
		dst[i] = at < sp->src_pos ? 0 : sp->src[at - sp->src_pos];
}

/* Write the part of the span inside cluster c, which starts at byte base. */
static int write_cluster(struct mica_fat *fs, const struct span *sp, uint32_t c, uint64_t base)
{
	uint32_t ss = fs->sector_size;
	uint64_t lo = sp->from > base ? sp->from : base;
	uint64_t hi = sp->end < base + fs->cluster_bytes ? sp->end : base + fs->cluster_bytes;
	while (lo < hi) {
		uint64_t sec_base = lo - (lo - base) % ss;
		uint64_t sector = fat_cluster_sector(fs, c) + (sec_base - base) / ss;
		int rc;
		if (lo == sec_base && hi - lo >= ss && lo >= sp->src_pos) {
			uint32_t k = (uint32_t)((hi - lo) / ss);
			if ((rc = fat_dev_write(fs, sector, sp->src + (lo - sp->src_pos), k)) < 0)
				return rc;
			lo += (uint64_t)k * ss;
			continue;
		}
		uint64_t upto = hi < sec_base + ss ? hi : sec_base + ss;
		bool keep = lo > sec_base || (upto < sec_base + ss && upto < sp->old_size);
		if (keep && (rc = fat_dev_read(fs, sector, fs->scratch, 1)) < 0)
			return rc;
		if (!keep)
			memset(fs->scratch, 0, ss);
		fill(sp, fs->scratch + (lo - sec_base), lo, (size_t)(upto - lo));
		if ((rc = fat_dev_write(fs, sector, fs->scratch, 1)) < 0)
			return rc;
		lo = upto;
	}
	return MICA_OK;
}

/* The cluster after c in the file being written: its chain, then the new
 * chain (not linked yet). */
static int span_next(struct mica_fat *fs, const struct span *sp, uint32_t c, uint32_t *next)
{
	int rc = fat_next(fs, c, next);
	if (rc == MICA_OK && *next == FAT_EOC) {
		if (!sp->new_first)
			return MICA_EBADMSG;
		*next = sp->new_first;
	}
	return rc;
}

/* Clusters from c that the span covers whole, from src, and that follow
 * each other on disk: how many (at least 1), and the cluster after them. */
static int whole_run(struct mica_fat *fs, const struct span *sp, uint32_t c, uint64_t base, uint32_t *n,
                     uint32_t *after)
{
	uint64_t cb = fs->cluster_bytes;
	*n = 1;
	*after = 0;
	while (base + *n * cb < sp->end) {
		uint32_t next;
		int rc = span_next(fs, sp, c, &next);
		if (rc < 0)
			return rc;
		*after = next;
		if (next != c + 1 || base + (*n + 1) * cb > sp->end)
			break;
		c = next;
		*after = 0;
		(*n)++;
	}
	return MICA_OK;
}

/* Step 1's data: every cluster the span touches, old chain then new;
 * whole clusters that follow each other on disk in one request. */
static int write_span(struct mica_fat *fs, struct mica_fat_file *f, const struct span *sp)
{
	uint32_t cb = fs->cluster_bytes, index = (uint32_t)(sp->from / cb), c, n, after;
	int rc;
	if (sp->from >= sp->end)
		return MICA_OK;
	if (index < sp->old_len)
		rc = cluster_at(fs, f, (uint64_t)index * cb, &c);
	else
		rc = fat_chain_at(fs, sp->new_first, index - sp->old_len, &c);
	if (rc < 0)
		return rc;
	for (uint64_t base = (uint64_t)index * cb; base < sp->end;) {
		bool whole = base >= sp->from && base >= sp->src_pos && base + cb <= sp->end;
		if (whole) {
			if ((rc = whole_run(fs, sp, c, base, &n, &after)) < 0 ||
			    (rc = fat_dev_write(fs, fat_cluster_sector(fs, c), sp->src + (base - sp->src_pos),
			                        n * fs->sec_per_clus)) < 0)
				return rc;
		} else {
			n = 1;
			after = 0;
			if ((rc = write_cluster(fs, sp, c, base)) < 0)
				return rc;
		}
		base += (uint64_t)n * cb;
		if (base >= sp->end)
			break;
		if (after)
			c = after;
		else if ((rc = span_next(fs, sp, c + n - 1, &c)) < 0)
			return rc;
	}
	return MICA_OK;
}

/* Write n bytes of src at f->pos (src NULL with n 0: only fill the gap
 * up to pos with zeros). */
static int file_write(struct mica_fat *fs, struct mica_fat_file *f, const uint8_t *src, size_t n)
{
	uint32_t cb = fs->cluster_bytes;
	uint64_t end = f->pos + n;
	int rc = fat_check_writable(fs);
	if (rc < 0)
		return rc;
	if (!f->writable || f->st.is_dir)
		return MICA_EPERM;
	if (end > 0xFFFFFFFFu)
		return MICA_EMSGSIZE; /* FAT's largest file is 4 GiB - 1 */
	struct span sp = {.from = f->pos < f->st.size ? f->pos : f->st.size,
	                  .end = end,
	                  .src_pos = f->pos,
	                  .old_size = f->st.size,
	                  .src = src};
	if (sp.from >= sp.end)
		return MICA_OK;
	if ((rc = fat_chain_len(fs, f->st.cluster, &sp.old_len, &sp.old_last)) < 0)
		return rc;
	uint32_t need = (uint32_t)((end + cb - 1) / cb);
	if (need > sp.old_len) {
		if ((rc = fat_alloc(fs, need - sp.old_len, &sp.new_first)) < 0 ||
		    (rc = fat_writeback(fs)) < 0)
			return rc;
	}
	if ((rc = write_span(fs, f, &sp)) < 0 || (rc = fat_barrier(fs)) < 0)
		return rc;
	if (sp.new_first && sp.old_len) {
		if ((rc = fat_set(fs, sp.old_last, sp.new_first)) < 0 || (rc = fat_writeback(fs)) < 0 ||
		    (rc = fat_barrier(fs)) < 0)
			return rc;
	} else if (sp.new_first) {
		f->st.cluster = sp.new_first;
	}
	f->st.size = end > f->st.size ? end : f->st.size;
	f->st.mtime = fat_now(fs);
	if ((rc = fat_entry_update(fs, &f->st, true)) < 0)
		return rc;
	return fat_fsinfo_write(fs);
}

long mica_fat_write(struct mica_fat *fs, struct mica_fat_file *f, const void *buf, size_t n)
{
	if (n > 0x7FFFFFFF)
		return MICA_EMSGSIZE;
	if (n == 0)
		return 0;
	int rc = file_write(fs, f, buf, n);
	if (rc < 0)
		return rc;
	f->pos += n;
	return (long)n;
}

/* Shrink: the entry first, then cut the chain, then free the tail. */
static int file_shrink(struct mica_fat *fs, struct mica_fat_file *f, uint64_t size)
{
	uint32_t cb = fs->cluster_bytes, keep = (uint32_t)((size + cb - 1) / cb), tail = f->st.cluster,
	         last = 0;
	int rc = MICA_OK;
	if (keep && (rc = fat_chain_at(fs, f->st.cluster, keep - 1, &last)) == MICA_OK)
		rc = fat_next(fs, last, &tail);
	if (rc < 0)
		return rc;
	f->st.size = size;
	if (!keep)
		f->st.cluster = 0;
	f->st.mtime = fat_now(fs);
	f->cur_cluster = 0;
	if ((rc = fat_entry_update(fs, &f->st, true)) < 0 || (rc = fat_barrier(fs)) < 0)
		return rc;
	if (tail == FAT_EOC || tail == 0)
		return MICA_OK;
	if (last && ((rc = fat_set(fs, last, FAT_EOC)) < 0 || (rc = fat_writeback(fs)) < 0 ||
	             (rc = fat_barrier(fs)) < 0))
		return rc;
	if ((rc = fat_free_chain(fs, tail)) < 0 || (rc = fat_writeback(fs)) < 0)
		return rc;
	return fat_fsinfo_write(fs);
}

int mica_fat_truncate(struct mica_fat *fs, struct mica_fat_file *f, uint64_t size)
{
	int rc = fat_check_writable(fs);
	if (rc < 0)
		return rc;
	if (!f->writable || f->st.is_dir)
		return MICA_EPERM;
	if (size > 0xFFFFFFFFu)
		return MICA_EMSGSIZE;
	if (size < f->st.size)
		return file_shrink(fs, f, size);
	if (size == f->st.size)
		return MICA_OK;
	uint64_t pos = f->pos;
	f->pos = size;
	rc = file_write(fs, f, NULL, 0);
	f->pos = pos;
	return rc;
}

int mica_fat_open(struct mica_fat *fs, const char *path, unsigned flags, struct mica_fat_file *f)
{
	bool write = flags & (MICA_FAT_WRITE | MICA_FAT_CREATE | MICA_FAT_TRUNC);
	int rc = write ? fat_check_writable(fs) : MICA_OK;
	if (rc < 0)
		return rc;
	*f = (struct mica_fat_file){.writable = write};
	rc = fat_lookup(fs, path, &f->st);
	if (rc == MICA_OK && (flags & MICA_FAT_CREATE) && (flags & MICA_FAT_EXCL))
		return MICA_EEXIST;
	if (rc == MICA_ENOENT && (flags & MICA_FAT_CREATE)) {
		struct mica_fat_stat parent;
		uint16_t leaf[MICA_FAT_NAME_MAX];
		uint32_t n;
		uint8_t de[FAT_DIRENT];
		if ((rc = fat_lookup_parent(fs, path, &parent, leaf, &n)) < 0)
			return rc;
		fat_entry_init(fs, de, MICA_FAT_ATTR_ARCHIVE, 0);
		if ((rc = fat_entry_create(fs, fat_dir_cluster(fs, &parent), leaf, n, de, &f->st.loc)) < 0)
			return rc;
		struct mica_fat_loc loc = f->st.loc;
		fat_stat_from_entry(fs, de, &f->st);
		f->st.loc = loc;
	}
	if (rc < 0)
		return rc;
	if (f->st.is_dir)
		return MICA_EINVAL;
	if (f->st.size && !fat_cluster_ok(fs, f->st.cluster))
		return MICA_EBADMSG;
	if ((flags & MICA_FAT_TRUNC) && f->st.size)
		return mica_fat_truncate(fs, f, 0);
	return MICA_OK;
}
