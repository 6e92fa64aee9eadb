/* pages.c - mica_plat_alloc_pages for guests: a bump pointer over the free
 * memory the platform found. Pages are never given back, so they are zero
 * as long as the platform handed over zeroed memory. */
#include "guest.h"

static uintptr_t brk, heap_start, heap_end;

void guest_pages_init(uintptr_t start, uintptr_t end)
{
	brk = heap_start = start;
	heap_end = end;
}

size_t mica_plat_mem_size(void)
{
	return heap_end - heap_start;
}

void *mica_plat_alloc_pages(size_t npages)
{
	if (npages == 0 || npages > (heap_end - brk) / MICA_PAGE_SIZE)
		return NULL;
	void *p = (void *)brk;
	brk += npages * MICA_PAGE_SIZE;
	return p;
}
