/* mac.c - parse and derive device MAC addresses (see include/mica/mac.h). */
#include <mica/err.h>
#include <mica/hex.h>
#include <mica/mac.h>

int mica_mac_parse(const char *s, uint8_t mac[6])
{
	uint8_t m[6];
	for (int i = 0; i < 6; i++) {
		int hi = mica_hex_value(s[0]), lo = hi < 0 ? -1 : mica_hex_value(s[1]);
		if (lo < 0)
			return MICA_EINVAL;
		m[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (i < 5) {
			if (*s != ':' && *s != '-')
				return MICA_EINVAL;
			s++;
		}
	}
	if (*s != '\0' || (m[0] & 1) || (m[0] | m[1] | m[2] | m[3] | m[4] | m[5]) == 0)
		return MICA_EINVAL;
	for (int i = 0; i < 6; i++)
		mac[i] = m[i];
	return MICA_OK;
}

/* FNV-1a (64 bit) over the name, a NUL, then the host interface. */
static uint64_t fnv1a(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
	return h;
}

void mica_mac_derive(const char *device, const char *host_if, uint8_t mac[6])
{
	uint64_t h = fnv1a(0xcbf29ce484222325ull, device);
	h = fnv1a(h * 0x100000001b3ull, host_if);
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)(h >> (8 * i + 8));
	mac[0] = (uint8_t)((mac[0] & 0xfc) | 0x02); /* locally administered, unicast */
}
