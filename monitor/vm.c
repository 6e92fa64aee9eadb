/* vm.c - create the KVM virtual machine (its memory slots: seal.c), one
 * vCPU in 64-bit long mode at the image's entry, the GDT, TSS and IDT, and
 * the boot-info block with argv. */
#include <cpuid.h>
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <unistd.h>
#include <linux/kvm.h>
#include "hvt.h"
#include "../platform/guest/x86.h"

#define TSS_ADDR (MICA_HVT_GDT_ADDR + 0x100)
#define IDT_ADDR (MICA_HVT_GDT_ADDR + 0x200)

int hvt_vm_create(struct hvt *h)
{
	h->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (h->kvm_fd < 0) {
		hvt_err("cannot open /dev/kvm: %s", strerror(errno));
		return -1;
	}
	if (ioctl(h->kvm_fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
		hvt_err("/dev/kvm: unsupported KVM API version");
		return -1;
	}
	h->vm_fd = ioctl(h->kvm_fd, KVM_CREATE_VM, 0);
	if (h->vm_fd < 0) {
		hvt_err("KVM_CREATE_VM: %s", strerror(errno));
		return -1;
	}
	return hvt_memory_slots(h);
}

/* RDRAND (CPUID leaf 1, ECX bit 30) when the host CPU has it: the guest
 * mixes it into its random generator. KVM does not intercept RDRAND. */
static uint32_t host_rdrand_bit(void)
{
	unsigned a, b, c, d;
	if (!__get_cpuid(1, &a, &b, &c, &d))
		return 0;
	return c & bit_RDRND;
}

/* A minimal CPUID: what the monitor's long-mode setup needs KVM to accept
 * (LM and NX for EFER) and what the guest uses (TSC, RDRAND). Building it
 * here avoids KVM_GET_SUPPORTED_CPUID, which is slow on some hosts. */
static int setup_cpuid(struct hvt *h)
{
	struct {
		struct kvm_cpuid2 c;
		struct kvm_cpuid_entry2 e[4];
	} t = {.c.nent = 4,
	       .e = {
	           {.function = 0, .eax = 1, .ebx = 0x6163694d, .edx = 0x766d7668, .ecx = 0x20202074},
	           /* FPU TSC MSR PAE CX8 CMOV FXSR SSE SSE2; ECX: RDRAND */
	           {.function = 1,
	            .edx = 1u << 0 | 1u << 4 | 1u << 5 | 1u << 6 | 1u << 8 | 1u << 15 | 1u << 24 | 1u << 25 |
	                   1u << 26,
	            .ecx = host_rdrand_bit()},
	           {.function = 0x80000000, .eax = 0x80000001},
	           {.function = 0x80000001, .edx = 1u << 20 | 1u << 29}, /* NX, LM */
	       }};
	if (ioctl(h->vcpu_fd, KVM_SET_CPUID2, &t) < 0) {
		hvt_err("setting the guest CPUID: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static void write_gdt(struct hvt *h)
{
	/* null, 64-bit code (0x08), data (0x10), TSS (0x18); accessed bits preset so the
	 * CPU never writes to the GDT (it can be sealed). */
	uint64_t gdt[X86_GDT_ENTRIES] = {0, X86_GDT_CODE64, X86_GDT_DATA};
	x86_tss_desc(TSS_ADDR, X86_TSS_BUSY, &gdt[3]);
	memcpy(h->mem + MICA_HVT_GDT_ADDR, gdt, sizeof(gdt));
	/* TSS: IST1 = top of the exception stack (between heap and guard). */
	uint64_t ist1 = h->guard;
	memcpy(h->mem + TSS_ADDR + X86_TSS_IST1, &ist1, sizeof(ist1));
}

/* Interrupt gates for vectors 0..31 to the guest's stubs (16 bytes each),
 * so the guest has exception handlers without running a setup loop. */
static void write_idt(struct hvt *h)
{
	for (uint64_t v = 0; h->img.trap_stubs && v < 32; v++) {
		uint64_t a = h->img.trap_stubs + 16 * v;
		/* IST 1: every handler runs on the exception stack, so even a
		 * stack overflow (a fault on the guard page) is reported. */
		uint64_t gate[2];
		x86_idt_gate(a, 1, gate);
		memcpy(h->mem + IDT_ADDR + 16 * v, gate, sizeof(gate));
	}
}

static void set_seg(struct kvm_segment *s, uint16_t sel, uint8_t type, bool code)
{
	*s = (struct kvm_segment){.base = 0,
	                          .limit = 0xffffffff,
	                          .selector = sel,
	                          .type = type,
	                          .present = 1,
	                          .dpl = 0,
	                          .db = code ? 0 : 1,
	                          .s = 1,
	                          .l = code,
	                          .g = 1};
}

static int setup_sregs(struct hvt *h)
{
	struct kvm_sregs s;
	if (ioctl(h->vcpu_fd, KVM_GET_SREGS, &s) < 0)
		return -1;
	set_seg(&s.cs, X86_SEL_CODE, 0xb, true);
	set_seg(&s.ds, X86_SEL_DATA, 0x3, false);
	s.es = s.fs = s.gs = s.ss = s.ds;
	s.tr = (struct kvm_segment){.base = TSS_ADDR,
	                            .limit = X86_TSS_LIMIT,
	                            .selector = X86_SEL_TSS,
	                            .type = X86_TSS_BUSY,
	                            .present = 1,
	                            .g = 0};
	s.ldt = (struct kvm_segment){.selector = 0, .type = 0x2, .present = 1, .unusable = 1};
	s.gdt.base = MICA_HVT_GDT_ADDR;
	s.gdt.limit = X86_GDT_ENTRIES * 8 - 1;
	s.idt.base = IDT_ADDR;
	s.idt.limit = h->img.trap_stubs ? 32 * 16 - 1 : 0;
	s.cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_PG;
	s.cr3 = MICA_HVT_PT_ADDR;
	s.cr4 = X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
	s.efer = X86_EFER_LME | X86_EFER_LMA | X86_EFER_NXE;
	return ioctl(h->vcpu_fd, KVM_SET_SREGS, &s);
}

int hvt_vcpu_setup(struct hvt *h)
{
	h->vcpu_fd = ioctl(h->vm_fd, KVM_CREATE_VCPU, 0);
	int sz = ioctl(h->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (h->vcpu_fd < 0 || sz <= 0) {
		hvt_err("KVM_CREATE_VCPU: %s", strerror(errno));
		return -1;
	}
	h->run_size = (size_t)sz;
	h->run = mmap(NULL, h->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, h->vcpu_fd, 0);
	if (h->run == MAP_FAILED) {
		hvt_err("mmap of kvm_run: %s", strerror(errno));
		return -1;
	}
	if (setup_cpuid(h) < 0)
		return -1;
	write_gdt(h);
	write_idt(h);
	if (setup_sregs(h) < 0) {
		hvt_err("KVM_SET_SREGS (long mode): %s", strerror(errno));
		return -1;
	}
	struct kvm_regs r = {
	    .rip = h->img.entry, .rsp = h->stack_top, .rdi = MICA_HVT_BOOT_INFO_ADDR, .rflags = 0x2};
	if (ioctl(h->vcpu_fd, KVM_SET_REGS, &r) < 0) {
		hvt_err("KVM_SET_REGS: %s", strerror(errno));
		return -1;
	}
	int khz = ioctl(h->vcpu_fd, KVM_GET_TSC_KHZ, 0);
	if (khz <= 0) {
		hvt_err("KVM_GET_TSC_KHZ: %s", strerror(errno));
		return -1;
	}
	h->tsc_hz = (uint64_t)khz * 1000;
	return 0;
}

void hvt_boot_info(struct hvt *h)
{
	struct mica_hvt_boot_info bi = {
	    .magic = MICA_HVT_BOOT_MAGIC,
	    .abi_version = MICA_HVT_ABI_VERSION,
	    .mem_size = h->mem_size,
	    .heap_start = h->heap_start,
	    .heap_end = h->heap_end,
	    .stack_top = h->stack_top,
	    .argc = h->argc,
	    .argv = h->stack_top,
	    .tsc_hz = h->tsc_hz,
	    .tsc_shift = X86_TSC_SHIFT,
	    .ndevices = h->ndevs,
	    .flags = h->sealed ? MICA_HVT_BOOT_SEALED : 0,
	};
	bi.tsc_mult = x86_tsc_mult(h->tsc_hz);
	for (unsigned i = 0; i < h->ndevs; i++) {
		memcpy(bi.devices[i].name, h->devs[i].name, sizeof(bi.devices[i].name));
		bi.devices[i].kind = h->devs[i].kind;
	}
	memcpy(h->mem + MICA_HVT_BOOT_INFO_ADDR, &bi, sizeof(bi));
	/* argv[] and its strings, ready for mica_boot (the guest splits
	 * nothing), at the top of memory above the stack, like C's main. */
	uint64_t strs = h->stack_top + 8 * (h->argc + 1);
	for (unsigned i = 0; i <= h->argc; i++) {
		uint64_t p = i < h->argc ? strs + h->argoff[i] : 0;
		memcpy(h->mem + h->stack_top + 8 * i, &p, sizeof(p));
	}
	memcpy(h->mem + strs, h->args, h->args_len);
	/* The seed, after the strings: writable, so the guest can wipe it. */
	uint64_t seed = strs + h->args_len;
	if (getrandom(h->mem + seed, MICA_HVT_SEED_LEN, 0) != MICA_HVT_SEED_LEN)
		hvt_die(HVT_EXIT_SETUP, "cannot read %d random bytes from the host (getrandom): %s",
		        MICA_HVT_SEED_LEN, strerror(errno));
	memcpy(h->mem + MICA_HVT_BOOT_INFO_ADDR + offsetof(struct mica_hvt_boot_info, seed), &seed,
	       sizeof(seed));
}
