/* zonemd.h - ZONEMD (RFC 8976) verification at build time (zonemd.c) and
 * the SHA-384/512 it needs (sha512.c). */
#ifndef ZONEC_ZONEMD_H
#define ZONEC_ZONEMD_H

#include "zonec.h"

struct sha512 {
	uint64_t h[8];
	uint8_t buf[128];
	size_t n, outlen;
	uint64_t total;
};

void sha512_init(struct sha512 *s, bool sha384);
void sha512_update(struct sha512 *s, const void *data, size_t len);
/* The digest into out (48 or 64 bytes); its length. */
size_t sha512_final(struct sha512 *s, uint8_t *out);

/* Check the apex ZONEMD RRs of a parsed zone against its contents:
 * 0 when there are none or one (of a supported scheme and hash) matches,
 * else -1 after printing "file:line: reason". */
int zonemd_verify(struct zfile *zf, const uint8_t *apex, size_t apex_len);

#endif
