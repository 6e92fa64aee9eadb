/* link.c - the link state of the net devices' taps, for POLL's link_down.
 *
 * Asking a tap whether its Linux side is up takes what the monitor's
 * seccomp filter does not allow (platform/tap/tap_link.c: setns into the
 * namespace the interface lives in, a socket there, SIOCGIFFLAGS). So a
 * small child process, forked after the devices are open and before the
 * filter, asks every LINK_CHECK_MS and writes each change - two bytes,
 * device handle and up - down a pipe; the monitor's POLL sleeps on the
 * pipe too, and a change wakes the guest with that device's ready bit.
 * The child touches nothing of the guest and keeps only the tap
 * descriptors it asks through. Those keep the taps attached, so the
 * monitor's exit waits for the child to be gone (an atexit handler: a
 * byte down a quit pipe, then until the child's end of an ack pipe
 * closes, 1 s at most - read, write and ppoll are all the seccomp filter
 * needs for it); a tap is free again when mica-hvt has exited. The child
 * also ends when the monitor dies any other way (the quit pipe's other
 * end closes; PR_SET_PDEATHSIG). */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include "hvt.h"
#include "../platform/tap/tap_link.h"

#define LINK_CHECK_MS 500

static int link_pipe[2] = {-1, -1}; /* changes: child -> monitor */
static int quit_pipe[2] = {-1, -1}; /* monitor -> child: exit now */
static int ack_pipe[2] = {-1, -1};  /* closed by the child's exit */

/* Wait LINK_CHECK_MS, or end the child when the monitor asks or is gone. */
static void watcher_sleep(struct hvt *h)
{
	struct pollfd p = {.fd = quit_pipe[0], .events = POLLIN};
	struct timespec ts = {0, LINK_CHECK_MS * 1000000L};
	if (ppoll(&p, 1, &ts, NULL) == 0)
		return;
	for (unsigned i = 0; i < h->ndevs; i++)
		close(h->devs[i].fd); /* the taps are free before the ack */
	_exit(0);
}

_Noreturn static void watcher(struct hvt *h, pid_t parent)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(0);
	int null = open("/dev/null", O_RDWR);
	for (int fd = 0; fd < 3 && null >= 0; fd++)
		dup2(null, fd);
	int last[MICA_HVT_MAX_DEVICES];
	for (unsigned i = 0; i < h->ndevs; i++)
		last[i] = -1; /* the first state of each is sent */
	for (;;) {
		for (unsigned i = 0; i < h->ndevs; i++) {
			if (h->devs[i].kind != MICA_HVT_DEV_NET)
				continue;
			int up = tap_link_up(h->devs[i].fd);
			if (up < 0 || up == last[i])
				continue;
			last[i] = up;
			uint8_t msg[2] = {(uint8_t)i, (uint8_t)up};
			if (write(link_pipe[1], msg, 2) != 2)
				_exit(0); /* the monitor is gone */
		}
		watcher_sleep(h);
	}
}

/* At the monitor's exit: the child gone (and the taps with it) first. */
static void watcher_stop(void)
{
	if (write(quit_pipe[1], "q", 1) != 1)
		return;
	struct pollfd p = {.fd = ack_pipe[0], .events = POLLIN};
	struct timespec ts = {1, 0};
	(void)ppoll(&p, 1, &ts, NULL); /* POLLHUP when the child has exited */
}

int hvt_link_start(struct hvt *h)
{
	bool any = false;
	for (unsigned i = 0; i < h->ndevs; i++)
		any |= h->devs[i].kind == MICA_HVT_DEV_NET;
	if (!any)
		return 0;
	if (pipe2(link_pipe, O_CLOEXEC) < 0 || pipe2(quit_pipe, O_CLOEXEC) < 0 ||
	    pipe2(ack_pipe, O_CLOEXEC) < 0)
		return -1;
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(link_pipe[0]), close(quit_pipe[1]), close(ack_pipe[0]);
		watcher(h, parent);
	}
	close(link_pipe[1]), close(quit_pipe[0]), close(ack_pipe[1]);
	fcntl(link_pipe[0], F_SETFL, O_NONBLOCK);
	atexit(watcher_stop);
	return 0;
}

int hvt_link_fd(void)
{
	return link_pipe[0];
}

uint64_t hvt_link_read(struct hvt *h)
{
	uint64_t changed = 0;
	uint8_t msg[64];
	ssize_t n;
	while ((n = read(link_pipe[0], msg, sizeof(msg))) > 0) {
		for (ssize_t i = 0; i + 1 < n; i += 2) {
			struct hvt_dev *d = hvt_net_dev(h, msg[i]);
			if (!d || d->link_down == !msg[i + 1])
				continue;
			d->link_down = !msg[i + 1];
			changed |= 1ull << msg[i];
		}
	}
	return changed;
}

uint32_t hvt_link_down_mask(const struct hvt *h)
{
	uint32_t mask = 0;
	for (unsigned i = 0; i < h->ndevs; i++)
		if (h->devs[i].kind == MICA_HVT_DEV_NET && h->devs[i].link_down)
			mask |= 1u << i;
	return mask;
}
