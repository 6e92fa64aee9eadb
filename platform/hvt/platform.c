/* platform.c - console, poll, exit and seal of the hvt guest, and the
 * hooks of the shared guest core (wall clock, trap report, entropy seed),
 * each a thin layer over one hypercall (include/mica/hvt_abi.h). */
#include <mica/err.h>
#include <mica/loop.h>
#include "hvt.h"

/* The monitor builds the IDT from this address (see hvt_abi.h): no guest
 * instructions are spent on exception setup at boot. */
__attribute__((section(".mica.traps"), used)) static const void *const trap_stubs = guest_trap_stubs;

/* The wall clock for the shared core: one WALLTIME call (the TSC runs it
 * from then on, see platform/guest/clock.c). */
uint64_t guest_plat_wall_ns(void)
{
	struct mica_hvt_time t = {0, 0};
	hvt_call(MICA_HVT_CALL_WALLTIME, &t);
	return t.ns;
}

void mica_plat_console_write(const char *s, size_t len)
{
	struct mica_hvt_console c = {(uintptr_t)s, len, 0};
	hvt_call(MICA_HVT_CALL_CONSOLE, &c);
}

/* One POLL exit: send queued frames and block requests, sleep (not when
 * block requests went), receive (see net.c and blk.c). */
int mica_plat_poll(uint64_t deadline)
{
	struct mica_hvt_poll p = {.timeout_ns = MICA_FOREVER};
	if (deadline != MICA_FOREVER) {
		uint64_t now = mica_plat_monotonic_ns();
		p.timeout_ns = deadline > now ? deadline - now : 0;
	}
	struct mica_netif *io = hvt_net_poll_prepare(&p);
	p.blk_batch = hvt_blk_poll_prepare();
	hvt_call(MICA_HVT_CALL_POLL, &p);
	hvt_net_poll_done(io, &p);
	int completed = p.blk_batch ? hvt_blk_poll_done() : 0;
	if (p.ret < 0)
		return (int)p.ret;
	return hvt_net_notify(p.ready) + completed;
}

_Noreturn void mica_plat_exit(int code)
{
	hvt_net_flush_all(); /* frames still queued for the next POLL */
	struct mica_hvt_halt h = {code & 0xff};
	for (;;)
		hvt_call(MICA_HVT_CALL_HALT, &h);
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

/* A CPU exception: the monitor names it, prints the registers, exits 255. */
_Noreturn void guest_plat_trap(const struct guest_trap_frame *f)
{
	static const char msg[] = "CPU exception";
	struct mica_hvt_abort a = {.msg = (uintptr_t)msg, .msg_len = sizeof(msg) - 1, .has_frame = 1};
	_Static_assert(sizeof(a.frame) == sizeof(*f), "trap frame layouts differ");
	__builtin_memcpy(&a.frame, f, sizeof(*f));
	for (;;)
		hvt_call(MICA_HVT_CALL_ABORT, &a);
}

/* The seed the monitor read from the host's getrandom, wiped once taken. */
int guest_plat_seed(uint8_t *seed, size_t len)
{
	volatile uint8_t *src = (volatile uint8_t *)(uintptr_t)hvt.bi->seed;
	if (!src || len > MICA_HVT_SEED_LEN)
		return MICA_EIO;
	for (size_t i = 0; i < len; i++) {
		seed[i] = src[i];
		src[i] = 0;
	}
	return MICA_OK;
}
