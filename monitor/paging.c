/* paging.c - guest memory layout, the guest's page tables, and the checks
 * of guest addresses the monitor is handed.
 *
 * Layout (guest-physical == guest-virtual):
 *   0x0000            unmapped (null pointer guard)
 *   0x1000..          GDT, IDT, boot info + argv, page tables: read-only
 *   0x100000..        the image's segments, each with its own permissions
 *   heap_start..      free memory for the guest (RW, NX)
 *   heap_end..        the exception stack (4 KiB, RW, NX; IST1 in the TSS)
 *   guard             one unmapped guard page below the stack
 *   ..mem_size        the stack (RW, NX), and argv + seed at the very top
 * 2 MiB regions that are all heap are mapped with 2 MiB pages; every other
 * region gets a page table of 4 KiB pages. Accessed/dirty bits are preset so
 * the CPU never writes to the page tables (they can be sealed read-only). */
#include <string.h>
#include "hvt.h"

#define PAGE 4096ull
#define BIG (2ull << 20)
#define PTE_P (1ull << 0)
#define PTE_W (1ull << 1)
#define PTE_A (1ull << 5)
#define PTE_D (1ull << 6)
#define PTE_PS (1ull << 7)
#define PTE_NX (1ull << 63)

void hvt_layout(struct hvt *h)
{
	/* argv, its strings and the entropy seed sit above the stack (see
	 * hvt_boot_info). */
	uint64_t args = (8 * (h->argc + 1) + h->args_len + MICA_HVT_SEED_LEN + 15) & ~15ull;
	h->stack_top = h->mem_size - args;
	h->guard = h->mem_size - MICA_HVT_STACK_SIZE - PAGE;
	h->heap_end = h->guard - PAGE; /* the exception stack sits between */
}

enum hvt_perm hvt_perm_of(const struct hvt *h, uint64_t addr)
{
	if (addr >= h->mem_size || addr < PAGE)
		return PERM_NONE;
	if (addr < MICA_HVT_IMAGE_BASE)
		return PERM_R;
	for (unsigned i = 0; i < h->img.nsegs; i++)
		if (addr >= h->img.segs[i].start && addr < h->img.segs[i].end)
			return h->img.segs[i].perm;
	if (addr < h->heap_start)
		return PERM_NONE;
	if (addr >= h->guard && addr < h->guard + PAGE)
		return PERM_NONE;
	return PERM_RW;
}

static uint64_t pte_bits(enum hvt_perm p)
{
	switch (p) {
	case PERM_RX: return PTE_P | PTE_A;
	case PERM_R: return PTE_P | PTE_A | PTE_NX;
	case PERM_RW: return PTE_P | PTE_W | PTE_A | PTE_D | PTE_NX;
	default: return 0;
	}
}

static void put(struct hvt *h, uint64_t gpa, uint64_t v)
{
	memcpy(h->mem + gpa, &v, sizeof(v));
}

/* Upper levels are permissive (W, X); the leaves decide. */
#define TABLE_BITS (PTE_P | PTE_W | PTE_A)

void hvt_build_page_tables(struct hvt *h)
{
	uint64_t pml4 = MICA_HVT_PT_ADDR, pdpt = pml4 + PAGE, pd = pdpt + PAGE;
	uint64_t ngb = (h->mem_size + (1ull << 30) - 1) >> 30;
	uint64_t next = pd + ngb * PAGE; /* next free page-table page */
	put(h, pml4, pdpt | TABLE_BITS);
	for (uint64_t g = 0; g < ngb; g++)
		put(h, pdpt + g * 8, (pd + g * PAGE) | TABLE_BITS);
	for (uint64_t r = 0; r < h->mem_size; r += BIG) {
		uint64_t pde = pd + (r / BIG) * 8;
		bool all_heap = r >= h->heap_start && r + BIG <= h->heap_end;
		if (all_heap) {
			put(h, pde, r | pte_bits(PERM_RW) | PTE_PS);
			continue;
		}
		if (next >= MICA_HVT_PT_END)
			hvt_die(HVT_EXIT_SETUP, "image too large for the page-table area");
		put(h, pde, next | TABLE_BITS);
		for (uint64_t a = r; a < r + BIG && a < h->mem_size; a += PAGE)
			put(h, next + ((a - r) / PAGE) * 8, a | pte_bits(hvt_perm_of(h, a)));
		next += PAGE;
	}
}

void *hvt_gpa_read(struct hvt *h, uint64_t gpa, uint64_t len)
{
	if (gpa > h->mem_size || len > h->mem_size - gpa)
		return NULL;
	return h->mem + gpa;
}

/* Writable for the guest: every page of the range is RW in its page tables,
 * so the monitor never writes into text or read-only data for the guest. */
void *hvt_gpa_write(struct hvt *h, uint64_t gpa, uint64_t len)
{
	if (!hvt_gpa_read(h, gpa, len))
		return NULL;
	for (uint64_t a = gpa & ~(PAGE - 1); a < gpa + len; a += PAGE)
		if (hvt_perm_of(h, a) != PERM_RW)
			return NULL;
	return h->mem + gpa;
}
