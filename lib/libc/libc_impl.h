/* libc_impl.h - private header of lib/libc, the C library subset of guests.
 *
 * LIBC_NAME(x) names a libc function. In guest builds it is just x. The
 * host unit tests (tests/unit/libc) define MICA_LIBC_TEST to compile the
 * same sources as mica_libc_x, so they never clash with the host's libc. */
#ifndef MICA_LIBC_IMPL_H
#define MICA_LIBC_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdbool.h>

#ifdef MICA_LIBC_TEST
#define LIBC_NAME(x) mica_libc_##x
#else
#define LIBC_NAME(x) x
#endif

void *LIBC_NAME(memcpy)(void *restrict dst, const void *restrict src, size_t n);
void *LIBC_NAME(memmove)(void *dst, const void *src, size_t n);
void *LIBC_NAME(memset)(void *dst, int c, size_t n);
int LIBC_NAME(memcmp)(const void *a, const void *b, size_t n);
void *LIBC_NAME(memchr)(const void *s, int c, size_t n);
size_t LIBC_NAME(strlen)(const char *s);
int LIBC_NAME(strcmp)(const char *a, const char *b);
int LIBC_NAME(strncmp)(const char *a, const char *b, size_t n);
char *LIBC_NAME(strchr)(const char *s, int c);
void *LIBC_NAME(malloc)(size_t n);
void *LIBC_NAME(calloc)(size_t count, size_t n);
void *LIBC_NAME(realloc)(void *p, size_t n);
void LIBC_NAME(free)(void *p);
int LIBC_NAME(snprintf)(char *restrict buf, size_t size, const char *restrict fmt, ...)
    __attribute__((format(printf, 3, 4)));
int LIBC_NAME(vsnprintf)(char *restrict buf, size_t size, const char *restrict fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

#endif
