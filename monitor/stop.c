/* stop.c - SIGINT/SIGTERM stop the monitor within a second, whatever the
 * guest is doing.
 *
 * The stop signals are never blocked and interrupt any system call (no
 * SA_RESTART). Their handler records the request, sets the vCPU's
 * immediate_exit (so a KVM_RUN that is about to start returns at once;
 * one already running returns with EINTR because a signal arrived) and
 * writes a byte to a pipe that POLL's ppoll also watches (so a request
 * made just before ppoll still wakes it). Then:
 *   - a guest that POLLs gets MICA_ESTOP and shuts down cleanly; the
 *     monitor exits with the guest's own code (HALT);
 *   - a guest that does not end within HVT_STOP_GRACE_MS (looping without
 *     a VM exit, in its fault path, ignoring MICA_ESTOP) is ended by the
 *     monitor: a 50 ms interval timer (SIGALRM) keeps interrupting
 *     KVM_RUN until the grace period is over; it prints why, where the
 *     guest was, and exits 128 + the signal number (130 SIGINT, 143
 *     SIGTERM);
 *   - a second stop signal ends the monitor at once, from the handler,
 *     also with 128 + the signal number. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <linux/kvm.h>
#include "hvt.h"

#define TICK_MS 50

volatile sig_atomic_t hvt_stop_requested;
static volatile sig_atomic_t stop_signo;
static volatile uint64_t stop_ns; /* when the first stop signal arrived */
static struct kvm_run *volatile run_page;
static int wake_pipe[2] = {-1, -1};

static void say(const char *s)
{
	ssize_t n = write(2, s, strlen(s));
	(void)n;
}

static void on_stop_signal(int sig)
{
	int saved = errno;
	if (hvt_stop_requested) {
		say(sig == SIGINT ? "mica-hvt: second stop signal (SIGINT): ended at once, exit 130\n"
		                  : "mica-hvt: second stop signal (SIGTERM): ended at once, exit 143\n");
		_exit(128 + sig);
	}
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts); /* async-signal-safe */
	stop_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	stop_signo = sig;
	hvt_stop_requested = 1;
	if (run_page)
		run_page->immediate_exit = 1;
	ssize_t n = write(wake_pipe[1], "", 1);
	(void)n;
	errno = saved;
}

static void on_tick(int sig)
{
	(void)sig;
	if (run_page)
		run_page->immediate_exit = 1;
}

void hvt_signals_setup(struct hvt *h)
{
	if (pipe2(wake_pipe, O_NONBLOCK | O_CLOEXEC) < 0)
		hvt_die(HVT_EXIT_SETUP, "pipe2: %s", strerror(errno));
	run_page = h->run;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop_signal; /* no SA_RESTART: interrupt blocking calls */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_tick;
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN); /* a closed stdout must not kill the guest */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGALRM);
	sigprocmask(SIG_UNBLOCK, &set, NULL); /* a parent may have blocked them */
}

int hvt_stop_wake_fd(void)
{
	return wake_pipe[0];
}

const char *hvt_stop_signal_name(void)
{
	return stop_signo == SIGINT ? "SIGINT" : "SIGTERM";
}

/* Called before every KVM_RUN. immediate_exit is cleared before the flag
 * is read: a signal after the read sets it again, so it is never lost. */
void hvt_stop_check(struct hvt *h)
{
	h->run->immediate_exit = 0;
	if (!hvt_stop_requested)
		return;
	uint64_t now = hvt_now_ns();
	if (h->stop_deadline == 0) {
		h->stop_requested_at = stop_ns;
		h->stop_deadline = h->stop_requested_at + (uint64_t)HVT_STOP_GRACE_MS * 1000000u;
		struct itimerval tick = {{0, TICK_MS * 1000}, {0, TICK_MS * 1000}};
		if (setitimer(ITIMER_REAL, &tick, NULL) < 0)
			hvt_err("setitimer: %s (a guest that never exits cannot be stopped)",
			        strerror(errno));
		return;
	}
	if (now < h->stop_deadline)
		return;
	hvt_err("stopped by %s: the guest did not stop within %d ms (it made no hypercall that "
	        "lets it see the request, or ignored it); it was at:",
	        hvt_stop_signal_name(), HVT_STOP_GRACE_MS);
	hvt_dump_vcpu(h);
	hvt_exit(h, 128 + stop_signo);
}
