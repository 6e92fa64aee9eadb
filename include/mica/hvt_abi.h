/* hvt_abi.h - the one door between an hvt guest and the mica-hvt monitor.
 *
 * Included by both sides: the guest platform (platform/hvt, freestanding)
 * and the monitor (monitor/, a Linux program). Nothing else crosses.
 *
 * Machine state at entry (set up by the monitor, no guest work needed):
 *   - 64-bit long mode, CPL 0, paging on; guest-virtual == guest-physical.
 *   - Page tables built by the monitor: page 0 unmapped; each ELF segment
 *     with its own permissions (text R+X, rodata R, data/bss RW+NX); all
 *     other memory RW+NX; a guard page (unmapped) below the stack.
 *     EFER.NXE is on, CR0.WP is on (the guest cannot write to its own text).
 *   - CR0.MP, CR4.OSFXSR and CR4.OSXMMEXCPT set: SSE usable at once (the
 *     guest must use fxsave/fxrstor, never xsave). Mica guests are built
 *     -mgeneral-regs-only anyway: software KVMs may not emulate SSE.
 *   - With boot_info->flags & MICA_HVT_BOOT_SEALED, every page below the
 *     heap that the guest may not write (GDT, IDT, boot info, page tables,
 *     every text and read-only segment wherever it lies) is also
 *     read-only at the hypervisor level.
 *   - All memory not loaded from the image is zero (.bss needs no clearing).
 *   - RIP = ELF entry, RSP = boot_info->stack_top (16-byte aligned),
 *     RDI = guest-physical address of struct mica_hvt_boot_info.
 *   - The boot arguments are already split: argv[0] is the app name (the
 *     image's file name without ".hvt"), then the arguments given to the
 *     monitor after the image. Strings and array are at the top of the
 *     stack area, above stack_top, and writable (as in C's main).
 *   - If the image has a section ".mica.traps" holding the address of 32
 *     exception entry stubs of 16 bytes each (vector v at address + 16 v),
 *     the IDT is loaded with interrupt gates to them; otherwise there is
 *     no IDT and an exception is a triple fault (still reported).
 *   - Interrupts off (no interrupt ever arrives; I/O is polled).
 *   - CPUID shows RDRAND (leaf 1, ECX bit 30) exactly when the host has it;
 *     boot_info->seed points to a random seed from the host.
 *
 * Hypercalls: `outl %eax, $port` with port = MICA_HVT_PORT_BASE + call
 * number and EAX = guest-physical address of the call's argument struct
 * (guest memory is below 4 GiB). The monitor reads the struct, checks every
 * address and length in it against guest memory, does the work, writes the
 * results back into the struct, and resumes the guest after the `out`.
 * A struct or buffer outside guest memory ends the guest with a report.
 * Results come back in the struct's `ret` field: 0 (or a count) on
 * success, a negative MICA_E* code (see err.h) on failure. */
#ifndef MICA_HVT_ABI_H
#define MICA_HVT_ABI_H

#include <stdint.h>

/* Version 2: the ABI note below, the entropy seed in the boot info, POLL
 * I/O entries for every net device. Any change a guest or monitor of the
 * other version would misread bumps it. */
#define MICA_HVT_ABI_VERSION 2
#define MICA_HVT_BOOT_MAGIC 0x4d494341u /* "MICA" */

/* The ABI note. Every hvt image carries an ELF note in section
 * ".note.mica.abi" (kept by platform/hvt/guest.ld, written by
 * platform/hvt/abi_note.c): owner "Mica", type MICA_HVT_NOTE_ABI, and as
 * descriptor the ABI version and target the image was built for.
 * mica-hvt refuses, before boot and with a message saying which versions
 * differ, an image without the note or built for another version. */
#define MICA_HVT_NOTE_NAME "Mica"
#define MICA_HVT_NOTE_ABI 1
#define MICA_HVT_TARGET_HVT 1

struct mica_hvt_abi_note {
	uint32_t namesz;      /* sizeof(MICA_HVT_NOTE_NAME) = 5 */
	uint32_t descsz;      /* 8 */
	uint32_t type;        /* MICA_HVT_NOTE_ABI */
	char name[8];         /* "Mica", NUL-padded to a multiple of 4 */
	uint32_t abi_version; /* MICA_HVT_ABI_VERSION */
	uint32_t target;      /* MICA_HVT_TARGET_HVT */
};
#define MICA_HVT_PORT_BASE 0x500

/* Fixed guest-physical layout below the image (the image is linked at
 * MICA_HVT_IMAGE_BASE; see platform/hvt/guest.ld). */
#define MICA_HVT_GDT_ADDR 0x1000ull       /* GDT, an empty TSS, the IDT */
#define MICA_HVT_BOOT_INFO_ADDR 0x2000ull /* struct mica_hvt_boot_info */
#define MICA_HVT_PT_ADDR 0x10000ull       /* page tables built by the monitor */
#define MICA_HVT_PT_END 0x100000ull
#define MICA_HVT_IMAGE_BASE 0x100000ull /* lowest address a segment may use */
#define MICA_HVT_STACK_SIZE 0x10000ull  /* 64 KiB at the top of memory */

#define MICA_HVT_ARGS_MAX 2048 /* bytes of argument strings */
#define MICA_HVT_ARGC_MAX 64
#define MICA_HVT_MAX_DEVICES 16
#define MICA_HVT_NAME_MAX 32

enum mica_hvt_device_kind {
	MICA_HVT_DEV_NET = 1,
	MICA_HVT_DEV_BLOCK = 2,
};

/* One attached device. Its handle (used in the calls below) is its index
 * in boot_info->devices; poll reports readiness as bit (1 << handle). */
struct mica_hvt_device {
	char name[MICA_HVT_NAME_MAX]; /* as declared in the image's manifest */
	uint32_t kind;                /* enum mica_hvt_device_kind */
	uint32_t reserved;
};

struct mica_hvt_boot_info {
	uint32_t magic;       /* MICA_HVT_BOOT_MAGIC */
	uint32_t abi_version; /* MICA_HVT_ABI_VERSION */
	uint64_t mem_size;    /* bytes of guest memory, from 0 */
	uint64_t heap_start;  /* first free page after the image */
	uint64_t heap_end;    /* end of free memory (guard page follows) */
	uint64_t stack_top;   /* initial RSP; stack is below it */
	uint64_t argc;        /* number of boot arguments, >= 1 */
	uint64_t argv;        /* address of char *argv[argc + 1] */
	/* Clock: ns = ((tsc - tsc_at_boot) * tsc_mult) >> tsc_shift. */
	uint64_t tsc_hz;
	uint64_t tsc_mult;
	uint32_t tsc_shift;
	uint32_t ndevices;
	uint64_t flags; /* MICA_HVT_BOOT_* */
	struct mica_hvt_device devices[MICA_HVT_MAX_DEVICES];
	/* Entropy: address of MICA_HVT_SEED_LEN bytes from the host's
	 * getrandom(2), in writable memory above the stack next to argv. The
	 * guest keys its generator with them and wipes them. 0: no seed. */
	uint64_t seed;
};

#define MICA_HVT_SEED_LEN 32

/* flags: memory is already sealed (see SEAL), so the guest need not call
 * SEAL at all (one VM exit less at boot). */
#define MICA_HVT_BOOT_SEALED 1u

/* ---- Hypercall numbers (port = MICA_HVT_PORT_BASE + number) ---- */
enum mica_hvt_call {
	MICA_HVT_CALL_CONSOLE = 1,
	MICA_HVT_CALL_WALLTIME = 2,
	MICA_HVT_CALL_MONOTONIC = 3,
	MICA_HVT_CALL_POLL = 4,
	MICA_HVT_CALL_NET_INFO = 5,
	MICA_HVT_CALL_NET_WRITE = 6,
	MICA_HVT_CALL_NET_READ = 7,
	MICA_HVT_CALL_BLOCK_INFO = 8,
	MICA_HVT_CALL_BLOCK_READ = 9,
	MICA_HVT_CALL_BLOCK_WRITE = 10,
	MICA_HVT_CALL_BLOCK_FLUSH = 11,
	MICA_HVT_CALL_HALT = 12,
	MICA_HVT_CALL_ABORT = 13,
	MICA_HVT_CALL_SEAL = 14,
	MICA_HVT_CALL_BLOCK_BATCH = 15,
	MICA_HVT_CALL_MAX = 16,
};

/* CONSOLE: write len bytes at data to the monitor's stdout. */
struct mica_hvt_console {
	uint64_t data;
	uint64_t len; /* at most 64 KiB per call */
	int64_t ret;
};

/* WALLTIME / MONOTONIC: host clock in ns (Unix epoch / host monotonic). */
struct mica_hvt_time {
	uint64_t ns;
	int64_t ret;
};

/* POLL: wait until a net device has frames or timeout_ns passes
 * (UINT64_MAX: no timeout). ready = bitmap of devices with frames waiting;
 * ret = number of ready devices, or MICA_ESTOP when the monitor was asked
 * to stop (SIGINT/SIGTERM).
 *
 * A POLL can also carry frames for one net device (io_handle), so that a
 * request/response exchange costs one VM exit: first the tx_count frames
 * in tx_frames are sent (as NET_WRITE; tx_ret = frames sent or an error),
 * then after waking, if that device is readable, up to rx_count frames are
 * received into rx_frames (as NET_READ; rx_got = how many, each with its
 * length). Zero counts make it a plain POLL. rx_got < rx_count means the
 * device had no more frames waiting at that moment, or that the monitor's
 * work bound per exit was reached while dropping frames too large for
 * their buffers (then the next POLL returns at once).
 *
 * More net devices ride on the same exit through `io`: nio entries of
 * struct mica_hvt_poll_io, each doing for its device what the fields above
 * do for io_handle (an app with many devices, e.g. a switch, moves all its
 * ports' frames in one exit). nio is at most MICA_HVT_MAX_DEVICES; a bad
 * handle gives that entry tx_ret = MICA_ENOENT and no frames.
 *
 * A POLL can carry block requests too: blk_batch, when non-zero, is the
 * guest-physical address of a struct mica_hvt_block_batch, done as by
 * BLOCK_BATCH before anything else; the POLL then does not sleep (its
 * completions are waiting for the guest). */
struct mica_hvt_poll_io {
	uint32_t handle;
	uint32_t tx_count;
	uint64_t tx_frames; /* struct mica_hvt_frame[tx_count] */
	int64_t tx_ret;
	uint32_t rx_count;
	uint32_t rx_got;
	uint64_t rx_frames; /* struct mica_hvt_frame[rx_count] */
};

struct mica_hvt_poll {
	uint64_t timeout_ns;
	uint64_t ready;
	int64_t ret;
	uint32_t io_handle;
	uint32_t tx_count;
	uint64_t tx_frames; /* struct mica_hvt_frame[tx_count] */
	int64_t tx_ret;
	uint32_t rx_count;
	uint32_t rx_got;
	uint64_t rx_frames; /* struct mica_hvt_frame[rx_count] */
	uint32_t nio;       /* entries in io (0: only io_handle's device) */
	/* out: bit (1 << handle) set for each net device whose link (the
	 * tap's Linux side) is down; a change also sets the device's ready
	 * bit. Was `reserved`: a monitor before it leaves the guest's 0 there
	 * (all up), a guest before it ignores it. */
	uint32_t link_down;
	uint64_t io; /* struct mica_hvt_poll_io[nio] */
	/* in: struct mica_hvt_block_batch to do first, or 0 */
	uint64_t blk_batch;
};

/* NET_INFO: the MAC the guest should use and the device's IP MTU. */
struct mica_hvt_net_info {
	uint32_t handle;
	uint16_t mtu;
	uint8_t mac[6];
	int64_t ret;
};

/* One frame of a batch: a guest buffer (addr, len). For NET_READ, len is
 * the buffer's capacity on input and the frame's length on output. */
struct mica_hvt_frame {
	uint64_t addr;
	uint32_t len;
	uint32_t reserved;
};

#define MICA_HVT_NET_BATCH_MAX 64
#define MICA_HVT_FRAME_MAX 9216 /* largest frame the monitor moves */

/* NET_WRITE: send frames[0..count). ret = frames sent (stops at the first
 * one the host cannot take now), or a negative error.
 * NET_READ: receive up to count frames into frames[]; ret = frames
 * received (0: none waiting). A frame larger than its buffer is dropped and
 * counted by the monitor; one call drops at most MICA_HVT_NET_BATCH_MAX
 * such frames, then returns what it has. */
struct mica_hvt_net_io {
	uint32_t handle;
	uint32_t count;  /* at most MICA_HVT_NET_BATCH_MAX */
	uint64_t frames; /* address of struct mica_hvt_frame[count] */
	int64_t ret;
};

/* BLOCK_INFO */
struct mica_hvt_block_info {
	uint32_t handle;
	uint32_t sector_size;
	uint64_t sectors;
	uint32_t read_only;
	uint32_t reserved;
	int64_t ret;
};

/* BLOCK_READ / BLOCK_WRITE: whole sectors; MICA_ERANGE past the end,
 * MICA_EIO on a host error, MICA_EPERM writing a read-only device.
 * BLOCK_FLUSH: sector/addr/nsectors ignored; makes writes durable. */
struct mica_hvt_block_io {
	uint32_t handle;
	uint32_t nsectors; /* at most 1 MiB worth per call */
	uint64_t sector;
	uint64_t addr;
	int64_t ret;
};

/* BLOCK_BATCH: several block requests, on any block devices, in one exit.
 * The monitor does them in array order and fills each one's ret (0 or a
 * negative MICA_E* code, as BLOCK_READ/WRITE/FLUSH); the batch's ret is
 * the number of requests done or a negative error for the whole batch
 * (MICA_EINVAL: count above MICA_HVT_BLOCK_BATCH_MAX). op is
 * MICA_HVT_BLK_READ/WRITE/FLUSH; flags MICA_HVT_BLK_FUA makes a write
 * durable before the exit returns (a FLUSH does that for every write
 * before it). Each request moves at most MICA_HVT_BLOCK_IO_MAX bytes. */
#define MICA_HVT_BLOCK_BATCH_MAX 64
#define MICA_HVT_BLOCK_IO_MAX (1u << 20)

enum mica_hvt_blk_op { MICA_HVT_BLK_READ = 0, MICA_HVT_BLK_WRITE = 1, MICA_HVT_BLK_FLUSH = 2 };
#define MICA_HVT_BLK_FUA 1u

struct mica_hvt_block_req {
	uint32_t handle;
	uint16_t op;    /* enum mica_hvt_blk_op */
	uint16_t flags; /* MICA_HVT_BLK_FUA */
	uint32_t nsectors;
	uint32_t reserved;
	uint64_t sector;
	uint64_t addr;
	int64_t ret;
};

struct mica_hvt_block_batch {
	uint32_t count;
	uint32_t reserved;
	uint64_t reqs; /* struct mica_hvt_block_req[count] */
	int64_t ret;
};

/* HALT: end the guest; the monitor exits with code (0..255). */
struct mica_hvt_halt {
	int64_t code;
};

/* ABORT: end the guest with a message and, when has_frame, the state the
 * guest's exception handler saved. The monitor prints both and exits 255. */
struct mica_hvt_trap_frame {
	uint64_t vector;
	uint64_t error_code;
	uint64_t rip, cs, rflags, rsp, ss;
	uint64_t cr2;
	/* rax rbx rcx rdx rsi rdi rbp r8..r15 */
	uint64_t regs[15];
};

struct mica_hvt_abort {
	uint64_t msg;     /* address of the message bytes */
	uint64_t msg_len; /* at most 1 KiB is printed */
	uint64_t has_frame;
	struct mica_hvt_trap_frame frame;
};

/* SEAL: text, read-only data, page tables, GDT, IDT and boot info are
 * read-only at the hypervisor level; a write there ends the guest. The
 * monitor does this before the first guest instruction when the host KVM
 * can (boot info flag MICA_HVT_BOOT_SEALED, and the guest need not call
 * SEAL). ret = 0 (sealed; MICA_EEXIST on a second call), MICA_ENOTSUP if
 * the host KVM cannot seal. */
struct mica_hvt_seal {
	int64_t ret;
};

#endif
