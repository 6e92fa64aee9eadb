/* check.h - a tiny unit-test harness for host tests.
 *
 *   TEST(name) { CHECK(x == 1); CHECK_EQ(a, b); }
 *   int main(void) { return RUN_TESTS(); }
 *
 * Each test prints "ok - name" or "not ok - name" with every failed check's
 * file, line and expression; the program exits 1 if any check failed. */
#ifndef MICA_CHECK_H
#define MICA_CHECK_H

#include <stdio.h>
#include <string.h>
#include <stdint.h>

struct check_test {
	const char *name;
	void (*fn)(void);
};
#define CHECK_MAX_TESTS 256
/* One test program is one translation unit, so the registry is static. */
static struct check_test check_tests[CHECK_MAX_TESTS];
static int check_ntests, check_failed_checks;

#define TEST(name)                                                                             \
	static void test_##name(void);                                                         \
	__attribute__((constructor)) static void register_##name(void)                         \
	{                                                                                      \
		if (check_ntests < CHECK_MAX_TESTS)                                            \
			check_tests[check_ntests++] = (struct check_test){#name, test_##name}; \
	}                                                                                      \
	static void test_##name(void)

#define CHECK(cond)                                                                       \
	do {                                                                              \
		if (!(cond)) {                                                            \
			check_failed_checks++;                                            \
			printf("  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
		}                                                                         \
	} while (0)

#define CHECK_EQ(a, b)                                                                                     \
	do {                                                                                               \
		long long check_a_ = (long long)(a), check_b_ = (long long)(b);                            \
		if (check_a_ != check_b_) {                                                                \
			check_failed_checks++;                                                             \
			printf("  %s:%d: CHECK_EQ(%s, %s) failed: %lld != %lld\n", __FILE__, __LINE__, #a, \
			       #b, check_a_, check_b_);                                                    \
		}                                                                                          \
	} while (0)

#define CHECK_STR(a, b)                                                                                     \
	do {                                                                                                \
		const char *check_a_ = (a), *check_b_ = (b);                                                \
		if (strcmp(check_a_, check_b_) != 0) {                                                      \
			check_failed_checks++;                                                              \
			printf("  %s:%d: CHECK_STR(%s, %s) failed: \"%s\" != \"%s\"\n", __FILE__, __LINE__, \
			       #a, #b, check_a_, check_b_);                                                 \
		}                                                                                           \
	} while (0)

/* Run every registered test; returns the exit code for main. */
static inline int check_run_all(void)
{
	int failed_tests = 0;
	for (int i = 0; i < check_ntests; i++) {
		int before = check_failed_checks;
		check_tests[i].fn();
		int bad = check_failed_checks != before;
		failed_tests += bad;
		printf("%s - %s\n", bad ? "not ok" : "ok", check_tests[i].name);
	}
	printf("%d tests, %d failed\n", check_ntests, failed_tests);
	return failed_tests ? 1 : 0;
}
#define RUN_TESTS() check_run_all()

#endif
