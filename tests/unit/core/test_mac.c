/* test_mac.c - MAC addresses of network devices: parsing --net-mac values
 * and the derived default (stable, locally administered, unicast, different
 * per device and per host interface). */
#include "check.h"
#include <mica/err.h>
#include <mica/mac.h>

TEST(parse_accepts_colons_and_dashes)
{
	uint8_t m[6];
	CHECK_EQ(mica_mac_parse("02:00:5e:10:00:01", m), MICA_OK);
	CHECK(memcmp(m, "\x02\x00\x5e\x10\x00\x01", 6) == 0);
	CHECK_EQ(mica_mac_parse("0A-1b-2C-3d-4E-5f", m), MICA_OK);
	CHECK(memcmp(m, "\x0a\x1b\x2c\x3d\x4e\x5f", 6) == 0);
}

TEST(parse_refuses_malformed_multicast_and_zero)
{
	uint8_t m[6] = {9, 9, 9, 9, 9, 9};
	const char *bad[] = {"",
	                     "02:00:5e:10:00",
	                     "02:00:5e:10:00:01:02",
	                     "02:00:5e:10:00:0g",
	                     "02:00:5e:10:00:1",
	                     "0200:5e:10:00:01",
	                     "02:00:5e:10:00:01 ",
	                     "01:00:5e:00:00:01", /* multicast */
	                     "ff:ff:ff:ff:ff:ff",
	                     "00:00:00:00:00:00"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_EQ(mica_mac_parse(bad[i], m), MICA_EINVAL);
	CHECK(memcmp(m, "\x09\x09\x09\x09\x09\x09", 6) == 0); /* untouched */
}

TEST(derive_is_stable_local_unicast_and_distinct)
{
	uint8_t a[6], b[6], c[6], d[6];
	mica_mac_derive("service", "mtap0", a);
	mica_mac_derive("service", "mtap0", b);
	mica_mac_derive("service", "mtap1", c);
	mica_mac_derive("net0", "mtap0", d);
	CHECK(memcmp(a, b, 6) == 0);
	CHECK(memcmp(a, c, 6) != 0);
	CHECK(memcmp(a, d, 6) != 0);
	CHECK_EQ(a[0] & 3, 2); /* locally administered, unicast */
	CHECK_EQ(c[0] & 3, 2);
	/* the name/interface boundary counts: "ab"+"c" is not "a"+"bc" */
	mica_mac_derive("ab", "c", b);
	mica_mac_derive("a", "bc", c);
	CHECK(memcmp(b, c, 6) != 0);
}

int main(void)
{
	return RUN_TESTS();
}
