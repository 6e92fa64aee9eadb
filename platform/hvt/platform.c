/* platform.c - clock, console, poll, exit, pages and seal of the hvt
 * guest, each a thin layer over one hypercall (include/mica/hvt_abi.h). */
#include <mica/err.h>
#include <mica/loop.h>
#include "hvt.h"

uint64_t mica_plat_monotonic_ns(void)
{
	uint64_t d = hvt_rdtsc() - hvt.tsc0;
	return (uint64_t)(((unsigned __int128)d * hvt.bi->tsc_mult) >> hvt.bi->tsc_shift);
}

/* One WALLTIME call on first use; then wall = offset + monotonic. */
uint64_t mica_plat_wall_ns(void)
{
	if (hvt.wall_offset == 0) {
		struct mica_hvt_time t = {0, 0};
		hvt_call(MICA_HVT_CALL_WALLTIME, &t);
		hvt.wall_offset = t.ns - mica_plat_monotonic_ns();
	}
	return hvt.wall_offset + mica_plat_monotonic_ns();
}

void mica_plat_console_write(const char *s, size_t len)
{
	struct mica_hvt_console c = {(uintptr_t)s, len, 0};
	hvt_call(MICA_HVT_CALL_CONSOLE, &c);
}

/* One POLL exit: send queued frames, sleep, receive (see net.c). */
int mica_plat_poll(uint64_t deadline)
{
	struct mica_hvt_poll p = {.timeout_ns = MICA_FOREVER};
	if (deadline != MICA_FOREVER) {
		uint64_t now = mica_plat_monotonic_ns();
		p.timeout_ns = deadline > now ? deadline - now : 0;
	}
	struct mica_netif *io = hvt_net_poll_prepare(&p);
	hvt_call(MICA_HVT_CALL_POLL, &p);
	hvt_net_poll_done(io, &p);
	if (p.ret < 0)
		return (int)p.ret;
	return hvt_net_notify(p.ready);
}

_Noreturn void mica_plat_exit(int code)
{
	hvt_net_flush_all(); /* frames still queued for the next POLL */
	struct mica_hvt_halt h = {code & 0xff};
	for (;;)
		hvt_call(MICA_HVT_CALL_HALT, &h);
}

/* Pages come from a bump pointer over the heap; they are zero because the
 * monitor hands over zeroed memory and pages are never given back. */
void *mica_plat_alloc_pages(size_t npages)
{
	uintptr_t end = (uintptr_t)hvt.bi->heap_end;
	if (npages == 0 || npages > (end - hvt.brk) / MICA_PAGE_SIZE)
		return NULL;
	void *p = (void *)hvt.brk;
	hvt.brk += npages * MICA_PAGE_SIZE;
	return p;
}

/* The monitor seals text, rodata and page tables before the first guest
 * instruction when the host can; then there is nothing left to ask for. */
int mica_plat_seal(void)
{
	if (hvt.bi->flags & MICA_HVT_BOOT_SEALED)
		return MICA_OK;
	struct mica_hvt_seal s = {0};
	hvt_call(MICA_HVT_CALL_SEAL, &s);
	return (int)s.ret;
}
