/* memory.c - pages for I/O buffer pools and the like, from anonymous
 * mappings (runs of 2 MiB or more aligned to 2 MiB and marked for
 * transparent huge pages: fewer TLB misses for big tables); the memory
 * size is the machine's; sealing is not available to a Linux process. */
#include <sys/mman.h>
#include <unistd.h>
#include <mica/platform.h>
#include <mica/err.h>

#define HUGE_PAGE ((size_t)2 << 20)

void *mica_plat_alloc_pages(size_t npages)
{
	size_t len = npages * MICA_PAGE_SIZE, extra = len >= HUGE_PAGE ? HUGE_PAGE : 0;
	uint8_t *p = mmap(NULL, len + extra, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (!extra)
		return p;
	size_t head = (HUGE_PAGE - (uintptr_t)p % HUGE_PAGE) % HUGE_PAGE;
	if (head)
		munmap(p, head);
	if (extra - head)
		munmap(p + head + len, extra - head);
	(void)madvise(p + head, len, MADV_HUGEPAGE); /* a hint: no THP is fine */
	return p + head;
}

size_t mica_plat_mem_size(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
	return pages > 0 && size > 0 ? (size_t)pages * (size_t)size : 0;
}

int mica_plat_seal(void)
{
	return MICA_ENOTSUP;
}
