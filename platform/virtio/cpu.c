/* cpu.c - the CPU tables and interrupts of a virtio guest.
 *
 * GDT, TSS and IDT live in the page-aligned .bss.cpu_tables, written once
 * here (while the boot page tables still allow it) and mapped read-only by
 * mm.c afterwards. Exceptions go to the shared guest core's stubs
 * (platform/guest/traps.c) on their own stack (IST1). Interrupts exist
 * only to wake the CPU from `hlt`: the local APIC timer (TSC-deadline mode,
 * or one-shot counting where the CPU lacks it) and one vector per virtio
 * device. The guest runs with interrupts off except in cpu_idle
 * (`sti; hlt; cli`), so no handler ever interrupts the program: a handler
 * only acknowledges its device and the APIC (through KVM's paravirtual
 * EOI where offered: no VM exit). */
#include <mica/err.h>
#include "virtio.h"

#define CPUID1_ECX_X2APIC (1u << 21)
#define CPUID1_ECX_TSC_DEADLINE (1u << 24)
#define MSR_APIC_BASE 0x1b
#define MSR_TSC_DEADLINE 0x6e0
#define MSR_KVM_PV_EOI_EN 0x4b564d04
#define APIC_BASE_EN (1ull << 11)
#define APIC_BASE_EXTD (1ull << 10)
/* Registers as x2APIC MSR numbers; xAPIC offset = (msr - 0x800) << 4. */
#define APIC_ID 0x802
#define APIC_TPR 0x808
#define APIC_EOI 0x80b
#define APIC_SVR 0x80f
#define APIC_LVT_TIMER 0x832
#define APIC_TIMER_INIT 0x838
#define APIC_TIMER_CUR 0x839
#define APIC_TIMER_DIV 0x83e
#define LVT_TSC_DEADLINE (2u << 17)
#define XAPIC_DEFAULT 0xfee00000ull
#define IOAPIC0 0xfec00000ull /* GSI 0..23 */
#define IOAPIC1 0xfec10000ull /* GSI 24..47 (QEMU microvm's second IOAPIC) */
#define IOAPIC_PINS 24
#define NIRQ_STUBS 17 /* 16 devices + the timer */

struct cpu_tables {
	uint64_t gdt[X86_GDT_ENTRIES];
	uint8_t tss[X86_TSS_LIMIT + 1] __attribute__((aligned(16)));
	uint64_t idt[2 * 256] __attribute__((aligned(16)));
};

static struct cpu_tables cpu __attribute__((section(".bss.cpu_tables"), aligned(4096)));

extern const char _exc_stack_top[];
extern const char virtio_irq_stubs[], virtio_spurious[];

static struct {
	bool x2apic, deadline;
	volatile uint32_t *xapic;
	uint64_t apic_hz; /* one-shot mode: timer ticks per second */
	uint64_t armed;   /* TSC deadline armed, 0: none */
	volatile uint32_t pending;
	bool pv_eoi;
} apic;

/* KVM's paravirtual end-of-interrupt: when KVM sets bit 0 here as it
 * delivers an interrupt, clearing the bit is the EOI (no VM exit). */
static volatile uint32_t pv_eoi_word __attribute__((aligned(4)));

/* Interrupt entry: stub n (0..15: device n, 16: timer) pushes n; the
 * common part saves the registers a C call may clobber. Interrupts arrive
 * only in cpu_idle, on the normal stack. */
__asm__(".pushsection .text.virtio_irq, \"ax\"\n"
        ".align 16\n"
        "virtio_irq_stubs:\n"
        ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16\n"
        ".align 16\n"
        "	pushq $\\n\n"
        "	jmp virtio_irq_common\n"
        ".endr\n"
        "virtio_irq_common:\n"
        "	pushq %rax\n	pushq %rcx\n	pushq %rdx\n	pushq %rsi\n"
        "	pushq %rdi\n	pushq %r8\n	pushq %r9\n	pushq %r10\n	pushq %r11\n"
        "	movq 72(%rsp), %rdi\n"
        "	subq $8, %rsp\n"
        "	call virtio_irq\n"
        "	addq $8, %rsp\n"
        "	popq %r11\n	popq %r10\n	popq %r9\n	popq %r8\n	popq %rdi\n"
        "	popq %rsi\n	popq %rdx\n	popq %rcx\n	popq %rax\n"
        "	addq $8, %rsp\n"
        "	iretq\n"
        "virtio_spurious:\n"
        "	iretq\n"
        ".popsection\n");

static void apic_write(uint32_t reg, uint64_t v)
{
	if (apic.x2apic)
		guest_wrmsr(reg, v);
	else
		apic.xapic[(reg - 0x800) << 2] = (uint32_t)v;
}

static uint32_t apic_read(uint32_t reg)
{
	if (apic.x2apic)
		return (uint32_t)guest_rdmsr(reg);
	return apic.xapic[(reg - 0x800) << 2];
}

void apic_eoi(void)
{
	if (apic.pv_eoi) {
		uint8_t was_set;
		__asm__ volatile("lock btrl $0, %0; setc %1"
		                 : "+m"(pv_eoi_word), "=q"(was_set)
		                 :
		                 : "memory", "cc");
		if (was_set)
			return;
	}
	apic_write(APIC_EOI, 0);
}

uint32_t apic_id(void)
{
	return apic.x2apic ? apic_read(APIC_ID) : apic_read(APIC_ID) >> 24;
}

void virtio_irq(uint64_t n);

__attribute__((used)) void virtio_irq(uint64_t n)
{
	if (n < VIRTIO_MAX_DEVS) {
		struct virtio_dev *d = virtio_dev_at((unsigned)n);
		if (d)
			vdev_irq_ack(d);
		apic.pending |= 1u << n;
	} else {
		apic.armed = 0; /* the deadline fired */
	}
	apic_eoi();
}

uint32_t irq_take_pending(void)
{
	uint32_t p = apic.pending;
	apic.pending = 0;
	return p;
}

/* Gates for n vectors from vec to stubs 16 bytes apart from base: the
 * gate is encoded once and its offset stepped (re-encoded where the low 16
 * bits would carry), a few instructions per gate. */
static void set_gates(unsigned vec, unsigned n, uintptr_t base, unsigned ist)
{
	uint64_t g[2];
	x86_idt_gate(base, ist, g);
	for (unsigned i = 0; i < n; i++) {
		cpu.idt[2 * (vec + i)] = g[0];
		cpu.idt[2 * (vec + i) + 1] = g[1];
		if ((g[0] & 0xffff) > 0xffff - 16)
			x86_idt_gate(base + 16 * (i + 1), ist, g);
		else
			g[0] += 16;
	}
}

void cpu_init(void)
{
	cpu.gdt[1] = X86_GDT_CODE64;
	cpu.gdt[2] = X86_GDT_DATA;
	x86_tss_desc((uintptr_t)cpu.tss, X86_TSS_AVAIL, &cpu.gdt[3]);
	uint64_t ist1 = (uintptr_t)_exc_stack_top;
	__builtin_memcpy(cpu.tss + X86_TSS_IST1, &ist1, sizeof(ist1));
	set_gates(0, 32, (uintptr_t)guest_trap_stubs, 1);
	set_gates(VEC_DEV_BASE, VIRTIO_MAX_DEVS, (uintptr_t)virtio_irq_stubs, 0);
	set_gates(VEC_TIMER, 1, (uintptr_t)virtio_irq_stubs + 16 * VIRTIO_MAX_DEVS, 0);
	set_gates(VEC_SPURIOUS, 1, (uintptr_t)virtio_spurious, 0);
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} gdtr = {sizeof(cpu.gdt) - 1, (uintptr_t)cpu.gdt}, idtr = {sizeof(cpu.idt) - 1, (uintptr_t)cpu.idt};
	__asm__ volatile("lgdt %0\n"
	                 "ltr %w1\n"
	                 "lidt %2\n"
	                 :
	                 : "m"(gdtr), "r"(X86_SEL_TSS), "m"(idtr)
	                 : "memory");
}

/* One-shot mode only: how fast the APIC timer counts, measured against
 * the TSC over 1 ms. */
static void apic_calibrate(void)
{
	apic_write(APIC_TIMER_DIV, 0xb);                    /* divide by 1 */
	apic_write(APIC_LVT_TIMER, VEC_TIMER | (1u << 16)); /* masked while measuring */
	apic_write(APIC_TIMER_INIT, 0xffffffffu);
	uint64_t t0 = guest_rdtsc(), span = clock_tsc_hz() / 1000;
	while (guest_rdtsc() - t0 < span)
		;
	uint32_t counted = 0xffffffffu - apic_read(APIC_TIMER_CUR);
	apic_write(APIC_TIMER_INIT, 0);
	apic.apic_hz = (uint64_t)counted * 1000;
}

void apic_init(void)
{
	uint32_t r[4];
	guest_cpuid(1, 0, r);
	apic.x2apic = r[2] & CPUID1_ECX_X2APIC;
	apic.deadline = r[2] & CPUID1_ECX_TSC_DEADLINE;
	uint64_t base = guest_rdmsr(MSR_APIC_BASE);
	if (apic.x2apic) {
		guest_wrmsr(MSR_APIC_BASE, base | APIC_BASE_EN | APIC_BASE_EXTD);
	} else {
		uint64_t pa = base & X86_PTE_ADDR;
		apic.xapic = (volatile uint32_t *)(uintptr_t)(pa ? pa : XAPIC_DEFAULT);
		mm_add_mmio((uintptr_t)apic.xapic, 4096);
	}
	/* The 8259 PICs stay silent: firmware may have left the PIT on them. */
	guest_outb(0x21, 0xff);
	guest_outb(0xa1, 0xff);
	if (kvm_features() & KVM_FEATURE_PV_EOI) {
		guest_wrmsr(MSR_KVM_PV_EOI_EN, (uintptr_t)&pv_eoi_word | 1);
		apic.pv_eoi = true;
	}
	apic_write(APIC_SVR, 0x100 | VEC_SPURIOUS);
	apic_write(APIC_TPR, 0);
	if (apic.deadline)
		apic_write(APIC_LVT_TIMER, VEC_TIMER | LVT_TSC_DEADLINE);
	else
		apic_calibrate();
}

void timer_arm(uint64_t tsc)
{
	if (tsc == apic.armed)
		return;
	apic.armed = tsc;
	if (apic.deadline) {
		guest_wrmsr(MSR_TSC_DEADLINE, tsc);
		return;
	}
	uint64_t count = 0;
	if (tsc) {
		uint64_t now = guest_rdtsc();
		uint64_t d = tsc > now ? tsc - now : 1;
		count = (uint64_t)(((unsigned __int128)d * apic.apic_hz) / clock_tsc_hz()) + 1;
		if (count > 0xffffffffu)
			count = 0xffffffffu; /* wakes early; the caller sleeps again */
	}
	apic_write(APIC_LVT_TIMER, VEC_TIMER);
	apic_write(APIC_TIMER_INIT, count);
}

void cpu_idle(void)
{
	__asm__ volatile("sti; hlt; cli" : : : "memory");
}

static void ioapic_write(volatile uint32_t *io, uint32_t reg, uint32_t v)
{
	io[0] = reg;
	io[4] = v;
}

int ioapic_route(uint32_t gsi, uint8_t vector)
{
	if (gsi >= 2 * IOAPIC_PINS)
		return MICA_EINVAL;
	uint64_t base = gsi < IOAPIC_PINS ? IOAPIC0 : IOAPIC1;
	volatile uint32_t *io = (volatile uint32_t *)(uintptr_t)base;
	uint32_t pin = gsi % IOAPIC_PINS;
	ioapic_write(io, 0x11 + 2 * pin, apic_id() << 24);
	ioapic_write(io, 0x10 + 2 * pin, vector); /* fixed, physical, edge, active high */
	return MICA_OK;
}
