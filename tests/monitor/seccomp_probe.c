/* seccomp_probe.c - checks the monitor's seccomp filter (monitor/seccomp.c)
 * by running it: each probe forks a child that installs the very filter
 * mica-hvt installs after setup and then makes one system call. What the
 * monitor needs to serve a guest must still work; anything else must kill
 * the child with SIGSYS. Prints one line per probe; exits 1 if any probe
 * ends otherwise. Built by monitor/module.mk, run by
 * tests/integration/hvt/seccomp.sh. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/kvm.h>
#include "../../monitor/hvt.h"

void hvt_err(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

enum probe {
	ALLOWED,         /* write, clock_gettime, ppoll, setitimer, KVM_RUN on the vCPU fd */
	OPEN_FILE,       /* openat */
	NEW_SOCKET,      /* socket */
	EXEC,            /* execve */
	MAP_MEMORY,      /* mmap */
	IOCTL_OTHER_REQ, /* an ioctl the filter does not name, on the vCPU fd */
	IOCTL_OTHER_FD,  /* KVM_RUN on another fd */
	NPROBES
};

static const char *const names[NPROBES] = {
    "needed calls",          "openat", "socket", "execve", "mmap", "ioctl FIONREAD on the vCPU fd",
    "KVM_RUN on another fd",
};

/* In the child: install the filter, make the call, report survival by exit code. */
static void run_probe(enum probe p, int vcpu_fd, int other_fd)
{
	struct hvt h;
	memset(&h, 0, sizeof(h));
	h.vcpu_fd = vcpu_fd;
	if (hvt_seccomp_install(&h) != 0)
		_exit(3);
	struct timespec ts = {0, 0};
	int n = 0;
	switch (p) {
	case ALLOWED:
		if (write(1, "", 0) < 0 || clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
			_exit(5);
		ts = (struct timespec){0, 0};
		if (ppoll(NULL, 0, &ts, NULL) < 0)
			_exit(6);
		struct itimerval off = {{0, 0}, {0, 0}}; /* stop.c's stop timer */
		if (setitimer(ITIMER_REAL, &off, NULL) < 0)
			_exit(7);
		(void)ioctl(vcpu_fd, KVM_RUN, 0); /* not a vCPU here: fails, but is allowed */
		_exit(0);
	case OPEN_FILE: (void)open("/etc/hostname", O_RDONLY); break;
	case NEW_SOCKET: (void)socket(AF_INET, SOCK_DGRAM, 0); break;
	case EXEC: execl("/bin/true", "true", (char *)NULL); break;
	case MAP_MEMORY: (void)mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0); break;
	case IOCTL_OTHER_REQ: (void)ioctl(vcpu_fd, FIONREAD, &n); break;
	case IOCTL_OTHER_FD: (void)ioctl(other_fd, KVM_RUN, 0); break;
	default: break;
	}
	_exit(4); /* survived a call the filter should have refused */
}

int main(void)
{
	int vcpu_fd = open("/dev/null", O_RDWR), other_fd = open("/dev/null", O_RDWR);
	if (vcpu_fd < 0 || other_fd < 0) {
		perror("open /dev/null");
		return 2;
	}
	int bad = 0;
	for (int p = 0; p < NPROBES; p++) {
		fflush(stdout);
		pid_t pid = fork();
		if (pid < 0) {
			perror("fork");
			return 2;
		}
		if (pid == 0)
			run_probe((enum probe)p, vcpu_fd, other_fd);
		int st;
		if (waitpid(pid, &st, 0) != pid) {
			perror("waitpid");
			return 2;
		}
		bool ok = p == ALLOWED ? WIFEXITED(st) && WEXITSTATUS(st) == 0
		                       : WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS;
		char how[64];
		if (WIFSIGNALED(st))
			snprintf(how, sizeof(how), "killed by signal %d%s", WTERMSIG(st),
			         WTERMSIG(st) == SIGSYS ? " (SIGSYS)" : "");
		else
			snprintf(how, sizeof(how), "exited %d", WEXITSTATUS(st));
		printf("%s %s: %s\n", ok ? "ok" : "WRONG", names[p], how);
		bad += !ok;
	}
	return bad ? 1 : 0;
}
