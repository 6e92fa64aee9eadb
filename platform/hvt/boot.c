/* boot.c - from the monitor's entry to mica_boot(argc, argv).
 *
 * Checks the boot-info block, starts the shared guest core (clock, pages)
 * and hands over to the runtime with the argv the monitor prepared.
 * Deliberately little work: every guest instruction counts at boot (the
 * monitor builds page tables, IDT and argv; see hvt_abi.h). */
#include <mica/app.h>
#include "hvt.h"

struct hvt_state hvt;

_Noreturn void hvt_main(const struct mica_hvt_boot_info *bi);

__attribute__((used)) _Noreturn void hvt_main(const struct mica_hvt_boot_info *bi)
{
	guest_clock_start(guest_rdtsc(), bi->tsc_mult, bi->tsc_shift);
	hvt.bi = bi;
	guest_pages_init((uintptr_t)bi->heap_start, (uintptr_t)bi->heap_end, false);
	if (bi->magic != MICA_HVT_BOOT_MAGIC || bi->abi_version != MICA_HVT_ABI_VERSION) {
		static const char msg[] = "boot info: bad magic or ABI version";
		struct mica_hvt_abort a = {.msg = (uintptr_t)msg, .msg_len = sizeof(msg) - 1};
		hvt_call(MICA_HVT_CALL_ABORT, &a);
	}
	mica_boot((int)bi->argc, (char **)(uintptr_t)bi->argv);
}
