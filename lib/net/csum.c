/* csum.c - the Internet checksum (RFC 1071) used by IPv4, ICMP and UDP.
 *
 * The running sum is kept as a sum of big-endian 16-bit words. The block
 * loop adds native-order 64-bit words with end-around carry (one's
 * complement addition is the same at any word size), in two independent
 * chains, and converts the folded result to big-endian order once. Every
 * word is loaded on its own (an 8-byte memcpy is one load, also at -Os
 * without vector registers) and the 0-7 byte tail in pieces of 4, 2 and
 * 1: a copy through the stack cost more than the sum (bench/csum.sh). */
#include "wire.h"
#include <mica/libc.h>

static uint16_t fold64(uint64_t s)
{
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* a + b with the carry out of bit 63 added back in (end-around carry) */
static uint64_t add_carry(uint64_t a, uint64_t b)
{
	uint64_t s = a + b;
	return s + (s < b);
}

static uint64_t load64(const uint8_t *p)
{
	uint64_t w;
	memcpy(&w, p, sizeof(w));
	return w;
}

/* The last 0-7 bytes as native 16-bit words added up (a native word counts
 * the same in any 16-bit lane of the sum), the odd last byte padded. */
static uint64_t load_tail(const uint8_t *p, size_t len)
{
	uint64_t t = 0;
	if (len & 4) {
		uint32_t w;
		memcpy(&w, p, sizeof(w));
		t += w;
		p += 4;
	}
	if (len & 2) {
		uint16_t w;
		memcpy(&w, p, sizeof(w));
		t += w;
		p += 2;
	}
	if (len & 1) {
		uint8_t last[2] = {p[0], 0};
		uint16_t w;
		memcpy(&w, last, sizeof(w));
		t += w;
	}
	return t;
}

uint32_t net_csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t a0 = 0, a1 = 0; /* two chains: the adds of one do not wait on the other's */
	for (; len >= 32; p += 32, len -= 32) {
		a0 = add_carry(a0, load64(p));
		a1 = add_carry(a1, load64(p + 8));
		a0 = add_carry(a0, load64(p + 16));
		a1 = add_carry(a1, load64(p + 24));
	}
	uint64_t acc = add_carry(a0, a1);
	for (; len >= 8; p += 8, len -= 8)
		acc = add_carry(acc, load64(p));
	acc = add_carry(acc, load_tail(p, len));
	uint16_t native = fold64(acc);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	native = (uint16_t)((native >> 8) | (native << 8));
#endif
	uint64_t s = (uint64_t)sum + native;
	return (uint32_t)((s & 0xffffffffu) + (s >> 32));
}

uint16_t net_csum_fold(uint32_t sum)
{
	return (uint16_t)~fold64(sum);
}

uint32_t net_csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len)
{
	return (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + proto + len;
}
