/* guest.h - the shared core of Mica's x86-64 KVM guests.
 *
 * platform/hvt (under mica-hvt) and platform/virtio (under QEMU and other
 * standard hypervisors) differ only in how they reach the outside world:
 * hypercalls there, standard devices here. Everything else lives once, in
 * platform/guest: the CPU instructions a platform needs (below), the clock
 * from the TSC (clock.c), the page allocator (pages.c), the exception
 * stubs and trap frames (traps.c), the entropy generator (random.c), and
 * two parts the monitor links too: the page-table builder (pagetable.c)
 * and the crash report's wording (trapdesc.c).
 *
 * A platform starts the core with guest_clock_start and guest_pages_init,
 * and provides the three hooks at the bottom. */
#ifndef MICA_GUEST_H
#define MICA_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <mica/platform.h>
#include "trapdesc.h"
#include "x86.h"

/* ---- CPU instructions ---- */
static inline uint64_t guest_rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static inline void guest_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

static inline uint64_t guest_rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static inline void guest_wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

static inline void guest_outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline void guest_outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline uint8_t guest_inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline uint32_t guest_inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

/* ---- Clock (clock.c) ---- */
/* Monotonic time 0 is TSC value tsc0; ns = ((tsc - tsc0) * mult) >> shift
 * (x86_tsc_mult gives mult for shift X86_TSC_SHIFT). */
void guest_clock_start(uint64_t tsc0, uint64_t mult, uint32_t shift);
/* The TSC value at monotonic time ns (for timers that take TSC deadlines). */
uint64_t guest_clock_tsc_at(uint64_t ns);

/* ---- Pages (pages.c) ---- */
/* mica_plat_alloc_pages hands out [start, end) from the bottom up, zeroing
 * each allocation when `zero` (false: the platform knows it is all zero). */
void guest_pages_init(uintptr_t start, uintptr_t end, bool zero);
/* Zero bytes (a multiple of 8) at p, 8-aligned: one string instruction. */
void guest_zero(void *p, size_t bytes);

/* ---- Traps (traps.c) ---- */
/* 32 exception entry stubs of 16 bytes each: vector v at
 * guest_trap_stubs + 16 v. Each saves the state and calls guest_plat_trap. */
extern const char guest_trap_stubs[];

/* (struct guest_trap_frame and the report's wording: trapdesc.h) */

/* ---- Hooks each platform provides ---- */
/* Wall-clock ns since the Unix epoch now; asked once, then the TSC runs it. */
uint64_t guest_plat_wall_ns(void);
/* A CPU exception: report it and end the guest. */
_Noreturn void guest_plat_trap(const struct guest_trap_frame *f);
/* Fill seed with secret random bytes from the host; MICA_EIO if it has none. */
int guest_plat_seed(uint8_t *seed, size_t len);

#endif
