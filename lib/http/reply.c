/* reply.c - the per-request part of a response head (RFC 9110, 9112):
 * status line, Date, Content-Length (also for HEAD, RFC 9110 9.3.2; never
 * on 304), Content-Range for 206 and 416, Connection; and the whole of the
 * small responses that have no file behind them (301 with Location, 4xx,
 * 5xx) with a short HTML body. Server: mica and the file's own fields come
 * from the static block the site compiler wrote. */
#include <mica/http_site.h>
#include <mica/libc.h>

static void out_connection(struct mica_http_out *o, const struct mica_http_request *req, bool close)
{
	if (close)
		mica_http_out_str(o, "Connection: close\r\n");
	else if (req && req->minor == 0)
		mica_http_out_str(o, "Connection: keep-alive\r\n");
}

static void out_content_range(struct mica_http_out *o, const struct mica_http_reply *r)
{
	mica_http_out_str(o, "Content-Range: bytes ");
	if (r->status == 416) {
		mica_http_out_str(o, "*");
	} else {
		mica_http_out_u64(o, r->first);
		mica_http_out_str(o, "-");
		mica_http_out_u64(o, r->first + r->len - 1);
	}
	mica_http_out_str(o, "/");
	mica_http_out_u64(o, r->var->body_len);
	mica_http_out_str(o, "\r\n");
}

/* 301, 4xx, 5xx: a complete small response. */
static void write_plain(struct mica_http_out *o, const struct mica_http_reply *r,
                        const struct mica_http_request *req, bool close)
{
	const char *reason = mica_http_reason(r->status);
	char code[4] = {(char)('0' + r->status / 100 % 10), (char)('0' + r->status / 10 % 10),
	                (char)('0' + r->status % 10), 0};
	size_t body_len =
	    2 * (strlen(code) + 1 + strlen(reason)) + strlen("<!DOCTYPE html>\n<title></title>\n<h1></h1>\n");
	mica_http_out_str(o, "Server: mica\r\nContent-Type: text/html; charset=utf-8\r\n");
	mica_http_out_field_u64(o, "Content-Length", body_len);
	if (r->status == 405)
		mica_http_out_str(o, "Allow: GET, HEAD\r\n");
	if (r->status == 416 && r->var)
		out_content_range(o, r);
	if (r->status == 301 && req) {
		mica_http_out_str(o, "Location: ");
		mica_http_out_bytes(o, req->path.p, req->path.len);
		mica_http_out_str(o, "/");
		if (req->query.p) {
			mica_http_out_str(o, "?");
			mica_http_out_bytes(o, req->query.p, req->query.len);
		}
		mica_http_out_str(o, "\r\n");
	}
	out_connection(o, req, close);
	mica_http_out_str(o, "\r\n");
	if (!r->body)
		return;
	mica_http_out_str(o, "<!DOCTYPE html>\n<title>");
	mica_http_out_str(o, code);
	mica_http_out_str(o, " ");
	mica_http_out_str(o, reason);
	mica_http_out_str(o, "</title>\n<h1>");
	mica_http_out_str(o, code);
	mica_http_out_str(o, " ");
	mica_http_out_str(o, reason);
	mica_http_out_str(o, "</h1>\n");
}

void mica_http_write_head(struct mica_http_out *o, const struct mica_http_reply *r,
                          const struct mica_http_request *req, const char *date, bool close)
{
	mica_http_out_status(o, r->status);
	mica_http_out_str(o, "Date: ");
	mica_http_out_bytes(o, date, MICA_HTTP_DATE_LEN);
	mica_http_out_str(o, "\r\n");
	switch (r->status) {
	case 206:
		out_content_range(o, r);
		/* fall through */
	case 200:
		mica_http_out_field_u64(o, "Content-Length", r->len);
		out_connection(o, req, close);
		break;
	case 304: out_connection(o, req, close); break;
	default: write_plain(o, r, req, close); break;
	}
}
