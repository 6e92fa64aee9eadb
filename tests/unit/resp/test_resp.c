/* test_resp.c - lib/resp: requests as clients send them (whole, pipelined,
 * cut at every byte), inline commands with quotes, the protocol errors
 * with Redis's wording, arrays larger than the caller's argv, replies. */
#include "../check.h"
#include <mica/err.h>
#include <mica/resp.h>

static struct mica_resp_parser P = {.bulk_max = 1024};

static ptrdiff_t parse(const char *s, size_t len, struct mica_resp_arg *argv, size_t max, size_t *argc)
{
	return mica_resp_parse(&P, (const uint8_t *)s, len, argv, max, argc);
}

static bool arg_is(const struct mica_resp_arg *a, const char *s)
{
	return a->len == strlen(s) && memcmp(a->p, s, a->len) == 0;
}

TEST(multibulk_and_pipelining)
{
	const char *s = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhel\r\n\r\n*1\r\n$4\r\nPING\r\n";
	struct mica_resp_arg argv[8];
	size_t argc;
	ptrdiff_t n = parse(s, strlen(s), argv, 8, &argc);
	CHECK_EQ(n, 31);
	CHECK_EQ(argc, 3);
	CHECK(arg_is(&argv[0], "SET") && arg_is(&argv[1], "k") && arg_is(&argv[2], "hel\r\n"));
	n = parse(s + 31, strlen(s) - 31, argv, 8, &argc);
	CHECK_EQ(n, 14);
	CHECK(argc == 1 && arg_is(&argv[0], "PING"));
}

TEST(every_cut_is_incomplete)
{
	const char *s = "*2\r\n$4\r\nECHO\r\n$10\r\n0123456789\r\n";
	struct mica_resp_arg argv[4];
	size_t argc;
	for (size_t cut = 0; cut < strlen(s); cut++)
		CHECK_EQ(parse(s, cut, argv, 4, &argc), 0);
	CHECK_EQ(parse(s, strlen(s), argv, 4, &argc), (ptrdiff_t)strlen(s));
}

TEST(inline_commands)
{
	struct mica_resp_arg argv[8];
	size_t argc;
	const char *s = "set  k \"a b\" 'c'\r\nPING\n\r\n";
	ptrdiff_t n = parse(s, strlen(s), argv, 8, &argc);
	CHECK_EQ(n, 18);
	CHECK(argc == 4 && arg_is(&argv[0], "set") && arg_is(&argv[2], "a b") && arg_is(&argv[3], "c"));
	n = parse(s + 18, strlen(s) - 18, argv, 8, &argc);
	CHECK(n == 5 && argc == 1);
	n = parse(s + 23, 2, argv, 8, &argc);
	CHECK(n == 2 && argc == 0);
	CHECK_EQ(parse("set \"a\r\n", 8, argv, 8, &argc), MICA_EBADMSG);
	CHECK_STR(P.error, "Protocol error: unbalanced quotes in request");
}

TEST(protocol_errors)
{
	struct mica_resp_arg argv[4];
	size_t argc;
	CHECK_EQ(parse("*x\r\n", 4, argv, 4, &argc), MICA_EBADMSG);
	CHECK_STR(P.error, "Protocol error: invalid multibulk length");
	CHECK_EQ(parse("*1\r\n+x\r\n", 8, argv, 4, &argc), MICA_EBADMSG);
	CHECK_STR(P.error, "Protocol error: expected '$', got '+'");
	CHECK_EQ(parse("*1\r\n$-3\r\n", 9, argv, 4, &argc), MICA_EBADMSG);
	CHECK_STR(P.error, "Protocol error: invalid bulk length");
	CHECK_EQ(parse("*1\r\n$2000\r\n", 11, argv, 4, &argc), MICA_EBADMSG); /* over bulk_max */
	CHECK_EQ(parse("*1\rx", 4, argv, 4, &argc), MICA_EBADMSG);
	CHECK_EQ(parse("*9999999999\r\n", 14, argv, 4, &argc), MICA_EBADMSG);
	static char longline[70000];
	memset(longline, 'a', sizeof(longline));
	CHECK_EQ(parse(longline, sizeof(longline), argv, 4, &argc), MICA_EBADMSG);
	CHECK_STR(P.error, "Protocol error: too big inline request");
	CHECK_EQ(parse("*0\r\n", 4, argv, 4, &argc), 4);
	CHECK_EQ(argc, 0);
}

TEST(more_elements_than_argv)
{
	struct mica_resp_arg argv[8];
	size_t argc;
	const char *s = "*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n";
	CHECK_EQ(parse(s, strlen(s), argv, 2, &argc), MICA_EMSGSIZE);
	CHECK_EQ(argc, 5);
	CHECK_EQ(parse(s, strlen(s), argv, 8, &argc), (ptrdiff_t)strlen(s));
	CHECK(argc == 5 && arg_is(&argv[4], "e"));
}

TEST(replies)
{
	struct mica_resp_out o = {0};
	mica_resp_simple(&o, "OK");
	mica_resp_error(&o, "ERR bad\r\nthing %d", 7);
	mica_resp_int(&o, -42);
	mica_resp_bulk(&o, "ab", 2);
	mica_resp_null(&o);
	mica_resp_array(&o, 2);
	const char *want = "+OK\r\n-ERR bad  thing 7\r\n:-42\r\n$2\r\nab\r\n$-1\r\n*2\r\n";
	CHECK_EQ(o.len, strlen(want));
	CHECK(memcmp(o.buf, want, o.len) == 0);
	mica_resp_out_free(&o);
}

int main(void)
{
	return RUN_TESTS();
}
