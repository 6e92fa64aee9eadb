/* time.c - FAT's packed date and time (2-second resolution, 1980-2107)
 * to and from Unix seconds. FAT stores local time without a zone; Mica
 * treats it as UTC, as mtools does with TZ=UTC. */
#include <mica/civil.h>
#include <mica/platform.h>
#include <mica/loop.h>
#include "fat_impl.h"

int64_t fat_time_to_unix(uint16_t date, uint16_t time)
{
	uint32_t y = 1980 + (date >> 9), m = (date >> 5) & 15, d = date & 31;
	uint32_t h = time >> 11, mi = (time >> 5) & 63, s = (time & 31) * 2;
	if (m < 1 || m > 12)
		m = 1;
	if (d < 1)
		d = 1;
	return mica_days_from_civil(y, m, d) * 86400 + h * 3600 + mi * 60 + s;
}

void fat_time_from_unix(int64_t t, uint16_t *date, uint16_t *time)
{
	int64_t lo = mica_days_from_civil(1980, 1, 1) * 86400,
	        hi = mica_days_from_civil(2107, 12, 31) * 86400 + 86399;
	t = t < lo ? lo : t > hi ? hi : t;
	int64_t days = t / 86400, secs = t % 86400;
	int64_t y;
	unsigned m, d;
	mica_civil_from_days(days, &y, &m, &d);
	*date = (uint16_t)((y - 1980) << 9 | m << 5 | d);
	*time = (uint16_t)((secs / 3600) << 11 | ((secs / 60) % 60) << 5 | (secs % 60) / 2);
}

int64_t fat_now(struct mica_fat *fs)
{
	if (fs->cfg.now)
		return fs->cfg.now(fs->cfg.now_ctx);
	return (int64_t)(mica_plat_wall_ns() / MICA_NS_PER_S);
}
