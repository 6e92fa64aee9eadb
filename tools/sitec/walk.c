/* walk.c - read a site's directory tree: every regular file (symbolic
 * links followed) becomes an entry with its bytes and modification time,
 * every directory an entry that redirects to its slash. A file that cannot
 * be read, a special file, or a name no URL can carry is a build error
 * naming the file. */
#include "sitec.h"
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static struct sitec_file *add(struct sitec_site *site)
{
	if (site->n == site->cap) {
		site->cap = site->cap ? site->cap * 2 : 64;
		site->files = realloc(site->files, site->cap * sizeof(*site->files));
		if (!site->files)
			sitec_fail("-", "out of memory");
	}
	struct sitec_file *f = &site->files[site->n++];
	memset(f, 0, sizeof(*f));
	return f;
}

static char *join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *s = sitec_xmalloc(n);
	snprintf(s, n, "%s/%s", a, b);
	return s;
}

static void check_name(const char *src, const char *name)
{
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			sitec_fail(src, "the name has a control character; no URL can name it");
}

static int64_t mtime_of(const struct stat *st)
{
	int64_t now = (int64_t)time(NULL);
	return st->st_mtime > now ? now : (int64_t)st->st_mtime;
}

static void read_file(struct sitec_file *f, const struct stat *st)
{
	FILE *fp = fopen(f->src, "rb");
	if (!fp)
		sitec_fail(f->src, "cannot read: %s", strerror(errno));
	size_t len = (size_t)st->st_size;
	uint8_t *data = sitec_xmalloc(len ? len : 1);
	if (fread(data, 1, len, fp) != len || ferror(fp))
		sitec_fail(f->src, "cannot read: %s", ferror(fp) ? strerror(errno) : "file changed size");
	fclose(fp);
	f->var[0] = (struct sitec_variant){.present = true, .data = data, .len = len};
}

static void walk_dir(const char *dir, const char *url, struct sitec_site *site)
{
	DIR *d = opendir(dir);
	if (!d)
		sitec_fail(dir, "cannot read directory: %s", strerror(errno));
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char *src = join(dir, de->d_name);
		check_name(src, de->d_name);
		struct stat st;
		if (stat(src, &st) < 0)
			sitec_fail(src, "cannot read: %s", strerror(errno));
		char *u = join(url, de->d_name);
		struct sitec_file *f = add(site);
		f->src = src;
		f->url = u;
		f->mtime = mtime_of(&st);
		if (S_ISDIR(st.st_mode)) {
			f->dir = true;
			walk_dir(src, u, site); /* may move site->files: f is stale after */
		} else if (S_ISREG(st.st_mode)) {
			read_file(f, &st);
		} else {
			sitec_fail(src, "not a regular file or directory");
		}
	}
	closedir(d);
}

void sitec_walk(const char *root, struct sitec_site *site)
{
	struct stat st;
	if (stat(root, &st) < 0)
		sitec_fail(root, "cannot read: %s", strerror(errno));
	if (!S_ISDIR(st.st_mode))
		sitec_fail(root, "a site must be a directory");
	walk_dir(root, "", site);
}

static int by_url(const void *a, const void *b)
{
	return strcmp(((const struct sitec_file *)a)->url, ((const struct sitec_file *)b)->url);
}

/* The file at url among the first n (sorted) entries. */
static const struct sitec_file *find(const struct sitec_site *site, size_t n, const char *url)
{
	struct sitec_file key = {.url = (char *)url};
	return bsearch(&key, site->files, n, sizeof(key), by_url);
}

void sitec_index(struct sitec_site *site)
{
	/* The root "/" and every "dir/" serve their index.html. */
	size_t n = site->n;
	qsort(site->files, n, sizeof(*site->files), by_url);
	for (size_t i = 0; i <= n; i++) {
		const char *dir = i == n ? "" : site->files[i].url;
		if (i < n && !site->files[i].dir)
			continue;
		char *idx = join(dir, "index.html");
		const struct sitec_file *t = find(site, n, idx);
		if (!t || t->dir) {
			free(idx);
			continue;
		}
		int64_t mtime = t->mtime;
		char *src = t->src;
		struct sitec_file *f = add(site); /* may move the array: t is stale */
		f->url = join(dir, "");
		f->alias_url = idx;
		f->src = src;
		f->mtime = mtime;
	}
	qsort(site->files, site->n, sizeof(*site->files), by_url);
	for (size_t i = 0; i < site->n; i++)
		if (site->files[i].alias_url)
			site->files[i].alias = find(site, site->n, site->files[i].alias_url);
}
