/* path.c - percent-decoding of a request path (RFC 3986 2.1) with the
 * refusals that keep a lookup inside the site: NUL (raw or %00), an
 * encoded slash (%2F, which would let one segment name two), and the dot
 * segments "." and ".." (raw or encoded). */
#include "http_impl.h"
#include <mica/hex.h>

/* Is the decoded segment out[start, end) "." or ".."? */
static bool dot_segment(const uint8_t *out, size_t start, size_t end)
{
	size_t n = end - start;
	return (n == 1 && out[start] == '.') || (n == 2 && out[start] == '.' && out[start + 1] == '.');
}

int mica_http_decode_path(struct mica_http_str path, uint8_t *out, size_t cap, size_t *out_len)
{
	if (path.len == 0 || path.p[0] != '/')
		return MICA_EINVAL;
	size_t o = 0, seg = 1;
	for (size_t i = 0; i < path.len; i++) {
		uint8_t c = path.p[i];
		if (c == '%') {
			int hi = i + 2 < path.len ? mica_hex_value(path.p[i + 1]) : -1;
			int lo = hi >= 0 ? mica_hex_value(path.p[i + 2]) : -1;
			if (lo < 0)
				return MICA_EINVAL;
			c = (uint8_t)(hi << 4 | lo);
			if (c == '/')
				return MICA_EINVAL;
			i += 2;
		} else if (c == '/') {
			if (o > 0 && dot_segment(out, seg, o))
				return MICA_EINVAL;
			seg = o + 1;
		}
		if (c == 0)
			return MICA_EINVAL;
		if (o >= cap)
			return MICA_ERANGE;
		out[o++] = c;
	}
	if (dot_segment(out, seg, o))
		return MICA_EINVAL;
	*out_len = o;
	return MICA_OK;
}
