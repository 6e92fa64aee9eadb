/* seccomp.c - after setup, allow the monitor only the syscalls it still
 * needs to serve the guest; any other syscall kills the process.
 *
 * Needed: KVM_RUN and register reads (for crash reports) on the vCPU
 * (memory was sealed during setup); read/readv/write on taps, stdout and
 * stderr; pread/pwrite/fdatasync on block files; ppoll; clock_gettime;
 * setitimer (the stop timer, stop.c); exit. Uses libseccomp. */
#include <errno.h>
#include <seccomp.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>
#include "hvt.h"

#ifdef __SANITIZE_ADDRESS__
/* The leak check at exit needs ptrace, which the filter refuses; the
 * monitor frees nothing at exit on purpose (the process ends). */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}
#endif

static int allow(scmp_filter_ctx f, int nr)
{
	return seccomp_rule_add(f, SCMP_ACT_ALLOW, nr, 0);
}

static int allow_ioctl(scmp_filter_ctx f, int fd, unsigned long req)
{
	return seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 2, SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)fd),
	                        SCMP_A1(SCMP_CMP_EQ, (scmp_datum_t)req));
}

int hvt_seccomp_install(struct hvt *h)
{
	scmp_filter_ctx f = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!f)
		return -1;
	static const int plain[] = {
	    SCMP_SYS(read),          SCMP_SYS(readv),      SCMP_SYS(write),     SCMP_SYS(writev),
	    SCMP_SYS(pread64),       SCMP_SYS(pwrite64),   SCMP_SYS(fdatasync), SCMP_SYS(ppoll),
	    SCMP_SYS(clock_gettime), SCMP_SYS(exit_group), SCMP_SYS(exit),      SCMP_SYS(rt_sigreturn),
	    SCMP_SYS(setitimer),
	};
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < sizeof(plain) / sizeof(plain[0]); i++)
		rc = allow(f, plain[i]);
#ifdef __SANITIZE_ADDRESS__
	/* The ASan+UBSan build (build/monitor-san, for the fuzzers) runs under
	 * the filter too; its runtime also queries the signal stack before
	 * every _Noreturn call. Nothing else is added. */
	if (rc == 0)
		rc = allow(f, SCMP_SYS(sigaltstack));
#endif
	if (rc == 0)
		rc = allow_ioctl(f, h->vcpu_fd, KVM_RUN);
	if (rc == 0)
		rc = allow_ioctl(f, h->vcpu_fd, KVM_GET_REGS);
	if (rc == 0)
		rc = allow_ioctl(f, h->vcpu_fd, KVM_GET_SREGS);
	if (rc == 0)
		rc = seccomp_load(f);
	if (rc < 0)
		hvt_err("installing the seccomp filter: %s", strerror(-rc));
	seccomp_release(f);
	return rc;
}
