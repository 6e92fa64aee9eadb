/* test_kv_crash.c - crash safety of lib/kv, over many random crash
 * points. Each round formats a small device (so compaction happens too),
 * arms the fault injector to stop the device dead after N writes (the
 * write at the crash point sometimes torn, landing a few sectors), and
 * runs a random client: SET of values from empty to 100 KB, DEL, now and
 * then FLUSHALL, pipelined. It records which writes were acknowledged
 * (on_commit). After the crash the store is reopened and every key must
 * hold the value of its last acknowledged write or of a later one - never
 * an older value, never a torn or foreign one. Then the recovered store
 * takes more writes and is reopened again (the log goes on after a torn
 * tail). Rounds alternate 512- and 4096-byte sectors and FUA with
 * write+flush. KV_CRASH_ROUNDS sets the count (bench/storage-crash.sh
 * runs thousands). */
#include "../check.h"
#include "kvtest.h"
#include <stdio.h>

#define NKEYS 24
#define MAX_EVENTS 4096

static struct kvt T;
static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

enum { EV_SET, EV_DEL };
struct event {
	uint8_t kind;
	uint32_t version, len;
	uint64_t ticket;
};
static struct {
	struct event ev[MAX_EVENTS];
	int n;
	uint32_t next_version;
} hist[NKEYS];

static void key_name(int k, char *out)
{
	snprintf(out, 16, "key-%02d", k);
}

static uint8_t val_byte(int k, uint32_t version, uint32_t i)
{
	uint64_t x = ((uint64_t)k << 40) ^ ((uint64_t)version << 20) ^ i;
	x *= 0x9e3779b97f4a7c15ull;
	return (uint8_t)(x >> 56);
}

static uint32_t pick_len(void)
{
	uint64_t r = rnd() % 100;
	if (r < 70)
		return (uint32_t)(rnd() % 200);
	if (r < 95)
		return 1000 + (uint32_t)(rnd() % 20000);
	return 40000 + (uint32_t)(rnd() % 60000);
}

static uint8_t vbuf[100000];

/* One random write; false when the store asked to wait (EAGAIN). */
static bool one_op(void)
{
	int k = (int)(rnd() % NKEYS);
	char key[16];
	key_name(k, key);
	uint64_t ticket = 0, r = rnd() % 100;
	int rc;
	if (r < 2) {
		rc = mica_kv_flush_all(T.kv, &ticket);
		if (rc == MICA_OK)
			for (int i = 0; i < NKEYS; i++)
				if (hist[i].n < MAX_EVENTS)
					hist[i].ev[hist[i].n++] = (struct event){EV_DEL, 0, 0, ticket};
	} else if (r < 15) {
		rc = mica_kv_del(T.kv, key, strlen(key), &ticket);
		if (rc == MICA_ENOENT)
			return true;
		if (rc == MICA_OK && hist[k].n < MAX_EVENTS)
			hist[k].ev[hist[k].n++] = (struct event){EV_DEL, 0, 0, ticket};
	} else {
		uint32_t v = ++hist[k].next_version, len = pick_len();
		for (uint32_t i = 0; i < len; i++)
			vbuf[i] = val_byte(k, v, i);
		rc = mica_kv_set(T.kv, key, strlen(key), vbuf, len, 0, &ticket);
		if (rc == MICA_OK && hist[k].n < MAX_EVENTS)
			hist[k].ev[hist[k].n++] = (struct event){EV_SET, v, len, ticket};
	}
	if (rc == MICA_EAGAIN || rc == MICA_ENOSPC)
		return false;
	CHECK_EQ(rc, MICA_OK);
	return rc == MICA_OK;
}

static bool value_is(int k, const struct event *e, const uint8_t *v, size_t len)
{
	if (e->kind != EV_SET || len != e->len)
		return false;
	for (uint32_t i = 0; i < len; i++)
		if (v[i] != val_byte(k, e->version, i))
			return false;
	return true;
}

static void woke(void *arg)
{
	*(bool *)arg = true;
}

/* Key k holds what its last acknowledged write or a later one left: the
 * index of that event, -1 for "never written", -2 when it does not. */
static int key_state(int k, uint64_t durable)
{
	char key[16];
	key_name(k, key);
	const uint8_t *v = NULL;
	size_t len = 0;
	uint64_t ticket;
	bool flag = false;
	struct mica_kv_wait w = {.fn = woke, .arg = &flag};
	int rc;
	for (int i = 0; i < 50; i++) {
		rc = mica_kv_get(T.kv, key, strlen(key), &v, &len, &ticket, &w);
		if (rc != MICA_EAGAIN)
			break;
		flag = false;
		kvt_run_until(&T, &flag, 10000);
	}
	if (rc != MICA_OK && rc != MICA_ENOENT)
		return -2;
	int last = -1;
	for (int i = 0; i < hist[k].n; i++)
		if (hist[k].ev[i].ticket <= durable)
			last = i;
	if (last < 0 && rc == MICA_ENOENT)
		return -1;
	for (int i = last < 0 ? 0 : last; i < hist[k].n; i++) {
		const struct event *e = &hist[k].ev[i];
		if (rc == MICA_ENOENT ? e->kind == EV_DEL : value_is(k, e, v, len))
			return i;
	}
	printf("  key %d: %s (len %zu) is not the last acknowledged write (event %d of %d) or a later one\n",
	       k, rc == MICA_ENOENT ? "absent" : "a value", len, last, hist[k].n);
	return -2;
}

/* Check every key; then make what it holds its (acknowledged) history. */
static int check_keys(uint64_t durable)
{
	int bad = 0;
	for (int k = 0; k < NKEYS; k++) {
		int i = key_state(k, durable);
		if (i == -2) {
			bad++;
			continue;
		}
		struct event base = i >= 0 ? hist[k].ev[i] : (struct event){EV_DEL, 0, 0, 0};
		base.ticket = 0;
		hist[k].ev[0] = base;
		hist[k].n = 1;
	}
	return bad;
}

static void run_client(unsigned max_ops)
{
	for (unsigned ops = 0; ops < max_ops && !T.fault.tripped && !T.commit_rc;) {
		unsigned burst = 1 + (unsigned)(rnd() % 12);
		for (unsigned i = 0; i < burst; i++, ops++)
			if (!one_op())
				break;
		mica_loop_run_once(&T.loop, mica_loop_now(&T.loop) + 2 * MICA_NS_PER_MS);
	}
}

static int round_once(unsigned round)
{
	rng = 0x1234567 + round * 7919ull;
	memset(hist, 0, sizeof(hist));
	memset(&T, 0, sizeof(T));
	mica_loop_init(&T.loop);
	uint32_t ss = round % 2 ? 4096 : 512;
	CHECK_EQ(kvt_device(&T, 2 << 20, ss), MICA_OK);
	CHECK_EQ(kvt_open(&T, NULL), MICA_OK);
	if (round % 4 >= 2)
		T.fault.blk.info.fua = false; /* write, then flush */
	uint64_t after = rnd() % 160;
	uint32_t torn = rnd() % 3 ? 0 : 1 + (uint32_t)(rnd() % 4);
	mica_blk_fault_arm(&T.fault, MICA_BLK_FAULT_STOP, after, torn);
	run_client(4000);
	uint64_t durable = T.durable;
	struct mica_kv_stats st;
	mica_kv_stats(T.kv, &st);
	int compactions = (int)st.compactions;
	kvt_crash(&T);
	CHECK_EQ(kvt_open(&T, NULL), MICA_OK);
	int bad = T.kv ? check_keys(durable) : NKEYS;
	/* the log goes on after the crash point */
	run_client(60);
	uint64_t t = 0;
	for (int k = 0; k < NKEYS; k++)
		t = hist[k].ev[hist[k].n - 1].ticket > t ? hist[k].ev[hist[k].n - 1].ticket : t;
	kvt_sync(&T, t);
	durable = T.durable;
	kvt_crash(&T);
	CHECK_EQ(kvt_open(&T, NULL), MICA_OK);
	bad += T.kv ? check_keys(durable) : NKEYS;
	CHECK_EQ(bad, 0);
	if (bad)
		printf("  round %u (crash after %llu writes, torn %u, sector %u, compactions %d): %d keys "
		       "wrong\n",
		       round, (unsigned long long)after, torn, ss, compactions, bad);
	kvt_crash(&T);
	mica_unix_blkif_close(T.plat);
	unlink(T.path);
	mica_loop_fini(&T.loop);
	return compactions;
}

TEST(crash_rounds)
{
	const char *env = getenv("KV_CRASH_ROUNDS");
	unsigned rounds = env ? (unsigned)atoi(env) : 200, with_compaction = 0;
	int before = check_failed_checks;
	for (unsigned r = 0; r < rounds && check_failed_checks == before; r++)
		with_compaction += round_once(r) > 0;
	printf("  %u rounds, %u of them crashed after a compaction had run\n", rounds, with_compaction);
	CHECK(with_compaction > 0);
}

int main(void)
{
	return RUN_TESTS();
}
