/* crc32c.h - CRC-32C (Castagnoli), the checksum of the storage formats.
 * Software, slicing by 8 (no SSE4.2 instruction: guests run on CPUs that
 * may not emulate it). mica_crc32c(0, p, n) is the standard CRC-32C of p;
 * passing a previous result continues it over more bytes. */
#ifndef MICA_CRC32C_H
#define MICA_CRC32C_H

#include <stddef.h>
#include <stdint.h>

uint32_t mica_crc32c(uint32_t crc, const void *data, size_t len);

#endif
