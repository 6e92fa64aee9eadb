/* hypercall.c - dispatch the guest's hypercalls.
 *
 * The guest does `outl EAX, port`; the port names the call and EAX holds the
 * guest-physical address of the call's struct. The struct is copied in
 * (after checking it lies in guest memory, and for structs the monitor
 * writes results into, in guest-writable memory), handled, and copied back.
 * A bad address ends the guest with a report naming the call. */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "hvt.h"
#include "../platform/guest/trapdesc.h"

#define CONSOLE_MAX (64u << 10)
#define ABORT_MSG_MAX 1024u

/* Every hypercall once: number, argument struct. The name table, the
 * size table and the copy buffer below are all made from this list, so a
 * call cannot be added without its struct fitting the buffer. */
#define HVT_CALLS(X)                              \
	X(CONSOLE, struct mica_hvt_console)       \
	X(WALLTIME, struct mica_hvt_time)         \
	X(MONOTONIC, struct mica_hvt_time)        \
	X(POLL, struct mica_hvt_poll)             \
	X(NET_INFO, struct mica_hvt_net_info)     \
	X(NET_WRITE, struct mica_hvt_net_io)      \
	X(NET_READ, struct mica_hvt_net_io)       \
	X(BLOCK_INFO, struct mica_hvt_block_info) \
	X(BLOCK_READ, struct mica_hvt_block_io)   \
	X(BLOCK_WRITE, struct mica_hvt_block_io)  \
	X(BLOCK_FLUSH, struct mica_hvt_block_io)  \
	X(HALT, struct mica_hvt_halt)             \
	X(ABORT, struct mica_hvt_abort)           \
	X(SEAL, struct mica_hvt_seal)             \
	X(BLOCK_BATCH, struct mica_hvt_block_batch)

#define NAME_OF(call, type) [MICA_HVT_CALL_##call] = #call,
#define SIZE_OF(call, type) [MICA_HVT_CALL_##call] = sizeof(type),
#define MEMBER(call, type) type call;
#define ONE(call, type) +1

static const char *const call_names[MICA_HVT_CALL_MAX] = {HVT_CALLS(NAME_OF)};
static const size_t call_sizes[MICA_HVT_CALL_MAX] = {HVT_CALLS(SIZE_OF)};

/* The aligned local copy of a call's struct (the guest's may sit at any
 * address): big enough for every call's struct by construction. */
union call_buf {
	HVT_CALLS(MEMBER)
	uint64_t align;
};

_Static_assert(0 HVT_CALLS(ONE) == MICA_HVT_CALL_MAX - 1,
               "every hypercall of hvt_abi.h must be in HVT_CALLS (its struct must fit the copy buffer)");
#define FITS(call, type)                                                                              \
	_Static_assert(sizeof(type) <= sizeof(union call_buf), #call ": struct larger than the copy " \
	                                                             "buffer");
HVT_CALLS(FITS)

static void call_console(struct hvt *h, struct mica_hvt_console *a)
{
	if (a->len > CONSOLE_MAX)
		hvt_guest_fault(h, "hypercall CONSOLE: length %llu exceeds %u", (unsigned long long)a->len,
		                CONSOLE_MAX);
	const char *p = hvt_gpa_read(h, a->data, a->len);
	if (!p)
		hvt_guest_fault(h,
		                "hypercall CONSOLE: bad guest pointer: buffer [0x%llx, +%llu) is "
		                "outside guest memory (0x%llx bytes)",
		                (unsigned long long)a->data, (unsigned long long)a->len,
		                (unsigned long long)h->mem_size);
	size_t done = 0;
	while (done < a->len) {
		ssize_t n = write(1, p + done, a->len - done);
		if (n < 0 && errno == EINTR && !hvt_stop_requested)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	a->ret = (int64_t)done;
}

static void call_time(struct mica_hvt_time *a, clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	a->ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	a->ret = 0;
}

/* The exception in the wording every Mica guest shares
 * (platform/guest/trapdesc.c), then the registers the guest saved. */
static void print_exception(struct hvt *h, const struct mica_hvt_trap_frame *abi)
{
	struct guest_trap_frame f;
	_Static_assert(sizeof(f) == sizeof(*abi), "trap frame layouts differ");
	memcpy(&f, abi, sizeof(f));
	char line[256];
	guest_trap_describe(&f, h->guard, line, sizeof(line));
	hvt_err("%s", line);
	for (unsigned i = 0; i < GUEST_TRAP_REG_LINES; i++) {
		guest_trap_regs(&f, i, line, sizeof(line));
		hvt_err("%s", line);
	}
}

static _Noreturn void call_abort(struct hvt *h, const struct mica_hvt_abort *a)
{
	uint64_t len = a->msg_len > ABORT_MSG_MAX ? ABORT_MSG_MAX : a->msg_len;
	const char *msg = hvt_gpa_read(h, a->msg, len);
	if (!msg)
		hvt_guest_fault(h,
		                "hypercall ABORT: bad guest pointer: message [0x%llx, +%llu) is "
		                "outside guest memory",
		                (unsigned long long)a->msg, (unsigned long long)len);
	if (a->has_frame) {
		print_exception(h, &a->frame);
	} else {
		char text[ABORT_MSG_MAX + 1]; /* printable characters only */
		for (uint64_t i = 0; i < len; i++)
			text[i] = msg[i] >= 0x20 && msg[i] < 0x7f ? msg[i] : '?';
		text[len] = '\0';
		hvt_err("guest aborted: %s", text);
	}
	hvt_exit(h, HVT_EXIT_GUEST_FAULT);
}

static void handle(struct hvt *h, unsigned nr, void *a)
{
	switch (nr) {
	case MICA_HVT_CALL_CONSOLE: call_console(h, a); break;
	case MICA_HVT_CALL_WALLTIME: call_time(a, CLOCK_REALTIME); break;
	case MICA_HVT_CALL_MONOTONIC: call_time(a, CLOCK_MONOTONIC); break;
	case MICA_HVT_CALL_POLL: hvt_call_poll(h, a); break;
	case MICA_HVT_CALL_NET_INFO: hvt_call_net_info(h, a); break;
	case MICA_HVT_CALL_NET_WRITE: hvt_call_net_write(h, a); break;
	case MICA_HVT_CALL_NET_READ: hvt_call_net_read(h, a); break;
	case MICA_HVT_CALL_BLOCK_INFO: hvt_call_block_info(h, a); break;
	case MICA_HVT_CALL_BLOCK_READ:
	case MICA_HVT_CALL_BLOCK_WRITE:
	case MICA_HVT_CALL_BLOCK_FLUSH: hvt_call_block_io(h, a, (int)nr); break;
	case MICA_HVT_CALL_BLOCK_BATCH: hvt_call_block_batch(h, a); break;
	case MICA_HVT_CALL_HALT: {
		int64_t code = ((struct mica_hvt_halt *)a)->code;
		hvt_exit(h, code < 0 || code > 255 ? HVT_EXIT_GUEST_FAULT : (int)code);
	}
	case MICA_HVT_CALL_ABORT: call_abort(h, a);
	case MICA_HVT_CALL_SEAL: {
		struct mica_hvt_seal *s = a;
		s->ret = hvt_seal_memory(h);
		break;
	}
	}
}

void hvt_hypercall(struct hvt *h, unsigned nr, uint64_t gpa)
{
	union call_buf buf;
	if (nr == 0 || nr >= MICA_HVT_CALL_MAX)
		hvt_guest_fault(h, "unknown hypercall %u (port 0x%x)", nr, MICA_HVT_PORT_BASE + nr);
	size_t size = call_sizes[nr];
	void *g = hvt_gpa_write(h, gpa, size);
	if (!g)
		hvt_guest_fault(h,
		                "hypercall %s: bad guest pointer: argument struct at 0x%llx (%zu "
		                "bytes) is not in writable guest memory (0x%llx bytes)",
		                call_names[nr], (unsigned long long)gpa, size,
		                (unsigned long long)h->mem_size);
	h->st.calls[nr]++;
	memcpy(&buf, g, size);
	handle(h, nr, &buf);
	memcpy(g, &buf, size);
}

const char *hvt_call_name(unsigned nr)
{
	return nr < MICA_HVT_CALL_MAX && call_names[nr] ? call_names[nr] : "?";
}
