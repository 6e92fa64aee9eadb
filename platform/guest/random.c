/* random.c - mica_plat_random on guests: a ChaCha20 generator (csprng.h)
 * keyed on first use with a seed the platform gets from its host
 * (guest_plat_seed: the monitor's getrandom on hvt, virtio-rng on virtio),
 * then mixed with RDRAND output when CPUID shows the instruction. Neither
 * source alone can be steered by the other: RDRAND only enters as a
 * ChaCha20 nonce under the secret key. */
#include <mica/csprng.h>
#include <mica/err.h>
#include "guest.h"

#define CPUID1_ECX_RDRAND (1u << 30)
#define RDRAND_TRIES 10 /* Intel's advice for a transient underflow */

static struct mica_csprng rng;

static bool cpu_has_rdrand(void)
{
	uint32_t r[4];
	guest_cpuid(1, 0, r);
	return (r[2] & CPUID1_ECX_RDRAND) != 0;
}

static bool rdrand32(uint32_t *v)
{
	for (int i = 0; i < RDRAND_TRIES; i++) {
		uint8_t ok;
		__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok) : : "cc");
		if (ok)
			return true;
	}
	return false;
}

static int random_init(void)
{
	uint8_t key[MICA_CSPRNG_SEED_LEN];
	int rc = guest_plat_seed(key, sizeof(key));
	if (rc < 0)
		return rc;
	mica_csprng_seed(&rng, key);
	for (int i = 0; i < MICA_CSPRNG_SEED_LEN; i++)
		((volatile uint8_t *)key)[i] = 0;
	uint32_t hw[3];
	if (cpu_has_rdrand() && rdrand32(&hw[0]) && rdrand32(&hw[1]) && rdrand32(&hw[2]))
		mica_csprng_mix(&rng, hw);
	return MICA_OK;
}

int mica_plat_random(void *buf, size_t len)
{
	if (!rng.seeded) {
		int rc = random_init();
		if (rc < 0)
			return rc;
	}
	mica_csprng_fill(&rng, buf, len);
	return MICA_OK;
}
