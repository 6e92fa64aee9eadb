/* log.h - leveled logging with per-module tags.
 *
 * Each message has a level and a tag (the module: "core", "net", "dns", ...).
 * The boot argument --log=SPEC selects what is printed: SPEC is a comma list
 * of LEVEL (the default for all tags) or TAG:LEVEL, e.g. --log=debug or
 * --log=info,net:debug. Levels: error, warn, info, debug. Default: info. */
#ifndef MICA_LOG_H
#define MICA_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include "err.h"

enum mica_log_level { MICA_LOG_ERROR, MICA_LOG_WARN, MICA_LOG_INFO, MICA_LOG_DEBUG };

/* Parse and apply a --log spec; MICA_EINVAL on a bad level or syntax. */
int mica_log_configure(const char *spec);
bool mica_log_enabled(enum mica_log_level level, const char *tag);
void mica_log(enum mica_log_level level, const char *tag, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void mica_vlog(enum mica_log_level level, const char *tag, const char *fmt, va_list ap);
/* Print a formatted line to the console with no level or tag (program output). */
void mica_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define mica_error(tag, ...) mica_log(MICA_LOG_ERROR, tag, __VA_ARGS__)
#define mica_warn(tag, ...) mica_log(MICA_LOG_WARN, tag, __VA_ARGS__)
#define mica_info(tag, ...) mica_log(MICA_LOG_INFO, tag, __VA_ARGS__)
#define mica_debug(tag, ...)                                        \
	do {                                                        \
		if (mica_log_enabled(MICA_LOG_DEBUG, tag))          \
			mica_log(MICA_LOG_DEBUG, tag, __VA_ARGS__); \
	} while (0)

/* Print "panic: FILE:LINE: message" and exit with code 70 (EX_SOFTWARE). */
_Noreturn void mica_panic_at(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#define mica_panic(...) mica_panic_at(__FILE__, __LINE__, __VA_ARGS__)
/* Always checked (also in release builds). */
#define mica_assert(cond)                                                                 \
	do {                                                                              \
		if (!(cond))                                                              \
			mica_panic_at(__FILE__, __LINE__, "assertion failed: %s", #cond); \
	} while (0)

#define MICA_EXIT_PANIC 70
#define MICA_EXIT_USAGE 64

#endif
