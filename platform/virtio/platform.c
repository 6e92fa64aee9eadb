/* platform.c - poll and seal of a virtio guest.
 *
 * Poll: hand ready network devices to their callbacks; with nothing to do,
 * arm the APIC timer for the deadline, ask the devices for an interrupt,
 * and halt. An idle guest therefore sits in `hlt` and uses no host CPU
 * until a frame or the deadline wakes it. */
#include <mica/err.h>
#include <mica/loop.h>
#include "virtio.h"

int mica_plat_poll(uint64_t deadline)
{
	for (;;) {
		int n = net_poll() + blk_poll();
		if (n > 0)
			return n;
		if (deadline != MICA_FOREVER && mica_plat_monotonic_ns() >= deadline)
			return 0;
		timer_arm(deadline == MICA_FOREVER ? 0 : guest_clock_tsc_at(deadline));
		if (net_arm() && blk_arm())
			cpu_idle();
		blk_quiet();
		irq_take_pending();
	}
}

/* The guest's own page tables keep text and read-only data read-only
 * from boot (mm.c), but a standard hypervisor cannot make that permanent
 * the way mica-hvt's read-only memory slot does. */
int mica_plat_seal(void)
{
	return MICA_ENOTSUP;
}
