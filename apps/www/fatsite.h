/* fatsite.h - a web site read at run time from a FAT volume (lib/fat):
 * the same struct mica_http_site tools/sitec compiles, built in memory
 * (fatsite.c), so lib/http's decisions and conn.c serve it unchanged. */
#ifndef WWW_FATSITE_H
#define WWW_FATSITE_H

#include <mica/fat.h>
#include <mica/http_site.h>

struct fatsite {
	struct mica_http_site site;
	struct mica_http_entry *entries;
	uint32_t n, cap;
	void **blocks; /* heads and bodies, one malloc per file */
	uint32_t nblocks, capblocks;
	uint64_t bytes; /* memory they hold */
};

/* A hash of the tree's metadata (paths, sizes, times, first clusters):
 * it changes when a file is added, removed, renamed or rewritten. */
int fatsite_signature(struct mica_fat *fs, uint64_t *sig);
/* Read the whole tree into a new site (*out, malloc'd). */
int fatsite_build(struct mica_fat *fs, int64_t now, struct fatsite **out);
void fatsite_free(struct fatsite *s);

#endif
