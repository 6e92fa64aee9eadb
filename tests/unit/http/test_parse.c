/* test_parse.c - lib/http's request parser: every rule of RFC 9112 it
 * enforces, each input fed whole, one byte per call and in two halves at
 * every split point, which must all give the same result. */
#include "check.h"
#include <stdlib.h>
#include <mica/http.h>

/* What a parse gave, in a form that can be compared across feed patterns. */
struct outcome {
	int requests;       /* complete requests seen */
	unsigned status[8]; /* error of each (0: fine) */
	int method[8];
	char path[8][64];
	int keep_alive[8];
	size_t consumed;
	bool busy; /* parser holds a partial request at the end */
};

static void note(struct outcome *o, const struct mica_http_request *r)
{
	if (o->requests < 8) {
		int i = o->requests;
		o->status[i] = r->error;
		o->method[i] = r->method;
		o->keep_alive[i] = r->keep_alive;
		size_t n = r->path.len < 63 ? r->path.len : 63;
		if (!r->error && r->path.p)
			memcpy(o->path[i], r->path.p, n);
		o->path[i][r->error ? 0 : n] = 0;
	}
	o->requests++;
}

/* Feed s in pieces of `step` bytes (0: all at once; else the first piece
 * is `first` bytes). Stops after an error, as a server closes. */
static struct outcome run(const char *s, size_t len, size_t first, size_t step)
{
	struct outcome o;
	memset(&o, 0, sizeof(o));
	struct mica_http_parser p;
	mica_http_parser_init(&p);
	size_t off = 0;
	while (off < len) {
		size_t n = len - off;
		if (step && off == 0 && first)
			n = first < n ? first : n;
		else if (step && step < n)
			n = step;
		/* The piece lives in its own allocation: reads past it are caught by ASan. */
		uint8_t *piece = malloc(n);
		memcpy(piece, s + off, n);
		size_t pos = 0;
		bool stop = false;
		while (pos < n) {
			struct mica_http_request req;
			size_t used;
			int rc = mica_http_feed(&p, piece + pos, n - pos, &used, &req);
			CHECK(rc >= 0);
			pos += used;
			if (rc == MICA_HTTP_REQUEST) {
				note(&o, &req);
				if (req.error) {
					stop = true;
					break;
				}
			}
		}
		free(piece);
		off += pos;
		if (stop)
			break;
	}
	o.consumed = off;
	o.busy = mica_http_parser_busy(&p);
	mica_http_parser_fini(&p);
	return o;
}

static bool same(const struct outcome *a, const struct outcome *b)
{
	if (a->requests != b->requests || a->busy != b->busy)
		return false;
	for (int i = 0; i < a->requests && i < 8; i++)
		if (a->status[i] != b->status[i] || a->method[i] != b->method[i] ||
		    strcmp(a->path[i], b->path[i]) != 0 || a->keep_alive[i] != b->keep_alive[i])
			return false;
	return true;
}

/* Parse s every way; all must agree. Returns the whole-input outcome. */
static struct outcome parse_all_ways(const char *s)
{
	size_t len = strlen(s);
	struct outcome whole = run(s, len, 0, 0);
	struct outcome bytes = run(s, len, 0, 1);
	CHECK(same(&whole, &bytes));
	if (len < 400) {
		for (size_t cut = 1; cut < len; cut++) {
			struct outcome halves = run(s, len, cut, len);
			if (!same(&whole, &halves)) {
				printf("  split at %zu differs for %.40s\n", cut, s);
				CHECK(0);
				break;
			}
		}
	}
	return whole;
}

/* One request: its error status (0 if fine). */
static unsigned status_of(const char *s)
{
	struct outcome o = parse_all_ways(s);
	CHECK_EQ(o.requests, 1);
	return o.status[0];
}

TEST(simple_get)
{
	struct outcome o = parse_all_ways("GET /index.html?x=1 HTTP/1.1\r\nHost: a\r\n\r\n");
	CHECK_EQ(o.requests, 1);
	CHECK_EQ(o.status[0], 0);
	CHECK_EQ(o.method[0], MICA_HTTP_GET);
	CHECK_STR(o.path[0], "/index.html");
	CHECK_EQ(o.keep_alive[0], 1);
	CHECK(!o.busy);
}

TEST(fields_extracted)
{
	const char *s = "HEAD /a HTTP/1.1\r\nHost: example.com:8080\r\nRange: bytes=1-2\r\n"
	                "If-None-Match: \"x\"\r\nIf-None-Match: \"y\"\r\nAccept-Encoding: gzip;q=0.5, br\r\n"
	                "If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\nX-Other:  v  \r\n\r\n";
	struct mica_http_parser p;
	mica_http_parser_init(&p);
	struct mica_http_request r;
	size_t used;
	CHECK_EQ(mica_http_feed(&p, (const uint8_t *)s, strlen(s), &used, &r), MICA_HTTP_REQUEST);
	CHECK_EQ(used, strlen(s));
	CHECK_EQ(r.error, 0);
	CHECK_EQ(r.method, MICA_HTTP_HEAD);
	CHECK(r.host.len == 16 && memcmp(r.host.p, "example.com:8080", 16) == 0);
	CHECK(r.range.len == 9 && memcmp(r.range.p, "bytes=1-2", 9) == 0);
	CHECK_EQ(r.n_if_none_match, 2);
	CHECK_EQ(r.accept.gzip, 500);
	CHECK_EQ(r.accept.br, 1000);
	CHECK(r.if_modified_since.len == 29);
	mica_http_parser_fini(&p);
}

TEST(versions)
{
	CHECK_EQ(status_of("GET / HTTP/1.0\r\n\r\n"), 0); /* no Host needed in 1.0 */
	CHECK_EQ(status_of("GET / HTTP/1.2\r\nHost: a\r\n\r\n"), 0);
	CHECK_EQ(status_of("GET / HTTP/2.0\r\nHost: a\r\n\r\n"), 505);
	CHECK_EQ(status_of("GET / HTTP/0.9\r\nHost: a\r\n\r\n"), 505);
	CHECK_EQ(status_of("GET / HTTP/3.0\r\n\r\n"), 505);
	CHECK_EQ(status_of("GET / http/1.1\r\nHost: a\r\n\r\n"), 400);
	CHECK_EQ(status_of("GET / HTTP/1.10\r\nHost: a\r\n\r\n"), 400);
	CHECK_EQ(status_of("GET / HTTP/1\r\nHost: a\r\n\r\n"), 400);
	CHECK_EQ(status_of("GET /\r\n\r\n"), 400); /* HTTP/0.9 request line */
}

TEST(keep_alive_rules)
{
	struct outcome o = parse_all_ways("GET / HTTP/1.0\r\n\r\n");
	CHECK_EQ(o.keep_alive[0], 0);
	o = parse_all_ways("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n");
	CHECK_EQ(o.keep_alive[0], 1);
	o = parse_all_ways("GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, close\r\n\r\n");
	CHECK_EQ(o.keep_alive[0], 0);
	o = parse_all_ways("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
	CHECK_EQ(o.keep_alive[0], 1);
}

TEST(request_line_strictness)
{
	CHECK_EQ(status_of("GET  / HTTP/1.1\r\nHost: a\r\n\r\n"), 400);   /* two spaces */
	CHECK_EQ(status_of("GET / HTTP/1.1 \r\nHost: a\r\n\r\n"), 400);   /* trailing space */
	CHECK_EQ(status_of("GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n"), 400);   /* tab */
	CHECK_EQ(status_of("G(T / HTTP/1.1\r\nHost: a\r\n\r\n"), 400);    /* not a token */
	CHECK_EQ(status_of("GET /a b HTTP/1.1\r\nHost: a\r\n\r\n"), 400); /* space in target */
	CHECK_EQ(status_of("GET /a#f HTTP/1.1\r\nHost: a\r\n\r\n"), 400); /* fragment */
	CHECK_EQ(status_of("GET a HTTP/1.1\r\nHost: a\r\n\r\n"), 400);    /* not a path */
	CHECK_EQ(status_of("GET * HTTP/1.1\r\nHost: a\r\n\r\n"), 400);    /* asterisk only for OPTIONS */
	CHECK_EQ(status_of("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"), 0);
	CHECK_EQ(status_of("GET /\x01 HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
	CHECK_EQ(status_of("GET /\x7f HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
	CHECK_EQ(status_of("GET /a\rb HTTP/1.1\r\nHost: a\r\n\r\n"), 400); /* bare CR */
	struct outcome o = parse_all_ways("FOO / HTTP/1.1\r\nHost: a\r\n\r\n");
	CHECK_EQ(o.status[0], 0);
	CHECK_EQ(o.method[0], MICA_HTTP_OTHER);
	o = parse_all_ways("get / HTTP/1.1\r\nHost: a\r\n\r\n"); /* methods are case-sensitive */
	CHECK_EQ(o.method[0], MICA_HTTP_OTHER);
}

TEST(absolute_form)
{
	const char *s = "GET http://Example.com/x/y?q HTTP/1.1\r\nHost: other\r\n\r\n";
	struct mica_http_parser p;
	mica_http_parser_init(&p);
	struct mica_http_request r;
	size_t used;
	CHECK_EQ(mica_http_feed(&p, (const uint8_t *)s, strlen(s), &used, &r), MICA_HTTP_REQUEST);
	CHECK_EQ(r.error, 0);
	CHECK(r.absolute_form);
	CHECK(r.path.len == 4 && memcmp(r.path.p, "/x/y", 4) == 0);
	CHECK(r.query.len == 1 && r.query.p[0] == 'q');
	CHECK(r.host.len == 11 && memcmp(r.host.p, "Example.com", 11) == 0);
	s = "GET http://h HTTP/1.1\r\n\r\n"; /* no path: "/", Host not needed */
	CHECK_EQ(mica_http_feed(&p, (const uint8_t *)s, strlen(s), &used, &r), MICA_HTTP_REQUEST);
	CHECK_EQ(r.error, 0);
	CHECK(r.path.len == 1 && r.path.p[0] == '/');
	CHECK_EQ(status_of("GET ftp://h/ HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
	CHECK_EQ(status_of("GET http:/// HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
	mica_http_parser_fini(&p);
}

TEST(host_rules)
{
	CHECK_EQ(status_of("GET / HTTP/1.1\r\n\r\n"), 400);                       /* missing */
	CHECK_EQ(status_of("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n"), 400); /* repeated */
	CHECK_EQ(status_of("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n"), 400);          /* invalid */
	CHECK_EQ(status_of("GET / HTTP/1.1\r\nHost: a b\r\n\r\n"), 400);
	CHECK_EQ(status_of("GET / HTTP/1.1\r\nHost:\r\n\r\n"), 0); /* empty is allowed */
	CHECK_EQ(status_of("GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n"), 0);
	CHECK_EQ(status_of("GET / HTTP/1.1\r\nhOsT: a\r\n\r\n"), 0); /* names are case-blind */
}

TEST(field_line_strictness)
{
	CHECK_EQ(status_of("GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n 2\r\n\r\n"), 400); /* obs-fold */
	CHECK_EQ(status_of("GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n\t2\r\n\r\n"), 400);
	CHECK_EQ(status_of("GET / HTTP/1.1\r\n Host: a\r\n\r\n"), 400); /* space after start line */
	CHECK_EQ(status_of("GET / HTTP/1.1\r\nHost : a\r\n\r\n"), 400); /* space before colon */
	CHECK_EQ(status_of("GET / HTTP/1.1\r\nHost\t: a\r\n\r\n"), 400);
	CHECK_EQ(status_of("GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n"), 400);
	CHECK_EQ(status_of("GET / HTTP/1.1\r\nHost: a\r\n: empty\r\n\r\n"), 400);
	CHECK_EQ(status_of("GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n"), 400); /* bare CR in value */
	CHECK_EQ(status_of("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\r\n\r\n"), 400);
	CHECK_EQ(status_of("GET / HTTP/1.1\r\nHost: a\r\nX\r: a\r\n\r\n"), 400);
	CHECK_EQ(status_of("GET / HTTP/1.1\r\nHost: a\r\nX: \x01\r\n\r\n"), 400); /* control */
	CHECK_EQ(status_of("GET / HTTP/1.1\r\nHost: a\r\nX: \x7f\r\n\r\n"), 400);
	CHECK_EQ(status_of("GET / HTTP/1.1\r\nHost: a\r\nX: caf\xc3\xa9\t!\r\n\r\n"), 0); /* obs-text, HTAB */
	CHECK_EQ(status_of("GET / HTTP/1.1\r\nHost: a\r\nX:\r\n\r\n"), 0);                /* empty value */
	static const char nul[] = "GET / HTTP/1.1\r\nHost: a\r\nX: \0\r\n\r\n";
	struct outcome o = run(nul, sizeof(nul) - 1, 0, 0);
	CHECK_EQ(o.status[0], 400);
}

TEST(line_endings)
{
	/* A lone LF ends a line (RFC 9112 2.2 allows it); a CR must precede LF. */
	struct outcome o = parse_all_ways("GET /lf HTTP/1.1\nHost: a\n\n");
	CHECK_EQ(o.status[0], 0);
	CHECK_STR(o.path[0], "/lf");
	CHECK_EQ(status_of("GET / HTTP/1.1\r\nHost: a\r\n\r\r\n"), 400);
	/* Empty lines before a request are skipped. */
	o = parse_all_ways("\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\n\r\n");
	CHECK_EQ(o.requests, 1);
	CHECK_STR(o.path[0], "/x");
}

TEST(body_framing)
{
	/* CL and TE together, TE in 1.0, TE not ending in chunked, chunked twice. */
	CHECK_EQ(status_of(
	             "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"),
	         400);
	CHECK_EQ(status_of(
	             "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"),
	         400);
	CHECK_EQ(status_of("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"), 400);
	CHECK_EQ(status_of("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n"), 400);
	CHECK_EQ(status_of("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"), 400);
	CHECK_EQ(status_of("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: "
	                   "chunked\r\n\r\n"),
	         400);
	CHECK_EQ(status_of("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n\r\n"), 400);
	/* A chunked body is refused, not parsed. */
	CHECK_EQ(status_of("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"), 413);
	/* Bad or repeated Content-Length. */
	CHECK_EQ(status_of("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n"),
	         400);
	CHECK_EQ(status_of("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\n"), 400);
	CHECK_EQ(status_of("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\n"), 400);
	CHECK_EQ(status_of("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n"), 400);
	CHECK_EQ(status_of("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10\r\n\r\n"), 400);
	CHECK_EQ(status_of("POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n"), 400);
	CHECK_EQ(status_of("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n"),
	         400);
	CHECK_EQ(status_of("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 70000\r\n\r\n"), 413);
}

TEST(body_dropped_not_smuggled)
{
	/* The body holds what looks like a request: it must be dropped. */
	struct outcome o = parse_all_ways("POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 37\r\n\r\n"
	                                  "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n"
	                                  "GET /b HTTP/1.1\r\nHost: a\r\n\r\n");
	CHECK_EQ(o.requests, 2);
	CHECK_EQ(o.method[0], MICA_HTTP_POST);
	CHECK_STR(o.path[1], "/b");
	CHECK(!o.busy);
	/* A body still arriving keeps the parser busy. */
	o = parse_all_ways("POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc");
	CHECK_EQ(o.requests, 1);
	CHECK(o.busy);
}

TEST(pipelined_requests)
{
	char buf[100 * 40 + 1];
	size_t n = 0;
	for (int i = 0; i < 100; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "GET /%02d HTTP/1.1\r\nHost: h\r\n\r\n", i);
	struct outcome a = run(buf, n, 0, 0), b = run(buf, n, 0, 1), c = run(buf, n, 7, 13);
	CHECK_EQ(a.requests, 100);
	CHECK(same(&a, &b));
	CHECK(same(&a, &c));
	CHECK_STR(a.path[7], "/07");
	CHECK_EQ(a.consumed, n);
}

static char *repeat(const char *head, char c, size_t n, const char *tail)
{
	size_t h = strlen(head), t = strlen(tail);
	char *s = malloc(h + n + t + 1);
	memcpy(s, head, h);
	memset(s + h, c, n);
	memcpy(s + h + n, tail, t + 1);
	return s;
}

TEST(limits)
{
	/* Request line: 8192 bytes is fine, one more is 414 (also before the line ends). */
	char *ok = repeat("GET /", 'a', 8192 - 14, " HTTP/1.1\r\nHost: a\r\n\r\n");
	CHECK_EQ(status_of(ok), 0);
	free(ok);
	char *lng = repeat("GET /", 'a', 8192 - 13, " HTTP/1.1\r\nHost: a\r\n\r\n");
	CHECK_EQ(status_of(lng), 414);
	free(lng);
	char *endless = repeat("GET /", 'a', 20000, "");
	struct outcome o = parse_all_ways(endless);
	CHECK_EQ(o.status[0], 414);
	o = run(endless, strlen(endless), 0, 1);
	CHECK(o.consumed < 8200); /* noticed before the whole line arrived */
	free(endless);
	/* Header section: 16 KiB is fine, more is 431. */
	char *fields = repeat("GET / HTTP/1.1\r\nHost: a\r\nX: ", 'v', 16384 - 9 - 5, "\r\n\r\n");
	CHECK_EQ(status_of(fields), 0);
	free(fields);
	char *big = repeat("GET / HTTP/1.1\r\nHost: a\r\nX: ", 'v', 16384, "\r\n\r\n");
	CHECK_EQ(status_of(big), 431);
	free(big);
	char *many = malloc(40000);
	size_t n = (size_t)sprintf(many, "GET / HTTP/1.1\r\nHost: a\r\n");
	while (n < 30000)
		n += (size_t)sprintf(many + n, "X-Field: value\r\n");
	strcpy(many + n, "\r\n");
	CHECK_EQ(status_of(many), 431);
	free(many);
	char *blank = repeat("", '\n', 100, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
	CHECK_EQ(status_of(blank), 400);
	free(blank);
}

TEST(idle_parser_holds_no_memory)
{
	struct mica_http_parser p;
	mica_http_parser_init(&p);
	const char *a = "GET / HTTP/1.1\r\nHo", *b = "st: a\r\n\r\n";
	struct mica_http_request r;
	size_t used;
	CHECK_EQ(mica_http_feed(&p, (const uint8_t *)a, strlen(a), &used, &r), MICA_HTTP_NEED_MORE);
	CHECK(p.buf != NULL);
	CHECK(mica_http_parser_busy(&p));
	CHECK_EQ(mica_http_feed(&p, (const uint8_t *)b, strlen(b), &used, &r), MICA_HTTP_REQUEST);
	CHECK_EQ(r.error, 0);
	CHECK(!mica_http_parser_busy(&p));
	CHECK_EQ(mica_http_feed(&p, (const uint8_t *)"", 0, &used, &r), MICA_HTTP_NEED_MORE);
	CHECK(p.buf == NULL); /* released once the request was handled */
	mica_http_parser_fini(&p);
}

int main(void)
{
	return RUN_TESTS();
}
