/* trapdesc.h - a CPU exception of a guest, in words.
 *
 * The trap frame the exception stubs save (traps.c) and the text of a crash
 * report: what happened (exception name, and for a page fault what access
 * to which address, e.g. "write to a read-only page at 0x100000") and the
 * registers. One wording for every Mica guest: mica-hvt prints it for hvt
 * guests, platform/virtio guests print it themselves on the serial console.
 * Uses only snprintf, so it builds in the monitor and in guests. */
#ifndef MICA_GUEST_TRAPDESC_H
#define MICA_GUEST_TRAPDESC_H

#include <stddef.h>
#include <stdint.h>

struct guest_trap_frame {
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss;
	uint64_t cr2;
	uint64_t regs[15]; /* rax rbx rcx rdx rsi rdi rbp r8..r15 */
};

#define GUEST_TRAP_REG_LINES 5

/* "guest exception #PF page fault (vector 14, error code 0x3): write to a
 * read-only page at 0x100000, RIP=0x..." into buf (always terminated).
 * A page fault on [stack_guard, +4 KiB) is named a stack overflow. */
void guest_trap_describe(const struct guest_trap_frame *f, uint64_t stack_guard, char *buf, size_t len);
/* Register line `line` (0 .. GUEST_TRAP_REG_LINES - 1), "  RIP=... RSP=...". */
void guest_trap_regs(const struct guest_trap_frame *f, unsigned line, char *buf, size_t len);

#endif
