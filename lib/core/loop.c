/* loop.c - the event loop: a min-heap of timers, a queue of deferred tasks,
 * and the platform's poll as the place the loop sleeps. */
#include <mica/loop.h>
#include <mica/platform.h>
#include <mica/err.h>
#include <mica/libc.h>
#include <mica/app.h>

static uint64_t platform_now(void *ctx)
{
	(void)ctx;
	return mica_plat_monotonic_ns();
}

static int platform_poll(void *ctx, uint64_t deadline)
{
	(void)ctx;
	return mica_plat_poll(deadline);
}

int mica_loop_init(struct mica_loop *l)
{
	struct mica_loop_ops ops = {platform_now, platform_poll, NULL};
	return mica_loop_init_ops(l, &ops);
}

int mica_loop_init_ops(struct mica_loop *l, const struct mica_loop_ops *ops)
{
	memset(l, 0, sizeof(*l));
	l->ops = *ops;
	l->heap = l->heap_small;
	l->capheap = MICA_ARRAY_LEN(l->heap_small);
	return MICA_OK;
}

void mica_loop_fini(struct mica_loop *l)
{
	for (uint32_t i = 0; i < l->nheap; i++)
		l->heap[i]->slot = 0;
	if (l->heap != l->heap_small)
		free(l->heap);
	l->heap = l->heap_small;
	l->nheap = 0;
	l->capheap = MICA_ARRAY_LEN(l->heap_small);
}

uint64_t mica_loop_now(struct mica_loop *l)
{
	return l->ops.now(l->ops.ctx);
}

/* ---- timer heap (slot = index + 1) ---- */

static void heap_place(struct mica_loop *l, uint32_t i, struct mica_timer *t)
{
	l->heap[i] = t;
	t->slot = i + 1;
}

static bool earlier(const struct mica_timer *a, const struct mica_timer *b)
{
	return a->deadline < b->deadline;
}

static void sift_up(struct mica_loop *l, uint32_t i)
{
	struct mica_timer *t = l->heap[i];
	while (i > 0) {
		uint32_t parent = (i - 1) / 2;
		if (!earlier(t, l->heap[parent]))
			break;
		heap_place(l, i, l->heap[parent]);
		i = parent;
	}
	heap_place(l, i, t);
}

static void sift_down(struct mica_loop *l, uint32_t i)
{
	struct mica_timer *t = l->heap[i];
	for (;;) {
		uint32_t child = 2 * i + 1;
		if (child >= l->nheap)
			break;
		if (child + 1 < l->nheap && earlier(l->heap[child + 1], l->heap[child]))
			child++;
		if (!earlier(l->heap[child], t))
			break;
		heap_place(l, i, l->heap[child]);
		i = child;
	}
	heap_place(l, i, t);
}

static int heap_insert(struct mica_loop *l, struct mica_timer *t)
{
	if (l->nheap == l->capheap) {
		uint32_t cap = l->capheap * 2;
		bool small = l->heap == l->heap_small;
		struct mica_timer **h = realloc(small ? NULL : l->heap, cap * sizeof(*h));
		if (!h)
			return MICA_ENOMEM;
		if (small)
			memcpy(h, l->heap_small, sizeof(l->heap_small));
		l->heap = h;
		l->capheap = cap;
	}
	heap_place(l, l->nheap++, t);
	sift_up(l, l->nheap - 1);
	return MICA_OK;
}

static void heap_remove(struct mica_loop *l, struct mica_timer *t)
{
	uint32_t i = t->slot - 1;
	struct mica_timer *last = l->heap[--l->nheap];
	t->slot = 0;
	if (last == t)
		return;
	heap_place(l, i, last);
	if (i > 0 && earlier(last, l->heap[(i - 1) / 2]))
		sift_up(l, i);
	else
		sift_down(l, i);
}

void mica_timer_init(struct mica_timer *t, mica_timer_fn fn, void *arg)
{
	memset(t, 0, sizeof(*t));
	t->fn = fn;
	t->arg = arg;
}

int mica_timer_start_at(struct mica_loop *l, struct mica_timer *t, uint64_t deadline, uint64_t period_ns)
{
	if (!t->fn)
		return MICA_EINVAL;
	if (t->slot)
		heap_remove(l, t);
	t->deadline = deadline;
	t->period = period_ns;
	return heap_insert(l, t);
}

int mica_timer_start(struct mica_loop *l, struct mica_timer *t, uint64_t delay_ns, uint64_t period_ns)
{
	uint64_t now = mica_loop_now(l);
	uint64_t deadline = delay_ns > MICA_FOREVER - now ? MICA_FOREVER : now + delay_ns;
	return mica_timer_start_at(l, t, deadline, period_ns);
}

void mica_timer_cancel(struct mica_loop *l, struct mica_timer *t)
{
	if (t->slot)
		heap_remove(l, t);
}

uint64_t mica_loop_next_deadline(const struct mica_loop *l)
{
	return l->nheap ? l->heap[0]->deadline : MICA_FOREVER;
}

/* Fire every timer due at `now`. A periodic timer is re-armed before its
 * callback runs (so the callback may cancel it); it keeps its phase, and if
 * it fell more than a period behind, missed ticks are skipped, not queued.
 * A pass fires at most as many timers as were armed when it began, so a
 * callback that re-arms a timer for a time already past cannot keep the
 * loop from polling (I/O and stop requests still get their turn). */
static void fire_due_timers(struct mica_loop *l, uint64_t now)
{
	uint32_t budget = l->nheap;
	while (budget-- > 0 && l->nheap && l->heap[0]->deadline <= now && !l->stopping) {
		struct mica_timer *t = l->heap[0];
		heap_remove(l, t);
		if (t->period) {
			uint64_t next = t->deadline + t->period;
			if (next <= now)
				next = now + t->period - (now - t->deadline) % t->period;
			t->deadline = next;
			(void)heap_insert(l, t);
		}
		t->fn(t, t->arg);
	}
}

/* ---- deferred tasks ---- */

void mica_task_init(struct mica_task *t, mica_task_fn fn, void *arg)
{
	memset(t, 0, sizeof(*t));
	t->fn = fn;
	t->arg = arg;
}

void mica_loop_defer(struct mica_loop *l, struct mica_task *t)
{
	if (t->queued)
		return;
	t->queued = true;
	t->next = NULL;
	if (l->tasks_tail)
		l->tasks_tail->next = t;
	else
		l->tasks = t;
	l->tasks_tail = t;
}

/* Run the tasks queued before this call; tasks they queue run next turn. */
static void run_tasks(struct mica_loop *l)
{
	struct mica_task *t = l->tasks;
	l->tasks = l->tasks_tail = NULL;
	while (t) {
		struct mica_task *next = t->next;
		t->queued = false;
		t->next = NULL;
		t->fn(t->arg);
		t = next;
	}
}

/* ---- running ---- */

void mica_loop_stop(struct mica_loop *l, int exit_code)
{
	l->stopping = true;
	l->exit_code = exit_code;
}

/* One turn: the deferred tasks, the platform's poll (sleeping until the
 * next timer is due, not at all when one already is), then the timers due
 * by then. Input that is waiting is taken before overdue timers fire: after
 * a long turn or a descheduling, an ACK already queued cancels the probe or
 * retransmission timer it answers instead of finding it fired. */
int mica_loop_run_once(struct mica_loop *l, uint64_t max_deadline)
{
	l->turns++;
	run_tasks(l);
	if (l->stopping)
		return MICA_ESTOP;
	uint64_t deadline = l->tasks ? 0 : mica_loop_next_deadline(l); /* past: no sleep */
	if (deadline > max_deadline)
		deadline = max_deadline;
	int rc = l->ops.poll(l->ops.ctx, deadline);
	if (rc == MICA_ESTOP) {
		mica_loop_stop(l, 0);
		return MICA_ESTOP;
	}
	fire_due_timers(l, mica_loop_now(l));
	if (l->stopping)
		return MICA_ESTOP;
	return rc < 0 ? rc : MICA_OK;
}

int mica_loop_run(struct mica_loop *l)
{
	while (!l->stopping)
		(void)mica_loop_run_once(l, MICA_FOREVER);
	return l->exit_code;
}
