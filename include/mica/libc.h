/* libc.h - the small C library subset that Mica libraries may use.
 *
 * lib/ builds freestanding: it must not include <string.h>, <stdlib.h> or
 * <stdio.h>. It includes this header instead. On Linux targets the host libc
 * provides these functions; on guest targets (hvt, virtio) lib/libc does.
 * The declarations match the C standard, so they agree with the host's. */
#ifndef MICA_LIBC_H
#define MICA_LIBC_H

#include <stddef.h>
#include <stdarg.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);

void *malloc(size_t n);
void *calloc(size_t count, size_t n);
void *realloc(void *p, size_t n);
void free(void *p);

int snprintf(char *restrict buf, size_t size, const char *restrict fmt, ...)
    __attribute__((format(printf, 3, 4)));
int vsnprintf(char *restrict buf, size_t size, const char *restrict fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* Let the compiler inline small fixed-size copies even when freestanding. */
#define memcpy(d, s, n) __builtin_memcpy((d), (s), (n))
#define memset(d, c, n) __builtin_memset((d), (c), (n))
#define memcmp(a, b, n) __builtin_memcmp((a), (b), (n))

#endif
