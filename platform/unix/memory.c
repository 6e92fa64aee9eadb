/* memory.c - pages for I/O buffer pools, from anonymous mappings; sealing
 * is not available to a Linux process. */
#include <sys/mman.h>
#include <mica/platform.h>
#include <mica/err.h>

void *mica_plat_alloc_pages(size_t npages)
{
	void *p =
	    mmap(NULL, npages * MICA_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

int mica_plat_seal(void)
{
	return MICA_ENOTSUP;
}
