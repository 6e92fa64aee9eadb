/* mm.c - memory of a virtio guest: RAM from the PVH memory map, and the
 * guest's own W^X page tables.
 *
 * The image is loaded at 1 MiB; free RAM is the rest of the memory-map
 * region that holds it, up to 4 GiB (RAM elsewhere is left unused). The
 * final tables (built with the shared builder, platform/guest/pagetable.c)
 * identity-map only what the guest uses, each with its own permissions:
 *   text R+X; rodata R; data and bss RW+NX; the CPU tables page (GDT, TSS,
 *   IDT) R; the exception stack and the stack RW, each above an unmapped
 *   guard page; the page tables themselves (in .bss) R; free memory RW+NX
 *   from the first 2 MiB boundary after the image, in 2 MiB pages; device
 *   registers RW+NX, uncached.
 * Everything else, the first MiB included (null pointers), is unmapped.
 * Device registers found at boot are added with mm_add_mmio before
 * mm_finish switches from the boot tables (pvh.c) to these. */
#include <mica/err.h>
#include "../guest/pagetable.h"
#include "virtio.h"

#define PAGE 4096ull
#define BIG (2ull << 20)
#define PT_PAGES 16 /* page-table pages: PML4, PDPT, 4+ directories, tables */
#define MAX_MMIO 32
#define LIMIT_4G (1ull << 32)

extern const char _text_start[], _rodata_start[], _data_start[], _cpu_tables[], _cpu_tables_end[];
extern const char _exc_guard[], _exc_stack[], _exc_stack_top[], _stack[], _stack_top[], _end[];

/* The final page tables: in .bss, so zero without a guest instruction. */
static uint8_t tables[PT_PAGES * PAGE] __attribute__((aligned(4096), section(".bss.page_tables")));

static struct {
	uint64_t ram_end;
	struct {
		uint64_t start, end;
	} mmio[MAX_MMIO];
	unsigned nmmio;
} mm;

/* Free memory starts at the first 2 MiB boundary after the image: it is
 * then mapped with 2 MiB pages only (a few entries instead of hundreds;
 * every guest instruction counts at boot). */
static uint64_t heap_start(void)
{
	return ((uintptr_t)_end + BIG - 1) & ~(BIG - 1);
}

int mm_init(const struct hvm_start_info *si)
{
	uint64_t image_end = (uintptr_t)_end;
	if (si->version < 1 || !si->memmap_paddr)
		return MICA_ENOTSUP;
	const struct hvm_memmap_entry *e = (const void *)(uintptr_t)si->memmap_paddr;
	for (uint32_t i = 0; i < si->memmap_entries; i++) {
		if (e[i].type != HVM_MEMMAP_RAM || e[i].addr > (uintptr_t)_text_start ||
		    e[i].addr + e[i].size < image_end)
			continue;
		uint64_t end = e[i].addr + e[i].size;
		mm.ram_end = (end < LIMIT_4G ? end : LIMIT_4G) & ~(PAGE - 1);
	}
	if (mm.ram_end < heap_start() + BIG)
		return MICA_ENOMEM;
	return MICA_OK;
}

int mm_add_mmio(uint64_t addr, uint64_t len)
{
	uint64_t start = addr & ~(PAGE - 1), end = (addr + len + PAGE - 1) & ~(PAGE - 1);
	for (unsigned i = 0; i < mm.nmmio; i++) {
		if (start >= mm.mmio[i].start && end <= mm.mmio[i].end)
			return MICA_OK;
		if (start < mm.mmio[i].end && end > mm.mmio[i].start) {
			/* overlapping: grow the recorded range to cover both */
			mm.mmio[i].start = start < mm.mmio[i].start ? start : mm.mmio[i].start;
			mm.mmio[i].end = end > mm.mmio[i].end ? end : mm.mmio[i].end;
			return MICA_OK;
		}
	}
	if (mm.nmmio == MAX_MMIO)
		return MICA_ENOSPC;
	mm.mmio[mm.nmmio].start = start;
	mm.mmio[mm.nmmio].end = end;
	mm.nmmio++;
	return MICA_OK;
}

static void map(struct pt_builder *b, uint64_t start, uint64_t end, uint64_t leaf)
{
	int rc = pt_map(b, start, end, leaf);
	if (rc < 0) {
		virtio_say("page tables: cannot map [0x%llx, 0x%llx): error %d", (unsigned long long)start,
		           (unsigned long long)end, rc);
		virtio_exit(VIRTIO_EXIT_FAULT);
	}
}

void mm_finish(bool firmware_ran)
{
	uint64_t area = (uintptr_t)tables, heap = heap_start();
	struct pt_builder b;
	pt_init(&b, 0, area, area + sizeof(tables));
	map(&b, (uintptr_t)_text_start, (uintptr_t)_rodata_start, X86_LEAF_RX);
	map(&b, (uintptr_t)_rodata_start, (uintptr_t)_data_start, X86_LEAF_R);
	map(&b, (uintptr_t)_data_start, (uintptr_t)_cpu_tables, X86_LEAF_RW);
	map(&b, (uintptr_t)_cpu_tables, (uintptr_t)_cpu_tables_end, X86_LEAF_R);
	map(&b, (uintptr_t)_cpu_tables_end, area, X86_LEAF_RW);
	map(&b, area, area + sizeof(tables), X86_LEAF_R);
	map(&b, area + sizeof(tables), (uintptr_t)_exc_guard, X86_LEAF_RW);
	map(&b, (uintptr_t)_exc_stack, (uintptr_t)_exc_stack_top, X86_LEAF_RW);
	map(&b, (uintptr_t)_stack, (uintptr_t)_stack_top, X86_LEAF_RW);
	map(&b, heap, mm.ram_end, X86_LEAF_RW);
	for (unsigned i = 0; i < mm.nmmio; i++)
		map(&b, mm.mmio[i].start, mm.mmio[i].end, X86_LEAF_MMIO);
	__asm__ volatile("mov %0, %%cr3" : : "r"(b.pml4) : "memory");
	guest_pages_init(heap, mm.ram_end, firmware_ran);
}
