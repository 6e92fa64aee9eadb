/* test_kv.c - lib/kv on a real device file through the unix block layer:
 * format on a zeroed device and refusal of one holding something else,
 * set/get/del/flush/expiry/scan, recovery after reopening, sector sizes
 * 512 and 4096, value limits, compaction, device full, a failing device,
 * a damaged record in the middle of the log. (The crash loop is
 * test_kv_crash.c.) */
#include "../check.h"
#include "kvtest.h"
#include <stdio.h>

static struct kvt T;
static int64_t fake_now = 1000000;

static int64_t now_ms(void *arg)
{
	(void)arg;
	return fake_now;
}

static void setup(uint64_t bytes, uint32_t ss)
{
	memset(&T, 0, sizeof(T));
	mica_loop_init(&T.loop);
	CHECK_EQ(kvt_device(&T, bytes, ss), MICA_OK);
}

static void teardown(void)
{
	kvt_crash(&T);
	mica_unix_blkif_close(T.plat);
	unlink(T.path);
	mica_loop_fini(&T.loop);
}

static uint64_t set(const char *k, const char *v)
{
	uint64_t ticket = 0;
	int rc = mica_kv_set(T.kv, k, strlen(k), v, strlen(v), 0, &ticket);
	CHECK_EQ(rc, MICA_OK);
	return ticket;
}

static void woke(void *arg)
{
	*(bool *)arg = true;
}

/* The value of k as a string ("" and rc MICA_ENOENT when absent). */
static int get(const char *k, char *out, size_t cap)
{
	const uint8_t *v;
	size_t len;
	uint64_t ticket;
	bool flag = false;
	struct mica_kv_wait w = {.fn = woke, .arg = &flag};
	int rc;
	for (int tries = 0; tries < 100; tries++) {
		rc = mica_kv_get(T.kv, k, strlen(k), &v, &len, &ticket, &w);
		if (rc != MICA_EAGAIN)
			break;
		flag = false;
		kvt_run_until(&T, &flag, 10000);
	}
	out[0] = '\0';
	if (rc == MICA_OK) {
		size_t n = len < cap - 1 ? len : cap - 1;
		memcpy(out, v, n);
		out[n] = '\0';
	}
	return rc;
}

static void reopen(void)
{
	kvt_crash(&T);
	CHECK_EQ(kvt_open(&T, NULL), MICA_OK);
}

TEST(format_set_get_reopen)
{
	char buf[64];
	setup(4 << 20, 0);
	CHECK_EQ(kvt_open(&T, NULL), MICA_OK);
	CHECK_EQ(mica_kv_count(T.kv), 0);
	set("a", "1");
	set("b", "22");
	uint64_t t = set("a", "333");
	CHECK_EQ(get("a", buf, sizeof(buf)), MICA_OK);
	CHECK_STR(buf, "333");
	kvt_sync(&T, t);
	CHECK(T.durable >= t);
	uint64_t dt;
	CHECK_EQ(mica_kv_del(T.kv, "b", 1, &dt), MICA_OK);
	CHECK_EQ(mica_kv_del(T.kv, "zz", 2, &dt), MICA_ENOENT);
	kvt_sync(&T, dt);
	reopen();
	CHECK_EQ(get("a", buf, sizeof(buf)), MICA_OK);
	CHECK_STR(buf, "333");
	CHECK_EQ(get("b", buf, sizeof(buf)), MICA_ENOENT);
	CHECK_EQ(mica_kv_count(T.kv), 1);
	teardown();
}

TEST(refuses_foreign_device)
{
	setup(4 << 20, 0);
	int fd = open(T.path, O_WRONLY);
	CHECK(pwrite(fd, "hello", 5, 1234) == 5);
	close(fd);
	CHECK_EQ(kvt_open(&T, NULL), MICA_EBADMSG);
	fd = open(T.path, O_RDONLY);
	char b[8] = {0};
	CHECK(pread(fd, b, 5, 1234) == 5 && memcmp(b, "hello", 5) == 0);
	CHECK(pread(fd, b, 8, 0) == 8 && memcmp(b, "\0\0\0\0\0\0\0\0", 8) == 0); /* never written */
	close(fd);
	teardown();
	/* and something at the very end */
	setup(4 << 20, 0);
	fd = open(T.path, O_WRONLY);
	CHECK(pwrite(fd, "x", 1, (4 << 20) - 10) == 1);
	close(fd);
	CHECK_EQ(kvt_open(&T, NULL), MICA_EBADMSG);
	teardown();
}

TEST(sector_4096_and_limits)
{
	char buf[64];
	setup(16 << 20, 4096);
	CHECK_EQ(kvt_open(&T, NULL), MICA_OK);
	static uint8_t big[MICA_KV_VALUE_MAX + 1];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7 + 3);
	uint64_t t;
	CHECK_EQ(mica_kv_set(T.kv, "big", 3, big, MICA_KV_VALUE_MAX, 0, &t), MICA_OK);
	CHECK_EQ(mica_kv_set(T.kv, "huge", 4, big, MICA_KV_VALUE_MAX + 1, 0, &t), MICA_EMSGSIZE);
	uint64_t t2 = set("small", "v");
	kvt_sync(&T, t2);
	reopen();
	const uint8_t *v;
	size_t len;
	uint64_t tk;
	struct mica_kv_wait w = {0};
	CHECK_EQ(mica_kv_get(T.kv, "big", 3, &v, &len, &tk, &w), MICA_OK);
	CHECK_EQ(len, MICA_KV_VALUE_MAX);
	CHECK(memcmp(v, big, len) == 0);
	CHECK_EQ(get("small", buf, sizeof(buf)), MICA_OK);
	struct mica_kv_stats st;
	mica_kv_stats(T.kv, &st);
	CHECK_EQ(st.sector_size, 4096);
	teardown();
}

TEST(expiry_and_flush)
{
	char buf[64];
	setup(4 << 20, 0);
	struct mica_kv_config cfg = {.now_ms = now_ms};
	CHECK_EQ(kvt_open(&T, &cfg), MICA_OK);
	uint64_t t;
	CHECK_EQ(mica_kv_set(T.kv, "e", 1, "x", 1, fake_now + 1000, &t), MICA_OK);
	set("p", "y");
	struct mica_kv_meta m;
	CHECK_EQ(mica_kv_meta(T.kv, "e", 1, &m), MICA_OK);
	CHECK_EQ(m.expire_ms, fake_now + 1000);
	kvt_sync(&T, t);
	fake_now += 1001;
	CHECK_EQ(get("e", buf, sizeof(buf)), MICA_ENOENT);
	CHECK_EQ(mica_kv_count(T.kv), 1);
	CHECK_EQ(mica_kv_flush_all(T.kv, &t), MICA_OK);
	CHECK_EQ(mica_kv_count(T.kv), 0);
	CHECK_EQ(get("p", buf, sizeof(buf)), MICA_ENOENT);
	uint64_t t2 = set("after", "z");
	kvt_sync(&T, t2);
	kvt_crash(&T);
	CHECK_EQ(kvt_open(&T, &cfg), MICA_OK);
	CHECK_EQ(get("p", buf, sizeof(buf)), MICA_ENOENT);
	CHECK_EQ(get("after", buf, sizeof(buf)), MICA_OK);
	CHECK_EQ(mica_kv_count(T.kv), 1);
	teardown();
}

static void count_key(void *arg, const uint8_t *key, size_t klen)
{
	(void)key;
	(void)klen;
	(*(int *)arg)++;
}

TEST(scan_sees_every_key)
{
	setup(8 << 20, 0);
	CHECK_EQ(kvt_open(&T, NULL), MICA_OK);
	char k[32];
	uint64_t t = 0;
	for (int i = 0; i < 3000; i++) {
		snprintf(k, sizeof(k), "key:%d", i);
		t = set(k, "v");
	}
	int seen = 0;
	uint64_t cur = 0;
	do
		cur = mica_kv_scan(T.kv, cur, 100, count_key, &seen);
	while (cur);
	CHECK_EQ(seen, 3000);
	kvt_sync(&T, t);
	teardown();
}

/* Overwrite a few keys many times on a small device: the log fills, is
 * compacted (more than once), and every key keeps its last value. */
TEST(compaction_keeps_the_last_values)
{
	char k[32], v[1000], buf[1100];
	setup(2 << 20, 0);
	struct mica_kv_config cfg = {.cache_bytes = 4096}; /* most reads come from the device */
	CHECK_EQ(kvt_open(&T, &cfg), MICA_OK);
	uint64_t t = 0;
	for (int round = 0; round < 150; round++) {
		for (int i = 0; i < 20; i++) {
			snprintf(k, sizeof(k), "k%d", i);
			snprintf(v, sizeof(v), "%d-%d-%0900d", round, i, round * i);
			uint64_t tk;
			int rc = mica_kv_set(T.kv, k, strlen(k), v, strlen(v), 0, &tk);
			if (rc == MICA_EAGAIN) {
				kvt_sync(&T, t);
				rc = mica_kv_set(T.kv, k, strlen(k), v, strlen(v), 0, &tk);
			}
			CHECK_EQ(rc, MICA_OK);
			t = tk;
		}
		kvt_sync(&T, t);
	}
	struct mica_kv_stats st;
	mica_kv_stats(T.kv, &st);
	CHECK(st.compactions >= 2);
	printf("  compactions: %llu\n", (unsigned long long)st.compactions);
	reopen();
	for (int i = 0; i < 20; i++) {
		snprintf(k, sizeof(k), "k%d", i);
		snprintf(v, sizeof(v), "%d-%d-%0900d", 149, i, 149 * i);
		CHECK_EQ(get(k, buf, sizeof(buf)), MICA_OK);
		CHECK_STR(buf, v);
	}
	teardown();
}

/* Fill the device with distinct keys: MICA_ENOSPC, everything stays
 * readable, deleting makes room again. */
TEST(device_full)
{
	char k[32], v[1000], buf[1100];
	setup(2 << 20, 0);
	CHECK_EQ(kvt_open(&T, NULL), MICA_OK);
	memset(v, 'v', sizeof(v) - 1);
	v[sizeof(v) - 1] = '\0';
	int n = 0, rc = MICA_OK;
	uint64_t t = 0;
	while (n < 5000) {
		snprintf(k, sizeof(k), "f%d", n);
		rc = mica_kv_set(T.kv, k, strlen(k), v, strlen(v), 0, &t);
		if (rc == MICA_EAGAIN) {
			kvt_sync(&T, T.durable + 1);
			continue;
		}
		if (rc != MICA_OK)
			break;
		n++;
	}
	CHECK_EQ(rc, MICA_ENOSPC);
	CHECK(n > 100);
	kvt_sync(&T, t);
	snprintf(k, sizeof(k), "f%d", n / 2);
	CHECK_EQ(get(k, buf, sizeof(buf)), MICA_OK);
	for (int i = 0; i < n / 2; i++) {
		snprintf(k, sizeof(k), "f%d", i);
		rc = mica_kv_del(T.kv, k, strlen(k), &t);
		if (rc == MICA_EAGAIN) {
			kvt_sync(&T, T.durable + 1);
			i--;
			continue;
		}
		CHECK_EQ(rc, MICA_OK);
	}
	kvt_sync(&T, t);
	t = set("again", "room");
	kvt_sync(&T, t);
	reopen();
	CHECK_EQ(get("again", buf, sizeof(buf)), MICA_OK);
	snprintf(k, sizeof(k), "f%d", n - 1);
	CHECK_EQ(get(k, buf, sizeof(buf)), MICA_OK);
	CHECK_EQ((int)mica_kv_count(T.kv), n - n / 2 + 1);
	teardown();
}

/* Writes fail from some point: the failed batch is reported, the store
 * turns read-only, and every write made durable before stays readable. */
TEST(device_errors)
{
	char buf[64];
	setup(4 << 20, 0);
	CHECK_EQ(kvt_open(&T, NULL), MICA_OK);
	uint64_t t = set("before", "ok");
	kvt_sync(&T, t);
	mica_blk_fault_arm(&T.fault, MICA_BLK_FAULT_FAIL, 0, 0);
	t = set("lost", "x");
	kvt_sync(&T, t);
	CHECK_EQ(T.commit_rc, MICA_EIO);
	CHECK(T.failed_ticket >= t);
	for (int i = 0; i < 20 && get("before", buf, sizeof(buf)) != MICA_OK; i++)
		mica_loop_run_once(&T.loop, mica_loop_now(&T.loop) + 50 * MICA_NS_PER_MS);
	CHECK_EQ(get("before", buf, sizeof(buf)), MICA_OK);
	CHECK_STR(buf, "ok");
	CHECK_EQ(get("lost", buf, sizeof(buf)), MICA_ENOENT);
	uint64_t t2;
	CHECK_EQ(mica_kv_set(T.kv, "more", 4, "y", 1, 0, &t2), MICA_EIO);
	struct mica_kv_stats st;
	mica_kv_stats(T.kv, &st);
	CHECK(st.read_only);
	teardown();
}

/* A byte of a record in the middle of the log goes bad: recovery says
 * so and keeps every other batch. */
TEST(damaged_record_in_the_middle)
{
	char k[32], v[64], buf[64];
	setup(4 << 20, 0);
	CHECK_EQ(kvt_open(&T, NULL), MICA_OK);
	uint64_t t = 0;
	for (int i = 0; i < 30; i++) {
		snprintf(k, sizeof(k), "m%d", i);
		snprintf(v, sizeof(v), "value-of-%d", i);
		t = set(k, v);
		kvt_sync(&T, t); /* one batch per key */
	}
	kvt_crash(&T);
	/* find "value-of-15" in the file and flip a byte of it */
	int fd = open(T.path, O_RDWR);
	static char img[4 << 20];
	CHECK(pread(fd, img, sizeof(img), 0) == (ssize_t)sizeof(img));
	char *p = memmem(img, sizeof(img), "value-of-15", 11);
	CHECK(p != NULL);
	if (p) {
		char c = (char)(p[3] ^ 0x20);
		CHECK(pwrite(fd, &c, 1, p + 3 - img) == 1);
	}
	close(fd);
	CHECK_EQ(kvt_open(&T, NULL), MICA_OK);
	CHECK_EQ(get("m15", buf, sizeof(buf)), MICA_ENOENT);
	CHECK_EQ(get("m14", buf, sizeof(buf)), MICA_OK);
	CHECK_EQ(get("m16", buf, sizeof(buf)), MICA_OK);
	CHECK_STR(buf, "value-of-16");
	CHECK_EQ(get("m29", buf, sizeof(buf)), MICA_OK);
	CHECK_EQ(mica_kv_count(T.kv), 29);
	teardown();
}

int main(void)
{
	return RUN_TESTS();
}
