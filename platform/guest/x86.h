/* x86.h - x86-64 facts shared by Mica's guests and mica-hvt: control
 * register bits, segment selectors and descriptors, page-table entry bits
 * and the TSC-to-nanoseconds scale.
 *
 * Header-only and free of any libc: the monitor (a Linux program) uses it
 * to set up an hvt guest from outside, platform/virtio to set itself up
 * from inside, so both build the same machine state from one definition. */
#ifndef MICA_GUEST_X86_H
#define MICA_GUEST_X86_H

#include <stdint.h>

#define X86_CR0_PE (1ull << 0)
#define X86_CR0_MP (1ull << 1)
#define X86_CR0_ET (1ull << 4)
#define X86_CR0_NE (1ull << 5)
#define X86_CR0_WP (1ull << 16)
#define X86_CR0_PG (1ull << 31)
#define X86_CR4_PAE (1ull << 5)
#define X86_CR4_OSFXSR (1ull << 9)
#define X86_CR4_OSXMMEXCPT (1ull << 10)
#define X86_EFER_LME (1ull << 8)
#define X86_EFER_LMA (1ull << 10)
#define X86_EFER_NXE (1ull << 11)
#define X86_MSR_EFER 0xc0000080u

/* The GDT every Mica guest runs with: null, 64-bit code, data, a 16-byte
 * TSS descriptor. Accessed bits are preset, so loading a segment never
 * makes the CPU write to the GDT (it can be read-only). */
#define X86_SEL_CODE 0x08
#define X86_SEL_DATA 0x10
#define X86_SEL_TSS 0x18
#define X86_GDT_ENTRIES 5
#define X86_GDT_CODE64 0x00af9b000000ffffull
#define X86_GDT_DATA 0x00cf93000000ffffull
#define X86_TSS_LIMIT 0x67
#define X86_TSS_IST1 0x24 /* offset of IST1 in the 64-bit TSS */
#define X86_TSS_BUSY 0xb  /* descriptor type: busy (as loaded) */
#define X86_TSS_AVAIL 0x9 /* descriptor type: available (before ltr) */

/* The two GDT words of a TSS descriptor for a TSS at `base`, with `type`
 * X86_TSS_BUSY (set from outside, as KVM_SET_SREGS does) or X86_TSS_AVAIL
 * (for a guest that loads it with ltr, which marks it busy). */
static inline void x86_tss_desc(uint64_t base, unsigned type, uint64_t out[2])
{
	out[0] = X86_TSS_LIMIT | (base & 0xffffff) << 16 | (uint64_t)type << 40 | 1ull << 47 |
	         (base >> 24 & 0xff) << 56;
	out[1] = base >> 32;
}

/* A 64-bit interrupt gate (present, DPL 0) to `handler` in the code
 * segment, on interrupt stack `ist` (0: the current stack). */
static inline void x86_idt_gate(uint64_t handler, unsigned ist, uint64_t out[2])
{
	out[0] = (handler & 0xffff) | (uint64_t)X86_SEL_CODE << 16 | (uint64_t)(ist & 7) << 32 |
	         0x8eull << 40 | ((handler >> 16) & 0xffff) << 48;
	out[1] = handler >> 32;
}

/* Page-table entries. Accessed and dirty are preset so the CPU never
 * writes to the tables (they can be read-only). */
#define X86_PTE_P (1ull << 0)
#define X86_PTE_W (1ull << 1)
#define X86_PTE_PWT (1ull << 3)
#define X86_PTE_PCD (1ull << 4)
#define X86_PTE_A (1ull << 5)
#define X86_PTE_D (1ull << 6)
#define X86_PTE_PS (1ull << 7)
#define X86_PTE_NX (1ull << 63)
#define X86_PTE_ADDR 0x000ffffffffff000ull
/* Leaf permissions: text, read-only data, data, device registers. */
#define X86_LEAF_RX (X86_PTE_P | X86_PTE_A)
#define X86_LEAF_R (X86_PTE_P | X86_PTE_A | X86_PTE_NX)
#define X86_LEAF_RW (X86_PTE_P | X86_PTE_W | X86_PTE_A | X86_PTE_D | X86_PTE_NX)
#define X86_LEAF_MMIO (X86_LEAF_RW | X86_PTE_PCD | X86_PTE_PWT)

/* TSC to nanoseconds: ns = (ticks * mult) >> shift, with shift 32. */
#define X86_TSC_SHIFT 32
static inline uint64_t x86_tsc_mult(uint64_t tsc_hz)
{
	return (uint64_t)(((unsigned __int128)1000000000u << X86_TSC_SHIFT) / tsc_hz);
}

#endif
