/* site_block.c - the site of a SITE=block build: the FAT volume on the
 * block device `site` (--block:site=IMG), read into memory at start
 * (fatsite.c). Every --site-poll seconds the tree's metadata is read
 * again; when it changed (a file added, removed or rewritten with mcopy)
 * the whole site is read anew and replaces the old one between two loop
 * callbacks. A volume caught in the middle of an update (a read error,
 * a file shorter than its entry) keeps the old site until the next look.
 * Reads use the platform's synchronous block calls: a look at a small
 * volume is a few sector reads. */
#include <mica/args.h>
#include <mica/blk.h>
#include <mica/fat.h>
#include <mica/log.h>
#include <mica/platform.h>
#include "fatsite.h"
#include "www.h"

static struct {
	struct www *w;
	struct mica_blk blk;
	struct mica_fat fs;
	uint8_t cache[16 * 1024];
	struct fatsite *cur;
	uint64_t sig;
	struct mica_timer timer;
	uint64_t reloads, failures;
} bs;

static int64_t now_s(void)
{
	return (int64_t)(mica_plat_wall_ns() / MICA_NS_PER_S);
}

/* Mount afresh (nothing cached from the last look) and read the site if
 * its metadata changed. */
static int look(bool first)
{
	struct mica_fat_config cfg = {.blk = &bs.blk, .cache = bs.cache, .cache_bytes = sizeof(bs.cache)};
	uint64_t sig = 0;
	int rc = mica_fat_mount(&bs.fs, &cfg);
	if (rc == MICA_OK)
		rc = fatsite_signature(&bs.fs, &sig);
	if (rc < 0 || (!first && sig == bs.sig))
		return rc;
	struct fatsite *s;
	if ((rc = fatsite_build(&bs.fs, now_s(), &s)) < 0)
		return rc;
	struct fatsite *old = bs.cur;
	bs.cur = s;
	bs.sig = sig;
	bs.w->site = &s->site;
	fatsite_free(old);
	if (!first) {
		bs.reloads++;
		mica_info("www", "site volume changed: now %u entries, %llu bytes", s->n,
		          (unsigned long long)s->bytes);
	}
	return MICA_OK;
}

static void on_timer(struct mica_timer *t, void *arg)
{
	(void)t, (void)arg;
	int rc = look(false);
	if (rc < 0) {
		bs.failures++;
		mica_warn("www", "site volume: %s; keeping the site read before", mica_strerror(rc));
	}
}

int www_site_start(struct www *w)
{
	bs.w = w;
	w->copy_bodies = true;
	int rc = mica_blk_open(&bs.blk, "site");
	if (rc < 0) {
		mica_error("www", "block device 'site': %s (attach a FAT volume: --block:site=IMG)",
		           mica_strerror(rc));
		return rc;
	}
	if ((rc = look(true)) < 0) {
		mica_error("www", "block device 'site': not a FAT volume I can read: %s", mica_strerror(rc));
		return rc;
	}
	mica_info("www", "site from block device 'site': FAT%d, %u entries, %llu bytes", bs.fs.type,
	          bs.cur->n, (unsigned long long)bs.cur->bytes);
	uint64_t poll = (uint64_t)mica_arg_int("site-poll") * MICA_NS_PER_S;
	mica_timer_init(&bs.timer, on_timer, NULL);
	if (poll)
		mica_timer_start(w->loop, &bs.timer, poll, poll);
	return MICA_OK;
}
