/* hello.c - the smallest Mica app: print a line, wait on a timer, exit with
 * the code given as --exit=N. Shows the app structure: boot arguments, the
 * loop, a timer and the exit path. */
#include <mica/app.h>
#include <mica/log.h>
#include <mica/loop.h>

static const struct mica_arg_spec hello_args[] = {
    {"exit", MICA_ARG_INT, "0", "exit code", 0, 255},
    {"wait-ms", MICA_ARG_INT, "1", "milliseconds to wait before exiting", 0, 3600000},
};

static struct mica_timer done_timer;

static void done(struct mica_timer *t, void *arg)
{
	(void)t;
	mica_loop_stop(arg, (int)mica_arg_int("exit"));
}

static int hello_start(struct mica_loop *loop)
{
	mica_printf("Hello from Mica!\n");
	mica_timer_init(&done_timer, done, loop);
	return mica_timer_start(loop, &done_timer, (uint64_t)mica_arg_int("wait-ms") * MICA_NS_PER_MS, 0);
}

const struct mica_app mica_app = {
    .name = "hello",
    .summary = "print a greeting, wait on a timer, exit with a chosen code",
    .args = hello_args,
    .nargs = MICA_ARRAY_LEN(hello_args),
    .start = hello_start,
};
