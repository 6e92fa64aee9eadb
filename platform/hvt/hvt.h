/* hvt.h - private header of the hvt guest platform (platform/hvt).
 *
 * The guest side of include/mica/hvt_abi.h: the hypercall instruction and
 * the platform's state, which is global because platform.h is a global
 * interface (one machine, one platform). Clock, pages, traps and entropy
 * are the shared guest core's (platform/guest/guest.h). */
#ifndef MICA_PLATFORM_HVT_H
#define MICA_PLATFORM_HVT_H

#include <stdint.h>
#include <mica/hvt_abi.h>
#include <mica/platform.h>
#include "../guest/guest.h"

/* One hypercall: `outl EAX=&arg, port`. The monitor reads and writes *arg. */
static inline void hvt_call(unsigned nr, void *arg)
{
	__asm__ volatile("outl %0, %1"
	                 :
	                 : "a"((uint32_t)(uintptr_t)arg), "Nd"((uint16_t)(MICA_HVT_PORT_BASE + nr))
	                 : "memory");
}

struct hvt_netif;
struct hvt_blkif;

struct hvt_state {
	const struct mica_hvt_boot_info *bi;
};

extern struct hvt_state hvt;

/* net.c: frames carried on POLL, ready callbacks, flush before exit. */
struct mica_netif *hvt_net_poll_prepare(struct mica_hvt_poll *p);
void hvt_net_poll_done(struct mica_netif *io, const struct mica_hvt_poll *p);
int hvt_net_notify(uint64_t ready);
void hvt_net_flush_all(void);

/* blk.c: asynchronous block requests carried on POLL. prepare returns the
 * address for POLL's blk_batch (0: nothing to send); done delivers the
 * completions and returns how many. */
uint64_t hvt_blk_poll_prepare(void);
int hvt_blk_poll_done(void);

#endif
