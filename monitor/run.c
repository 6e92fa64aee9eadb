/* run.c - the vCPU run loop: enter the guest, serve its exits.
 *
 * Port I/O on the hypercall ports is a hypercall; anything else the guest
 * does that leaves the VM (other ports, MMIO, hlt, a triple fault, an entry
 * failure, an emulation failure) ends it with a report and exit code 255. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>
#include "hvt.h"

static void print_stats(struct hvt *h)
{
	char calls[512];
	size_t n = 0;
	for (unsigned i = 1; i < MICA_HVT_CALL_MAX && n < sizeof(calls); i++)
		if (h->st.calls[i])
			n += (size_t)snprintf(calls + n, sizeof(calls) - n, " %s=%llu", hvt_call_name(i),
			                      (unsigned long long)h->st.calls[i]);
	calls[n < sizeof(calls) ? n : sizeof(calls) - 1] = '\0';
	uint64_t run = h->st.t_run ? h->st.t_run : h->st.t_end;
	if (h->trace)
		hvt_err("stats: instructions=%llu (single-stepped)", (unsigned long long)h->st.steps);
	hvt_err("stats: setup_us=%.1f guest_us=%.1f total_us=%.1f exits=%llu io_exits=%llu "
	        "intr_exits=%llu hypercalls:%s",
	        (double)(run - h->st.t_start) / 1e3, (double)(h->st.t_end - run) / 1e3,
	        (double)(h->st.t_end - h->st.t_start) / 1e3, (unsigned long long)h->st.exits,
	        (unsigned long long)h->st.io_exits, (unsigned long long)h->st.intr_exits, calls);
	if (h->sealed)
		hvt_err("stats: sealed=yes (text, rodata, page tables read-only at the hypervisor level: "
		        "%llu KiB in %u of %u memory slots)",
		        (unsigned long long)(h->sealed_bytes >> 10), h->sealed_slots, h->nslots);
	else
		hvt_err("stats: sealed=no (%s)", h->seal_reason);
	for (unsigned i = 0; i < h->ndevs; i++)
		if (h->devs[i].kind == MICA_HVT_DEV_NET)
			hvt_err("stats: net %s rx=%llu tx=%llu rx_dropped=%llu", h->devs[i].name,
			        (unsigned long long)h->devs[i].rx_frames,
			        (unsigned long long)h->devs[i].tx_frames,
			        (unsigned long long)h->devs[i].rx_dropped);
		else
			hvt_err("stats: block %s requests=%llu read_bytes=%llu write_bytes=%llu syncs=%llu",
			        h->devs[i].name, (unsigned long long)h->devs[i].blk_reqs,
			        (unsigned long long)h->devs[i].blk_read_bytes,
			        (unsigned long long)h->devs[i].blk_write_bytes,
			        (unsigned long long)h->devs[i].blk_syncs);
}

_Noreturn void hvt_exit(struct hvt *h, int code)
{
	h->st.t_end = hvt_now_ns();
	if (h->stop_requested_at)
		hvt_err("stopped by %s %.1f ms after the signal (exit code %d)", hvt_stop_signal_name(),
		        (double)(h->st.t_end - h->stop_requested_at) / 1e6, code);
	if (h->stats_on || h->trace)
		print_stats(h);
	if (h->trace)
		fclose(h->trace);
	fflush(stdout);
	exit(code);
}

static void on_io(struct hvt *h)
{
	struct kvm_run *r = h->run;
	unsigned port = r->io.port;
	if (r->io.direction != KVM_EXIT_IO_OUT || r->io.size != 4 || r->io.count != 1 ||
	    port <= MICA_HVT_PORT_BASE || port >= MICA_HVT_PORT_BASE + MICA_HVT_CALL_MAX)
		hvt_guest_fault(h, "guest did port I/O that is not a hypercall: %s port 0x%x size %u",
		                r->io.direction == KVM_EXIT_IO_OUT ? "out" : "in", port, r->io.size);
	uint32_t gpa;
	memcpy(&gpa, (uint8_t *)r + r->io.data_offset, sizeof(gpa));
	hvt_hypercall(h, port - MICA_HVT_PORT_BASE, gpa);
}

static void on_mmio(struct hvt *h)
{
	struct kvm_run *r = h->run;
	uint64_t a = r->mmio.phys_addr;
	if (r->mmio.is_write && h->sealed && a < h->mem_size)
		hvt_guest_fault(h,
		                "guest wrote to sealed memory at 0x%llx (text, read-only data or "
		                "page tables; read-only at the hypervisor level)",
		                (unsigned long long)a);
	hvt_guest_fault(h, "guest %s guest-physical 0x%llx outside its memory (0x%llx bytes)",
	                r->mmio.is_write ? "wrote to" : "read from", (unsigned long long)a,
	                (unsigned long long)h->mem_size);
}

/* A triple fault. The common cause is a stack overflow: the exception
 * handler cannot push its frame onto the guard page either. */
static void on_shutdown(struct hvt *h)
{
	struct kvm_regs regs;
	const char *hint = "";
	if (ioctl(h->vcpu_fd, KVM_GET_REGS, &regs) == 0 && regs.rsp >= h->guard - 4096 &&
	    regs.rsp < h->guard + 2 * 4096)
		hint = "; RSP is at the stack guard page: stack overflow";
	hvt_guest_fault(h,
	                "guest triple fault (an exception while handling an exception, or no "
	                "exception handlers) - the vCPU was shut down%s",
	                hint);
}

static void on_vm_exit(struct hvt *h)
{
	struct kvm_run *r = h->run;
	switch (r->exit_reason) {
	case KVM_EXIT_IO:
		h->st.io_exits++;
		on_io(h);
		return;
	case KVM_EXIT_MMIO: on_mmio(h); return;
	case KVM_EXIT_DEBUG:
		h->st.steps++;
		if (h->trace)
			fprintf(h->trace, "%llx\n", (unsigned long long)r->debug.arch.pc);
		return;
	case KVM_EXIT_HLT:
		hvt_guest_fault(h, "guest executed hlt with interrupts off (a hang; use the HALT hypercall)");
	case KVM_EXIT_SHUTDOWN: on_shutdown(h); return;
	case KVM_EXIT_FAIL_ENTRY:
		hvt_guest_fault(h, "KVM could not enter the guest (hardware reason 0x%llx)",
		                (unsigned long long)r->fail_entry.hardware_entry_failure_reason);
	case KVM_EXIT_INTERNAL_ERROR:
		hvt_guest_fault(h,
		                "KVM internal error (suberror %u%s): the guest ran an instruction "
		                "this KVM cannot emulate",
		                r->internal.suberror,
		                r->internal.suberror == KVM_INTERNAL_ERROR_EMULATION ? ", emulation failure"
		                                                                     : "");
	default: hvt_guest_fault(h, "unexpected KVM exit reason %u", r->exit_reason);
	}
}

/* --trace=FILE: single-step the guest, count its instructions and write
 * the address of each to FILE (a profile: see bench/boot.sh). */
static void enable_single_step(struct hvt *h)
{
	struct kvm_guest_debug dbg = {.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP};
	if (ioctl(h->vcpu_fd, KVM_SET_GUEST_DEBUG, &dbg) < 0)
		hvt_die(HVT_EXIT_SETUP, "KVM_SET_GUEST_DEBUG (single-step): %s", strerror(errno));
}

_Noreturn void hvt_run(struct hvt *h)
{
	if (h->trace)
		enable_single_step(h);
	h->st.t_run = hvt_now_ns();
	for (;;) {
		hvt_stop_check(h);
		if (ioctl(h->vcpu_fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				h->st.intr_exits++;
				continue;
			}
			hvt_guest_fault(h, "KVM_RUN: %s", strerror(errno));
		}
		h->st.exits++;
		on_vm_exit(h);
	}
}
