/* trapdesc.c - crash report text of a guest CPU exception (trapdesc.h). */
#include <mica/libc.h>
#include "trapdesc.h"

static const char *const vector_names[32] = {
    "#DE divide error",
    "#DB debug",
    "NMI",
    "#BP breakpoint",
    "#OF overflow",
    "#BR bound range",
    "#UD invalid opcode",
    "#NM device not available",
    "#DF double fault",
    "coprocessor segment overrun",
    "#TS invalid TSS",
    "#NP segment not present",
    "#SS stack fault",
    "#GP general protection",
    "#PF page fault",
    "reserved 15",
    "#MF x87 error",
    "#AC alignment check",
    "#MC machine check",
    "#XM SIMD error",
    "#VE virtualization",
    "#CP control protection",
    "reserved 22",
    "reserved 23",
    "reserved 24",
    "reserved 25",
    "reserved 26",
    "reserved 27",
    "#HV",
    "#VC",
    "#SX security",
    "reserved 31",
};

/* What a page fault's error code says happened. */
static const char *pf_cause(uint64_t err)
{
	if (err & 0x10)
		return (err & 1) ? "instruction fetch from a no-execute page"
		                 : "instruction fetch from an unmapped page";
	if (!(err & 1))
		return (err & 2) ? "write to an unmapped page" : "read from an unmapped page";
	if (err & 2)
		return "write to a read-only page";
	return "protection violation";
}

void guest_trap_describe(const struct guest_trap_frame *f, uint64_t stack_guard, char *buf, size_t len)
{
	const char *name = f->vector < 32 ? vector_names[f->vector] : "unknown vector";
	unsigned long long vec = f->vector, err = f->error_code, rip = f->rip, cr2 = f->cr2;
	if (f->vector != 14) {
		snprintf(buf, len, "guest exception %s (vector %llu, error code 0x%llx) at RIP=0x%llx", name,
		         vec, err, rip);
		return;
	}
	const char *where = "";
	if (f->cr2 < 4096)
		where = " (null pointer)";
	else if (stack_guard && f->cr2 >= stack_guard && f->cr2 < stack_guard + 4096)
		where = " (stack guard page: stack overflow)";
	snprintf(buf, len, "guest exception %s (vector %llu, error code 0x%llx): %s at 0x%llx%s, RIP=0x%llx",
	         name, vec, err, pf_cause(f->error_code), cr2, where, rip);
}

void guest_trap_regs(const struct guest_trap_frame *f, unsigned line, char *buf, size_t len)
{
	const unsigned long long *r = (const unsigned long long *)f->regs;
	switch (line) {
	case 0:
		snprintf(buf, len, "  RIP=%016llx RSP=%016llx RFLAGS=%016llx CS=%llx SS=%llx",
		         (unsigned long long)f->rip, (unsigned long long)f->rsp,
		         (unsigned long long)f->rflags, (unsigned long long)f->cs, (unsigned long long)f->ss);
		break;
	case 1:
		snprintf(buf, len, "  RAX=%016llx RBX=%016llx RCX=%016llx RDX=%016llx", r[0], r[1], r[2],
		         r[3]);
		break;
	case 2:
		snprintf(buf, len, "  RSI=%016llx RDI=%016llx RBP=%016llx R8 =%016llx", r[4], r[5], r[6],
		         r[7]);
		break;
	case 3:
		snprintf(buf, len, "  R9 =%016llx R10=%016llx R11=%016llx R12=%016llx", r[8], r[9], r[10],
		         r[11]);
		break;
	default:
		snprintf(buf, len, "  R13=%016llx R14=%016llx R15=%016llx CR2=%016llx", r[12], r[13], r[14],
		         (unsigned long long)f->cr2);
		break;
	}
}
