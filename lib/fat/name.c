/* name.c - FAT names: UTF-8 <-> UCS-2, case-insensitive comparison
 * (ASCII letters, as the short names fold), the long-name (VFAT) slots
 * and their checksum, 8.3 names with the NT lower-case bits, and the
 * short-name basis and "~N" tail of a new long name. */
#include "fat_impl.h"

int fat_utf8_to_ucs2(const char *s, size_t len, uint16_t *out, uint32_t *n)
{
	const uint8_t *p = (const uint8_t *)s, *end = p + len;
	uint32_t k = 0;
	while (p < end) {
		uint32_t c = *p++, more = 0;
		if (c >= 0xF0 || (c >= 0x80 && c < 0xC2))
			return MICA_EINVAL; /* outside the BMP, or not a lead byte */
		more = c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
		c &= more == 2 ? 0x0F : more == 1 ? 0x1F : 0x7F;
		if ((size_t)(end - p) < more)
			return MICA_EINVAL;
		for (uint32_t i = 0; i < more; i++, p++) {
			if ((*p & 0xC0) != 0x80)
				return MICA_EINVAL;
			c = c << 6 | (*p & 0x3F);
		}
		if ((more == 2 && c < 0x800) || (c >= 0xD800 && c <= 0xDFFF))
			return MICA_EINVAL;
		if (k == MICA_FAT_NAME_MAX)
			return MICA_EMSGSIZE;
		out[k++] = (uint16_t)c;
	}
	*n = k;
	return MICA_OK;
}

size_t fat_ucs2_to_utf8(const uint16_t *s, uint32_t n, char *out, size_t size)
{
	size_t k = 0;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t c = s[i];
		uint8_t b[3];
		size_t m;
		if (c >= 0xD800 && c <= 0xDFFF)
			c = '?'; /* a lone surrogate half */
		if (c < 0x80) {
			b[0] = (uint8_t)c;
			m = 1;
		} else if (c < 0x800) {
			b[0] = (uint8_t)(0xC0 | c >> 6);
			b[1] = (uint8_t)(0x80 | (c & 0x3F));
			m = 2;
		} else {
			b[0] = (uint8_t)(0xE0 | c >> 12);
			b[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
			b[2] = (uint8_t)(0x80 | (c & 0x3F));
			m = 3;
		}
		if (k + m >= size)
			break;
		memcpy(out + k, b, m);
		k += m;
	}
	if (size)
		out[k] = 0;
	return k;
}

static uint16_t fold(uint16_t c)
{
	return c >= 'a' && c <= 'z' ? (uint16_t)(c - 32) : c;
}

bool fat_name_eq(const uint16_t *a, uint32_t na, const uint16_t *b, uint32_t nb)
{
	if (na != nb)
		return false;
	for (uint32_t i = 0; i < na; i++)
		if (fold(a[i]) != fold(b[i]))
			return false;
	return true;
}

int fat_name_valid(const uint16_t *name, uint32_t n)
{
	static const char bad[] = "\"*/:<>?\\|";
	if (n == 0 || (n == 1 && name[0] == '.') || (n == 2 && name[0] == '.' && name[1] == '.'))
		return MICA_EINVAL;
	if (name[n - 1] == '.' || name[n - 1] == ' ')
		return MICA_EINVAL;
	for (uint32_t i = 0; i < n; i++)
		if (name[i] < 0x20 || (name[i] < 0x80 && strchr(bad, name[i])))
			return MICA_EINVAL;
	return MICA_OK;
}

uint8_t fat_lfn_checksum(const uint8_t *short_name)
{
	uint8_t sum = 0;
	for (int i = 0; i < 11; i++)
		sum = (uint8_t)(((sum & 1) << 7) + (sum >> 1) + short_name[i]);
	return sum;
}

static uint32_t trimmed(const uint8_t *p, uint32_t n)
{
	while (n && p[n - 1] == ' ')
		n--;
	return n;
}

void fat_short_to_ucs2(const uint8_t *de, uint16_t *out, uint32_t *n)
{
	uint32_t nb = trimmed(de, 8), ne = trimmed(de + 8, 3), k = 0;
	bool lower_base = de[DE_NTRES] & FAT_NT_LOWER_BASE, lower_ext = de[DE_NTRES] & FAT_NT_LOWER_EXT;
	for (uint32_t i = 0; i < nb; i++) {
		uint8_t c = i == 0 && de[0] == 0x05 ? FAT_DELETED : de[i];
		out[k++] = lower_base && c >= 'A' && c <= 'Z' ? (uint16_t)(c + 32) : c;
	}
	if (ne)
		out[k++] = '.';
	for (uint32_t i = 0; i < ne; i++) {
		uint8_t c = de[8 + i];
		out[k++] = lower_ext && c >= 'A' && c <= 'Z' ? (uint16_t)(c + 32) : c;
	}
	*n = k;
}

static uint8_t short_char(uint16_t c)
{
	static const char ok[] = "!#$%&'()-@^_`{}~";
	if (c >= 'a' && c <= 'z')
		return (uint8_t)(c - 32);
	if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (c < 0x80 && c && strchr(ok, c)))
		return (uint8_t)c;
	return '_';
}

void fat_short_basis(const uint16_t *name, uint32_t n, uint8_t basis[11])
{
	uint32_t dot = n, start = 0;
	memset(basis, ' ', 11);
	for (uint32_t i = n; i-- > 0;)
		if (name[i] == '.') {
			dot = i;
			break;
		}
	while (start < n && name[start] == '.')
		start++;
	if (dot < start)
		dot = n; /* only leading dots: no extension */
	uint32_t k = 0;
	for (uint32_t i = start; i < dot && k < 8; i++)
		if (name[i] != ' ' && name[i] != '.')
			basis[k++] = short_char(name[i]);
	if (k == 0)
		basis[k++] = '_';
	k = 0;
	for (uint32_t i = dot + 1; i < n && k < 3; i++)
		if (name[i] != ' ' && name[i] != '.')
			basis[8 + k++] = short_char(name[i]);
}

void fat_short_tail(const uint8_t basis[11], uint32_t num, uint8_t out[11])
{
	char tail[12];
	int tl = snprintf(tail, sizeof(tail), "~%u", (unsigned)num);
	uint32_t keep = trimmed(basis, 8);
	if (keep > 8 - (uint32_t)tl)
		keep = 8 - (uint32_t)tl;
	memcpy(out, basis, 11);
	memset(out + keep, ' ', 8 - keep);
	memcpy(out + keep, tail, (size_t)tl);
}

static const uint8_t lfn_offsets[FAT_LFN_CHARS] = {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30};

void fat_lfn_slot(uint8_t *de, const uint16_t *name, uint32_t n, uint32_t ord, bool last, uint8_t csum)
{
	memset(de, 0, FAT_DIRENT);
	de[0] = (uint8_t)(ord | (last ? FAT_LFN_LAST : 0));
	de[DE_ATTR] = FAT_ATTR_LFN;
	de[LFN_CSUM] = csum;
	for (uint32_t k = 0; k < FAT_LFN_CHARS; k++) {
		uint32_t i = (ord - 1) * FAT_LFN_CHARS + k;
		fat_wr16(de + lfn_offsets[k], i < n ? name[i] : i == n ? 0 : 0xFFFF);
	}
}

void fat_lfn_take(const uint8_t *de, uint16_t *name)
{
	uint32_t ord = de[0] & 0x1F;
	for (uint32_t k = 0; ord && k < FAT_LFN_CHARS; k++)
		name[(ord - 1) * FAT_LFN_CHARS + k] = fat_rd16(de + lfn_offsets[k]);
}
