/* codec.c - decoders for RDATA written as hex, base64 (RFC 4648 4, with
 * padding) and base32hex (RFC 4648 7, no padding), as zone files use them
 * for keys, signatures, digests and NSEC3 hashes. */
#include "rdata.h"
#include <mica/hex.h>
#include <ctype.h>
#include <string.h>

int hex_decode(const char *s, size_t n, uint8_t *out, size_t cap)
{
	if (n % 2 || n / 2 > cap)
		return -1;
	for (size_t i = 0; i < n; i += 2) {
		int hi = mica_hex_value(s[i]), lo = mica_hex_value(s[i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	return (int)(n / 2);
}

static int b64val(char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	return ch == '+' ? 62 : ch == '/' ? 63 : -1;
}

/* Groups of four characters; '=' only to pad the last group. */
int b64_decode(const char *s, size_t n, uint8_t *out, size_t cap)
{
	size_t o = 0;
	if (n % 4)
		return -1;
	for (size_t i = 0; i < n; i += 4) {
		int v[4], pad = 0;
		for (int k = 0; k < 4; k++) {
			if (s[i + k] == '=') {
				v[k] = 0;
				pad++;
				continue;
			}
			if (pad || (v[k] = b64val(s[i + k])) < 0)
				return -1;
		}
		if (pad > 2 || (pad && i + 4 != n) || (pad == 2 && (v[1] & 0xf)) ||
		    (pad == 1 && (v[2] & 0x3)))
			return -1;
		uint32_t w =
		    (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
		int bytes = 3 - pad;
		if (o + (size_t)bytes > cap)
			return -1;
		for (int k = 0; k < bytes; k++)
			out[o++] = (uint8_t)(w >> (16 - 8 * k));
	}
	return (int)o;
}

int b32hex_decode(const char *s, size_t n, uint8_t *out, size_t cap)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		char ch = (char)tolower((unsigned char)s[i]);
		int v = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'v' ? ch - 'a' + 10 : -1;
		if (v < 0)
			return -1;
		acc = acc << 5 | (uint32_t)v;
		bits += 5;
		if (bits >= 8) {
			if (o >= cap)
				return -1;
			out[o++] = (uint8_t)(acc >> (bits - 8));
			bits -= 8;
			acc &= (1u << bits) - 1;
		}
	}
	return (int)o;
}

size_t join_rest(struct ctx *c, char *buf, size_t cap)
{
	size_t n = 0;
	for (; c->i < c->n; c->i++) {
		const struct tok *t = &c->t[c->i];
		if (n + t->n >= cap)
			return cap;
		memcpy(buf + n, t->s, t->n);
		n += t->n;
	}
	buf[n] = 0;
	return n;
}
