/* poll.c - the POLL hypercall.
 *
 * The guest sleeps here: the monitor blocks in ppoll(2) on the net devices'
 * tap descriptors until one is readable, the timeout passes or a stop
 * signal (SIGINT, SIGTERM) arrives. An idle guest therefore costs no CPU.
 * ppoll also watches stop.c's wake pipe, so a signal that arrives between
 * the check of the stop flag and the sleep still ends the sleep; after a
 * stop request POLL returns MICA_ESTOP at once. It also watches the pipe
 * of link changes (link.c): a device whose link went up or down is
 * reported ready, and every POLL returns the link_down bitmap. A POLL that
 * carries block requests (blk_batch) does them first and then only looks,
 * never sleeps. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <mica/err.h>
#include "hvt.h"

/* Sleep in ppoll until a net device is readable, the timeout or a stop
 * signal; returns the ready bitmap, or -1 for a stop request. */
static int64_t wait_ready(struct hvt *h, uint64_t timeout_ns)
{
	struct pollfd fds[MICA_HVT_MAX_DEVICES + 2];
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
	fds[n + 1] = (struct pollfd){.fd = hvt_link_fd(), .events = POLLIN}; /* fd -1: ignored */
	if (hvt_stop_requested)
		return -1;
	int rc = ppoll(fds, n + 2, tsp, NULL);
	if (hvt_stop_requested)
		return -1;
	if (rc < 0)
		return 0;
	int64_t ready = fds[n + 1].revents ? (int64_t)hvt_link_read(h) : 0;
	for (unsigned i = 0; i < n; i++)
		if (fds[i].revents & (POLLIN | POLLERR | POLLHUP))
			ready |= 1ll << idx[i];
	return ready;
}

/* The extra devices' I/O entries of a POLL, checked (a bad array ends
 * the guest); *n is set to how many. */
static struct mica_hvt_poll_io *poll_ios(struct hvt *h, const struct mica_hvt_poll *a, uint32_t *n)
{
	*n = a->nio;
	if (a->nio == 0)
		return NULL;
	if (a->nio > MICA_HVT_MAX_DEVICES)
		hvt_guest_fault(h, "hypercall POLL: %u I/O entries exceed %u", a->nio, MICA_HVT_MAX_DEVICES);
	struct mica_hvt_poll_io *io = hvt_gpa_write(h, a->io, (uint64_t)a->nio * sizeof(*io));
	if (!io)
		hvt_guest_fault(h, "hypercall POLL: bad guest pointer: I/O array at 0x%llx (%u entries)",
		                (unsigned long long)a->io, a->nio);
	return io;
}

/* Send the queued frames of every extra device. */
static void poll_ios_send(struct hvt *h, struct mica_hvt_poll_io *io, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		struct hvt_dev *d = hvt_net_dev(h, io[i].handle);
		io[i].rx_got = 0;
		io[i].tx_ret = d ? 0 : MICA_ENOENT;
		if (d && io[i].tx_count)
			io[i].tx_ret = hvt_net_send(h, d, io[i].tx_frames, io[i].tx_count, "POLL (io tx)");
	}
}

/* Receive into every extra device's buffers that has frames waiting. */
static void poll_ios_recv(struct hvt *h, struct mica_hvt_poll_io *io, uint32_t n, uint64_t ready)
{
	for (uint32_t i = 0; i < n; i++) {
		struct hvt_dev *d = hvt_net_dev(h, io[i].handle);
		if (d && io[i].rx_count && (ready & (1ull << io[i].handle)))
			io[i].rx_got = hvt_net_recv(h, d, io[i].rx_frames, io[i].rx_count, "POLL (io rx)");
	}
}

void hvt_call_poll(struct hvt *h, struct mica_hvt_poll *a)
{
	uint32_t nio;
	struct mica_hvt_poll_io *ios = poll_ios(h, a, &nio);
	struct hvt_dev *io = (a->tx_count || a->rx_count) ? hvt_net_dev(h, a->io_handle) : NULL;
	a->tx_ret = 0;
	a->rx_got = 0;
	a->ready = 0;
	if ((a->tx_count || a->rx_count) && !io) {
		a->tx_ret = a->ret = MICA_ENOENT;
		return;
	}
	if (io && a->tx_count)
		a->tx_ret = hvt_net_send(h, io, a->tx_frames, a->tx_count, "POLL (tx)");
	poll_ios_send(h, ios, nio);
	uint64_t timeout = a->timeout_ns;
	if (a->blk_batch) {
		hvt_block_batch_at(h, a->blk_batch);
		timeout = 0; /* the guest has completions to deliver */
	}
	int64_t ready = wait_ready(h, timeout);
	if (ready < 0) {
		a->ret = MICA_ESTOP;
		return;
	}
	a->ready = (uint64_t)ready;
	a->link_down = hvt_link_down_mask(h);
	if (io && a->rx_count && (a->ready & (1ull << a->io_handle)))
		a->rx_got = hvt_net_recv(h, io, a->rx_frames, a->rx_count, "POLL (rx)");
	poll_ios_recv(h, ios, nio, a->ready);
	a->ret = __builtin_popcountll(a->ready);
}
