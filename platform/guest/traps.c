/* traps.c - exception entry stubs and the trap frame.
 *
 * A guest exception is a bug the guest cannot recover from. Each of the 32
 * stubs (16 bytes apart, so an IDT can be built from one address) pushes a
 * zero error code where the CPU pushes none, then the vector, saves the
 * general registers and calls guest_trap, which turns the saved state into
 * a struct guest_trap_frame for the platform to report: hvt hands it to
 * the monitor, virtio prints it on the serial console. Both then end the
 * guest with a non-zero exit code. */
#include <stdint.h>
#include "guest.h"

__asm__(".pushsection .text.guest_traps, \"ax\"\n"
        ".globl guest_trap_stubs\n"
        ".align 16\n"
        "guest_trap_stubs:\n"
        ".irp vec, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
        ".align 16\n"
        ".if (\\vec == 8) || (\\vec >= 10 && \\vec <= 14) || (\\vec == 17) || (\\vec == 21) || (\\vec == 29) "
        "|| (\\vec == 30)\n"
        ".else\n"
        "	pushq $0\n"
        ".endif\n"
        "	pushq $\\vec\n"
        "	jmp guest_trap_common\n"
        ".endr\n"
        "guest_trap_common:\n"
        "	pushq %rax\n	pushq %rbx\n	pushq %rcx\n	pushq %rdx\n"
        "	pushq %rsi\n	pushq %rdi\n	pushq %rbp\n	pushq %r8\n"
        "	pushq %r9\n	pushq %r10\n	pushq %r11\n	pushq %r12\n"
        "	pushq %r13\n	pushq %r14\n	pushq %r15\n"
        "	movq %rsp, %rdi\n"
        "	andq $-16, %rsp\n"
        "	call guest_trap\n"
        "2:	hlt\n"
        "	jmp 2b\n"
        ".popsection\n");

/* What the stubs pushed, from the lowest address up. */
struct saved {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code, rip, cs, rflags, rsp, ss;
};

_Noreturn void guest_trap(const struct saved *s);

__attribute__((used)) _Noreturn void guest_trap(const struct saved *s)
{
	struct guest_trap_frame f = {
	    .vector = s->vector,
	    .error_code = s->error_code,
	    .rip = s->rip,
	    .cs = s->cs,
	    .rflags = s->rflags,
	    .rsp = s->rsp,
	    .ss = s->ss,
	    .regs = {s->rax, s->rbx, s->rcx, s->rdx, s->rsi, s->rdi, s->rbp, s->r8, s->r9, s->r10, s->r11,
	             s->r12, s->r13, s->r14, s->r15},
	};
	__asm__ volatile("mov %%cr2, %0" : "=r"(f.cr2));
	guest_plat_trap(&f);
}
