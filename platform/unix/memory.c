/* memory.c - pages for I/O buffer pools, from anonymous mappings; the
 * memory size is the machine's; sealing is not available to a Linux
 * process. */
#include <sys/mman.h>
#include <unistd.h>
#include <mica/platform.h>
#include <mica/err.h>

void *mica_plat_alloc_pages(size_t npages)
{
	void *p =
	    mmap(NULL, npages * MICA_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
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
