/* test_fields.c - lib/http's field values: Accept-Encoding q-values,
 * Range, entity tags, HTTP dates in all three forms, path decoding and
 * its refusals, and the response head writer. */
#include "check.h"
#include <mica/http.h>
#include <mica/http_site.h>

static struct mica_http_str S(const char *s) {
	return (struct mica_http_str){(const uint8_t *)s, strlen(s)};
}

static struct mica_http_accept
accept_of(const char *v)
{
	struct mica_http_accept a = {-1, -1, -1, -1, false};
	mica_http_parse_accept(S(v), &a);
	return a;
}

TEST(accept_encoding)
{
	struct mica_http_accept a = accept_of("gzip, deflate, br");
	CHECK_EQ(mica_http_accept_q(&a, "gzip"), 1000);
	CHECK_EQ(mica_http_accept_q(&a, "br"), 1000);
	CHECK_EQ(mica_http_accept_q(&a, "identity"), 1000);
	a = accept_of("br;q=0, gzip;q=0.8, *;q=0.1");
	CHECK_EQ(mica_http_accept_q(&a, "br"), 0);
	CHECK_EQ(mica_http_accept_q(&a, "gzip"), 800);
	CHECK_EQ(mica_http_accept_q(&a, "identity"), 100); /* from * */
	a = accept_of("GZIP ; Q=0.5");
	CHECK_EQ(mica_http_accept_q(&a, "gzip"), 500);
	a = accept_of("gzip;q=1.5, br;q=abc, identity;q=0");
	CHECK_EQ(mica_http_accept_q(&a, "gzip"), 0); /* invalid q: ignored, and the field was sent */
	CHECK_EQ(mica_http_accept_q(&a, "br"), 0);
	CHECK_EQ(mica_http_accept_q(&a, "identity"), 0);
	a = accept_of("x-gzip;q=0.001");
	CHECK_EQ(mica_http_accept_q(&a, "gzip"), 1);
	struct mica_http_accept none = {-1, -1, -1, -1, false};
	CHECK_EQ(mica_http_accept_q(&none, "gzip"), 0);
	CHECK_EQ(mica_http_accept_q(&none, "identity"), 1000);
}

static int range(const char *v, uint64_t size, uint64_t *f, uint64_t *l)
{
	return (int)mica_http_parse_range(S(v), size, f, l);
}

TEST(ranges)
{
	uint64_t f = 0, l = 0;
	CHECK_EQ(range("bytes=0-99", 1000, &f, &l), MICA_HTTP_RANGE_OK);
	CHECK(f == 0 && l == 99);
	CHECK_EQ(range("bytes=900-", 1000, &f, &l), MICA_HTTP_RANGE_OK);
	CHECK(f == 900 && l == 999);
	CHECK_EQ(range("bytes=-100", 1000, &f, &l), MICA_HTTP_RANGE_OK);
	CHECK(f == 900 && l == 999);
	CHECK_EQ(range("bytes=-5000", 1000, &f, &l), MICA_HTTP_RANGE_OK);
	CHECK(f == 0 && l == 999);
	CHECK_EQ(range("bytes=500-5000", 1000, &f, &l), MICA_HTTP_RANGE_OK);
	CHECK(f == 500 && l == 999);
	CHECK_EQ(range("Bytes=1-1", 1000, &f, &l), MICA_HTTP_RANGE_OK);
	CHECK_EQ(range("bytes=1000-", 1000, &f, &l), MICA_HTTP_RANGE_UNSATISFIABLE);
	CHECK_EQ(range("bytes=-0", 1000, &f, &l), MICA_HTTP_RANGE_UNSATISFIABLE);
	CHECK_EQ(range("bytes=0-", 0, &f, &l), MICA_HTTP_RANGE_UNSATISFIABLE);
	CHECK_EQ(range("bytes=5-1", 1000, &f, &l), MICA_HTTP_RANGE_NONE);
	CHECK_EQ(range("bytes=0-1,5-6", 1000, &f, &l), MICA_HTTP_RANGE_NONE);
	CHECK_EQ(range("items=0-1", 1000, &f, &l), MICA_HTTP_RANGE_NONE);
	CHECK_EQ(range("bytes=a-b", 1000, &f, &l), MICA_HTTP_RANGE_NONE);
	CHECK_EQ(range("bytes=-", 1000, &f, &l), MICA_HTTP_RANGE_NONE);
	CHECK_EQ(range("bytes=", 1000, &f, &l), MICA_HTTP_RANGE_NONE);
	CHECK_EQ(range("bytes=1", 1000, &f, &l), MICA_HTTP_RANGE_NONE);
}

TEST(etags)
{
	struct mica_http_str tag = S("\"abc-1\"");
	CHECK(mica_http_etag_listed(S("\"abc-1\""), tag));
	CHECK(mica_http_etag_listed(S("W/\"abc-1\""), tag)); /* weak comparison */
	CHECK(mica_http_etag_listed(S("\"x\", \"abc-1\""), tag));
	CHECK(mica_http_etag_listed(S("*"), tag));
	CHECK(!mica_http_etag_listed(S("\"abc\""), tag));
	CHECK(!mica_http_etag_listed(S("abc-1"), tag));
	CHECK(!mica_http_etag_listed(S("\"x,\"abc-1\""), tag));
	CHECK(mica_http_etag_strong_equal(S(" \"abc-1\" "), tag));
	CHECK(!mica_http_etag_strong_equal(S("W/\"abc-1\""), tag));
	CHECK(!mica_http_etag_strong_equal(S("\"abc-1\", \"x\""), tag));
}

TEST(dates)
{
	char out[MICA_HTTP_DATE_LEN + 1] = {0};
	mica_http_format_date(784111777, out);
	CHECK_STR(out, "Sun, 06 Nov 1994 08:49:37 GMT");
	mica_http_format_date(0, out);
	CHECK_STR(out, "Thu, 01 Jan 1970 00:00:00 GMT");
	mica_http_format_date(951782400, out); /* a leap day */
	CHECK_STR(out, "Tue, 29 Feb 2000 00:00:00 GMT");
	int64_t t = 0;
	CHECK_EQ(mica_http_parse_date(S("Sun, 06 Nov 1994 08:49:37 GMT"), &t), 0);
	CHECK_EQ(t, 784111777);
	CHECK_EQ(mica_http_parse_date(S("Sunday, 06-Nov-94 08:49:37 GMT"), &t), 0);
	CHECK_EQ(t, 784111777);
	CHECK_EQ(mica_http_parse_date(S("Sun Nov  6 08:49:37 1994"), &t), 0);
	CHECK_EQ(t, 784111777);
	CHECK_EQ(mica_http_parse_date(S("Tue, 29 Feb 2000 00:00:00 GMT"), &t), 0);
	CHECK_EQ(t, 951782400);
	CHECK(mica_http_parse_date(S("Sun, 06 Nov 1994 08:49:37 UTC"), &t) < 0);
	CHECK(mica_http_parse_date(S("Sun, 6 Nov 1994 08:49:37 GMT"), &t) < 0);
	CHECK(mica_http_parse_date(S("Sun, 06 Nov 1994 24:49:37 GMT"), &t) < 0);
	CHECK(mica_http_parse_date(S("Sun, 06 Foo 1994 08:49:37 GMT"), &t) < 0);
	CHECK(mica_http_parse_date(S("yesterday"), &t) < 0);
	CHECK(mica_http_parse_date(S("Sun, 06 Nov 1994 08:49:37 GMTx"), &t) < 0);
	/* Every second of a few years round-trips through the formatter. */
	for (int64_t s = 0; s < 4000000000; s += 86399 * 7 + 13) {
		mica_http_format_date(s, out);
		CHECK_EQ(mica_http_parse_date(S(out), &t), 0);
		if (t != s) {
			CHECK_EQ(t, s);
			break;
		}
	}
}

static int decode(const char *in, char *out)
{
	size_t n = 0;
	int rc = mica_http_decode_path(S(in), (uint8_t *)out, 63, &n);
	out[rc ? 0 : n] = 0;
	return rc;
}

TEST(paths)
{
	char out[64];
	CHECK_EQ(decode("/a%20b/c%2ed", out), 0);
	CHECK_STR(out, "/a b/c.d");
	CHECK_EQ(decode("/", out), 0);
	CHECK_EQ(decode("/caf%C3%A9", out), 0);
	CHECK_STR(out, "/caf\xc3\xa9");
	CHECK_EQ(decode("/a/..b/.c", out), 0); /* dots inside names are fine */
	CHECK(decode("/a/../b", out) < 0);
	CHECK(decode("/..", out) < 0);
	CHECK(decode("/a/.", out) < 0);
	CHECK(decode("/./a", out) < 0);
	CHECK(decode("/%2e%2E/etc", out) < 0);
	CHECK(decode("/a%2Fb", out) < 0);
	CHECK(decode("/a%2fb", out) < 0);
	CHECK(decode("/a%00", out) < 0);
	CHECK(decode("/a%", out) < 0);
	CHECK(decode("/a%4", out) < 0);
	CHECK(decode("/a%zz", out) < 0);
	CHECK(decode("a", out) < 0);
	char big[200];
	memset(big, 'x', sizeof(big));
	big[0] = '/';
	size_t n;
	uint8_t small[64];
	CHECK(mica_http_decode_path((struct mica_http_str){(const uint8_t *)big, sizeof(big)}, small,
	                            sizeof(small), &n) < 0);
}

static const char *head_of(const struct mica_http_reply *r, const struct mica_http_request *req, bool close)
{
	static char buf[1024];
	struct mica_http_out o = {(uint8_t *)buf, 0, sizeof(buf) - 1, false};
	mica_http_write_head(&o, r, req, "Sun, 06 Nov 1994 08:49:37 GMT", close);
	buf[o.len] = 0;
	return buf;
}

TEST(reply_heads)
{
	struct mica_http_variant v = {.body_len = 1000};
	struct mica_http_request req;
	memset(&req, 0, sizeof(req));
	req.minor = 1;
	struct mica_http_reply r = {.status = 200, .body = true, .var = &v, .first = 0, .len = 1000};
	CHECK_STR(head_of(&r, &req, false),
	          "HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Length: 1000\r\n");
	req.minor = 0;
	r.status = 206, r.first = 10, r.len = 5;
	CHECK_STR(head_of(&r, &req, false),
	          "HTTP/1.1 206 Partial Content\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
	          "Content-Range: bytes 10-14/1000\r\nContent-Length: 5\r\n"
	          "Connection: keep-alive\r\n");
	r.status = 304;
	CHECK_STR(
	    head_of(&r, &req, true),
	    "HTTP/1.1 304 Not Modified\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nConnection: close\r\n");
	r.status = 404;
	const char *h = head_of(&r, &req, false);
	const char *body = strstr(h, "\r\n\r\n");
	CHECK(body != NULL);
	CHECK(strstr(h, "Content-Length: 68\r\n") != NULL);
	CHECK_EQ(strlen(body + 4), 68);
	CHECK(strstr(h, "<h1>404 Not Found</h1>") != NULL);
	CHECK(strstr(h, "Server: mica\r\n") != NULL);
	r.body = false; /* HEAD: same length, no body */
	h = head_of(&r, &req, false);
	CHECK(strstr(h, "Content-Length: 68\r\n") != NULL);
	CHECK(strcmp(h + strlen(h) - 4, "\r\n\r\n") == 0);
	r.status = 405;
	CHECK(strstr(head_of(&r, &req, false), "Allow: GET, HEAD\r\n") != NULL);
	r.status = 416;
	CHECK(strstr(head_of(&r, &req, false), "Content-Range: bytes */1000\r\n") != NULL);
	r.status = 301;
	req.path = S("/docs");
	req.query = S("a=1");
	CHECK(strstr(head_of(&r, &req, false), "Location: /docs/?a=1\r\n") != NULL);
	r.status = 505;
	CHECK(strstr(head_of(&r, NULL, true), "HTTP/1.1 505 HTTP Version Not Supported\r\n") != NULL);
	/* A writer that runs out of room says so. */
	char tiny[10];
	struct mica_http_out o = {(uint8_t *)tiny, 0, sizeof(tiny), false};
	mica_http_write_head(&o, &r, NULL, "Sun, 06 Nov 1994 08:49:37 GMT", true);
	CHECK(o.overflow);
}

int main(void)
{
	return RUN_TESTS();
}
