/* parse.c - the RESP2 request parser (resp.h). A request is either an
 * array of bulk strings - "*N\r\n" then N times "$LEN\r\nBYTES\r\n" - or
 * an inline line of words separated by spaces (what telnet sends), with
 * "double" and 'single' quotes as redis-server takes them. Nothing is
 * copied: arguments point into the caller's buffer. */
#include <mica/resp.h>
#include <mica/err.h>
#include <mica/libc.h>

/* The inline line at buf (ending in \n, maybe after \r): its length
 * without them, or -1 if not complete within len. */
static ptrdiff_t line_len(const uint8_t *buf, size_t len)
{
	const uint8_t *nl = memchr(buf, '\n', len);
	if (!nl)
		return -1;
	size_t n = (size_t)(nl - buf);
	return (ptrdiff_t)(n && buf[n - 1] == '\r' ? n - 1 : n);
}

/* A decimal count after the type byte: MICA_OK, or MICA_EBADMSG. */
static int parse_count(const uint8_t *p, size_t n, int64_t *out)
{
	bool neg = n && p[0] == '-';
	size_t i = neg;
	int64_t v = 0;
	if (i == n || n - i > 18)
		return MICA_EBADMSG;
	for (; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return MICA_EBADMSG;
		v = v * 10 + (p[i] - '0');
	}
	*out = neg ? -v : v;
	return MICA_OK;
}

static ptrdiff_t fail(struct mica_resp_parser *p, const char *why)
{
	p->error = why;
	return MICA_EBADMSG;
}

/* A line of a multibulk request: up to \r\n strictly. Its length, -1 if
 * not complete, -2 if a \r is not followed by \n. */
static ptrdiff_t crlf_line(const uint8_t *buf, size_t len)
{
	const uint8_t *cr = memchr(buf, '\r', len);
	if (!cr || (size_t)(cr - buf) + 1 >= len)
		return -1;
	return cr[1] == '\n' ? cr - buf : -2;
}

static ptrdiff_t parse_multibulk(struct mica_resp_parser *p, const uint8_t *buf, size_t len,
                                 struct mica_resp_arg *argv, size_t max_args, size_t *argc)
{
	ptrdiff_t ll = crlf_line(buf, len);
	if (ll == -1)
		return len > 32 ? fail(p, "Protocol error: invalid multibulk length") : 0;
	int64_t n;
	if (ll < 0 || parse_count(buf + 1, (size_t)ll - 1, &n) < 0 || n > (int64_t)MICA_RESP_ARGS_MAX)
		return fail(p, "Protocol error: invalid multibulk length");
	size_t pos = (size_t)ll + 2;
	if (n <= 0) {
		*argc = 0;
		return (ptrdiff_t)pos;
	}
	if ((size_t)n > max_args) {
		*argc = (size_t)n;
		return MICA_EMSGSIZE;
	}
	for (int64_t i = 0; i < n; i++) {
		if (pos >= len)
			return 0;
		if (buf[pos] != '$') {
			snprintf(p->errbuf, sizeof(p->errbuf), "Protocol error: expected '$', got '%c'",
			         buf[pos] >= 0x20 && buf[pos] < 0x7f ? buf[pos] : '?');
			return fail(p, p->errbuf);
		}
		ll = crlf_line(buf + pos, len - pos);
		if (ll == -1)
			return len - pos > 32 ? fail(p, "Protocol error: invalid bulk length") : 0;
		int64_t bl;
		if (ll < 0 || parse_count(buf + pos + 1, (size_t)ll - 1, &bl) < 0 || bl < 0 ||
		    (uint64_t)bl > p->bulk_max)
			return fail(p, "Protocol error: invalid bulk length");
		pos += (size_t)ll + 2;
		if (len - pos < (size_t)bl + 2)
			return 0;
		argv[i] = (struct mica_resp_arg){buf + pos, (size_t)bl};
		pos += (size_t)bl + 2;
	}
	*argc = (size_t)n;
	return (ptrdiff_t)pos;
}

static bool is_space(uint8_t c)
{
	return c == ' ' || c == '\t';
}

/* One word of an inline line from *i; quoted words keep their quotes'
 * contents (without escapes: a quote ends them), and must end at a space. */
static int inline_word(const uint8_t *line, size_t n, size_t *i, struct mica_resp_arg *a)
{
	uint8_t q = line[*i];
	if (q == '"' || q == '\'') {
		const uint8_t *end = memchr(line + *i + 1, q, n - *i - 1);
		if (!end || ((size_t)(end - line) + 1 < n && !is_space(end[1])))
			return MICA_EBADMSG;
		*a = (struct mica_resp_arg){line + *i + 1, (size_t)(end - line) - *i - 1};
		*i = (size_t)(end - line) + 1;
		return MICA_OK;
	}
	size_t s = *i;
	while (*i < n && !is_space(line[*i]))
		(*i)++;
	*a = (struct mica_resp_arg){line + s, *i - s};
	return MICA_OK;
}

static ptrdiff_t parse_inline(struct mica_resp_parser *p, const uint8_t *buf, size_t len,
                              struct mica_resp_arg *argv, size_t max_args, size_t *argc)
{
	ptrdiff_t ll = line_len(buf, len);
	if (ll < 0)
		return len > MICA_RESP_INLINE_MAX ? fail(p, "Protocol error: too big inline request") : 0;
	size_t n = (size_t)ll, i = 0, k = 0;
	while (i < n) {
		while (i < n && is_space(buf[i]))
			i++;
		if (i == n)
			break;
		if (k == max_args) {
			*argc = max_args * 2;
			return MICA_EMSGSIZE;
		}
		if (inline_word(buf, n, &i, &argv[k++]) < 0)
			return fail(p, "Protocol error: unbalanced quotes in request");
	}
	*argc = k;
	return ll + (buf[ll] == '\r' ? 2 : 1);
}

ptrdiff_t mica_resp_parse(struct mica_resp_parser *p, const uint8_t *buf, size_t len,
                          struct mica_resp_arg *argv, size_t max_args, size_t *argc)
{
	*argc = 0;
	if (len == 0)
		return 0;
	if (buf[0] == '*')
		return parse_multibulk(p, buf, len, argv, max_args, argc);
	return parse_inline(p, buf, len, argv, max_args, argc);
}
