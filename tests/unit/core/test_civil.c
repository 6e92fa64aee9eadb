/* test_civil.c - calendar arithmetic: known dates, leap rules, and the
 * round trip day -> date -> day over dates before and after 1970. */
#include "check.h"
#include <mica/civil.h>
#include <time.h>

TEST(known_dates)
{
	CHECK_EQ(mica_days_from_civil(1970, 1, 1), 0);
	CHECK_EQ(mica_days_from_civil(1969, 12, 31), -1);
	CHECK_EQ(mica_days_from_civil(2000, 2, 29), 11016); /* 400-year leap */
	CHECK_EQ(mica_days_from_civil(2000, 3, 1), 11017);
	CHECK_EQ(mica_days_from_civil(1900, 3, 1) - mica_days_from_civil(1900, 2, 28), 1); /* no leap */
	CHECK_EQ(mica_days_from_civil(1980, 1, 1), 3652);
	CHECK_EQ(mica_days_from_civil(1600, 1, 1), -135140);
}

TEST(agrees_with_timegm)
{
	for (int64_t days = -200000; days <= 200000; days += 37) {
		int64_t y;
		unsigned m, d;
		mica_civil_from_days(days, &y, &m, &d);
		time_t t = (time_t)(days * 86400);
		struct tm tm;
		gmtime_r(&t, &tm);
		CHECK_EQ(y, tm.tm_year + 1900);
		CHECK_EQ(m, (unsigned)tm.tm_mon + 1);
		CHECK_EQ(d, (unsigned)tm.tm_mday);
		CHECK_EQ(mica_days_from_civil(y, m, d), days);
	}
}

int main(void)
{
	return RUN_TESTS();
}
