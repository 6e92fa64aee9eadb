/* traps.c - the exception handler.
 *
 * A guest exception is a bug the guest cannot recover from: the handler
 * hands the saved state to the monitor with the ABORT hypercall, and the
 * monitor names the exception, prints the registers and exits non-zero. */
#include <stdint.h>
#include "hvt.h"

/* What the stubs in entry.c pushed, from the lowest address up. */
struct saved {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code, rip, cs, rflags, rsp, ss;
};

extern const char hvt_trap_stubs[];

/* The monitor builds the IDT from this address (see hvt_abi.h): no guest
 * instructions are spent on exception setup at boot. */
__attribute__((section(".mica.traps"), used)) static const void *const trap_stubs = hvt_trap_stubs;

_Noreturn void hvt_trap(const struct saved *s);

__attribute__((used)) _Noreturn void hvt_trap(const struct saved *s)
{
	static const char msg[] = "CPU exception";
	struct mica_hvt_abort a = {.msg = (uintptr_t)msg, .msg_len = sizeof(msg) - 1, .has_frame = 1};
	struct mica_hvt_trap_frame *f = &a.frame;
	f->vector = s->vector;
	f->error_code = s->error_code;
	f->rip = s->rip;
	f->cs = s->cs;
	f->rflags = s->rflags;
	f->rsp = s->rsp;
	f->ss = s->ss;
	__asm__ volatile("mov %%cr2, %0" : "=r"(f->cr2));
	const uint64_t r[15] = {s->rax, s->rbx, s->rcx, s->rdx, s->rsi, s->rdi, s->rbp, s->r8,
	                        s->r9,  s->r10, s->r11, s->r12, s->r13, s->r14, s->r15};
	for (unsigned i = 0; i < 15; i++)
		f->regs[i] = r[i];
	for (;;)
		hvt_call(MICA_HVT_CALL_ABORT, &a);
}
