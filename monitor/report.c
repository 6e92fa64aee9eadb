/* report.c - error messages and guest crash reports of mica-hvt.
 *
 * Everything is formatted into a stack buffer and written with one write(2)
 * so that it works the same before and after the seccomp filter. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <linux/kvm.h>
#include "hvt.h"

uint64_t hvt_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void vreport(const char *fmt, va_list ap)
{
	char line[1024];
	int n = snprintf(line, sizeof(line), "mica-hvt: ");
	int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	if (m < 0)
		m = 0;
	size_t len = (size_t)n + (size_t)m;
	if (len > sizeof(line) - 2)
		len = sizeof(line) - 2;
	line[len++] = '\n';
	ssize_t w = write(2, line, len);
	(void)w;
}

void hvt_err(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(fmt, ap);
	va_end(ap);
}

_Noreturn void hvt_die(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(fmt, ap);
	va_end(ap);
	exit(code);
}

/* Print the general registers and the control state of the vCPU. */
void hvt_dump_vcpu(struct hvt *h)
{
	struct kvm_regs r;
	struct kvm_sregs s;
	if (ioctl(h->vcpu_fd, KVM_GET_REGS, &r) < 0 || ioctl(h->vcpu_fd, KVM_GET_SREGS, &s) < 0) {
		hvt_err("cannot read vCPU registers: %s", strerror(errno));
		return;
	}
	hvt_err("  RIP=%016llx RSP=%016llx RFLAGS=%016llx", r.rip, r.rsp, r.rflags);
	hvt_err("  RAX=%016llx RBX=%016llx RCX=%016llx RDX=%016llx", r.rax, r.rbx, r.rcx, r.rdx);
	hvt_err("  RSI=%016llx RDI=%016llx RBP=%016llx R8 =%016llx", r.rsi, r.rdi, r.rbp, r.r8);
	hvt_err("  R9 =%016llx R10=%016llx R11=%016llx R12=%016llx", r.r9, r.r10, r.r11, r.r12);
	hvt_err("  R13=%016llx R14=%016llx R15=%016llx", r.r13, r.r14, r.r15);
	hvt_err("  CR0=%016llx CR2=%016llx CR3=%016llx CR4=%016llx EFER=%llx", s.cr0, s.cr2, s.cr3, s.cr4,
	        s.efer);
}

/* The guest broke: say why, show its state, exit non-zero. */
_Noreturn void hvt_guest_fault(struct hvt *h, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(fmt, ap);
	va_end(ap);
	hvt_dump_vcpu(h);
	hvt_exit(h, HVT_EXIT_GUEST_FAULT);
}
