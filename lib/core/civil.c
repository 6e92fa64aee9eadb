/* civil.c - days since 1970-01-01 from a Gregorian date and back, by eras
 * of 400 years (146097 days) counted from 0000-03-01 so that the leap day
 * is the last day of each computed year. */
#include <mica/civil.h>

#define DAYS_PER_ERA 146097
#define EPOCH_SHIFT 719468 /* days from 0000-03-01 to 1970-01-01 */

int64_t mica_days_from_civil(int64_t year, unsigned month, unsigned day)
{
	year -= month <= 2;
	int64_t era = (year >= 0 ? year : year - 399) / 400;
	unsigned year_of_era = (unsigned)(year - era * 400);
	unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
	unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
	return era * DAYS_PER_ERA + (int64_t)day_of_era - EPOCH_SHIFT;
}

void mica_civil_from_days(int64_t days, int64_t *year, unsigned *month, unsigned *day)
{
	days += EPOCH_SHIFT;
	int64_t era = (days >= 0 ? days : days - (DAYS_PER_ERA - 1)) / DAYS_PER_ERA;
	unsigned day_of_era = (unsigned)(days - era * DAYS_PER_ERA);
	unsigned year_of_era =
	    (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
	unsigned day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
	unsigned shifted_month = (5 * day_of_year + 2) / 153; /* 0 = March */
	*day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
	*month = shifted_month < 10 ? shifted_month + 3 : shifted_month - 9;
	*year = (int64_t)year_of_era + era * 400 + (*month <= 2);
}
