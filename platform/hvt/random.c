/* random.c - mica_plat_random on hvt: a ChaCha20 generator (csprng.h)
 * keyed on first use with the seed the monitor read from the host's
 * getrandom (boot_info->seed, wiped once used), then mixed with RDRAND
 * output when CPUID shows the instruction. Neither source alone can be
 * steered by the other: RDRAND only enters as a ChaCha20 nonce under the
 * secret key. */
#include <mica/csprng.h>
#include <mica/err.h>
#include "hvt.h"

#define CPUID1_ECX_RDRAND (1u << 30)
#define RDRAND_TRIES 10 /* Intel's advice for a transient underflow */

static struct mica_csprng rng;

static bool cpu_has_rdrand(void)
{
	uint32_t a = 1, b, c = 0, d;
	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return (c & CPUID1_ECX_RDRAND) != 0;
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
	volatile uint8_t *seed = (volatile uint8_t *)(uintptr_t)hvt.bi->seed;
	if (!seed)
		return MICA_EIO;
	uint8_t key[MICA_CSPRNG_SEED_LEN];
	for (int i = 0; i < MICA_CSPRNG_SEED_LEN; i++) {
		key[i] = seed[i];
		seed[i] = 0;
	}
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
