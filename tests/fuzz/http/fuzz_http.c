/* fuzz_http.c - libFuzzer target for lib/http: the input is fed to the
 * request parser whole and again in pieces whose sizes come from the
 * input's first byte; both must give the same requests (incremental
 * parsing must not depend on segment boundaries). Every request is then
 * answered against a small hand-made site, and its head must fit the
 * buffer apps/www gives it. */
#include <stdlib.h>
#include <string.h>
#include <mica/http.h>
#include <mica/http_site.h>

static const uint8_t page[] = "Server: mica\r\nETag: \"a\"\r\n\r\n<p>hi</p>";
static const uint8_t p304[] = "Server: mica\r\nETag: \"a\"\r\n\r\n";
static const struct mica_http_entry entries[] = {
    {"/", 1, MICA_HTTP_ENTRY_FILE, 1000, {{page, p304, 27, 27, 9, "\"a\"", 3}, {0}, {0}}},
    {"/d", 2, MICA_HTTP_ENTRY_DIR, 1000, {{0}, {0}, {0}}},
    {"/x.html",
     7,
     MICA_HTTP_ENTRY_FILE,
     1000,
     {{page, p304, 27, 27, 9, "\"a\"", 3}, {page, p304, 27, 27, 9, "\"b\"", 3}, {0}}},
};
static const struct mica_http_site site = {entries, 3};

#define MAXREQ 64

struct summary {
	int n;
	uint16_t status[MAXREQ];
	uint32_t hash[MAXREQ];
};

static uint32_t hash_req(const struct mica_http_request *r)
{
	uint32_t h = r->error * 31u + r->method * 7u + r->minor + r->keep_alive * 3u;
	for (size_t i = 0; !r->error && i < r->path.len; i++)
		h = h * 33 + r->path.p[i];
	return h;
}

static void answer(const struct mica_http_request *r)
{
	struct mica_http_reply rep;
	if (r->error) {
		memset(&rep, 0, sizeof(rep));
		rep.status = r->error;
		rep.body = true;
	} else {
		mica_http_site_reply(&site, r, &rep);
	}
	uint8_t buf[1024];
	struct mica_http_out o = {buf, 0, sizeof(buf), false};
	mica_http_write_head(&o, &rep, r->error ? NULL : r, "Sun, 06 Nov 1994 08:49:37 GMT", true);
	if (o.overflow)
		abort();
}

static struct summary run(const uint8_t *data, size_t len, size_t step)
{
	struct summary s = {0};
	struct mica_http_parser p;
	mica_http_parser_init(&p);
	size_t off = 0;
	while (off < len && s.n < MAXREQ) {
		size_t n = step && step < len - off ? step : len - off;
		uint8_t *piece = malloc(n);
		memcpy(piece, data + off, n);
		size_t pos = 0;
		int stop = 0;
		while (pos < n && s.n < MAXREQ) {
			struct mica_http_request r;
			size_t used;
			int rc = mica_http_feed(&p, piece + pos, n - pos, &used, &r);
			if (rc < 0 || used > n - pos)
				abort();
			pos += used;
			if (rc == MICA_HTTP_REQUEST) {
				answer(&r);
				s.status[s.n] = r.error;
				s.hash[s.n++] = hash_req(&r);
				if (r.error) {
					stop = 1;
					break;
				}
			}
		}
		free(piece);
		off += pos;
		if (stop)
			break;
	}
	mica_http_parser_fini(&p);
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t step = data[0] % 17 + 1;
	struct summary a = run(data + 1, size - 1, 0), b = run(data + 1, size - 1, step);
	if (a.n != b.n || memcmp(a.status, b.status, sizeof(a.status)) ||
	    memcmp(a.hash, b.hash, sizeof(a.hash)))
		abort();
	return 0;
}
