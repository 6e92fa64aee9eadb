/* poll.c - the POLL hypercall and stop signals.
 *
 * The guest sleeps here: the monitor blocks in ppoll(2) on the net devices'
 * tap descriptors until one is readable, the timeout passes or a stop
 * signal (SIGINT, SIGTERM) arrives. An idle guest therefore costs no CPU.
 * SIGINT/SIGTERM are blocked except inside ppoll and KVM_RUN, so a signal
 * is never lost between checking the flag and sleeping. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>
#include "hvt.h"

volatile sig_atomic_t hvt_stop_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	hvt_stop_requested++;
}

void hvt_signals_setup(struct hvt *h)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, NULL);
	/* Inside KVM_RUN: nothing blocked, so a signal interrupts the guest. */
	struct {
		struct kvm_signal_mask m;
		uint8_t set[8];
	} km = { .m.len = 8 };
	if (ioctl(h->vcpu_fd, KVM_SET_SIGNAL_MASK, &km) < 0)
		hvt_err("KVM_SET_SIGNAL_MASK: %s (signals may not interrupt the guest)", strerror(errno));
}

void hvt_call_poll(struct hvt *h, struct mica_hvt_poll *a)
{
	struct pollfd fds[MICA_HVT_MAX_DEVICES];
	unsigned idx[MICA_HVT_MAX_DEVICES], n = 0;
	for (unsigned i = 0; i < h->ndevs; i++) {
		if (h->devs[i].kind != MICA_HVT_DEV_NET)
			continue;
		fds[n] = (struct pollfd){ .fd = h->devs[i].fd, .events = POLLIN };
		idx[n++] = i;
	}
	struct timespec ts, *tsp = NULL;
	if (a->timeout_ns != UINT64_MAX) {
		ts.tv_sec = (time_t)(a->timeout_ns / 1000000000u);
		ts.tv_nsec = (long)(a->timeout_ns % 1000000000u);
		tsp = &ts;
	}
	sigset_t none;
	sigemptyset(&none);
	a->ready = 0;
	if (hvt_stop_requested) {
		a->ret = -19; /* MICA_ESTOP */
		return;
	}
	int rc = ppoll(fds, n, tsp, &none);
	if (rc < 0) {
		a->ret = errno == EINTR && hvt_stop_requested ? -19 : 0;
		return;
	}
	int ready = 0;
	for (unsigned i = 0; i < n; i++) {
		if (fds[i].revents & (POLLIN | POLLERR | POLLHUP)) {
			a->ready |= 1ull << idx[i];
			ready++;
		}
	}
	a->ret = ready;
}
