/* pagetable.c - the page-table builder of pagetable.h.
 *
 * Four levels: PML4 -> PDPT -> PD -> PT. Intermediate entries are
 * permissive (present, writable, executable): the leaves alone decide. The
 * inner loop writes consecutive entries of one table, since guests count
 * every instruction at boot. */
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
static int pd_of(struct pt_builder *b, uint64_t a, uint64_t **pd)
{
	uint64_t *pdpt = next_level(b, &table(b, b->pml4)[(a >> 39) & 511]);
	*pd = pdpt ? next_level(b, &pdpt[(a >> 30) & 511]) : NULL;
	return *pd ? MICA_OK : MICA_ENOMEM;
}

int pt_map(struct pt_builder *b, uint64_t start, uint64_t end, uint64_t leaf)
{
	if ((start | end) & (PAGE - 1) || start > end || end > (1ull << 47))
		return MICA_EINVAL;
	uint64_t *pd;
	while (start < end) {
		int rc = pd_of(b, start, &pd);
		if (rc < 0)
			return rc;
		uint64_t *pde = &pd[(start >> 21) & 511];
		if (!(start & (BIG - 1)) && end - start >= BIG) {
			if (*pde & X86_PTE_P)
				return MICA_EEXIST;
			*pde = start | leaf | X86_PTE_PS;
			start += BIG;
			continue;
		}
		uint64_t *pt = next_level(b, pde);
		if (!pt)
			return (*pde & X86_PTE_PS) ? MICA_EEXIST : MICA_ENOMEM;
		uint64_t stop = (start | (BIG - 1)) + 1;
		if (stop > end)
			stop = end;
		for (uint64_t *e = &pt[(start >> 12) & 511]; start < stop; start += PAGE, e++) {
			if (*e)
				return MICA_EEXIST;
			*e = start | leaf;
		}
	}
	return MICA_OK;
}
