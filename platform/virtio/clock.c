/* clock.c - how fast the TSC runs, and the wall clock, on a virtio guest.
 *
 * Time itself is the shared guest core's (platform/guest/clock.c: one
 * rdtsc and a multiply); this file finds the TSC frequency once at boot:
 *   1. KVM's paravirtual clock (CPUID "KVMKVMKVM", feature CLOCKSOURCE2):
 *      the host publishes its TSC-to-nanoseconds scale; one MSR write.
 *   2. CPUID leaf 0x15 (TSC/crystal ratio and crystal frequency), when the
 *      CPU states the crystal.
 *   3. Otherwise: count TSC ticks over 10 ms of the PIT (channel 0).
 * The wall clock comes from KVM's wall-clock MSR when the paravirtual
 * clock is there, else from the CMOS real-time clock (whole seconds). */
#include <mica/err.h>
#include "virtio.h"

#define KVM_CPUID_SIGNATURE 0x40000000u
#define KVM_CPUID_FEATURES 0x40000001u
#define MSR_KVM_WALL_CLOCK_NEW 0x4b564d00u
#define MSR_KVM_SYSTEM_TIME_NEW 0x4b564d01u
#define PIT_HZ 1193182u
#define PIT_MS 10u

struct pvclock_time {
	uint32_t version, pad0;
	uint64_t tsc_timestamp, system_time;
	uint32_t tsc_to_system_mul;
	int8_t tsc_shift;
	uint8_t flags, pad[2];
};

struct pvclock_wall {
	uint32_t version, sec, nsec;
};

static struct pvclock_time pvtime __attribute__((aligned(64)));
static struct pvclock_wall pvwall __attribute__((aligned(16)));
static uint64_t tsc_hz;
static bool have_pvclock;

static uint64_t mult; /* ns = (ticks * mult) >> 32 */

uint64_t clock_tsc_hz(void)
{
	if (!tsc_hz) /* on first use: a 128-bit division is many instructions */
		tsc_hz = (uint64_t)(((unsigned __int128)1000000000u << X86_TSC_SHIFT) / mult);
	return tsc_hz;
}

uint32_t kvm_features(void)
{
	static uint32_t features = 1u << 31; /* not asked yet */
	if (features & (1u << 31)) {
		uint32_t r[4];
		guest_cpuid(KVM_CPUID_SIGNATURE, 0, r);
		features = 0; /* not "KVMKVMKVM\0\0\0": no KVM paravirtual features */
		if (r[1] == 0x4b4d564b && r[2] == 0x564b4d56 && r[3] == 0x4d && r[0] >= KVM_CPUID_FEATURES) {
			guest_cpuid(KVM_CPUID_FEATURES, 0, r);
			features = r[0] & ~(1u << 31);
		}
	}
	return features;
}

/* A consistent copy of the host's time record (it is odd while updated). */
static struct pvclock_time pvclock_read(void)
{
	struct pvclock_time t;
	uint32_t v;
	do {
		v = *(volatile uint32_t *)&pvtime.version;
		__asm__ volatile("" : : : "memory");
		t = pvtime;
		__asm__ volatile("" : : : "memory");
	} while ((v & 1) || v != *(volatile uint32_t *)&pvtime.version);
	return t;
}

/* ns = ((ticks << shift) * mul) >> 32, as (ticks * mult) >> 32. */
static uint64_t pvclock_mult(const struct pvclock_time *t)
{
	uint64_t mul = t->tsc_to_system_mul;
	return t->tsc_shift >= 0 ? mul << t->tsc_shift : mul >> -t->tsc_shift;
}

static uint64_t cpuid_tsc_hz(void)
{
	uint32_t r[4];
	guest_cpuid(0, 0, r);
	if (r[0] < 0x15)
		return 0;
	guest_cpuid(0x15, 0, r); /* EAX/EBX = TSC/crystal ratio, ECX = crystal Hz */
	if (r[0] == 0 || r[1] == 0 || r[2] == 0)
		return 0;
	return (uint64_t)r[2] * r[1] / r[0];
}

static uint16_t pit_count(void)
{
	guest_outb(0x43, 0x00); /* latch channel 0 */
	uint8_t lo = guest_inb(0x40);
	return (uint16_t)(lo | guest_inb(0x40) << 8);
}

/* Channel 0 as a free-running counter (its IRQ is masked), read back
 * through latches: port 0x61, which gates channel 2, is not on every
 * machine (QEMU microvm has no PC speaker; Firecracker asks KVM for a
 * dummy one). 0 when no PIT counts (reads of a missing one do not change). */
static uint64_t pit_tsc_hz(void)
{
	uint32_t want = PIT_HZ * PIT_MS / 1000, ticks = 0;
	guest_outb(0x43, 0x34); /* channel 0, low/high byte, mode 2 */
	guest_outb(0x40, 0xff);
	guest_outb(0x40, 0xff);
	uint16_t first = pit_count();
	uint64_t t0 = guest_rdtsc();
	for (uint32_t reads = 0; ticks < want; reads++) {
		if (reads > 10000 && ticks == 0) /* it ticks every 0.84 us: none there */
			return 0;
		ticks = (uint16_t)(first - pit_count());
	}
	return (guest_rdtsc() - t0) * PIT_HZ / ticks;
}

void clock_init(uint64_t tsc0)
{
	if (kvm_features() & KVM_FEATURE_CLOCKSOURCE2) {
		guest_wrmsr(MSR_KVM_SYSTEM_TIME_NEW, (uintptr_t)&pvtime | 1);
		struct pvclock_time t = pvclock_read();
		if (t.tsc_to_system_mul) {
			have_pvclock = true;
			mult = pvclock_mult(&t);
		}
	}
	if (!mult) {
		tsc_hz = cpuid_tsc_hz();
		if (!tsc_hz)
			tsc_hz = pit_tsc_hz();
		if (!tsc_hz) {
			virtio_say("no clock: neither KVM's paravirtual clock, nor CPUID leaf 0x15, nor a "
			           "PIT (i8254)");
			virtio_exit(VIRTIO_EXIT_SETUP);
		}
		mult = x86_tsc_mult(tsc_hz);
	}
	guest_clock_start(tsc0, mult, X86_TSC_SHIFT);
}

static uint8_t cmos(uint8_t reg)
{
	guest_outb(0x70, reg);
	return guest_inb(0x71);
}

static unsigned bcd(uint8_t v, bool binary)
{
	return binary ? v : (v >> 4) * 10u + (v & 15);
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static uint64_t days_from_civil(unsigned y, unsigned m, unsigned d)
{
	y -= m <= 2;
	unsigned era = y / 400, yoe = y - era * 400;
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (uint64_t)era * 146097 + doe - 719468;
}

static uint64_t cmos_wall_ns(void)
{
	int tries = 10000;
	while ((cmos(0x0a) & 0x80) && --tries) /* update in progress (~250 us) */
		;
	if (!tries)
		return 0; /* no RTC answers (all ones): the wall clock is unknown */
	bool binary = cmos(0x0b) & 0x04;
	unsigned s = bcd(cmos(0x00), binary), mi = bcd(cmos(0x02), binary),
	         h = bcd(cmos(0x04) & 0x7f, binary);
	unsigned d = bcd(cmos(0x07), binary), mo = bcd(cmos(0x08), binary),
	         y = bcd(cmos(0x09), binary) + 2000;
	if (mo < 1 || mo > 12 || d < 1 || d > 31)
		return 0;
	uint64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600ull + mi * 60ull + s;
	return secs * 1000000000ull;
}

/* For the shared core: wall-clock ns now. KVM's wall clock is the time at
 * which its system time was 0; its system time now comes from the TSC. */
uint64_t guest_plat_wall_ns(void)
{
	if (!have_pvclock)
		return cmos_wall_ns();
	guest_wrmsr(MSR_KVM_WALL_CLOCK_NEW, (uintptr_t)&pvwall);
	uint32_t v;
	uint64_t boot;
	do {
		v = *(volatile uint32_t *)&pvwall.version;
		boot = pvwall.sec * 1000000000ull + pvwall.nsec;
	} while ((v & 1) || v != *(volatile uint32_t *)&pvwall.version);
	struct pvclock_time t = pvclock_read();
	uint64_t d = guest_rdtsc() - t.tsc_timestamp;
	return boot + t.system_time + (uint64_t)(((unsigned __int128)d * pvclock_mult(&t)) >> 32);
}
