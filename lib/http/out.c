/* out.c - writing response heads (RFC 9112 4 and 5): the status line
 * (always HTTP/1.1, the highest version we speak, RFC 9110 6.2), field
 * lines, and the reason phrases of the status codes a server sends. */
#include "http_impl.h"
#include <mica/libc.h>

const char *mica_http_reason(unsigned status)
{
	switch (status) {
	case 200: return "OK";
	case 206: return "Partial Content";
	case 301: return "Moved Permanently";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 416: return "Range Not Satisfiable";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Unknown";
	}
}

void mica_http_out_bytes(struct mica_http_out *o, const void *s, size_t n)
{
	if (o->overflow || n > o->cap - o->len) {
		o->overflow = true;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

void mica_http_out_str(struct mica_http_out *o, const char *s)
{
	mica_http_out_bytes(o, s, strlen(s));
}

void mica_http_out_u64(struct mica_http_out *o, uint64_t v)
{
	char tmp[20];
	size_t n = 0;
	do {
		tmp[sizeof(tmp) - ++n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	mica_http_out_bytes(o, tmp + sizeof(tmp) - n, n);
}

void mica_http_out_status(struct mica_http_out *o, unsigned status)
{
	char code[4] = {(char)('0' + status / 100 % 10), (char)('0' + status / 10 % 10),
	                (char)('0' + status % 10), ' '};
	mica_http_out_bytes(o, "HTTP/1.1 ", 9);
	mica_http_out_bytes(o, code, 4);
	mica_http_out_str(o, mica_http_reason(status));
	mica_http_out_bytes(o, "\r\n", 2);
}

void mica_http_out_field(struct mica_http_out *o, const char *name, const char *value)
{
	mica_http_out_str(o, name);
	mica_http_out_bytes(o, ": ", 2);
	mica_http_out_str(o, value);
	mica_http_out_bytes(o, "\r\n", 2);
}

void mica_http_out_field_u64(struct mica_http_out *o, const char *name, uint64_t value)
{
	mica_http_out_str(o, name);
	mica_http_out_bytes(o, ": ", 2);
	mica_http_out_u64(o, value);
	mica_http_out_bytes(o, "\r\n", 2);
}
