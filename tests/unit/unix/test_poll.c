/* test_poll.c - platform/unix/poll.c: a wait interrupted by a signal
 * (EINTR, as io_uring's task work also interrupts it) goes on to the
 * caller's deadline instead of returning early; a descriptor that becomes
 * ready still ends the wait, its callback run. */
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/time.h>
#include <unistd.h>
#include <mica/err.h>
#include <mica/loop.h>
#include <mica/platform.h>
#include "check.h"
#include "../../../platform/unix/unix.h"

#define WAIT_NS (60 * MICA_NS_PER_MS)

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

/* SIGALRM, caught without SA_RESTART, `ms` milliseconds from now. */
static void alarm_in_ms(int ms)
{
	struct sigaction sa = {.sa_handler = on_alarm};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = {.it_value = {0, ms * 1000}};
	setitimer(ITIMER_REAL, &it, NULL);
}

TEST(an_interrupted_wait_lasts_to_its_deadline)
{
	alarms = 0;
	alarm_in_ms(5);
	uint64_t deadline = mica_plat_monotonic_ns() + WAIT_NS;
	CHECK_EQ(mica_plat_poll(deadline), 0);
	CHECK_EQ(alarms, 1);                         /* the wait was interrupted, */
	CHECK(mica_plat_monotonic_ns() >= deadline); /* and went on */
}

static int readies;

static void on_ready(struct mica_unix_watch *w, uint32_t events)
{
	uint64_t v;
	CHECK(events & EPOLLIN);
	CHECK_EQ(read(w->fd, &v, sizeof(v)), (long long)sizeof(v));
	readies++;
}

TEST(a_ready_descriptor_ends_the_wait)
{
	int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	CHECK(fd >= 0);
	struct mica_unix_watch w = {.fd = fd, .fn = on_ready};
	CHECK_EQ(mica_unix_watch_add(&w, EPOLLIN), MICA_OK);
	uint64_t one = 1;
	CHECK_EQ(write(fd, &one, sizeof(one)), (long long)sizeof(one));
	CHECK_EQ(mica_plat_poll(mica_plat_monotonic_ns() + WAIT_NS), 1);
	CHECK_EQ(readies, 1);
	mica_unix_watch_del(&w);
	close(fd);
}

int main(void)
{
	return RUN_TESTS();
}
