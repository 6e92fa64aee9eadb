/* pvh.c - the first instructions: the PVH entry, from 32-bit protected
 * mode to 64-bit long mode, as file-scope assembly.
 *
 * The ELF note XEN_ELFNOTE_PHYS32_ENTRY (type 18, owner "Xen") names the
 * 32-bit entry point; QEMU (-kernel), Firecracker and Cloud Hypervisor
 * enter there with paging off, flat segments, interrupts off and EBX = the
 * physical address of struct hvm_start_info.
 *
 * It builds boot page tables that identity-map, with 2 MiB pages, the
 * image (from 0) and the last 16 MiB below 4 GiB (device registers), a
 * few entries (every guest instruction counts: filling all 4 GiB took 8000
 * emulated instructions), enables PAE, long mode, NX and paging (CR0.WP on), loads a 64-bit GDT and
 * jumps to 64-bit code, which sets up the stack and calls virtio_main with
 * the start info. The boot tables are writable and executable: virtio_main
 * replaces them with W^X tables (mm.c) once it knows the memory map. */
#include <stdint.h>

__asm__(".pushsection .note.pvh, \"a\", @note\n"
        ".balign 4\n"
        ".long 4\n"  /* name size: "Xen\0" */
        ".long 4\n"  /* descriptor size */
        ".long 18\n" /* XEN_ELFNOTE_PHYS32_ENTRY */
        ".asciz \"Xen\"\n"
        ".long pvh_start32\n"
        ".popsection\n"

        ".pushsection .text.boot, \"ax\"\n"
        ".code32\n"
        ".globl pvh_start32\n"
        ".type pvh_start32, @function\n"
        "pvh_start32:\n"
        "	movl %ebx, %edi\n"
        "	movl $(boot_pdpt + 3), boot_pml4\n"
        "	movl $(boot_pd0 + 3), boot_pdpt\n"
        "	movl $(boot_pd3 + 3), boot_pdpt + 24\n"
        /* GiB 0: 2 MiB pages up to the end of the image (_boot_pages, from
         * the linker script); GiB 3: its last 16 MiB, the device registers
         * of QEMU microvm and Firecracker (virtio-mmio, IOAPIC, APIC). */
        "	movl $boot_pd0, %edx\n"
        "	movl $0x83, %eax\n"
        "	movl $_boot_pages, %ecx\n"
        "1:	movl %eax, (%edx)\n"
        "	addl $8, %edx\n"
        "	addl $0x200000, %eax\n"
        "	loop 1b\n"
        "	movl $(boot_pd3 + 8 * 496), %edx\n"
        "	movl $(0xfe000000 + 0x83), %eax\n"
        "	movl $8, %ecx\n"
        "2:	movl %eax, (%edx)\n"
        "	addl $8, %edx\n"
        "	addl $0x200000, %eax\n"
        "	loop 2b\n"
        "	movl %cr4, %eax\n"
        "	orl $0x20, %eax\n" /* PAE */
        "	movl %eax, %cr4\n"
        "	movl $boot_pml4, %eax\n"
        "	movl %eax, %cr3\n"
        "	movl $0xc0000080, %ecx\n" /* EFER */
        "	rdmsr\n"
        "	orl $0x900, %eax\n" /* LME | NXE */
        "	wrmsr\n"
        "	movl $0x80010033, %eax\n" /* PG WP NE ET MP PE */
        "	movl %eax, %cr0\n"
        "	lgdt boot_gdtr\n"
        "	ljmp $0x08, $pvh_start64\n"
        ".code64\n"
        "pvh_start64:\n"
        "	movl $0x10, %eax\n"
        "	movl %eax, %ds\n"
        "	movl %eax, %es\n"
        "	movl %eax, %ss\n"
        "	xorl %eax, %eax\n"
        "	movl %eax, %fs\n"
        "	movl %eax, %gs\n"
        "	movq $_stack_top, %rsp\n"
        "	movl %edi, %edi\n"
        "	xorl %ebp, %ebp\n"
        "	call virtio_main\n"
        "4:	hlt\n"
        "	jmp 4b\n"
        ".size pvh_start32, . - pvh_start32\n"
        ".popsection\n"

        /* The boot GDT: null, 64-bit code, data (cpu.c loads the final one). */
        ".pushsection .rodata.boot_gdt, \"a\"\n"
        ".balign 8\n"
        "boot_gdt:\n"
        ".quad 0, 0x00af9b000000ffff, 0x00cf93000000ffff\n"
        "boot_gdtr:\n"
        ".word 3 * 8 - 1\n"
        ".long boot_gdt\n"
        ".popsection\n"

        ".pushsection .bss.boot_tables, \"aw\", @nobits\n"
        ".balign 4096\n"
        "boot_pml4: .skip 4096\n"
        "boot_pdpt: .skip 4096\n"
        "boot_pd0: .skip 4096\n"
        "boot_pd3: .skip 4096\n"
        ".popsection\n");
