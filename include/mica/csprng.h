/* csprng.h - a small cryptographically secure generator for platforms
 * that get only a seed from their host (hvt, virtio): ChaCha20 (RFC 8439)
 * with fast key erasure. Each refill computes one ChaCha20 block under the
 * current key; its first 32 bytes become the next key (so a later memory
 * disclosure reveals nothing already handed out) and the other 32 are
 * output, erased from the state as they are handed out.
 *
 * Platforms implement mica_plat_random (platform.h) with it; libraries
 * call mica_plat_random, never this directly. Freestanding. */
#ifndef MICA_CSPRNG_H
#define MICA_CSPRNG_H

#include <stddef.h>
#include <stdint.h>

#define MICA_CSPRNG_SEED_LEN 32

struct mica_csprng {
	uint32_t key[8];
	uint8_t out[32]; /* unread output at the end: out[32 - avail .. 32) */
	uint32_t avail;
	uint32_t seeded;
};

/* The ChaCha20 block function of RFC 8439 section 2.3: 64 bytes of key
 * stream for key, block counter and 96-bit nonce. */
void mica_chacha20_block(const uint32_t key[8], uint32_t counter, const uint32_t nonce[3], uint8_t out[64]);

/* Key the generator with a secret seed (at least 256 bits of entropy). */
void mica_csprng_seed(struct mica_csprng *g, const uint8_t seed[MICA_CSPRNG_SEED_LEN]);
/* Mix in more input (e.g. RDRAND): the next key is ChaCha20 under the
 * current key with the input as nonce, so input an attacker chooses cannot
 * weaken a secret key. Buffered output is discarded. */
void mica_csprng_mix(struct mica_csprng *g, const uint32_t input[3]);
/* len bytes of output. The generator must have been seeded. */
void mica_csprng_fill(struct mica_csprng *g, void *buf, size_t len);

#endif
