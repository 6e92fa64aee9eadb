/* pagetable.h - build x86-64 identity-mapped page tables from ranges.
 *
 * One builder for every Mica guest: mica-hvt builds its guest's tables
 * from outside (writing into the guest memory it mapped), platform/virtio
 * builds its own from inside. The caller describes memory as ranges with
 * leaf bits (X86_LEAF_* from x86.h); the builder uses 2 MiB pages where a
 * range covers an aligned 2 MiB and 4 KiB pages elsewhere. Table pages
 * come from a caller-given area of zeroed pages. Freestanding. */
#ifndef MICA_GUEST_PAGETABLE_H
#define MICA_GUEST_PAGETABLE_H

#include <stdint.h>

struct pt_builder {
	uintptr_t base;     /* where guest-physical 0 is in this address space */
	uint64_t pml4;      /* guest-physical address of the top table */
	uint64_t next, end; /* zeroed pages left for tables: [next, end) */
};

/* Start tables in the zeroed pages [area, area_end): the first becomes the
 * PML4. `base` is 0 inside the guest. */
void pt_init(struct pt_builder *b, uintptr_t base, uint64_t area, uint64_t area_end);

/* Map [start, end) (page-aligned, in the lower half of the 48-bit address space) to itself with `leaf`
 * bits. MICA_ENOMEM when the table area is full, MICA_EEXIST when part of
 * the range is already mapped, MICA_EINVAL for a misaligned range. */
int pt_map(struct pt_builder *b, uint64_t start, uint64_t end, uint64_t leaf);

#endif
