/* hvt.h - private interface between the files of mica-hvt, the monitor.
 *
 * One struct hvt holds the whole state of a monitor run: the KVM handles,
 * guest memory, the loaded image, the attached devices and statistics.
 * Each .c file does one job (see the comment at its top) on this struct. */
#ifndef MICA_HVT_MONITOR_H
#define MICA_HVT_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <mica/hvt_abi.h>

#define HVT_MAX_SEGS 16
#define HVT_EXIT_SETUP 2         /* usage, image or device error before boot */
#define HVT_EXIT_GUEST_FAULT 255 /* guest crashed, aborted or broke the ABI */
/* SIGINT/SIGTERM: the guest's own code if it stops within the grace
 * period, else (or on a second signal) 128 + the signal number. */
#define HVT_STOP_GRACE_MS 500

enum hvt_perm { PERM_NONE = 0, PERM_R = 1, PERM_RW = 3, PERM_RX = 5 };

struct hvt_seg {
	uint64_t start, end; /* page-rounded guest range */
	uint64_t vaddr, filesz, memsz, offset;
	enum hvt_perm perm;
};

struct hvt_image {
	uint64_t entry;
	struct hvt_seg segs[HVT_MAX_SEGS];
	unsigned nsegs;
	uint64_t end;        /* page-rounded end of the highest segment */
	uint64_t trap_stubs; /* .mica.traps: 32 stubs of 16 bytes, or 0 */
	char manifest[MICA_HVT_MAX_DEVICES][MICA_HVT_NAME_MAX + 8]; /* "net:x" */
	unsigned nmanifest;
};

struct hvt_dev {
	char name[MICA_HVT_NAME_MAX];
	uint32_t kind;   /* MICA_HVT_DEV_* */
	const char *arg; /* tap interface or file path */
	int fd;
	uint8_t mac[6];
	bool mac_given; /* --net-mac:NAME=MAC */
	uint16_t mtu;
	uint64_t sectors;
	bool read_only;
	uint64_t rx_frames, tx_frames, rx_dropped;
	bool link_down; /* the tap's Linux side is down (link.c) */
	uint64_t blk_reqs, blk_read_bytes, blk_write_bytes, blk_syncs; /* block devices */
};

struct hvt_stats {
	uint64_t t_start, t_run, t_end; /* host monotonic ns */
	uint64_t exits, io_exits, intr_exits, steps;
	uint64_t calls[MICA_HVT_CALL_MAX];
};

struct hvt {
	/* options */
	uint64_t mem_size;
	const char *image_path;
	char args[MICA_HVT_ARGS_MAX];       /* boot arguments, NUL-separated */
	uint32_t argoff[MICA_HVT_ARGC_MAX]; /* where each starts in args */
	unsigned argc;
	size_t args_len;
	bool stats_on;
	bool no_seccomp;
	FILE *trace; /* --trace=FILE: single-step profile */
	/* KVM */
	int kvm_fd, vm_fd, vcpu_fd;
	struct kvm_run *run;
	size_t run_size;
	uint8_t *mem;
	uint64_t tsc_hz;
	bool sealed;             /* read-only slots in place (seal.c) */
	const char *seal_reason; /* why not, when !sealed */
	bool require_seal;       /* --require-seal */
	bool seal_called;
	unsigned nslots, sealed_slots;
	uint64_t sealed_bytes;
	/* image, devices */
	struct hvt_image img;
	struct hvt_dev devs[MICA_HVT_MAX_DEVICES];
	unsigned ndevs;
	struct {
		char name[MICA_HVT_NAME_MAX];
		uint8_t mac[6];
	} macs[MICA_HVT_MAX_DEVICES]; /* --net-mac: options, applied to devs */
	unsigned nmacs;
	uint64_t heap_start, heap_end, stack_top;
	uint64_t guard; /* unmapped page below the stack */
	struct hvt_stats st;
	uint64_t stop_requested_at, stop_deadline; /* host ns; 0: no stop yet */
};

/* report.c */
void hvt_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void hvt_die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void hvt_dump_vcpu(struct hvt *h);
_Noreturn void hvt_guest_fault(struct hvt *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
uint64_t hvt_now_ns(void);

/* elf.c: load and check the image; fills h->img and guest memory. */
int hvt_elf_load(struct hvt *h);
/* paging.c: layout, page tables, permission lookups. */
void hvt_layout(struct hvt *h);
void hvt_build_page_tables(struct hvt *h);
enum hvt_perm hvt_perm_of(const struct hvt *h, uint64_t addr);
/* guest memory checks: a host pointer for [gpa, gpa+len), or NULL. */
void *hvt_gpa_read(struct hvt *h, uint64_t gpa, uint64_t len);
void *hvt_gpa_write(struct hvt *h, uint64_t gpa, uint64_t len);
/* vm.c: the VM, memory slots, vCPU in long mode, boot info. */
int hvt_vm_create(struct hvt *h);
int hvt_vcpu_setup(struct hvt *h);
void hvt_boot_info(struct hvt *h);
/* seal.c: memory slots, read-only where the guest never writes. */
int hvt_memory_slots(struct hvt *h);
int hvt_seal_memory(struct hvt *h);
/* devices.c: --net:/--block: options against the image manifest. */
int hvt_dev_add(struct hvt *h, const char *opt);
int hvt_dev_mac(struct hvt *h, const char *opt);
int hvt_dev_check_manifest(struct hvt *h);
int hvt_dev_open_all(struct hvt *h);
/* net.c / block.c: device hypercalls. */
int hvt_net_open(struct hvt_dev *d);
void hvt_call_net_info(struct hvt *h, struct mica_hvt_net_info *a);
struct hvt_dev *hvt_net_dev(struct hvt *h, uint32_t handle);
int64_t hvt_net_send(struct hvt *h, struct hvt_dev *d, uint64_t gpa, uint32_t count, const char *call);
uint32_t hvt_net_recv(struct hvt *h, struct hvt_dev *d, uint64_t gpa, uint32_t count, const char *call);
void hvt_call_net_write(struct hvt *h, struct mica_hvt_net_io *a);
void hvt_call_net_read(struct hvt *h, struct mica_hvt_net_io *a);
int hvt_block_open(struct hvt_dev *d);
void hvt_call_block_info(struct hvt *h, struct mica_hvt_block_info *a);
void hvt_call_block_io(struct hvt *h, struct mica_hvt_block_io *a, int call);
void hvt_call_block_batch(struct hvt *h, struct mica_hvt_block_batch *a);
/* The batch at gpa (POLL's blk_batch), done as BLOCK_BATCH. */
void hvt_block_batch_at(struct hvt *h, uint64_t gpa);
/* poll.c */
void hvt_call_poll(struct hvt *h, struct mica_hvt_poll *a);
/* link.c: the taps' link state, watched by a child process (see there). */
int hvt_link_start(struct hvt *h);
int hvt_link_fd(void); /* -1 when nothing is watched */
/* Take the changes reported so far; returns the devices that changed. */
uint64_t hvt_link_read(struct hvt *h);
uint32_t hvt_link_down_mask(const struct hvt *h);
/* stop.c: SIGINT/SIGTERM handling (see there). */
void hvt_signals_setup(struct hvt *h);
void hvt_stop_check(struct hvt *h);
int hvt_stop_wake_fd(void);
const char *hvt_stop_signal_name(void);
extern volatile sig_atomic_t hvt_stop_requested;
/* hypercall.c */
void hvt_hypercall(struct hvt *h, unsigned nr, uint64_t gpa);
const char *hvt_call_name(unsigned nr);
/* run.c */
_Noreturn void hvt_run(struct hvt *h);
_Noreturn void hvt_exit(struct hvt *h, int code);
/* seccomp.c */
int hvt_seccomp_install(struct hvt *h);

#endif
