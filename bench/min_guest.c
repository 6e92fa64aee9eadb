/* min_guest.c - the smallest possible hvt guest: one HALT hypercall.
 * bench/boot.sh boots it to measure the monitor's own floor (process
 * start, VM setup, entry, exit) apart from any guest work. Built
 * freestanding with platform/hvt/guest.ld, no Mica libraries. */
#include <mica/hvt_abi.h>

static struct mica_hvt_halt halt = {0};

__attribute__((section(".text.boot"), used, noreturn)) void _start(void);

void _start(void)
{
	for (;;)
		__asm__ volatile("outl %0, %1"
		                 :
		                 : "a"((uint32_t)(uintptr_t)&halt),
		                   "Nd"((uint16_t)(MICA_HVT_PORT_BASE + MICA_HVT_CALL_HALT))
		                 : "memory");
}
