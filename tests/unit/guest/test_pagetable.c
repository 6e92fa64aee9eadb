/* test_pagetable.c - the page-table builder shared by mica-hvt and the
 * guests (platform/guest/pagetable.c), run on a host buffer standing in
 * for guest memory: a walk of the tables it builds must give back each
 * range's bits, with 2 MiB pages exactly where an aligned 2 MiB is one
 * range, and overlaps, misaligned ranges and a full table area refused. */
#include "check.h"
#include <stdlib.h>
#include <mica/err.h>
#include "../../../platform/guest/pagetable.h"
#include "../../../platform/guest/x86.h"

#define MEM (8u << 20) /* guest memory of the test; tables at 1 MiB */
#define AREA 0x100000u
#define MIB2 (2ull << 20)

static uint8_t *mem;

static uint64_t entry(uint64_t table, uint64_t a, int shift)
{
	uint64_t e;
	memcpy(&e, mem + table + ((a >> shift) & 511) * 8, 8);
	return e;
}

/* The leaf entry for address a (0 when unmapped); *big = a 2 MiB page. */
static uint64_t walk(const struct pt_builder *b, uint64_t a, int *big)
{
	uint64_t e = entry(b->pml4, a, 39);
	if (!(e & X86_PTE_P))
		return 0;
	e = entry(e & X86_PTE_ADDR, a, 30);
	if (!(e & X86_PTE_P))
		return 0;
	e = entry(e & X86_PTE_ADDR, a, 21);
	*big = (e & X86_PTE_PS) != 0;
	if (*big || !(e & X86_PTE_P))
		return e;
	return entry(e & X86_PTE_ADDR, a, 12);
}

static struct pt_builder fresh(uint64_t area_pages)
{
	memset(mem, 0, MEM);
	struct pt_builder b;
	pt_init(&b, (uintptr_t)mem, AREA, AREA + area_pages * 4096);
	return b;
}

TEST(ranges_map_with_their_bits)
{
	struct pt_builder b = fresh(16);
	CHECK_EQ(pt_map(&b, 0x200000, 0x203000, X86_LEAF_RX), MICA_OK);
	CHECK_EQ(pt_map(&b, 0x203000, 0x205000, X86_LEAF_R), MICA_OK);
	CHECK_EQ(pt_map(&b, 0x205000, 0x600000, X86_LEAF_RW), MICA_OK);
	CHECK_EQ(pt_map(&b, 0xfee00000, 0xfee01000, X86_LEAF_MMIO), MICA_OK);
	int big = 0;
	CHECK_EQ(walk(&b, 0x200000, &big), 0x200000 | X86_LEAF_RX);
	CHECK(!big);
	CHECK_EQ(walk(&b, 0x202fff & ~0xfffull, &big), 0x202000 | X86_LEAF_RX);
	CHECK_EQ(walk(&b, 0x204000, &big), 0x204000 | X86_LEAF_R);
	CHECK_EQ(walk(&b, 0x3ff000, &big), 0x3ff000 | X86_LEAF_RW);
	CHECK(!big);
	/* [4 MiB, 6 MiB) is one aligned 2 MiB of one range: a large page. */
	CHECK_EQ(walk(&b, 0x400000, &big), 0x400000 | X86_LEAF_RW | X86_PTE_PS);
	CHECK(big);
	CHECK_EQ(walk(&b, 0x600000, &big), 0);
	CHECK_EQ(walk(&b, 0x1ff000, &big), 0);
	CHECK_EQ(walk(&b, 0xfee00000, &big), 0xfee00000 | X86_LEAF_MMIO);
	CHECK_EQ(walk(&b, 0xfee01000, &big), 0);
	/* Tables used: PML4, PDPT, 2 PDs (GiB 0 and 3), 2 PTs. */
	CHECK_EQ(b.next, AREA + 6 * 4096);
}

TEST(overlaps_and_bad_ranges_refused)
{
	struct pt_builder b = fresh(16);
	CHECK_EQ(pt_map(&b, 0x200000, 0x400000, X86_LEAF_RW), MICA_OK);
	CHECK_EQ(pt_map(&b, 0x3ff000, 0x401000, X86_LEAF_R), MICA_EEXIST);
	CHECK_EQ(pt_map(&b, 0x400000, 0x401000, X86_LEAF_R), MICA_OK);
	CHECK_EQ(pt_map(&b, 0x400000, 0x600000, X86_LEAF_R), MICA_EEXIST);
	CHECK_EQ(pt_map(&b, 0x1000, 0x1800, X86_LEAF_R), MICA_EINVAL);
	CHECK_EQ(pt_map(&b, 0x3000, 0x2000, X86_LEAF_R), MICA_EINVAL);
	CHECK_EQ(pt_map(&b, 1ull << 47, (1ull << 47) + 4096, X86_LEAF_R), MICA_EINVAL);
	CHECK_EQ(pt_map(&b, 0x5000, 0x5000, X86_LEAF_R), MICA_OK);
}

TEST(full_table_area_is_enomem)
{
	struct pt_builder b = fresh(3); /* PML4, PDPT, one PD: no room for a PT */
	CHECK_EQ(pt_map(&b, 0x200000, 0x400000, X86_LEAF_RW), MICA_OK);
	CHECK_EQ(pt_map(&b, 0x400000, 0x401000, X86_LEAF_RW), MICA_ENOMEM);
	CHECK_EQ(pt_map(&b, 0x40000000, 0x40200000, X86_LEAF_RW), MICA_ENOMEM);
}

int main(void)
{
	mem = aligned_alloc(4096, MEM);
	if (!mem)
		return 1;
	int rc = RUN_TESTS();
	free(mem);
	return rc;
}
