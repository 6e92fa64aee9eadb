/* poll.c - the POLL hypercall.
 *
 * The guest sleeps here: the monitor blocks in ppoll(2) on the net devices'
 * tap descriptors until one is readable, the timeout passes or a stop
 * signal (SIGINT, SIGTERM) arrives. An idle guest therefore costs no CPU.
 * ppoll also watches stop.c's wake pipe, so a signal that arrives between
 * the check of the stop flag and the sleep still ends the sleep; after a
 * stop request POLL returns MICA_ESTOP at once. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include "hvt.h"

/* Sleep in ppoll until a net device is readable, the timeout or a stop
 * signal; returns the ready bitmap, or -1 for a stop request. */
static int64_t wait_ready(struct hvt *h, uint64_t timeout_ns)
{
	struct pollfd fds[MICA_HVT_MAX_DEVICES + 1];
	unsigned idx[MICA_HVT_MAX_DEVICES], n = 0;
	for (unsigned i = 0; i < h->ndevs; i++) {
		if (h->devs[i].kind != MICA_HVT_DEV_NET)
			continue;
		fds[n] = (struct pollfd){.fd = h->devs[i].fd, .events = POLLIN};
		idx[n++] = i;
	}
	struct timespec ts, *tsp = NULL;
	if (timeout_ns != UINT64_MAX) {
		ts.tv_sec = (time_t)(timeout_ns / 1000000000u);
		ts.tv_nsec = (long)(timeout_ns % 1000000000u);
		tsp = &ts;
	}
	fds[n] = (struct pollfd){.fd = hvt_stop_wake_fd(), .events = POLLIN};
	if (hvt_stop_requested)
		return -1;
	int rc = ppoll(fds, n + 1, tsp, NULL);
	if (hvt_stop_requested)
		return -1;
	if (rc < 0)
		return 0;
	int64_t ready = 0;
	for (unsigned i = 0; i < n; i++)
		if (fds[i].revents & (POLLIN | POLLERR | POLLHUP))
			ready |= 1ll << idx[i];
	return ready;
}

void hvt_call_poll(struct hvt *h, struct mica_hvt_poll *a)
{
	struct hvt_dev *io = (a->tx_count || a->rx_count) ? hvt_net_dev(h, a->io_handle) : NULL;
	a->tx_ret = 0;
	a->rx_got = 0;
	a->ready = 0;
	if ((a->tx_count || a->rx_count) && !io) {
		a->tx_ret = a->ret = -6; /* MICA_ENOENT */
		return;
	}
	if (io && a->tx_count)
		a->tx_ret = hvt_net_send(h, io, a->tx_frames, a->tx_count, "POLL (tx)");
	int64_t ready = wait_ready(h, a->timeout_ns);
	if (ready < 0) {
		a->ret = -19; /* MICA_ESTOP */
		return;
	}
	a->ready = (uint64_t)ready;
	if (io && a->rx_count && (a->ready & (1ull << a->io_handle)))
		a->rx_got = hvt_net_recv(h, io, a->rx_frames, a->rx_count, "POLL (rx)");
	a->ret = __builtin_popcountll(a->ready);
}
