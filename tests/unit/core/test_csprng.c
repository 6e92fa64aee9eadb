/* test_csprng.c - the ChaCha20 block function against RFC 8439's test
 * vectors, the fast-key-erasure generator built on it, and the unix
 * platform's mica_plat_random (getrandom). */
#include "check.h"
#include <mica/csprng.h>
#include <mica/err.h>
#include <mica/platform.h>

/* RFC 8439 section 2.3.2: key 00..1f, nonce 00:00:00:09:00:00:00:4a:00:00:00:00, counter 1. */
TEST(chacha20_rfc8439_block)
{
	uint32_t key[8];
	for (int i = 0; i < 8; i++)
		key[i] = (uint32_t)(4 * i) | (uint32_t)(4 * i + 1) << 8 | (uint32_t)(4 * i + 2) << 16 |
		         (uint32_t)(4 * i + 3) << 24;
	const uint32_t nonce[3] = {0x09000000, 0x4a000000, 0};
	static const uint8_t want[64] = {
	    0x10, 0xf1, 0xe7, 0xe4, 0xd1, 0x3b, 0x59, 0x15, 0x50, 0x0f, 0xdd, 0x1f, 0xa3, 0x20, 0x71, 0xc4,
	    0xc7, 0xd1, 0xf4, 0xc7, 0x33, 0xc0, 0x68, 0x03, 0x04, 0x22, 0xaa, 0x9a, 0xc3, 0xd4, 0x6c, 0x4e,
	    0xd2, 0x82, 0x64, 0x46, 0x07, 0x9f, 0xaa, 0x09, 0x14, 0xc2, 0xd7, 0x05, 0xd9, 0x8b, 0x02, 0xa2,
	    0xb5, 0x12, 0x9c, 0xd1, 0xde, 0x16, 0x4e, 0xb9, 0xcb, 0xd0, 0x83, 0xe8, 0xa2, 0x50, 0x3c, 0x4e};
	uint8_t out[64];
	mica_chacha20_block(key, 1, nonce, out);
	CHECK(memcmp(out, want, 64) == 0);
}

/* RFC 8439 appendix A.1, test vector 1: all-zero key, nonce and counter. */
TEST(chacha20_rfc8439_zero_key)
{
	const uint32_t key[8] = {0}, nonce[3] = {0};
	static const uint8_t want[64] = {
	    0x76, 0xb8, 0xe0, 0xad, 0xa0, 0xf1, 0x3d, 0x90, 0x40, 0x5d, 0x6a, 0xe5, 0x53, 0x86, 0xbd, 0x28,
	    0xbd, 0xd2, 0x19, 0xb8, 0xa0, 0x8d, 0xed, 0x1a, 0xa8, 0x36, 0xef, 0xcc, 0x8b, 0x77, 0x0d, 0xc7,
	    0xda, 0x41, 0x59, 0x7c, 0x51, 0x57, 0x48, 0x8d, 0x77, 0x24, 0xe0, 0x3f, 0xb8, 0xd8, 0x4a, 0x37,
	    0x6a, 0x43, 0xb8, 0xf4, 0x15, 0x18, 0xa1, 0x1c, 0xc3, 0x87, 0xb6, 0x69, 0xb2, 0xee, 0x65, 0x86};
	uint8_t out[64];
	mica_chacha20_block(key, 0, nonce, out);
	CHECK(memcmp(out, want, 64) == 0);
}

/* The generator's output is the second half of each block under a key that
 * is the first half of the previous one (fast key erasure). */
TEST(csprng_is_fast_key_erasure)
{
	uint8_t seed[32];
	for (int i = 0; i < 32; i++)
		seed[i] = (uint8_t)(i * 7 + 3);
	struct mica_csprng g;
	mica_csprng_seed(&g, seed);
	uint8_t got[64];
	mica_csprng_fill(&g, got, sizeof(got));

	uint32_t key[8], nonce[3] = {0};
	memcpy(key, seed, 32); /* little-endian host */
	uint8_t block[64];
	for (int b = 0; b < 2; b++) {
		mica_chacha20_block(key, 0, nonce, block);
		CHECK(memcmp(got + 32 * b, block + 32, 32) == 0);
		memcpy(key, block, 32);
	}
	CHECK(memcmp(g.key, key, 32) == 0);
}

TEST(csprng_split_reads_match_one_read)
{
	uint8_t seed[32] = {1, 2, 3};
	struct mica_csprng a, b;
	mica_csprng_seed(&a, seed);
	mica_csprng_seed(&b, seed);
	uint8_t x[100], y[100];
	mica_csprng_fill(&a, x, sizeof(x));
	mica_csprng_fill(&b, y, 1);
	mica_csprng_fill(&b, y + 1, 31);
	mica_csprng_fill(&b, y + 32, 5);
	mica_csprng_fill(&b, y + 37, 63);
	CHECK(memcmp(x, y, sizeof(x)) == 0);
	/* handed-out bytes are erased from the state */
	CHECK_EQ(a.avail, 28);
	for (int i = 0; i < 4; i++)
		CHECK_EQ(a.out[i], 0);
}

TEST(csprng_mix_and_seed_change_output)
{
	uint8_t s1[32] = {1}, s2[32] = {2};
	struct mica_csprng a, b, c;
	mica_csprng_seed(&a, s1);
	mica_csprng_seed(&b, s2);
	mica_csprng_seed(&c, s1);
	const uint32_t hw[3] = {0xdeadbeef, 1, 2};
	mica_csprng_mix(&c, hw);
	uint8_t x[32], y[32], z[32];
	mica_csprng_fill(&a, x, 32);
	mica_csprng_fill(&b, y, 32);
	mica_csprng_fill(&c, z, 32);
	CHECK(memcmp(x, y, 32) != 0);
	CHECK(memcmp(x, z, 32) != 0);
	CHECK(memcmp(y, z, 32) != 0);
}

TEST(plat_random_fills_and_differs)
{
	uint8_t a[48], b[48], zero[48] = {0};
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	CHECK_EQ(mica_plat_random(a, sizeof(a)), MICA_OK);
	CHECK_EQ(mica_plat_random(b, sizeof(b)), MICA_OK);
	CHECK(memcmp(a, zero, sizeof(a)) != 0);
	CHECK(memcmp(a, b, sizeof(a)) != 0);
	CHECK_EQ(mica_plat_random(a, 0), MICA_OK);
}

int main(void)
{
	return RUN_TESTS();
}
