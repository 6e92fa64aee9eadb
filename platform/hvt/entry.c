/* entry.c - the guest's first instructions, as file-scope assembly (so the
 * build needs no assembler rules).
 *
 * _start: mica-hvt enters here in 64-bit mode with RSP at the top of the
 * stack (16-byte aligned) and RDI = the boot-info block (see hvt_abi.h).
 * Memory is already zeroed and SSE enabled, so it only calls hvt_main.
 * (The exception stubs the monitor points the IDT at are the shared
 * guest core's, platform/guest/traps.c.) */

__asm__(".pushsection .text.boot, \"ax\"\n"
        ".globl _start\n"
        ".type _start, @function\n"
        "_start:\n"
        "	xorl %ebp, %ebp\n"
        "	call hvt_main\n"
        "1:	hlt\n"
        "	jmp 1b\n"
        ".size _start, . - _start\n"
        ".popsection\n");
