/* pages.c - mica_plat_alloc_pages for guests: a bump pointer over the free
 * memory the platform found. Pages are never given back. They are zeroed
 * here (one `rep stosq` per allocation) unless the platform vouches that
 * the whole range was zero to begin with (hvt: the monitor's fresh memory);
 * firmware that ran before a virtio guest may have left data behind. */
#include "guest.h"

static uintptr_t brk, heap_start, heap_end;
static bool must_zero;

void guest_pages_init(uintptr_t start, uintptr_t end, bool zero)
{
	brk = heap_start = start;
	heap_end = end;
	must_zero = zero;
}

void guest_zero(void *p, size_t bytes)
{
	size_t words = bytes / 8;
	__asm__ volatile("rep stosq" : "+D"(p), "+c"(words) : "a"(0ull) : "memory");
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
	if (must_zero)
		guest_zero(p, npages * MICA_PAGE_SIZE);
	return p;
}
