/* sha1.c - SHA-1 (FIPS 180-4) for NSEC3 owner hashes (RFC 5155 5): the
 * server hashes names that are not in a zone to find the NSEC3 records
 * that deny them. Freestanding, one-shot over a few buffers. */
#include "dns_impl.h"
#include <mica/libc.h>

static uint32_t rol(uint32_t x, int n)
{
	return x << n | x >> (32 - n);
}

static void block(uint32_t h[5], const uint8_t *p)
{
	uint32_t w[80];
	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 |
		       p[4 * i + 3];
	for (int i = 16; i < 80; i++)
		w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
	for (int i = 0; i < 80; i++) {
		uint32_t f, k;
		if (i < 20) {
			f = (b & c) | (~b & d);
			k = 0x5a827999;
		} else if (i < 40) {
			f = b ^ c ^ d;
			k = 0x6ed9eba1;
		} else if (i < 60) {
			f = (b & c) | (b & d) | (c & d);
			k = 0x8f1bbcdc;
		} else {
			f = b ^ c ^ d;
			k = 0xca62c1d6;
		}
		uint32_t t = rol(a, 5) + f + e + k + w[i];
		e = d;
		d = c;
		c = rol(b, 30);
		b = a;
		a = t;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
}

/* SHA-1 of a || b (either may be empty; together below 512 bytes). */
static void sha1_two(const uint8_t *a, size_t an, const uint8_t *b, size_t bn, uint8_t out[20])
{
	uint32_t h[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
	uint8_t buf[640];
	size_t n = an + bn;
	memcpy(buf, a, an);
	memcpy(buf + an, b, bn);
	size_t padded = (n + 9 + 63) / 64 * 64;
	memset(buf + n, 0, padded - n);
	buf[n] = 0x80;
	uint64_t bits = (uint64_t)n * 8;
	for (int i = 0; i < 8; i++)
		buf[padded - 1 - i] = (uint8_t)(bits >> (8 * i));
	for (size_t o = 0; o < padded; o += 64)
		block(h, buf + o);
	for (int i = 0; i < 5; i++) {
		out[4 * i] = (uint8_t)(h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(h[i] >> 8);
		out[4 * i + 3] = (uint8_t)h[i];
	}
}

void dns_nsec3_hash(const uint8_t *lname, size_t len, const uint8_t *salt, size_t saltlen,
                    unsigned iterations, uint8_t out[20])
{
	sha1_two(lname, len, salt, saltlen, out);
	for (unsigned i = 0; i < iterations; i++) {
		uint8_t prev[20];
		memcpy(prev, out, 20);
		sha1_two(prev, 20, salt, saltlen, out);
	}
}
