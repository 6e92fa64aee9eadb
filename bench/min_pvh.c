/* min_pvh.c - the floor of bench/virtio.sh: the smallest PVH guest, which
 * ends QEMU (isa-debug-exit, code 0) at its first instruction. Built with
 * -DHALT it halts there instead (KVM's counters of a booted, idle VM).
 * Linked with platform/virtio/virtio.ld, no Mica libraries. */
#ifdef HALT
#define EXIT ""
#else
#define EXIT "	xorl %eax, %eax\n	outl %eax, $0xf4\n"
#endif
__asm__(".pushsection .note.pvh, \"a\", @note\n"
        ".balign 4\n"
        ".long 4, 4, 18\n" /* "Xen", XEN_ELFNOTE_PHYS32_ENTRY */
        ".asciz \"Xen\"\n"
        ".long pvh_start32\n"
        ".popsection\n"
        ".pushsection .text.boot, \"ax\"\n"
        ".code32\n"
        ".globl pvh_start32\n"
        "pvh_start32:\n" EXIT "1:	hlt\n"
        "	jmp 1b\n"
        ".code64\n"
        ".popsection\n");
