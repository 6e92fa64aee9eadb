/* unix.h - private interface of the Linux-process platform (unix and tap
 * targets): file descriptors watched by the epoll set that mica_plat_poll
 * waits on. Used by the sockets backend and the tap netif. */
#ifndef MICA_PLATFORM_UNIX_H
#define MICA_PLATFORM_UNIX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct mica_unix_watch;
typedef void (*mica_unix_ready_fn)(struct mica_unix_watch *w, uint32_t events);

/* Owned by the caller (usually embedded in its state); must stay valid
 * until mica_unix_watch_del. */
struct mica_unix_watch {
	int fd;
	mica_unix_ready_fn fn;
	void *arg;
	uint32_t events; /* EPOLLIN/EPOLLOUT/... currently watched */
};

/* Watch w->fd for `events` (EPOLL* bits, level-triggered). */
int mica_unix_watch_add(struct mica_unix_watch *w, uint32_t events);
int mica_unix_watch_mod(struct mica_unix_watch *w, uint32_t events);
/* Stop watching; safe from inside any ready callback, including w's own. */
void mica_unix_watch_del(struct mica_unix_watch *w);

/* Map errno to a MICA_E* code. */
int mica_unix_err(int errnum);

/* Open the host file (or block device) `path` as block device `name`,
 * without a boot argument: for unit tests and host tools. sector_size 0
 * takes the device's own (512 for a regular file). */
struct mica_blkif;
int mica_unix_blkif_open_path(const char *name, const char *path, uint32_t sector_size,
                              struct mica_blkif **out);
/* Close one opened so, with no request in flight. */
void mica_unix_blkif_close(struct mica_blkif *blk);

/* Where the image's read-only bytes [p, p + len) are in the executable
 * file (image_file.c): the file's descriptor (kept open; never close it)
 * with *off set, or -1 when they are not verified file-backed bytes. */
int mica_unix_image_locate(const void *p, size_t len, off_t *off);

#endif
