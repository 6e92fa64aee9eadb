/* seal.c - guest memory slots, sealed where the guest never writes.
 *
 * Below the heap, every page the guest may not write is sealed: page 0,
 * the GDT/TSS/IDT, the boot info, the page tables (all below
 * MICA_HVT_IMAGE_BASE), every text and read-only segment wherever it lies
 * (also after a writable one) and the unmapped gaps between segments.
 * Each run of such pages is one KVM memory slot registered with
 * KVM_MEM_READONLY, from the first instruction: even a guest that turns
 * off CR0.WP or rewrites its page tables cannot write there (the write
 * exits to the monitor, which ends the guest). Writable segments, heap,
 * stacks and argv are ordinary RAM slots.
 *
 * Without KVM_CAP_READONLY_MEM nothing is sealed: --stats says
 * `sealed=no (reason)` and --require-seal refuses to run. */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>
#include <mica/err.h>
#include "hvt.h"

#define PAGE 4096ull

/* Sealed when the guest may not write it and it lies below the heap. */
static bool sealed_page(const struct hvt *h, uint64_t a)
{
	return a < h->heap_start && hvt_perm_of(h, a) != PERM_RW;
}

static int add_slot(struct hvt *h, uint64_t start, uint64_t end, bool ro)
{
	struct kvm_userspace_memory_region r = {
	    .slot = h->nslots,
	    .flags = ro ? KVM_MEM_READONLY : 0,
	    .guest_phys_addr = start,
	    .memory_size = end - start,
	    .userspace_addr = (uint64_t)(uintptr_t)(h->mem + start),
	};
	if (ioctl(h->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0) {
		hvt_err("KVM_SET_USER_MEMORY_REGION(slot %u, [0x%llx, 0x%llx)%s): %s", h->nslots,
		        (unsigned long long)start, (unsigned long long)end, ro ? ", read-only" : "",
		        strerror(errno));
		return -1;
	}
	h->nslots++;
	if (ro) {
		h->sealed_slots++;
		h->sealed_bytes += end - start;
	}
	return 0;
}

/* One slot per run of pages below the heap that are all sealed or all
 * RAM; the last RAM run goes on to the end of memory. */
static int add_sealed_slots(struct hvt *h)
{
	int max = ioctl(h->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS);
	uint64_t run = 0;
	bool ro = sealed_page(h, 0);
	for (uint64_t a = PAGE; a <= h->heap_start; a += PAGE) {
		bool next = a < h->heap_start && sealed_page(h, a);
		if (next == ro)
			continue;
		if (max > 0 && h->nslots + 2 > (unsigned)max) {
			hvt_err("the image needs more than the %d memory slots this KVM has", max);
			return -1;
		}
		if (add_slot(h, run, a, ro) < 0)
			return -1;
		run = a;
		ro = next;
	}
	return add_slot(h, run, h->mem_size, false);
}

int hvt_memory_slots(struct hvt *h)
{
	h->sealed = ioctl(h->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_READONLY_MEM) > 0;
	if (!h->sealed) {
		h->seal_reason = "this KVM has no KVM_CAP_READONLY_MEM";
		if (h->require_seal) {
			hvt_err("cannot seal the guest's memory (%s); refusing to run it unsealed "
			        "(--require-seal)",
			        h->seal_reason);
			return -1;
		}
		return add_slot(h, 0, h->mem_size, false);
	}
	return add_sealed_slots(h);
}

/* The SEAL hypercall: memory was sealed at boot when the host allows it. */
int hvt_seal_memory(struct hvt *h)
{
	if (!h->sealed)
		return MICA_ENOTSUP;
	if (h->seal_called)
		return MICA_EEXIST;
	h->seal_called = true;
	return MICA_OK;
}
