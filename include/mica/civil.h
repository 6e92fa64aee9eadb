/* civil.h - proleptic Gregorian calendar arithmetic: a date (year, month
 * 1..12, day 1..31) to days since 1970-01-01 and back. Used for HTTP dates
 * and FAT timestamps; exact for every int64 day count a clock can hold. */
#ifndef MICA_CIVIL_H
#define MICA_CIVIL_H
#include <stdint.h>

int64_t mica_days_from_civil(int64_t year, unsigned month, unsigned day);
void mica_civil_from_days(int64_t days, int64_t *year, unsigned *month, unsigned *day);

#endif
