/* sitec.h - the site compiler's parts (a host program): walk a directory
 * into a list of files, give each its media type, compress, emit C. */
#ifndef SITEC_H
#define SITEC_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/* One representation of a file: identity, gzip or br. */
struct sitec_variant {
	bool present;
	uint8_t *data; /* malloc'd (identity: the file) */
	size_t len;
	uint64_t head_off, head304_off; /* in the blob, set by emit */
	uint32_t head_len, head304_len;
	char etag[40];
};

struct sitec_file {
	char *url;                      /* decoded URL path, e.g. "/css/site.css", "/docs" for a directory */
	char *src;                      /* path on disk, for messages */
	bool dir;                       /* a directory: 301 to url + "/" */
	char *alias_url;                /* "/docs/" serves the file at this URL (its index.html) */
	const struct sitec_file *alias; /* resolved once the list is final */
	int64_t mtime;
	const char *type; /* Content-Type value */
	struct sitec_variant var[3];
};

struct sitec_site {
	struct sitec_file *files;
	size_t n, cap;
};

/* Print "sitec: PATH: message" and exit 1. */
_Noreturn void sitec_fail(const char *path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void *sitec_xmalloc(size_t n);

/* Read the tree under root into site (files and directories). */
void sitec_walk(const char *root, struct sitec_site *site);
/* Sort by URL and add the "dir/" aliases of index.html files. */
void sitec_index(struct sitec_site *site);

/* Fill var[1] (gzip) and var[2] (br) when smaller than var[0]. */
void sitec_compress(struct sitec_file *f);

/* Write the blob (headers and bodies) and the C source that describes it. */
void sitec_emit(struct sitec_site *site, const char *c_path, const char *blob_path);

#endif
