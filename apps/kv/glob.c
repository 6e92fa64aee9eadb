/* glob.c - the patterns of SCAN MATCH and CONFIG GET, as Redis reads them:
 * '*' any run, '?' any byte, '[abc]' '[a-z]' '[^x]' classes, '\x' the byte
 * x itself. Matched iteratively (the last '*' is retried one byte later on
 * a mismatch), so a pattern of many stars costs O(pattern x string), never
 * exponential time. */
#include "kv_app.h"

/* Does class pat[*pi..] (after '[') take c? *pi ends past the ']'. */
static bool class_match(const uint8_t *pat, size_t plen, size_t *pi, uint8_t c)
{
	size_t i = *pi;
	bool neg = i < plen && pat[i] == '^', hit = false;
	i += neg;
	for (bool first = true; i < plen && (first || pat[i] != ']'); first = false) {
		uint8_t lo = pat[i];
		if (lo == '\\' && i + 1 < plen)
			lo = pat[++i];
		if (i + 2 < plen && pat[i + 1] == '-' && pat[i + 2] != ']') {
			uint8_t hi = pat[i + 2];
			if (hi == '\\' && i + 3 < plen)
				hi = pat[++i + 2];
			if ((lo <= c && c <= hi) || (hi <= c && c <= lo))
				hit = true;
			i += 3;
			continue;
		}
		hit |= lo == c;
		i++;
	}
	*pi = i < plen ? i + 1 : i; /* past the ']' (an unclosed class ends the pattern) */
	return hit != neg;
}

bool kv_glob(const uint8_t *pat, size_t plen, const uint8_t *s, size_t slen)
{
	size_t p = 0, i = 0, star_p = (size_t)-1, star_i = 0;
	while (i < slen) {
		if (p < plen && pat[p] == '*') {
			while (p < plen && pat[p] == '*')
				p++;
			if (p == plen)
				return true;
			star_p = p;
			star_i = i;
			continue;
		}
		if (p < plen) {
			size_t np = p + 1;
			bool ok;
			if (pat[p] == '?')
				ok = true;
			else if (pat[p] == '[')
				ok = class_match(pat, plen, &np, s[i]);
			else if (pat[p] == '\\' && p + 1 < plen)
				ok = pat[++np - 1] == s[i];
			else
				ok = pat[p] == s[i];
			if (ok) {
				p = np;
				i++;
				continue;
			}
		}
		if (star_p == (size_t)-1)
			return false;
		p = star_p;
		i = ++star_i;
	}
	while (p < plen && pat[p] == '*')
		p++;
	return p == plen;
}
