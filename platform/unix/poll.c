/* poll.c - mica_plat_poll for Linux processes: one epoll set holding the
 * watched descriptors and a signalfd for SIGINT/SIGTERM (which ask the
 * machine to stop); a wait interrupted (EINTR) goes on to its deadline. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include <mica/platform.h>
#include <mica/loop.h>
#include <mica/log.h>
#include <mica/err.h>
#include "unix.h"

#define MAX_EVENTS 64

static struct {
	int epfd;
	int sigfd;
	struct epoll_event batch[MAX_EVENTS]; /* events being dispatched */
	int nbatch;
} poller = {-1, -1, {{0, {0}}}, 0};

int mica_unix_err(int errnum)
{
	switch (errnum) {
	case EAGAIN: return MICA_EAGAIN;
	case ENOMEM:
	case ENOBUFS: return MICA_ENOMEM;
	case EADDRINUSE: return MICA_EADDRINUSE;
	case ECONNREFUSED: return MICA_ECONNREFUSED;
	case ECONNRESET:
	case EPIPE: return MICA_ECONNRESET;
	case ETIMEDOUT: return MICA_ETIMEDOUT;
	case EMSGSIZE: return MICA_EMSGSIZE;
	case ENOENT: return MICA_ENOENT;
	case EACCES:
	case EPERM: return MICA_EPERM;
	case ENETUNREACH:
	case EHOSTUNREACH: return MICA_EUNREACH;
	case EINVAL: return MICA_EINVAL;
	case ENOSPC: return MICA_ENOSPC;
	default: return MICA_EIO;
	}
}

static void poller_init(void)
{
	if (poller.epfd >= 0)
		return;
	poller.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (poller.epfd < 0)
		mica_panic("epoll_create1: %s", strerror(errno));
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	poller.sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
	if (poller.sigfd < 0 || epoll_ctl(poller.epfd, EPOLL_CTL_ADD, poller.sigfd, &ev) < 0)
		mica_panic("signalfd: %s", strerror(errno));
}

static int watch_ctl(int op, struct mica_unix_watch *w, uint32_t events)
{
	poller_init();
	struct epoll_event ev = {.events = events, .data.ptr = w};
	if (epoll_ctl(poller.epfd, op, w->fd, &ev) < 0)
		return mica_unix_err(errno);
	w->events = events;
	return MICA_OK;
}

int mica_unix_watch_add(struct mica_unix_watch *w, uint32_t events)
{
	return watch_ctl(EPOLL_CTL_ADD, w, events);
}

int mica_unix_watch_mod(struct mica_unix_watch *w, uint32_t events)
{
	if (events == w->events)
		return MICA_OK;
	return watch_ctl(EPOLL_CTL_MOD, w, events);
}

void mica_unix_watch_del(struct mica_unix_watch *w)
{
	if (poller.epfd >= 0)
		(void)epoll_ctl(poller.epfd, EPOLL_CTL_DEL, w->fd, NULL);
	/* Forget events of this watch still waiting in the current batch. */
	for (int i = 0; i < poller.nbatch; i++)
		if (poller.batch[i].data.ptr == w)
			poller.batch[i].events = 0;
}

/* Milliseconds to wait, rounded up so that no timer fires early. */
static int timeout_ms(uint64_t deadline)
{
	if (deadline == MICA_FOREVER)
		return -1;
	uint64_t now = mica_plat_monotonic_ns();
	if (deadline <= now)
		return 0;
	uint64_t ms = (deadline - now + MICA_NS_PER_MS - 1) / MICA_NS_PER_MS;
	return ms > 86400000 ? 86400000 : (int)ms;
}

int mica_plat_poll(uint64_t deadline)
{
	poller_init();
	/* An interrupted wait (io_uring's task work posting a completion, a
	 * stop and continue) waits on at once, for what is left until the same
	 * deadline, rather than costing the caller a turn of its loop. */
	int n;
	do
		n = epoll_wait(poller.epfd, poller.batch, MAX_EVENTS, timeout_ms(deadline));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return mica_unix_err(errno);
	bool stop = false;
	poller.nbatch = n;
	for (int i = 0; i < n; i++) {
		struct epoll_event *ev = &poller.batch[i];
		if (!ev->data.ptr) {
			struct signalfd_siginfo si;
			while (read(poller.sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				stop = true;
			continue;
		}
		if (ev->events) {
			struct mica_unix_watch *w = ev->data.ptr;
			w->fn(w, ev->events);
		}
	}
	poller.nbatch = 0;
	return stop ? MICA_ESTOP : n;
}
