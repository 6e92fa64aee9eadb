/* pagetable.c - the page-table builder of pagetable.h.
 *
 * Four levels: PML4 -> PDPT -> PD -> PT. Intermediate entries are
 * permissive (present, writable, executable): the leaves alone decide. The
 * loops write consecutive entries of one table and walk the upper levels
 * once per GiB, since guests count every instruction at boot. */
#include <stddef.h>
#include <mica/err.h>
#include "pagetable.h"
#include "x86.h"

#define PAGE 4096ull
#define BIG (2ull << 20)
#define TABLE_BITS (X86_PTE_P | X86_PTE_W | X86_PTE_A)

static uint64_t *table(const struct pt_builder *b, uint64_t gpa)
{
	return (uint64_t *)(b->base + (uintptr_t)gpa);
}

void pt_init(struct pt_builder *b, uintptr_t base, uint64_t area, uint64_t area_end)
{
	b->base = base;
	b->pml4 = area;
	b->next = area + PAGE;
	b->end = area_end;
}

/* The table entry `e` points to; a fresh zeroed table when it is empty. */
static uint64_t *next_level(struct pt_builder *b, uint64_t *e)
{
	if (*e & X86_PTE_PS)
		return NULL; /* a large page is already here */
	if (!(*e & X86_PTE_P)) {
		if (b->next >= b->end)
			return NULL;
		*e = b->next | TABLE_BITS;
		b->next += PAGE;
	}
	return table(b, *e & X86_PTE_ADDR);
}

/* The page directory covering `a`. */
static uint64_t *pd_of(struct pt_builder *b, uint64_t a)
{
	uint64_t *pdpt = next_level(b, &table(b, b->pml4)[(a >> 39) & 511]);
	return pdpt ? next_level(b, &pdpt[(a >> 30) & 511]) : NULL;
}

/* Map [start, stop) within one 2 MiB region with 4 KiB pages. */
static int map_small(struct pt_builder *b, uint64_t *pde, uint64_t start, uint64_t stop, uint64_t leaf)
{
	uint64_t *pt = next_level(b, pde);
	if (!pt)
		return (*pde & X86_PTE_PS) ? MICA_EEXIST : MICA_ENOMEM;
	for (uint64_t *e = &pt[(start >> 12) & 511]; start < stop; start += PAGE, e++) {
		if (*e)
			return MICA_EEXIST;
		*e = start | leaf;
	}
	return MICA_OK;
}

/* One directory at a time: its 2 MiB entries in a row (a guest's heap is
 * a few dozen of them), 4 KiB tables only at unaligned ends. */
int pt_map(struct pt_builder *b, uint64_t start, uint64_t end, uint64_t leaf)
{
	if ((start | end) & (PAGE - 1) || start > end || end > (1ull << 47))
		return MICA_EINVAL;
	while (start < end) {
		uint64_t *pd = pd_of(b, start);
		if (!pd)
			return MICA_ENOMEM;
		uint64_t gib_end = (start | ((1ull << 30) - 1)) + 1;
		uint64_t stop = end < gib_end ? end : gib_end;
		while (start < stop) {
			uint64_t *pde = &pd[(start >> 21) & 511];
			uint64_t next = (start | (BIG - 1)) + 1;
			if (!(start & (BIG - 1)) && stop - start >= BIG) {
				if (*pde & X86_PTE_P)
					return MICA_EEXIST;
				*pde = start | leaf | X86_PTE_PS;
				start = next;
				continue;
			}
			int rc = map_small(b, pde, start, next < stop ? next : stop, leaf);
			if (rc < 0)
				return rc;
			start = next < stop ? next : stop;
		}
	}
	return MICA_OK;
}
