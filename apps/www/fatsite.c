/* fatsite.c - build a site from a FAT volume, as tools/sitec builds one
 * from a directory: every file an entry whose header block (Server,
 * Content-Type by extension, Last-Modified from the entry's write time,
 * ETag, Accept-Ranges) is followed by its body in one piece of memory,
 * plus its 304 block; every directory an entry that redirects to its
 * slash; "/" and every "dir/" serving their index.html. The ETag comes
 * from the file's metadata, not its bytes: size, write time and first
 * cluster - what changes when the file is rewritten or replaced with
 * mcopy. There are no precompressed variants (nothing compresses at run
 * time). Names with control characters are skipped, as no URL names
 * them. */
#include <mica/http.h>
#include <mica/libc.h>
#include <mica/log.h>
#include "fatsite.h"

#define DEPTH_MAX 16
#define URL_MAX 1024

typedef int (*visit_fn)(void *ctx, const char *url, size_t len, const struct mica_fat_stat *st);

static bool url_ok(const char *name)
{
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

/* Visit every entry under url[0, len) (a directory) depth first. */
static int walk(struct mica_fat *fs, char *url, size_t len, int depth, visit_fn fn, void *ctx)
{
	struct mica_fat_dir d;
	struct mica_fat_dirent *e = malloc(sizeof(*e));
	int rc = e ? MICA_OK : MICA_ENOMEM;
	url[len] = 0;
	if (rc == MICA_OK)
		rc = mica_fat_opendir(fs, len ? url : "/", &d);
	while (rc == MICA_OK && (rc = mica_fat_readdir(fs, &d, e)) == 1) {
		size_t nl = strlen(e->name);
		rc = MICA_OK;
		if (!url_ok(e->name) || len + 1 + nl >= URL_MAX)
			continue;
		url[len] = '/';
		memcpy(url + len + 1, e->name, nl + 1);
		if ((rc = fn(ctx, url, len + 1 + nl, &e->st)) < 0)
			break;
		if (e->st.is_dir && depth < DEPTH_MAX)
			rc = walk(fs, url, len + 1 + nl, depth + 1, fn, ctx);
		url[len] = 0;
	}
	free(e);
	return rc < 0 ? rc : MICA_OK;
}

static int walk_root(struct mica_fat *fs, visit_fn fn, void *ctx)
{
	char *url = malloc(URL_MAX);
	if (!url)
		return MICA_ENOMEM;
	int rc = walk(fs, url, 0, 0, fn, ctx);
	free(url);
	return rc;
}

static void fnv(uint64_t *h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++) {
		*h ^= b[i];
		*h *= 0x100000001b3ull;
	}
}

static int sig_visit(void *ctx, const char *url, size_t len, const struct mica_fat_stat *st)
{
	uint64_t *h = ctx;
	uint64_t meta[4] = {st->size, (uint64_t)st->mtime, st->cluster, st->is_dir};
	fnv(h, url, len + 1);
	fnv(h, meta, sizeof(meta));
	return MICA_OK;
}

int fatsite_signature(struct mica_fat *fs, uint64_t *sig)
{
	*sig = 0xcbf29ce484222325ull;
	return walk_root(fs, sig_visit, sig);
}

struct build {
	struct fatsite *s;
	struct mica_fat *fs;
	int64_t now;
};

static struct mica_http_entry *add_entry(struct fatsite *s, const char *path, size_t len)
{
	if (s->n == s->cap) {
		uint32_t cap = s->cap ? s->cap * 2 : 64;
		struct mica_http_entry *ne = realloc(s->entries, cap * sizeof(*ne));
		if (!ne)
			return NULL;
		s->entries = ne;
		s->cap = cap;
	}
	char *p = malloc(len + 1);
	if (!p)
		return NULL;
	memcpy(p, path, len + 1);
	struct mica_http_entry *e = &s->entries[s->n++];
	*e = (struct mica_http_entry){.path = p, .path_len = (uint32_t)len};
	return e;
}

/* The header block of a file (for a 304: without Content-Type and
 * Accept-Ranges); its length. */
static size_t head_block(char *buf, size_t cap, const char *type, const char *date, const char *etag,
                         bool for304)
{
	int n;
	if (for304)
		n = snprintf(buf, cap, "Server: mica\r\nLast-Modified: %s\r\nETag: %s\r\n\r\n", date, etag);
	else
		n = snprintf(buf, cap,
		             "Server: mica\r\nContent-Type: %s\r\nLast-Modified: %s\r\nETag: %s\r\n"
		             "Accept-Ranges: bytes\r\n\r\n",
		             type, date, etag);
	return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

/* One piece of memory: head, body, 304 head, then the ETag string. */
static int load_file(struct build *b, struct mica_http_entry *e, const char *url, size_t len,
                     const struct mica_fat_stat *st)
{
	char date[MICA_HTTP_DATE_LEN + 1] = {0}, etag[48], head[512], head304[256];
	bool compressible;
	const char *type = mica_http_media_type(url, len, &compressible);
	mica_http_format_date(e->mtime, date);
	int tl = snprintf(etag, sizeof(etag), "\"%llx-%llx-%x\"", (unsigned long long)st->size,
	                  (unsigned long long)st->mtime, st->cluster);
	size_t hl = head_block(head, sizeof(head), type, date, etag, false);
	size_t h3 = head_block(head304, sizeof(head304), type, date, etag, true);
	if (!hl || !h3 || tl < 0)
		return MICA_EMSGSIZE;
	struct fatsite *s = b->s;
	if (s->nblocks == s->capblocks) {
		uint32_t cap = s->capblocks ? s->capblocks * 2 : 64;
		void **nb = realloc(s->blocks, cap * sizeof(*nb));
		if (!nb)
			return MICA_ENOMEM;
		s->blocks = nb;
		s->capblocks = cap;
	}
	uint8_t *mem = malloc(hl + st->size + h3 + (size_t)tl + 1);
	if (!mem)
		return MICA_ENOMEM;
	s->blocks[s->nblocks++] = mem;
	struct mica_fat_file f;
	int rc = mica_fat_open(b->fs, url, 0, &f);
	long got = rc < 0 ? rc : mica_fat_read(b->fs, &f, mem + hl, st->size);
	if (got >= 0 && (uint64_t)got != st->size)
		got = MICA_EBADMSG; /* changed while read */
	if (got < 0)
		return (int)got;
	memcpy(mem, head, hl);
	memcpy(mem + hl + st->size, head304, h3);
	memcpy(mem + hl + st->size + h3, etag, (size_t)tl + 1);
	struct mica_http_variant *v = &e->var[MICA_HTTP_IDENTITY];
	*v = (struct mica_http_variant){mem,          mem + hl + st->size,
	                                (uint32_t)hl, (uint32_t)h3,
	                                st->size,     (const char *)mem + hl + st->size + h3,
	                                (uint32_t)tl};
	b->s->bytes += hl + st->size + h3 + (size_t)tl + 1;
	return MICA_OK;
}

static int build_visit(void *ctx, const char *url, size_t len, const struct mica_fat_stat *st)
{
	struct build *b = ctx;
	struct mica_http_entry *e = add_entry(b->s, url, len);
	if (!e)
		return MICA_ENOMEM;
	e->mtime = st->mtime > b->now ? b->now : st->mtime; /* never in the future */
	if (st->is_dir) {
		e->kind = MICA_HTTP_ENTRY_DIR;
		return MICA_OK;
	}
	e->kind = MICA_HTTP_ENTRY_FILE;
	int rc = load_file(b, e, url, len, st);
	if (rc < 0)
		mica_warn("www", "site volume: %s: %s", url, mica_strerror(rc));
	return rc;
}

static int entry_cmp(const struct mica_http_entry *a, const struct mica_http_entry *b)
{
	uint32_t n = a->path_len < b->path_len ? a->path_len : b->path_len;
	int c = memcmp(a->path, b->path, n);
	return c ? c : (int)a->path_len - (int)b->path_len;
}

/* Shell sort by path bytes (the order mica_http_site_find searches). */
static void sort_entries(struct mica_http_entry *v, uint32_t n)
{
	for (uint32_t gap = n / 2; gap > 0; gap /= 2)
		for (uint32_t i = gap; i < n; i++) {
			struct mica_http_entry t = v[i];
			uint32_t j = i;
			for (; j >= gap && entry_cmp(&v[j - gap], &t) > 0; j -= gap)
				v[j] = v[j - gap];
			v[j] = t;
		}
}

/* "/" and every "dir/" serve dir/index.html (sharing its memory). */
static int add_aliases(struct fatsite *s)
{
	uint32_t n = s->n;
	char url[URL_MAX + 16];
	for (uint32_t i = 0; i <= n; i++) {
		const struct mica_http_entry *d = i < n ? &s->entries[i] : NULL;
		if (d && d->kind != MICA_HTTP_ENTRY_DIR)
			continue;
		int ul = snprintf(url, sizeof(url), "%s/index.html", d ? d->path : "");
		struct mica_http_entry key = {.path = url, .path_len = (uint32_t)ul};
		const struct mica_http_entry *idx = NULL;
		for (uint32_t k = 0; k < n && !idx; k++)
			if (s->entries[k].kind == MICA_HTTP_ENTRY_FILE &&
			    entry_cmp(&s->entries[k], &key) == 0)
				idx = &s->entries[k];
		if (!idx)
			continue;
		struct mica_http_entry copy = *idx;
		struct mica_http_entry *a = add_entry(s, url, (size_t)ul - strlen("index.html"));
		if (!a)
			return MICA_ENOMEM;
		((char *)a->path)[a->path_len] = 0;
		a->kind = MICA_HTTP_ENTRY_FILE;
		a->mtime = copy.mtime;
		memcpy(a->var, copy.var, sizeof(a->var));
	}
	return MICA_OK;
}

void fatsite_free(struct fatsite *s)
{
	if (!s)
		return;
	for (uint32_t i = 0; i < s->n; i++)
		free((void *)s->entries[i].path);
	for (uint32_t i = 0; i < s->nblocks; i++)
		free(s->blocks[i]);
	free(s->entries);
	free(s->blocks);
	free(s);
}

int fatsite_build(struct mica_fat *fs, int64_t now, struct fatsite **out)
{
	struct fatsite *s = calloc(1, sizeof(*s));
	if (!s)
		return MICA_ENOMEM;
	struct build b = {s, fs, now};
	int rc = walk_root(fs, build_visit, &b);
	if (rc == MICA_OK)
		rc = add_aliases(s);
	if (rc < 0) {
		fatsite_free(s);
		return rc;
	}
	sort_entries(s->entries, s->n);
	s->site = (struct mica_http_site){s->entries, s->n};
	*out = s;
	return MICA_OK;
}
