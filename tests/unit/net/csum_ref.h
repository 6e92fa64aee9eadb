/* csum_ref.h - the plain Internet checksum of RFC 1071, 16 bits at a
 * time: the reference lib/net/csum.c is checked against (test_wire.c) and
 * timed against (bench/csum_perf.c). */
#ifndef MICA_TEST_CSUM_REF_H
#define MICA_TEST_CSUM_REF_H

#include <stddef.h>
#include <stdint.h>

/* The plain 16-bit sum of RFC 1071, folded and complemented. */
static inline uint16_t csum_reference(const uint8_t *d, size_t len)
{
	uint32_t ref = 0;
	for (size_t i = 0; i < len; i += 2)
		ref += (uint32_t)(d[i] << 8 | (i + 1 < len ? d[i + 1] : 0));
	while (ref >> 16)
		ref = (ref & 0xffff) + (ref >> 16);
	return (uint16_t)~ref;
}

#endif
