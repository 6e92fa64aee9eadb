/* loop.h - the event loop: timers, deferred tasks, and I/O through the platform.
 *
 * One loop, one CPU, no preemption. Callbacks run to completion and must not
 * block. Each turn the loop runs deferred tasks, fires due timers, then sleeps
 * in the platform's poll until the next timer deadline or until a device is
 * ready; the platform calls the ready device's callback from inside poll.
 * An idle loop therefore uses no CPU.
 *
 * Timers are intrusive: the caller owns `struct mica_timer` (usually inside
 * its own state) and the loop never allocates per timer. Times are
 * nanoseconds of the platform's monotonic clock. */
#ifndef MICA_LOOP_H
#define MICA_LOOP_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define MICA_NS_PER_MS 1000000ull
#define MICA_NS_PER_S 1000000000ull
#define MICA_FOREVER UINT64_MAX

struct mica_loop;
struct mica_timer;

typedef void (*mica_timer_fn)(struct mica_timer *t, void *arg);

struct mica_timer {
	uint64_t deadline; /* absolute monotonic ns */
	uint64_t period;   /* 0 for one-shot */
	mica_timer_fn fn;
	void *arg;
	uint32_t slot; /* position in the heap + 1; 0 when not armed */
};

typedef void (*mica_task_fn)(void *arg);

struct mica_task {
	mica_task_fn fn;
	void *arg;
	struct mica_task *next;
	bool queued;
};

/* Where the loop gets time and how it waits. The default (mica_loop_init)
 * uses the platform; tests pass their own to drive time explicitly. */
struct mica_loop_ops {
	uint64_t (*now)(void *ctx);
	/* Wait until `deadline` or I/O; return >= 0, or MICA_ESTOP to stop. */
	int (*poll)(void *ctx, uint64_t deadline);
	void *ctx;
};

struct mica_loop {
	struct mica_loop_ops ops;
	struct mica_timer **heap; /* min-heap on deadline: heap_small, or malloc'd */
	struct mica_timer *heap_small[16];
	uint32_t nheap, capheap;
	struct mica_task *tasks, *tasks_tail;
	bool stopping;
	int exit_code;
	uint64_t turns; /* loop iterations, for statistics */
};

int mica_loop_init(struct mica_loop *l);
int mica_loop_init_ops(struct mica_loop *l, const struct mica_loop_ops *ops);
void mica_loop_fini(struct mica_loop *l);

/* Run until mica_loop_stop (or the platform reports a stop); returns the exit code. */
int mica_loop_run(struct mica_loop *l);
/* One turn: deferred tasks, due timers, then poll at most until `max_deadline`. */
int mica_loop_run_once(struct mica_loop *l, uint64_t max_deadline);
void mica_loop_stop(struct mica_loop *l, int exit_code);
uint64_t mica_loop_now(struct mica_loop *l);

void mica_timer_init(struct mica_timer *t, mica_timer_fn fn, void *arg);
/* Arm (or re-arm) to fire after delay_ns, then every period_ns if non-zero.
 * Periodic timers keep their phase: the next deadline is the previous
 * deadline plus the period, so they do not drift. */
int mica_timer_start(struct mica_loop *l, struct mica_timer *t, uint64_t delay_ns, uint64_t period_ns);
int mica_timer_start_at(struct mica_loop *l, struct mica_timer *t, uint64_t deadline, uint64_t period_ns);
/* Disarm; safe to call on a disarmed timer and from inside any callback. */
void mica_timer_cancel(struct mica_loop *l, struct mica_timer *t);
static inline bool mica_timer_armed(const struct mica_timer *t)
{
	return t->slot != 0;
}
/* Earliest armed deadline, or MICA_FOREVER. */
uint64_t mica_loop_next_deadline(const struct mica_loop *l);

/* Run fn(arg) on the next turn, before polling. A task already queued is not
 * queued twice. */
void mica_task_init(struct mica_task *t, mica_task_fn fn, void *arg);
void mica_loop_defer(struct mica_loop *l, struct mica_task *t);

#endif
