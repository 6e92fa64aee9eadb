/* test_loop.c - the event loop driven by a fake clock: timer order, cancel
 * from inside callbacks, periodic timers without drift, deferred tasks,
 * waiting input taken before overdue timers. */
#include "check.h"
#include <mica/loop.h>

static uint64_t fake_now;
static int polls;

static uint64_t clock_now(void *ctx)
{
	(void)ctx;
	return fake_now;
}

/* "Sleep" by jumping the clock to the deadline. */
static int fake_poll(void *ctx, uint64_t deadline)
{
	(void)ctx;
	polls++;
	if (deadline != MICA_FOREVER && deadline > fake_now)
		fake_now = deadline;
	return 0;
}

static struct mica_loop loop;
static const struct mica_loop_ops fake_ops = {clock_now, fake_poll, NULL};

static void reset(void)
{
	fake_now = 1000;
	polls = 0;
	mica_loop_init_ops(&loop, &fake_ops);
}

static int order[16], norder;

static void record(struct mica_timer *t, void *arg)
{
	(void)t;
	order[norder++] = (int)(intptr_t)arg;
}

TEST(timers_fire_in_deadline_order)
{
	reset();
	norder = 0;
	struct mica_timer t[5];
	int delays[5] = {50, 10, 30, 10, 20};
	for (int i = 0; i < 5; i++) {
		mica_timer_init(&t[i], record, (void *)(intptr_t)i);
		CHECK_EQ(mica_timer_start(&loop, &t[i], (uint64_t)delays[i] * MICA_NS_PER_MS, 0), 0);
	}
	while (loop.nheap)
		mica_loop_run_once(&loop, MICA_FOREVER);
	CHECK_EQ(norder, 5);
	CHECK_EQ(order[0] == 1 || order[0] == 3, 1);
	CHECK_EQ(order[2], 4);
	CHECK_EQ(order[3], 2);
	CHECK_EQ(order[4], 0);
	CHECK_EQ(fake_now, 1000 + 50 * MICA_NS_PER_MS);
	mica_loop_fini(&loop);
}

TEST(timer_never_fires_early)
{
	reset();
	norder = 0;
	struct mica_timer t;
	mica_timer_init(&t, record, (void *)7);
	mica_timer_start(&loop, &t, 5 * MICA_NS_PER_MS, 0);
	/* A poll that returns early (I/O) must not fire the timer. */
	mica_loop_run_once(&loop, 1000 + 2 * MICA_NS_PER_MS);
	CHECK_EQ(norder, 0);
	mica_loop_run_once(&loop, MICA_FOREVER);
	mica_loop_run_once(&loop, MICA_FOREVER);
	CHECK_EQ(norder, 1);
	mica_loop_fini(&loop);
}

static struct mica_timer victims[3];

static void cancel_others(struct mica_timer *t, void *arg)
{
	(void)t;
	(void)arg;
	order[norder++] = 100;
	mica_timer_cancel(&loop, &victims[1]);
	mica_timer_cancel(&loop, &victims[2]);
	mica_timer_cancel(&loop, &victims[1]); /* twice is harmless */
}

TEST(cancel_inside_callback)
{
	reset();
	norder = 0;
	mica_timer_init(&victims[0], cancel_others, NULL);
	mica_timer_init(&victims[1], record, (void *)1);
	mica_timer_init(&victims[2], record, (void *)2);
	mica_timer_start(&loop, &victims[0], 10, 0);
	mica_timer_start(&loop, &victims[1], 10, 0); /* same deadline */
	mica_timer_start(&loop, &victims[2], 20, 0);
	for (int i = 0; i < 5; i++)
		mica_loop_run_once(&loop, MICA_FOREVER);
	/* victims[1] may have fired before victims[0] (same deadline), but
	 * victims[2] was cancelled before its time. */
	CHECK(order[0] == 100 || order[1] == 100);
	for (int i = 0; i < norder; i++)
		CHECK(order[i] != 2);
	CHECK(!mica_timer_armed(&victims[2]));
	mica_loop_fini(&loop);
}

static void self_cancel(struct mica_timer *t, void *arg)
{
	int *count = arg;
	if (++*count == 3)
		mica_timer_cancel(&loop, t);
}

TEST(periodic_self_cancel)
{
	reset();
	int count = 0;
	struct mica_timer t;
	mica_timer_init(&t, self_cancel, &count);
	mica_timer_start(&loop, &t, 10, 10);
	for (int i = 0; i < 20; i++)
		mica_loop_run_once(&loop, MICA_FOREVER);
	CHECK_EQ(count, 3);
	CHECK(!mica_timer_armed(&t));
	mica_loop_fini(&loop);
}

static uint64_t fire_times[64];
static int nfires;

static void periodic(struct mica_timer *t, void *arg)
{
	(void)t;
	fire_times[nfires++] = fake_now;
	/* Simulate a slow callback: 3 ms of work each time. */
	fake_now += 3 * MICA_NS_PER_MS * (arg != NULL);
}

TEST(periodic_does_not_drift)
{
	reset();
	nfires = 0;
	struct mica_timer t;
	mica_timer_init(&t, periodic, (void *)1);
	mica_timer_start(&loop, &t, 10 * MICA_NS_PER_MS, 10 * MICA_NS_PER_MS);
	while (nfires < 20)
		mica_loop_run_once(&loop, MICA_FOREVER);
	/* Each tick is exactly on its phase despite 3 ms of work per tick. */
	for (int i = 0; i < 20; i++)
		CHECK_EQ(fire_times[i], 1000 + (uint64_t)(i + 1) * 10 * MICA_NS_PER_MS);
	mica_loop_fini(&loop);
}

TEST(periodic_skips_missed_ticks)
{
	reset();
	nfires = 0;
	struct mica_timer t;
	mica_timer_init(&t, periodic, NULL);
	mica_timer_start(&loop, &t, 10, 10);
	fake_now += 105; /* stalled for ten periods */
	mica_loop_run_once(&loop, fake_now);
	CHECK_EQ(nfires, 1); /* one late tick, not ten */
	CHECK_EQ(t.deadline, 1000 + 110);
	mica_loop_fini(&loop);
}

static int task_runs;
static struct mica_task task;

static void task_fn(void *arg)
{
	(void)arg;
	task_runs++;
}

TEST(deferred_task_runs_once_before_poll)
{
	reset();
	task_runs = 0;
	mica_task_init(&task, task_fn, NULL);
	mica_loop_defer(&loop, &task);
	mica_loop_defer(&loop, &task);
	mica_loop_run_once(&loop, MICA_FOREVER);
	CHECK_EQ(task_runs, 1);
	CHECK_EQ(polls, 1);
	mica_loop_fini(&loop);
}

static void stopper(struct mica_timer *t, void *arg)
{
	(void)t;
	mica_loop_stop(arg, 42);
}

TEST(run_returns_stop_code)
{
	reset();
	struct mica_timer t;
	mica_timer_init(&t, stopper, &loop);
	mica_timer_start(&loop, &t, 1000, 0);
	CHECK_EQ(mica_loop_run(&loop), 42);
	mica_loop_fini(&loop);
}

TEST(many_timers_random_cancel_keep_heap_order)
{
	reset();
	enum { N = 200 };
	static struct mica_timer t[N];
	uint32_t seed = 12345;
	for (int i = 0; i < N; i++) {
		seed = seed * 1103515245 + 12345;
		mica_timer_init(&t[i], record, NULL);
		mica_timer_start(&loop, &t[i], seed % 100000, 0);
	}
	for (int i = 0; i < N; i += 3)
		mica_timer_cancel(&loop, &t[i]);
	uint64_t last = 0;
	int fired = 0;
	while (loop.nheap) {
		uint64_t d = mica_loop_next_deadline(&loop);
		CHECK(d >= last);
		last = d;
		norder = 0;
		mica_loop_run_once(&loop, MICA_FOREVER);
		fired += norder;
	}
	CHECK_EQ(fired, N - (N + 2) / 3);
	mica_loop_fini(&loop);
}

static int rearms;

static void rearm_in_past(struct mica_timer *t, void *arg)
{
	rearms++;
	mica_timer_start_at(arg, t, 0, 0); /* already due again */
}

TEST(rearming_in_the_past_does_not_starve_poll)
{
	reset();
	rearms = 0;
	struct mica_timer t;
	mica_timer_init(&t, rearm_in_past, &loop);
	mica_timer_start(&loop, &t, 0, 0);
	for (int i = 0; i < 3; i++)
		mica_loop_run_once(&loop, MICA_FOREVER);
	CHECK_EQ(rearms, 3); /* once per turn, and each turn polled */
	CHECK_EQ(polls, 3);
	mica_timer_cancel(&loop, &t);
	mica_loop_fini(&loop);
}

/* A poll whose "input" cancels the timer it answers, like an ACK that
 * arrives for a segment whose retransmission timer is overdue. */
static struct mica_timer answered;
static int answered_fires;

static void answered_fn(struct mica_timer *t, void *arg)
{
	(void)t;
	(void)arg;
	answered_fires++;
}

static int poll_with_answer(void *ctx, uint64_t deadline)
{
	(void)deadline;
	polls++;
	mica_timer_cancel(ctx, &answered);
	return 1;
}

TEST(waiting_input_is_taken_before_overdue_timers)
{
	reset();
	answered_fires = 0;
	struct mica_loop_ops ops = {clock_now, poll_with_answer, &loop};
	mica_loop_init_ops(&loop, &ops);
	mica_timer_init(&answered, answered_fn, NULL);
	mica_timer_start(&loop, &answered, 10 * MICA_NS_PER_MS, 0);
	fake_now += 50 * MICA_NS_PER_MS; /* the process was descheduled */
	mica_loop_run_once(&loop, MICA_FOREVER);
	CHECK_EQ(polls, 1);
	CHECK_EQ(answered_fires, 0); /* the input came first and cancelled it */
	mica_loop_fini(&loop);
}

int main(void)
{
	return RUN_TESTS();
}
