/* tcp_siphash.c - SipHash-2-4 (Aumasson and Bernstein), the keyed hash
 * behind TCP initial sequence numbers (RFC 6528) and SYN cookies. Written
 * from the algorithm's description; checked against its published test
 * vector in tests/unit/tcp. */
#include "tcp.h"
#include <mica/libc.h>

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void sipround(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = ROTL(v[1], 13);
	v[1] ^= v[0];
	v[0] = ROTL(v[0], 32);
	v[2] += v[3];
	v[3] = ROTL(v[3], 16);
	v[3] ^= v[2];
	v[0] += v[3];
	v[3] = ROTL(v[3], 21);
	v[3] ^= v[0];
	v[2] += v[1];
	v[1] = ROTL(v[1], 17);
	v[1] ^= v[2];
	v[2] = ROTL(v[2], 32);
}

static void compress(uint64_t v[4], uint64_t m, int rounds)
{
	v[3] ^= m;
	for (int i = 0; i < rounds; i++)
		sipround(v);
	v[0] ^= m;
}

uint64_t tcp_siphash(const uint8_t key[16], const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t k0 = le64(key), k1 = le64(key + 8);
	uint64_t v[4] = {k0 ^ 0x736f6d6570736575ull, k1 ^ 0x646f72616e646f6dull, k0 ^ 0x6c7967656e657261ull,
	                 k1 ^ 0x7465646279746573ull};
	size_t n = len;
	for (; n >= 8; n -= 8, p += 8)
		compress(v, le64(p), 2);
	uint8_t last[8] = {0};
	memcpy(last, p, n);
	last[7] = (uint8_t)len;
	compress(v, le64(last), 2);
	v[2] ^= 0xff;
	for (int i = 0; i < 4; i++)
		sipround(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}
