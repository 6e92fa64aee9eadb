/* time.c - FAT's packed date and time (2-second resolution, 1980-2107)
 * to and from Unix seconds. FAT stores local time without a zone; Mica
 * treats it as UTC, as mtools does with TZ=UTC. */
#include <mica/platform.h>
#include <mica/loop.h>
#include "fat_impl.h"

/* Days since 1970-01-01 of a proleptic Gregorian date (y, 1..12, 1..31). */
static int64_t days_of(int64_t y, uint32_t m, uint32_t d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	uint32_t yoe = (uint32_t)(y - era * 400);
	uint32_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	uint32_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

int64_t fat_time_to_unix(uint16_t date, uint16_t time)
{
	uint32_t y = 1980 + (date >> 9), m = (date >> 5) & 15, d = date & 31;
	uint32_t h = time >> 11, mi = (time >> 5) & 63, s = (time & 31) * 2;
	if (m < 1 || m > 12)
		m = 1;
	if (d < 1)
		d = 1;
	return days_of(y, m, d) * 86400 + h * 3600 + mi * 60 + s;
}

void fat_time_from_unix(int64_t t, uint16_t *date, uint16_t *time)
{
	int64_t lo = days_of(1980, 1, 1) * 86400, hi = days_of(2107, 12, 31) * 86400 + 86399;
	t = t < lo ? lo : t > hi ? hi : t;
	int64_t days = t / 86400, secs = t % 86400;
	/* civil from days */
	int64_t z = days + 719468, era = z / 146097;
	uint32_t doe = (uint32_t)(z - era * 146097);
	uint32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	uint32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	uint32_t mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
	uint32_t m = mp < 10 ? mp + 3 : mp - 9;
	int64_t y = (int64_t)yoe + era * 400 + (m <= 2);
	*date = (uint16_t)((y - 1980) << 9 | m << 5 | d);
	*time = (uint16_t)((secs / 3600) << 11 | ((secs / 60) % 60) << 5 | (secs % 60) / 2);
}

int64_t fat_now(struct mica_fat *fs)
{
	if (fs->cfg.now)
		return fs->cfg.now(fs->cfg.now_ctx);
	return (int64_t)(mica_plat_wall_ns() / MICA_NS_PER_S);
}
