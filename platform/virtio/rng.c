/* rng.c - the entropy seed of a virtio guest, for the shared generator
 * (platform/guest/random.c, which also mixes in RDRAND when the CPU has
 * it).
 *
 * The seed comes from a virtio-rng device when one is attached (the host's
 * /dev/urandom by default in QEMU; `./mica run -t virtio` attaches one).
 * Without it, from the CPU's RDSEED, else RDRAND. With neither, there is
 * no entropy to be had - the TSC of a virtual machine is no secret - and
 * mica_plat_random says so (MICA_EIO). */
#include <mica/err.h>
#include <mica/loop.h>
#include <mica/libc.h>
#include "virtio.h"

#define CPUID1_ECX_RDRAND (1u << 30)
#define CPUID7_EBX_RDSEED (1u << 18)
#define TRIES 100
#define WAIT_NS (5 * MICA_NS_PER_S)

static int from_virtio_rng(struct virtio_dev *d, uint8_t *seed, size_t len)
{
	static struct virtq q;
	int rc = vdev_begin(d, 0);
	if (rc == MICA_OK)
		rc = vdev_queue(d, &q, 0, 1, true);
	if (rc == MICA_OK)
		rc = vdev_ready(d);
	if (rc < 0)
		return rc;
	uint64_t deadline = mica_plat_monotonic_ns() + WAIT_NS;
	size_t got = 0;
	while (got < len) {
		struct virtq_seg s = {(uintptr_t)(seed + got), (uint32_t)(len - got), true};
		uint32_t n = 0;
		if (virtq_add(&q, &s, 1, seed) < 0)
			return MICA_EIO;
		virtq_kick(&q);
		while (!virtq_take(&q, &n)) {
			if (mica_plat_monotonic_ns() >= deadline)
				return MICA_EIO;
			timer_arm(guest_clock_tsc_at(deadline));
			if (virtq_arm(&q))
				cpu_idle();
		}
		got += n < len - got ? n : len - got;
	}
	return MICA_OK;
}

static bool cpu_random64(bool seed_insn, uint64_t *v)
{
	for (int i = 0; i < TRIES; i++) {
		uint8_t ok;
		if (seed_insn)
			__asm__ volatile("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok) : : "cc");
		else
			__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok) : : "cc");
		if (ok)
			return true;
	}
	return false;
}

static int from_cpu(uint8_t *seed, size_t len)
{
	uint32_t r1[4], r7[4] = {0};
	guest_cpuid(1, 0, r1);
	guest_cpuid(0, 0, r7);
	bool has_rdseed = false;
	if (r7[0] >= 7) {
		guest_cpuid(7, 0, r7);
		has_rdseed = r7[1] & CPUID7_EBX_RDSEED;
	}
	if (!has_rdseed && !(r1[2] & CPUID1_ECX_RDRAND))
		return MICA_EIO;
	for (size_t i = 0; i < len; i += 8) {
		uint64_t v;
		if (!cpu_random64(has_rdseed, &v))
			return MICA_EIO;
		memcpy(seed + i, &v, len - i < 8 ? len - i : 8);
	}
	return MICA_OK;
}

int guest_plat_seed(uint8_t *seed, size_t len)
{
	struct virtio_dev *d;
	for (unsigned n = 0; (d = virtio_dev_nth(VIRTIO_ID_RNG, n)) != NULL; n++) {
		if (d->claimed)
			continue;
		d->claimed = true;
		if (from_virtio_rng(d, seed, len) == MICA_OK)
			return MICA_OK;
	}
	return from_cpu(seed, len);
}
