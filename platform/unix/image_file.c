/* image_file.c - where the image's read-only bytes lie in its executable
 * file, so they can be handed to the kernel by file offset (sendfile from
 * the page cache) instead of being copied from memory.
 *
 * On first use the program's read-only loaded segments (PT_LOAD without
 * PF_W, from dl_iterate_phdr) are listed, /proc/self/exe is opened once
 * and each segment's bytes in the file are compared with its bytes in
 * memory; a segment that differs (or cannot be read) is left out, so only
 * verified, immutable file-backed memory is ever mapped to an offset. The
 * file descriptor stays open for the life of the process: it names the
 * file the process was started from even if that path is replaced. */
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <mica/log.h>
#include "unix.h"

#define IMAGE_SEGS_MAX 8
#define VERIFY_CHUNK 65536

struct image_seg {
	uintptr_t start, end; /* memory [start, end) ... */
	off_t off;            /* ... is the file's bytes from off */
};

static struct {
	bool looked;
	int fd;
	unsigned nsegs;
	struct image_seg segs[IMAGE_SEGS_MAX];
} image = {.fd = -1};

/* The first object dl_iterate_phdr reports is the program itself. */
static int list_segments(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size, (void)arg;
	for (unsigned i = 0; i < info->dlpi_phnum && image.nsegs < IMAGE_SEGS_MAX; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD || (ph->p_flags & PF_W) || ph->p_filesz == 0)
			continue;
		uintptr_t start = info->dlpi_addr + ph->p_vaddr;
		image.segs[image.nsegs++] =
		    (struct image_seg){start, start + ph->p_filesz, (off_t)ph->p_offset};
	}
	return 1; /* stop after the program */
}

/* Compare n bytes of a segment with the file's copy. A whole segment
 * also holds the sanitizer's redzones between globals, so this reads it
 * unchecked and without memcmp (which ASan intercepts). */
__attribute__((no_sanitize("address"))) static bool same_bytes(const uint8_t *file, uintptr_t mem, size_t n)
{
	const uint8_t *m = (const uint8_t *)mem;
	uint8_t diff = 0;
	for (size_t i = 0; i < n; i++)
		diff |= (uint8_t)(file[i] ^ m[i]);
	return diff == 0;
}

/* Do the file's bytes at seg->off equal the memory at seg->start? */
static bool segment_matches(int fd, const struct image_seg *seg, uint8_t *buf)
{
	for (uintptr_t a = seg->start; a < seg->end;) {
		size_t n = seg->end - a < VERIFY_CHUNK ? seg->end - a : VERIFY_CHUNK;
		ssize_t got = pread(fd, buf, n, seg->off + (off_t)(a - seg->start));
		if (got <= 0 || !same_bytes(buf, a, (size_t)got))
			return false;
		a += (size_t)got;
	}
	return true;
}

static void image_look(void)
{
	image.looked = true;
	dl_iterate_phdr(list_segments, NULL);
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	uint8_t *buf = malloc(VERIFY_CHUNK);
	unsigned kept = 0;
	for (unsigned i = 0; fd >= 0 && buf && i < image.nsegs; i++) {
		if (segment_matches(fd, &image.segs[i], buf))
			image.segs[kept++] = image.segs[i];
		else
			mica_debug(
			    "unix",
			    "read-only segment %u differs from the executable file; not sent by offset", i);
	}
	free(buf);
	image.nsegs = kept;
	if (fd >= 0 && kept == 0)
		close(fd);
	else
		image.fd = fd;
}

int mica_unix_image_locate(const void *p, size_t len, off_t *off)
{
	if (!image.looked)
		image_look();
	uintptr_t a = (uintptr_t)p;
	for (unsigned i = 0; i < image.nsegs; i++) {
		const struct image_seg *s = &image.segs[i];
		if (a >= s->start && a < s->end && len <= s->end - a) {
			*off = s->off + (off_t)(a - s->start);
			return image.fd;
		}
	}
	return -1;
}
