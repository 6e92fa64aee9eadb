/* test_args.c - boot argument checking and the --log spec. */
#include "check.h"
#include <mica/args.h>
#include <mica/log.h>

static const struct mica_arg_spec specs[] = {
    {"port", MICA_ARG_INT, "53", "port", 1, 65535},
    {"name", MICA_ARG_STR, NULL, "name", 0, 0},
    {"fast", MICA_ARG_FLAG, "0", "flag", 0, 0},
    {"ipv4", MICA_ARG_IPV4_PREFIX, NULL, "address", 0, 0},
    {"listen", MICA_ARG_IPV4_PORT, "127.0.0.1:5353", "listen", 0, 0},
    {"net:", MICA_ARG_STR, NULL, "devices", 0, 0},
    {"serve", MICA_ARG_LISTEN, "auto", "where to serve", 0, 0},
};
static const struct mica_arg_table table = {"test", specs, sizeof(specs) / sizeof(specs[0])};

static int parse(struct mica_args *a, const char *line)
{
	static char store[16][64];
	char *argv[16];
	int argc = 0;
	char copy[512];
	snprintf(copy, sizeof(copy), "%s", line);
	for (char *tok = strtok(copy, " "); tok && argc < 16; tok = strtok(NULL, " ")) {
		snprintf(store[argc], sizeof(store[argc]), "%s", tok);
		argv[argc] = store[argc];
		argc++;
	}
	mica_args_init(a);
	mica_args_add_table(a, &table);
	return mica_args_parse(a, argc, argv);
}

TEST(good_arguments_and_lookup)
{
	struct mica_args a;
	CHECK_EQ(parse(&a, "--port=5300 --fast --ipv4=10.0.0.2/24 --net:service=tap0"), 0);
	mica_args_set_current(&a);
	CHECK_EQ(mica_arg_int("port"), 5300);
	CHECK(mica_arg_flag("fast"));
	unsigned prefix = 0;
	CHECK_EQ(mica_arg_ipv4("ipv4", &prefix), 0x0a000002);
	CHECK_EQ(prefix, 24);
	unsigned port = 0;
	CHECK_EQ(mica_arg_ipv4("listen", &port), 0x7f000001); /* default */
	CHECK_EQ(port, 5353);
	CHECK(!mica_arg_given("name"));
	CHECK(mica_arg_str("name") == NULL);
	CHECK_STR(mica_arg_str("net:service"), "tap0");
	const char *k[4], *v[4];
	CHECK_EQ(mica_args_family("net:", k, v, 4), 1);
	CHECK_STR(k[0], "service");
}

TEST(bad_arguments_name_the_argument)
{
	struct mica_args a;
	CHECK_EQ(parse(&a, "--port=0"), MICA_EINVAL);
	CHECK(strstr(a.error, "--port=0") && strstr(a.error, "out of range"));
	CHECK_EQ(parse(&a, "--port=12x"), MICA_EINVAL);
	CHECK(strstr(a.error, "integer"));
	CHECK_EQ(parse(&a, "--nope=1"), MICA_EINVAL);
	CHECK(strstr(a.error, "--nope=1") && strstr(a.error, "unknown"));
	CHECK_EQ(parse(&a, "port=1"), MICA_EINVAL);
	CHECK_EQ(parse(&a, "--ipv4=10.0.0.256/24"), MICA_EINVAL);
	CHECK_EQ(parse(&a, "--ipv4=10.0.0.1/33"), MICA_EINVAL);
	CHECK_EQ(parse(&a, "--ipv4=10.0.0/24"), MICA_EINVAL);
	CHECK_EQ(parse(&a, "--listen=1.2.3.4:70000"), MICA_EINVAL);
	CHECK_EQ(parse(&a, "--fast=maybe"), MICA_EINVAL);
	CHECK_EQ(parse(&a, "--name"), MICA_EINVAL);
	CHECK(strstr(a.error, "needs a value"));
	CHECK_EQ(parse(&a, "--net:=x"), MICA_EINVAL);
	CHECK_EQ(parse(&a, "--help"), 0);
	CHECK(a.help);
}

TEST(parse_ipv4)
{
	uint32_t ip;
	CHECK_EQ(mica_parse_ipv4("1.2.3.4", 7, &ip), 0);
	CHECK_EQ(ip, 0x01020304);
	CHECK_EQ(mica_parse_ipv4("1.2.3.4.", 8, &ip), MICA_EINVAL);
	CHECK_EQ(mica_parse_ipv4("1..3.4", 6, &ip), MICA_EINVAL);
	CHECK_EQ(mica_parse_ipv4("1.2.3", 5, &ip), MICA_EINVAL);
	CHECK_EQ(mica_parse_ipv4("0001.2.3.4", 10, &ip), MICA_EINVAL);
}

TEST(listen_specs)
{
	struct mica_listen_spec ls;
	CHECK_EQ(mica_parse_listen("auto", &ls), 0);
	CHECK(ls.auto_ip && ls.auto_port);
	CHECK_EQ(mica_parse_listen(":8053", &ls), 0);
	CHECK(ls.auto_ip && !ls.auto_port && ls.port == 8053);
	CHECK_EQ(mica_parse_listen("10.0.0.2:53", &ls), 0);
	CHECK(!ls.auto_ip && !ls.auto_port && ls.ip == 0x0a000002 && ls.port == 53);
	CHECK_EQ(mica_parse_listen("0.0.0.0:0", &ls), 0);
	CHECK(!ls.auto_ip && ls.ip == 0 && ls.port == 0);
	const char *bad[] = {"", "Auto", "auto:53", ":", ":65536", ":x", "10.0.0.2", "10.0.0.2:", "1.2.3:4"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_EQ(mica_parse_listen(bad[i], &ls), MICA_EINVAL);
	struct mica_args a;
	CHECK_EQ(parse(&a, "--serve=:99"), 0);
	CHECK_EQ(parse(&a, "--serve=10.1.1.1"), MICA_EINVAL);
	CHECK(strstr(a.error, "--serve=10.1.1.1") && strstr(a.error, "auto, :port or a.b.c.d:port"));
}

TEST(log_spec)
{
	CHECK_EQ(mica_log_configure("debug"), 0);
	CHECK(mica_log_enabled(MICA_LOG_DEBUG, "net"));
	CHECK_EQ(mica_log_configure("warn,net:debug"), 0);
	CHECK(mica_log_enabled(MICA_LOG_DEBUG, "net"));
	CHECK(!mica_log_enabled(MICA_LOG_INFO, "dns"));
	CHECK(mica_log_enabled(MICA_LOG_WARN, "dns"));
	CHECK_EQ(mica_log_configure("loud"), MICA_EINVAL);
	CHECK_EQ(mica_log_configure("net:"), MICA_EINVAL);
	CHECK_EQ(mica_log_configure("info,,"), MICA_EINVAL);
	CHECK_EQ(mica_log_configure("info"), 0);
}

int main(void)
{
	return RUN_TESTS();
}
