/* test_libc.c - the guest C library (lib/libc) against the host's libc:
 * string functions and snprintf differentially on many inputs; malloc for
 * alignment, integrity, reuse after free, coalescing and realloc. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"

/* lib/libc itself, compiled here with every function renamed mica_libc_*
 * (see lib/libc/libc_impl.h) so it sits beside the host's libc. */
#define MICA_LIBC_TEST 1
#include "../../../lib/libc/string.c"
#include "../../../lib/libc/printf.c"
#include "../../../lib/libc/malloc.c"

static unsigned rng = 12345;
static unsigned rnd(void)
{
	rng = rng * 1103515245u + 12345u;
	return rng >> 8;
}

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

TEST(string_functions_match_host)
{
	char a[64], b[64];
	for (int iter = 0; iter < 2000; iter++) {
		size_t n = rnd() % 40;
		for (size_t i = 0; i < sizeof(a); i++) {
			a[i] = (char)("ab\0\xff"[rnd() % 4]);
			b[i] = (rnd() % 3) ? a[i] : (char)("ab\0\xff"[rnd() % 4]);
		}
		a[63] = b[63] = 0;
		CHECK_EQ(sign(mica_libc_memcmp(a, b, n)), sign(memcmp(a, b, n)));
		CHECK_EQ(sign(mica_libc_strcmp(a, b)), sign(strcmp(a, b)));
		CHECK_EQ(sign(mica_libc_strncmp(a, b, n)), sign(strncmp(a, b, n)));
		CHECK_EQ(mica_libc_strlen(a), strlen(a));
		CHECK(mica_libc_memchr(a, 'b', n) == memchr(a, 'b', n));
		CHECK(mica_libc_strchr(a, 'b') == strchr(a, 'b'));
		CHECK(mica_libc_strchr(a, 0) == strchr(a, 0));
	}
}

TEST(memcpy_memmove_memset)
{
	unsigned char buf[256], ref[256];
	for (int iter = 0; iter < 2000; iter++) {
		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = ref[i] = (unsigned char)rnd();
		size_t src = rnd() % 128, dst = rnd() % 128, n = rnd() % 128;
		mica_libc_memmove(buf + dst, buf + src, n);
		memmove(ref + dst, ref + src, n);
		CHECK(memcmp(buf, ref, sizeof(buf)) == 0);
		mica_libc_memset(buf + dst, (int)(rnd() & 0xff) | 0x100, n);
		memset(ref + dst, buf[dst], n);
		CHECK(n == 0 || memcmp(buf, ref, sizeof(buf)) == 0);
		if (src + n <= dst || dst + n <= src) {
			mica_libc_memcpy(buf + dst, buf + src, n);
			memcpy(ref + dst, ref + src, n);
			CHECK(memcmp(buf, ref, sizeof(buf)) == 0);
		}
	}
}

/* Format with both and compare result strings and return values. */
static void same(size_t size, const char *fmt, ...)
{
	char mine[128], host[128];
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	memset(mine, 'X', sizeof(mine));
	memset(host, 'X', sizeof(host));
	int n1 = mica_libc_vsnprintf(mine, size, fmt, ap);
	int n2 = vsnprintf(host, size, fmt, ap2);
	va_end(ap);
	va_end(ap2);
	if (n1 != n2 || memcmp(mine, host, sizeof(mine)) != 0) {
		check_failed_checks++;
		printf("  format \"%s\" size %zu: mine %d \"%.*s\", host %d \"%.*s\"\n", fmt, size, n1,
		       (int)(size ? size : 1), mine, n2, (int)(size ? size : 1), host);
	}
}

TEST(snprintf_matches_host)
{
	static const int ints[] = {0, 1, -1, 42, -42, 2147483647, -2147483647 - 1, 1000000};
	static const char *const ifmts[] = {"%d",    "%i",     "%5d",  "%-5d|", "%05d", "%.3d", "%+d",  "% d",
	                                    "%8.3d", "%-08d|", "%u",   "%x",    "%X",   "%#x",  "%08x", "%o",
	                                    "%#o",   "%hd",    "%hhu", "%.0d",  "%*d",  "%-*d|"};
	for (size_t f = 0; f < sizeof(ifmts) / sizeof(ifmts[0]); f++)
		for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
			if (strchr(ifmts[f], '*'))
				same(128, ifmts[f], 7, ints[i]);
			else
				same(128, ifmts[f], ints[i]);
		}
	same(128, "%ld %lu %lx", -1234567890123L, 18446744073709551615UL, 0xdeadbeefcafeUL);
	same(128, "%lld %llu %llX", -9223372036854775807LL - 1, 12345678901234567890ULL, 0xabcULL);
	same(128, "%zu %zd %zx", (size_t)123456, (ssize_t)-5, (size_t)0xffff);
	same(128, "%s|%10s|%-10s|%.2s|%*.*s", "abc", "abc", "abc", "abc", 6, 1, "xyz");
	same(128, "%c%c%5c%-3c|", 'a', 'b', 'c', 'd');
	same(128, "%p %p", (void *)0x1234, (void *)0xffff800000001000);
	same(128, "100%% %d%%", 5);
	same(128, "plain text");
	/* truncation: output cut, NUL-terminated, return value is the full length */
	for (size_t size = 0; size < 12; size++)
		same(size, "%s=%d", "answer", 42);
}

TEST(malloc_alignment_integrity_and_reuse)
{
	enum { N = 300 };
	unsigned char *p[N] = {0};
	size_t len[N] = {0};
	for (int iter = 0; iter < 20000; iter++) {
		int i = (int)(rnd() % N);
		if (p[i]) {
			for (size_t k = 0; k < len[i]; k++)
				if (p[i][k] != (unsigned char)i) {
					CHECK(!"block content changed");
					break;
				}
			if (rnd() % 2) {
				mica_libc_free(p[i]);
				p[i] = NULL;
				continue;
			}
			size_t nl = rnd() % 3000;
			unsigned char *q = mica_libc_realloc(p[i], nl ? nl : 1);
			CHECK(q != NULL);
			for (size_t k = 0; k < (nl < len[i] ? nl : len[i]); k++)
				if (q[k] != (unsigned char)i) {
					CHECK(!"realloc lost content");
					break;
				}
			p[i] = q;
			len[i] = nl ? nl : 1;
			memset(p[i], i, len[i]);
			continue;
		}
		len[i] = rnd() % (rnd() % 8 ? 200 : 5000);
		p[i] = mica_libc_malloc(len[i]);
		CHECK(p[i] != NULL);
		CHECK(((uintptr_t)p[i] & 15) == 0);
		memset(p[i], i, len[i]);
	}
	for (int i = 0; i < N; i++)
		mica_libc_free(p[i]);
}

TEST(malloc_reuses_and_coalesces)
{
	/* One big block, freed: afterwards any mix of smaller blocks, once all
	 * freed, must merge back so the big block fits in the same place. */
	unsigned char *big = mica_libc_malloc(40000);
	CHECK(big != NULL);
	mica_libc_free(big);
	void *v[64];
	for (int round = 0; round < 5; round++) {
		for (int i = 0; i < 64; i++)
			v[i] = mica_libc_malloc(16 + rnd() % 500);
		for (int i = 0; i < 64; i += 2)
			mica_libc_free(v[i]);
		for (int i = 1; i < 64; i += 2)
			mica_libc_free(v[i]);
	}
	void *again = mica_libc_malloc(40000);
	CHECK(again == big);
	/* Reuse: a freed block of the same size comes back. */
	void *a = mica_libc_malloc(100);
	mica_libc_free(a);
	CHECK(mica_libc_malloc(100) == a);
	/* Neighbours merge: three adjacent blocks freed make room for one. */
	unsigned char *x = mica_libc_malloc(1000), *y = mica_libc_malloc(1000), *z = mica_libc_malloc(1000);
	CHECK(y == x + 1024 && z == y + 1024); /* 1000 + 16-byte header, 16-aligned */
	mica_libc_free(y);
	mica_libc_free(x);
	mica_libc_free(z);
	CHECK(mica_libc_malloc(2900) == x);
	mica_libc_free(x);
	mica_libc_free(again);
	mica_libc_free(a);
}

TEST(malloc_edge_cases)
{
	CHECK(mica_libc_malloc((size_t)-1) == NULL);
	CHECK(mica_libc_calloc((size_t)1 << 40, (size_t)1 << 40) == NULL);
	unsigned char *c = mica_libc_calloc(10, 100);
	CHECK(c != NULL);
	int zero = 1;
	for (int i = 0; i < 1000; i++)
		zero &= c[i] == 0;
	CHECK(zero);
	mica_libc_free(c);
	mica_libc_free(NULL);
	void *z = mica_libc_malloc(0);
	CHECK(z != NULL);
	mica_libc_free(z);
	CHECK(mica_libc_realloc(NULL, 10) != NULL);
}

int main(void)
{
	return RUN_TESTS();
}
