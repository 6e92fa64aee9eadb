/* log.c - leveled, tagged logging to the platform console, and panic.
 * The log configuration is machine-wide (one console per machine). */
#include <mica/log.h>
#include <mica/err.h>
#include <mica/platform.h>
#include <mica/libc.h>

#define LOG_MAX_TAGS 16
#define LOG_TAG_LEN 16
#define LOG_LINE_MAX 512

static struct {
	enum mica_log_level all;
	size_t ntags;
	struct {
		char tag[LOG_TAG_LEN];
		enum mica_log_level level;
	} tags[LOG_MAX_TAGS];
} log_config = {MICA_LOG_INFO, 0, {{"", MICA_LOG_INFO}}};

static const char *const level_names[] = {"error", "warn", "info", "debug"};

static int parse_level(const char *s, size_t len, enum mica_log_level *out)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strlen(level_names[i]) == len && strncmp(level_names[i], s, len) == 0) {
			*out = (enum mica_log_level)i;
			return MICA_OK;
		}
	}
	return MICA_EINVAL;
}

/* One comma-separated item: LEVEL or TAG:LEVEL. */
static int apply_item(const char *s, size_t len)
{
	const char *colon = memchr(s, ':', len);
	enum mica_log_level level;
	if (!colon)
		return parse_level(s, len, &level) ? MICA_EINVAL : (log_config.all = level, MICA_OK);
	size_t taglen = (size_t)(colon - s);
	if (taglen == 0 || taglen >= LOG_TAG_LEN || log_config.ntags == LOG_MAX_TAGS)
		return MICA_EINVAL;
	if (parse_level(colon + 1, len - taglen - 1, &level))
		return MICA_EINVAL;
	memcpy(log_config.tags[log_config.ntags].tag, s, taglen);
	log_config.tags[log_config.ntags].tag[taglen] = '\0';
	log_config.tags[log_config.ntags].level = level;
	log_config.ntags++;
	return MICA_OK;
}

int mica_log_configure(const char *spec)
{
	log_config.all = MICA_LOG_INFO;
	log_config.ntags = 0;
	while (*spec) {
		const char *comma = strchr(spec, ',');
		size_t len = comma ? (size_t)(comma - spec) : strlen(spec);
		if (len == 0 || apply_item(spec, len) != MICA_OK)
			return MICA_EINVAL;
		spec += len + (comma ? 1 : 0);
	}
	return MICA_OK;
}

bool mica_log_enabled(enum mica_log_level level, const char *tag)
{
	for (size_t i = 0; i < log_config.ntags; i++)
		if (strcmp(log_config.tags[i].tag, tag) == 0)
			return level <= log_config.tags[i].level;
	return level <= log_config.all;
}

static void console_vprintf(const char *prefix, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	size_t n = 0;
	if (prefix) {
		n = strlen(prefix);
		memcpy(line, prefix, n);
	}
	int m = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	if (m > 0)
		n += (size_t)m < sizeof(line) - n - 1 ? (size_t)m : sizeof(line) - n - 2;
	line[n++] = '\n';
	mica_plat_console_write(line, n);
}

void mica_vlog(enum mica_log_level level, const char *tag, const char *fmt, va_list ap)
{
	if (!mica_log_enabled(level, tag))
		return;
	/* Timestamps count from the first message. */
	static uint64_t log_epoch;
	uint64_t now = mica_plat_monotonic_ns();
	if (!log_epoch)
		log_epoch = now;
	uint64_t us = (now - log_epoch) / 1000;
	char prefix[64];
	snprintf(prefix, sizeof(prefix), "[%5lu.%06lu] %s %s: ", (unsigned long)(us / 1000000),
	         (unsigned long)(us % 1000000), level_names[level], tag);
	console_vprintf(prefix, fmt, ap);
}

void mica_log(enum mica_log_level level, const char *tag, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	mica_vlog(level, tag, fmt, ap);
	va_end(ap);
}

void mica_printf(const char *fmt, ...)
{
	/* Text without conversions goes straight to the console. */
	size_t plain = 0;
	while (fmt[plain] && fmt[plain] != '%')
		plain++;
	if (!fmt[plain]) {
		mica_plat_console_write(fmt, plain);
		return;
	}
	char line[LOG_LINE_MAX];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	mica_plat_console_write(line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

_Noreturn void mica_panic_at(const char *file, int line, const char *fmt, ...)
{
	char prefix[160];
	snprintf(prefix, sizeof(prefix), "panic: %s:%d: ", file, line);
	va_list ap;
	va_start(ap, fmt);
	console_vprintf(prefix, fmt, ap);
	va_end(ap);
	mica_plat_exit(MICA_EXIT_PANIC);
}
