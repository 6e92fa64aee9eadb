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
 * Aligned 2 MiB stretches of one permission are mapped with 2 MiB pages,
 * the rest with 4 KiB pages. Accessed/dirty bits are preset so the CPU
 * never writes to the page tables (they can be sealed read-only). */
#include <string.h>
#include <mica/err.h>
#include "hvt.h"
#include "../platform/guest/pagetable.h"
#include "../platform/guest/x86.h"

#define PAGE 4096ull

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

static uint64_t leaf_bits(enum hvt_perm p)
{
	switch (p) {
	case PERM_RX: return X86_LEAF_RX;
	case PERM_R: return X86_LEAF_R;
	case PERM_RW: return X86_LEAF_RW;
	default: return 0;
	}
}

static void map(struct pt_builder *b, uint64_t start, uint64_t end, uint64_t leaf)
{
	int rc = pt_map(b, start, end, leaf);
	if (rc == MICA_ENOMEM)
		hvt_die(HVT_EXIT_SETUP, "image too large for the page-table area");
	if (rc < 0)
		hvt_die(HVT_EXIT_SETUP, "page tables: cannot map [0x%llx, 0x%llx): %s",
		        (unsigned long long)start, (unsigned long long)end,
		        rc == MICA_EEXIST ? "overlap" : "bad range");
}

/* The ranges of the layout above, through the builder every Mica guest
 * shares (platform/guest/pagetable.c). */
void hvt_build_page_tables(struct hvt *h)
{
	struct pt_builder b;
	pt_init(&b, (uintptr_t)h->mem, MICA_HVT_PT_ADDR, MICA_HVT_PT_END);
	map(&b, PAGE, MICA_HVT_IMAGE_BASE, X86_LEAF_R);
	for (unsigned i = 0; i < h->img.nsegs; i++)
		map(&b, h->img.segs[i].start, h->img.segs[i].end, leaf_bits(h->img.segs[i].perm));
	map(&b, h->heap_start, h->guard, X86_LEAF_RW);
	map(&b, h->guard + PAGE, h->mem_size, X86_LEAF_RW);
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
