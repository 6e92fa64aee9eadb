/* date.c - HTTP dates (RFC 9110 5.6.7): IMF-fixdate out, and all three
 * forms in (IMF-fixdate, the obsolete RFC 850 and asctime forms). Calendar
 * arithmetic is lib/core/civil.c. */
#include "http_impl.h"
#include <mica/civil.h>
#include <mica/libc.h>

static const char wdays[7][4] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"}; /* from 1970-01-01 */
static const char *const long_wdays[7] = {"Thursday", "Friday",  "Saturday", "Sunday",
                                          "Monday",   "Tuesday", "Wednesday"};
static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static void put2(char *o, unsigned v)
{
	o[0] = (char)('0' + v / 10 % 10);
	o[1] = (char)('0' + v % 10);
}

void mica_http_format_date(int64_t unix_s, char *out)
{
	if (unix_s < 0)
		unix_s = 0;
	int64_t days = unix_s / 86400, y;
	unsigned secs = (unsigned)(unix_s % 86400), m, d;
	mica_civil_from_days(days, &y, &m, &d);
	if (y > 9999)
		y = 9999;
	memcpy(out, wdays[days % 7], 3);
	memcpy(out + 3, ", ", 2);
	put2(out + 5, d);
	out[7] = ' ';
	memcpy(out + 8, months[m - 1], 3);
	out[11] = ' ';
	put2(out + 12, (unsigned)(y / 100));
	put2(out + 14, (unsigned)(y % 100));
	out[16] = ' ';
	put2(out + 17, secs / 3600);
	out[19] = ':';
	put2(out + 20, secs / 60 % 60);
	out[22] = ':';
	put2(out + 23, secs % 60);
	memcpy(out + 25, " GMT", 4);
}

/* A cursor over the date text: every reader fails once one has failed. */
struct dcur {
	const uint8_t *p;
	size_t len, pos;
	bool bad;
};

static void lit(struct dcur *c, const char *s)
{
	size_t n = strlen(s);
	if (c->bad || c->len - c->pos < n || memcmp(c->p + c->pos, s, n) != 0)
		c->bad = true;
	else
		c->pos += n;
}

static unsigned digits(struct dcur *c, size_t n)
{
	unsigned v = 0;
	for (size_t i = 0; i < n && !c->bad; i++) {
		if (c->pos >= c->len || c->p[c->pos] < '0' || c->p[c->pos] > '9') {
			c->bad = true;
			break;
		}
		v = v * 10 + (unsigned)(c->p[c->pos++] - '0');
	}
	return v;
}

static unsigned month(struct dcur *c)
{
	for (unsigned i = 0; i < 12 && !c->bad; i++) {
		if (c->len - c->pos >= 3 && memcmp(c->p + c->pos, months[i], 3) == 0) {
			c->pos += 3;
			return i + 1;
		}
	}
	c->bad = true;
	return 1;
}

/* "HH:MM:SS" */
static unsigned clock_secs(struct dcur *c)
{
	unsigned h = digits(c, 2);
	lit(c, ":");
	unsigned mi = digits(c, 2);
	lit(c, ":");
	unsigned s = digits(c, 2);
	if (h > 23 || mi > 59 || s > 60)
		c->bad = true;
	return h * 3600 + mi * 60 + s;
}

static int finish(struct dcur *c, int64_t y, unsigned m, unsigned d, unsigned secs, int64_t *out)
{
	if (c->bad || c->pos != c->len || d < 1 || d > 31)
		return MICA_EINVAL;
	*out = mica_days_from_civil(y, m, d) * 86400 + secs;
	return MICA_OK;
}

/* Sun, 06 Nov 1994 08:49:37 GMT */
static int parse_imf(struct dcur *c, int64_t *out)
{
	c->pos = 4;
	lit(c, " ");
	unsigned d = digits(c, 2);
	lit(c, " ");
	unsigned m = month(c);
	lit(c, " ");
	unsigned y = digits(c, 4);
	lit(c, " ");
	unsigned secs = clock_secs(c);
	lit(c, " GMT");
	return finish(c, y, m, d, secs, out);
}

/* Sunday, 06-Nov-94 08:49:37 GMT (two-digit years: RFC 9110 rule of 50) */
static int parse_rfc850(struct dcur *c, size_t comma, int64_t *out)
{
	c->pos = comma + 1;
	lit(c, " ");
	unsigned d = digits(c, 2);
	lit(c, "-");
	unsigned m = month(c);
	lit(c, "-");
	unsigned y = digits(c, 2);
	lit(c, " ");
	unsigned secs = clock_secs(c);
	lit(c, " GMT");
	return finish(c, y < 70 ? 2000 + y : 1900 + y, m, d, secs, out);
}

/* Sun Nov  6 08:49:37 1994 */
static int parse_asctime(struct dcur *c, int64_t *out)
{
	c->pos = 4;
	unsigned m = month(c);
	lit(c, " ");
	unsigned d;
	if (!c->bad && c->pos < c->len && c->p[c->pos] == ' ') { /* day padded with a space */
		c->pos++;
		d = digits(c, 1);
	} else {
		d = digits(c, 2);
	}
	lit(c, " ");
	unsigned secs = clock_secs(c);
	lit(c, " ");
	unsigned y = digits(c, 4);
	return finish(c, y, m, d, secs, out);
}

int mica_http_parse_date(struct mica_http_str v, int64_t *unix_s)
{
	v = http_trim(v);
	struct dcur c = {v.p, v.len, 0, false};
	if (v.len < 4)
		return MICA_EINVAL;
	for (int i = 0; i < 7; i++) {
		if (memcmp(v.p, wdays[i], 3) != 0)
			continue;
		if (v.p[3] == ',')
			return parse_imf(&c, unix_s);
		if (v.p[3] == ' ')
			return parse_asctime(&c, unix_s);
		size_t n = strlen(long_wdays[i]);
		if (v.len > n && memcmp(v.p, long_wdays[i], n) == 0 && v.p[n] == ',')
			return parse_rfc850(&c, n, unix_s);
	}
	return MICA_EINVAL;
}
