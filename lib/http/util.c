/* util.c - small text helpers of lib/http: token characters, case-blind
 * comparison, trimming, comma-separated lists and digit strings. */
#include "http_impl.h"

bool http_is_tchar(uint8_t c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return true;
	switch (c) {
	case '!':
	case '#':
	case '$':
	case '%':
	case '&':
	case '\'':
	case '*':
	case '+':
	case '-':
	case '.':
	case '^':
	case '_':
	case '`':
	case '|':
	case '~': return true;
	default: return false;
	}
}

static uint8_t lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

bool http_str_ieq(struct mica_http_str s, const char *lit)
{
	size_t i = 0;
	for (; i < s.len; i++)
		if (!lit[i] || lower(s.p[i]) != (uint8_t)lit[i])
			return false;
	return lit[i] == 0;
}

struct mica_http_str http_trim(struct mica_http_str s)
{
	while (s.len && (s.p[0] == ' ' || s.p[0] == '\t')) {
		s.p++;
		s.len--;
	}
	while (s.len && (s.p[s.len - 1] == ' ' || s.p[s.len - 1] == '\t'))
		s.len--;
	return s;
}

bool http_list_next(struct mica_http_str list, size_t *pos, struct mica_http_str *elem)
{
	while (*pos < list.len) {
		size_t start = *pos, i = start;
		while (i < list.len && list.p[i] != ',')
			i++;
		*pos = i < list.len ? i + 1 : i;
		struct mica_http_str e = {list.p + start, i - start};
		e = http_trim(e);
		if (e.len) {
			*elem = e;
			return true;
		}
	}
	return false;
}

bool http_parse_digits(struct mica_http_str s, uint64_t *out)
{
	if (s.len == 0)
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < s.len; i++) {
		if (s.p[i] < '0' || s.p[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s.p[i] - '0');
		if (v > (1ull << 62))
			return false;
	}
	*out = v;
	return true;
}
