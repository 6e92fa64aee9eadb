/* faults.c - a test guest for the hvt platform and mica-hvt.
 *
 * --do=WHAT picks one behaviour:
 *   exit        exit at once with --code
 *   divzero     divide by zero (#DE)
 *   write-text  write to its own code (#PF, write to read-only)
 *   exec-data   jump into a writable data page (#PF, NX)
 *   wild-ptr    pass a pointer outside guest memory to a hypercall
 *   null        read through a null pointer (#PF, unmapped page 0)
 *   sleep       sleep --ms on a timer, print the measured time, exit 0
 *   stack       overflow the stack (guard page)
 *   panic       mica_panic(): the report and exit code 70 (MICA_EXIT_PANIC)
 *   seal-write  turn off CR0.WP (so page protections no longer stop a
 *               kernel-mode write) and write to its own text: only the
 *               hypervisor's read-only (sealed) memory stops it
 *   seal-write-rodata, seal-write-pt  the same for its read-only data and
 *               for the page tables
 * For the stop tests (stop.sh), guests that never stop by themselves:
 *   spin        loop forever in start(), no VM exit
 *   fault-loop  load its own IDT whose page-fault handler returns to the
 *               faulting read: faults forever, no VM exit
 *   spam        write to the console forever (the monitor blocks in
 *               write(2) when nobody reads its stdout)
 *   ignore-stop POLL forever, ignoring MICA_ESTOP
 * The tests in tests/integration/hvt check the monitor's report. */
#include <mica/app.h>
#include <mica/hvt_abi.h>
#include <mica/libc.h>
#include <mica/log.h>
#include <mica/loop.h>
#include <mica/platform.h>

static const struct mica_arg_spec args[] = {
    {"do", MICA_ARG_STR, "exit", "what to do (see faults.c)", 0, 0},
    {"code", MICA_ARG_INT, "0", "exit code for --do=exit", 0, 255},
    {"ms", MICA_ARG_INT, "10", "milliseconds for --do=sleep", 0, 60000},
};

static struct mica_timer timer;
static uint64_t slept_from;
static volatile int zero;
static uint8_t data_page[64] = {0xc3}; /* `ret`, in a no-execute page */

static void woke(struct mica_timer *t, void *arg)
{
	(void)t;
	uint64_t ms = (mica_plat_monotonic_ns() - slept_from) / MICA_NS_PER_MS;
	mica_printf("slept %llu ms\n", (unsigned long long)ms);
	mica_loop_stop(arg, 0);
}

static unsigned recurse(unsigned n)
{
	volatile char pad[256];
	pad[0] = (char)n;
	if (n == UINT32_MAX)
		return 0;
	return recurse(n + 1) + (unsigned)pad[0];
}

/* fault-loop: a #PF handler that drops the error code and returns to the
 * faulting instruction, which faults again. */
__asm__(".pushsection .text.faults_pf, \"ax\"\n"
        "faults_pf_return:\n"
        "	addq $8, %rsp\n"
        "	iretq\n"
        ".popsection\n");
extern const char faults_pf_return[];

static void fault_forever(void)
{
	static uint64_t idt[2 * 15] __attribute__((aligned(16)));
	uint64_t a = (uint64_t)(uintptr_t)faults_pf_return;
	idt[2 * 14] = (a & 0xffff) | 0x08ull << 16 | 0x8eull << 40 | ((a >> 16) & 0xffff) << 48;
	idt[2 * 14 + 1] = a >> 32;
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} idtr = {sizeof(idt) - 1, (uint64_t)(uintptr_t)idt};
	__asm__ volatile("lidt %0" : : "m"(idtr));
	mica_printf("faults: faulting forever\n");
	(void)*(volatile int *)(uintptr_t)zero;
}

static void poll_forever(void)
{
	mica_printf("faults: polling forever\n");
	for (;;)
		(void)mica_plat_poll(mica_plat_monotonic_ns() + 10 * MICA_NS_PER_MS);
}

static const uint8_t rodata_byte = 0x5a;

/* Turn off CR0.WP, so page protections no longer stop a kernel-mode
 * write, and rewrite one byte with its own value: only the hypervisor's
 * read-only (sealed) memory can stop it. */
static int write_with_wp_off(const char *what, volatile uint8_t *p)
{
	uint64_t cr0;
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0 & ~(1ull << 16)));
	*p = *p;
	mica_printf("faults: wrote to %s at %p with CR0.WP off: not sealed\n", what, (void *)p);
	return 1;
}

static bool is(const char *what)
{
	return strcmp(mica_arg_str("do"), what) == 0;
}

static int start(struct mica_loop *loop)
{
	if (is("exit"))
		mica_plat_exit((int)mica_arg_int("code"));
	if (is("panic"))
		mica_panic("asked to (--do=panic)");
	if (is("divzero")) {
		/* In assembly: the compiler may rewrite a C division by a
		 * variable that must not be zero. */
		uint32_t q, d = (uint32_t)zero;
		__asm__ volatile("divl %2" : "=a"(q) : "a"(100u), "r"(d), "d"(0u));
		mica_printf("faults: 100 / 0 = %u, no #DE raised\n", q);
	}
	if (is("write-text"))
		*(volatile uint8_t *)(uintptr_t)&start = 0xcc;
	if (is("exec-data"))
		((void (*)(void))(uintptr_t)data_page)();
	if (is("null"))
		mica_printf("%d\n", *(volatile int *)(uintptr_t)zero);
	if (is("wild-ptr")) {
		struct mica_hvt_console c = {0x7f0000000000ull, 16, 0};
		__asm__ volatile("outl %0, %1"
		                 :
		                 : "a"((uint32_t)(uintptr_t)&c),
		                   "Nd"((uint16_t)(MICA_HVT_PORT_BASE + MICA_HVT_CALL_CONSOLE))
		                 : "memory");
	}
	if (is("seal-write"))
		return write_with_wp_off("text", (volatile uint8_t *)(uintptr_t)&start);
	if (is("seal-write-rodata"))
		return write_with_wp_off("read-only data", (volatile uint8_t *)(uintptr_t)&rodata_byte);
	if (is("seal-write-pt"))
		return write_with_wp_off("page tables", (volatile uint8_t *)(uintptr_t)MICA_HVT_PT_ADDR);
	if (is("spin")) {
		mica_printf("faults: spinning forever\n");
		for (;;)
			__asm__ volatile("" ::: "memory");
	}
	if (is("fault-loop"))
		fault_forever();
	if (is("spam"))
		for (;;)
			mica_printf("faults: spam spam spam spam spam spam spam spam spam spam spam spam\n");
	if (is("ignore-stop"))
		poll_forever();
	if (is("stack"))
		mica_printf("%u\n", recurse(0));
	if (is("sleep")) {
		mica_timer_init(&timer, woke, loop);
		slept_from = mica_plat_monotonic_ns();
		return mica_timer_start(loop, &timer, (uint64_t)mica_arg_int("ms") * MICA_NS_PER_MS, 0);
	}
	mica_printf("faults: still running after --do=%s\n", mica_arg_str("do"));
	return 1;
}

const struct mica_app mica_app = {
    .name = "faults",
    .summary = "misbehave on request (hvt tests)",
    .args = args,
    .nargs = MICA_ARRAY_LEN(args),
    .start = start,
};
