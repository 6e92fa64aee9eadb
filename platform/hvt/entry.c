/* entry.c - the guest's first instructions and its exception entry stubs,
 * as file-scope assembly (so the build needs no assembler rules).
 *
 * _start: mica-hvt enters here in 64-bit mode with RSP at the top of the
 * stack (16-byte aligned) and RDI = the boot-info block (see hvt_abi.h).
 * Memory is already zeroed and SSE enabled, so it only calls hvt_main.
 *
 * hvt_trap_stubs: one 16-byte stub per exception vector 0..31 (traps.c
 * fills the IDT with hvt_trap_stubs + 16 * vector). Each pushes a zero
 * error code where the CPU pushes none, then the vector, saves the general
 * registers and calls hvt_trap(frame), which never returns. */

__asm__(".pushsection .text.boot, \"ax\"\n"
        ".globl _start\n"
        ".type _start, @function\n"
        "_start:\n"
        "	xorl %ebp, %ebp\n"
        "	call hvt_main\n"
        "1:	hlt\n"
        "	jmp 1b\n"
        ".size _start, . - _start\n"
        ".popsection\n"

        ".pushsection .text.hvt_traps, \"ax\"\n"
        ".globl hvt_trap_stubs\n"
        ".align 16\n"
        "hvt_trap_stubs:\n"
        ".irp vec, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
        ".align 16\n"
        ".if (\\vec == 8) || (\\vec >= 10 && \\vec <= 14) || (\\vec == 17) || (\\vec == 21) || (\\vec == 29) "
        "|| (\\vec == 30)\n"
        ".else\n"
        "	pushq $0\n"
        ".endif\n"
        "	pushq $\\vec\n"
        "	jmp hvt_trap_common\n"
        ".endr\n"
        "hvt_trap_common:\n"
        "	pushq %rax\n	pushq %rbx\n	pushq %rcx\n	pushq %rdx\n"
        "	pushq %rsi\n	pushq %rdi\n	pushq %rbp\n	pushq %r8\n"
        "	pushq %r9\n	pushq %r10\n	pushq %r11\n	pushq %r12\n"
        "	pushq %r13\n	pushq %r14\n	pushq %r15\n"
        "	movq %rsp, %rdi\n"
        "	andq $-16, %rsp\n"
        "	call hvt_trap\n"
        "2:	hlt\n"
        "	jmp 2b\n"
        ".popsection\n");
