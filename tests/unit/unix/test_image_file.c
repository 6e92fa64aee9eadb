/* test_image_file.c - platform/unix/image_file.c: read-only data of this
 * program is found in its executable file at an offset holding the same
 * bytes; writable, heap and stack memory, and a range running past a
 * segment, are not. */
#include <stdlib.h>
#include <unistd.h>
#include "check.h"
#include "../../../platform/unix/unix.h"

/* Large enough to span pages, distinctive enough not to occur by chance. */
static const char table[3 * 4096 + 123] = "mica image_file test: read-only bytes in the executable";
static char writable[4096] = "writable";

TEST(read_only_data_is_found_with_the_same_bytes)
{
	off_t off = -1;
	int fd = mica_unix_image_locate(table, sizeof(table), &off);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	char *buf = malloc(sizeof(table));
	CHECK(buf && pread(fd, buf, sizeof(table), off) == (ssize_t)sizeof(table));
	CHECK(buf && memcmp(buf, table, sizeof(table)) == 0);
	/* An inner piece maps to the same place, shifted. */
	off_t inner = -1;
	CHECK(mica_unix_image_locate(table + 4097, 10, &inner) == fd);
	CHECK(inner == off + 4097);
	free(buf);
}

TEST(other_memory_is_not_found)
{
	off_t off;
	char stack[300] = "stack";
	char *heap = malloc(300);
	CHECK(mica_unix_image_locate(writable, sizeof(writable), &off) == -1);
	CHECK(mica_unix_image_locate(stack, sizeof(stack), &off) == -1);
	CHECK(heap && mica_unix_image_locate(heap, 300, &off) == -1);
	free(heap);
}

TEST(a_range_past_its_segment_is_not_found)
{
	off_t off;
	CHECK(mica_unix_image_locate(table, (size_t)1 << 40, &off) == -1);
}

int main(void)
{
	return RUN_TESTS();
}
