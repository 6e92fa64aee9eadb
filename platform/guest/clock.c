/* clock.c - monotonic and wall clock of a guest, from the TSC.
 *
 * The platform says where TSC time 0 is and how fast the TSC runs (the
 * monitor tells hvt guests; virtio guests ask KVM's clock or measure);
 * then time costs one rdtsc and a multiply. The wall clock is read from
 * the platform once and kept as an offset to monotonic time. */
#include "guest.h"

static struct {
	uint64_t tsc0; /* TSC at monotonic time 0 */
	uint64_t mult; /* ns = (ticks * mult) >> shift */
	uint32_t shift;
	uint64_t inv;         /* ticks = (ns * inv) >> 32, 0 until needed */
	uint64_t wall_offset; /* wall ns - monotonic ns, 0 until asked */
} clock;

void guest_clock_start(uint64_t tsc0, uint64_t mult, uint32_t shift)
{
	clock.tsc0 = tsc0;
	clock.mult = mult;
	clock.shift = shift;
}

uint64_t guest_clock_tsc_at(uint64_t ns)
{
	if (!clock.inv) /* on first use: a division hvt guests never pay for */
		clock.inv = (uint64_t)(((unsigned __int128)1 << (clock.shift + 32)) / clock.mult);
	return clock.tsc0 + (uint64_t)(((unsigned __int128)ns * clock.inv) >> 32);
}

uint64_t mica_plat_monotonic_ns(void)
{
	uint64_t d = guest_rdtsc() - clock.tsc0;
	return (uint64_t)(((unsigned __int128)d * clock.mult) >> clock.shift);
}

uint64_t mica_plat_wall_ns(void)
{
	if (clock.wall_offset == 0)
		clock.wall_offset = guest_plat_wall_ns() - mica_plat_monotonic_ns();
	return clock.wall_offset + mica_plat_monotonic_ns();
}
