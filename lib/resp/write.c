/* write.c - RESP2 replies appended to a growing buffer (resp.h). */
#include <stdarg.h>
#include <mica/resp.h>
#include <mica/libc.h>

static bool reserve(struct mica_resp_out *o, size_t n)
{
	if (o->failed)
		return false;
	if (o->len + n <= o->cap)
		return true;
	size_t cap = o->cap ? o->cap : 256;
	while (cap < o->len + n)
		cap *= 2;
	uint8_t *b = realloc(o->buf, cap);
	if (!b) {
		o->failed = true;
		return false;
	}
	o->buf = b;
	o->cap = cap;
	return true;
}

void mica_resp_out_free(struct mica_resp_out *o)
{
	free(o->buf);
	*o = (struct mica_resp_out){0};
}

void mica_resp_raw(struct mica_resp_out *o, const void *p, size_t n)
{
	if (!reserve(o, n))
		return;
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

static void line(struct mica_resp_out *o, char type, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void line(struct mica_resp_out *o, char type, const char *fmt, ...)
{
	char tmp[32];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (!reserve(o, (size_t)n + 3))
		return;
	o->buf[o->len++] = (uint8_t)type;
	memcpy(o->buf + o->len, tmp, (size_t)n);
	o->len += (size_t)n;
	o->buf[o->len++] = '\r';
	o->buf[o->len++] = '\n';
}

void mica_resp_simple(struct mica_resp_out *o, const char *s)
{
	size_t n = strlen(s);
	if (!reserve(o, n + 3))
		return;
	o->buf[o->len++] = '+';
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len++] = '\r';
	o->buf[o->len++] = '\n';
}

void mica_resp_error(struct mica_resp_out *o, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(msg))
		n = sizeof(msg) - 1;
	for (int i = 0; i < n; i++) /* an error is one line */
		if (msg[i] == '\r' || msg[i] == '\n')
			msg[i] = ' ';
	if (!reserve(o, (size_t)n + 3))
		return;
	o->buf[o->len++] = '-';
	memcpy(o->buf + o->len, msg, (size_t)n);
	o->len += (size_t)n;
	o->buf[o->len++] = '\r';
	o->buf[o->len++] = '\n';
}

void mica_resp_int(struct mica_resp_out *o, int64_t v)
{
	line(o, ':', "%lld", (long long)v);
}

void mica_resp_bulk(struct mica_resp_out *o, const void *p, size_t n)
{
	line(o, '$', "%zu", n);
	if (!reserve(o, n + 2))
		return;
	if (n)
		memcpy(o->buf + o->len, p, n);
	o->len += n;
	o->buf[o->len++] = '\r';
	o->buf[o->len++] = '\n';
}

void mica_resp_null(struct mica_resp_out *o)
{
	mica_resp_raw(o, "$-1\r\n", 5);
}

void mica_resp_array(struct mica_resp_out *o, int64_t n)
{
	line(o, '*', "%lld", (long long)n);
}
