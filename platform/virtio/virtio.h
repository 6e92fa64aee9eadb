/* virtio.h - private header of the virtio guest platform (platform/virtio).
 *
 * A virtio image boots under standard hypervisors through the PVH entry
 * (pvh.c), sets up its own machine (cpu.c: descriptors, interrupts, local
 * APIC timer; clock.c; mm.c: memory and W^X page tables), talks on the
 * serial port (console.c) and drives virtio devices over virtio-mmio
 * (mmio.c: QEMU microvm, Firecracker) or virtio-pci (pci.c: QEMU q35),
 * through split virtqueues (virtq.c), as network (net.c), block (blk.c) and
 * entropy (rng.c) devices. devices.c matches them to the app's declared
 * devices. What it shares with hvt (clock maths, pages, traps, entropy
 * generator, page tables) is the shared guest core, platform/guest. */
#ifndef MICA_PLATFORM_VIRTIO_H
#define MICA_PLATFORM_VIRTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <mica/platform.h>
#include "../guest/guest.h"

/* ---- PVH boot ABI (Xen's hvm_start_info, version 1) ---- */
#define HVM_START_MAGIC 0x336ec578u

struct hvm_start_info {
	uint32_t magic, version, flags, nr_modules;
	uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr;
	uint64_t memmap_paddr; /* version >= 1 */
	uint32_t memmap_entries, reserved;
};

struct hvm_memmap_entry {
	uint64_t addr, size;
	uint32_t type, reserved;
};
#define HVM_MEMMAP_RAM 1

/* ---- Limits ---- */
#define VIRTIO_CMDLINE_MAX 2048
#define VIRTIO_ARGC_MAX 64
#define VIRTIO_MAX_DEVS 16 /* virtio devices found, of any kind */

/* Exit codes of the platform itself (the app's own pass through). */
#define VIRTIO_EXIT_SETUP 2   /* a device the image needs is missing */
#define VIRTIO_EXIT_USAGE 64  /* a malformed platform boot argument */
#define VIRTIO_EXIT_FAULT 255 /* a CPU exception */

/* ---- console.c: serial port, exit, reports ---- */
void virtio_console_write(const char *s, size_t len);
/* "mica: " + message + "\n" on the console. */
void virtio_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void virtio_exit(int code);

/* ---- cpu.c: descriptors, interrupts, the local APIC ---- */
#define VEC_TIMER 0x20
#define VEC_DEV_BASE 0x30 /* device i interrupts on VEC_DEV_BASE + i */
#define VEC_SPURIOUS 0xff
void cpu_init(void); /* GDT, TSS, IDT */
void apic_init(void);
void apic_eoi(void);
/* The x2APIC id of this CPU (for MSI and IOAPIC destinations). */
uint32_t apic_id(void);
/* Wake the CPU at TSC value `tsc` (0: never). */
void timer_arm(uint64_t tsc);
/* Sleep until an interrupt (sti; hlt; cli). */
void cpu_idle(void);
/* Route IOAPIC input `gsi` to `vector` (edge, active high). */
int ioapic_route(uint32_t gsi, uint8_t vector);
/* Interrupt bookkeeping: device i interrupted since the last call. */
uint32_t irq_take_pending(void);

/* ---- clock.c ---- */
/* Start the clock at TSC value tsc0 (from KVM's clock, or the PIT). */
void clock_init(uint64_t tsc0);
uint64_t clock_tsc_hz(void);
/* KVM's paravirtual feature bits (CPUID 0x40000001 EAX); 0 off KVM. */
uint32_t kvm_features(void);
#define KVM_FEATURE_CLOCKSOURCE2 (1u << 3)
#define KVM_FEATURE_PV_EOI (1u << 6)

/* ---- mm.c: memory map and page tables ---- */
/* Find RAM from the PVH memory map; the heap starts after the image. */
int mm_init(const struct hvm_start_info *si);
/* Device registers to map (uncached, no-execute) in the final tables. */
int mm_add_mmio(uint64_t addr, uint64_t len);
/* Build the W^X page tables, switch to them, start the page allocator
 * (which zeroes what it hands out when firmware ran before the guest and
 * may have left data in RAM). */
void mm_finish(bool firmware_ran);

/* ---- cmdline (boot.c) ---- */
/* The boot command line's words: argv[0] is the app's name; words the
 * platform consumed (virtio_mmio.device=...) are left out. */
extern int virtio_argc;
extern char *virtio_argv[VIRTIO_ARGC_MAX + 1];

/* ---- Devices (devices.c, mmio.c, pci.c) ---- */
#define VIRTIO_ID_NET 1
#define VIRTIO_ID_BLOCK 2
#define VIRTIO_ID_RNG 4

enum virtio_transport { VT_MMIO, VT_MMIO_LEGACY, VT_PCI };

struct virtio_dev {
	uint32_t device_id; /* VIRTIO_ID_* */
	enum virtio_transport transport;
	uint8_t vector;    /* its interrupt vector */
	uint8_t index;     /* in the registry */
	bool claimed;      /* matched to a declared device or used by the platform */
	uint64_t features; /* negotiated */
	/* virtio-mmio */
	volatile uint8_t *regs;
	uint32_t gsi;
	/* virtio-pci */
	uint8_t bus, slot;
	volatile uint8_t *common, *isr, *devcfg, *notify;
	uint32_t notify_mult;
	volatile uint32_t *msix; /* MSI-X table */
	uint16_t msix_count;
	uint8_t msix_cap; /* its capability's offset in configuration space */
};

/* The registry of devices found at boot (devices.c). */
struct virtio_dev *virtio_dev_add(void);
/* The n-th (0-based) device of `id` in discovery order, or NULL. */
struct virtio_dev *virtio_dev_nth(uint32_t id, unsigned n);
unsigned virtio_dev_count(void);
struct virtio_dev *virtio_dev_at(unsigned i);
/* Match the app's declared devices to the devices found (in declaration
 * order, unless a boot argument names one); exits with a clear message
 * when one is missing. */
void virtio_devices_match(void);
/* The device matched to the app's `name` of kind `id`, or NULL. */
struct virtio_dev *virtio_dev_for(const char *name, uint32_t id);

/* Discovery: mmio.c (command line, then the microvm slots), pci.c. A word
 * of the command line mmio.c takes ("virtio_mmio.device=..."): true. */
bool mmio_cmdline_word(const char *word);
void mmio_discover(void);
void mmio_probe_listed(void); /* after mm_finish */
/* false: the machine has no PCI bus (and so no firmware ran before us). */
bool pci_discover(void);

/* ---- The transport interface (transport.c over mmio.c and pci.c) ---- */
#define VIRTIO_F_VERSION_1 (1ull << 32)
#define VIRTIO_F_EVENT_IDX (1ull << 29)

/* Reset the device and negotiate: offer `wanted` & what the device has
 * (plus VERSION_1 and EVENT_IDX where the transport allows). */
int vdev_begin(struct virtio_dev *d, uint64_t wanted);
uint32_t vdev_cfg32(struct virtio_dev *d, unsigned off);
uint16_t vdev_cfg16(struct virtio_dev *d, unsigned off);
uint8_t vdev_cfg8(struct virtio_dev *d, unsigned off);
uint64_t vdev_cfg64(struct virtio_dev *d, unsigned off);
struct virtq;
/* Set up queue `index` with at most `max_size` entries; irq: whether its
 * completions should interrupt (wake the CPU). */
int vdev_queue(struct virtio_dev *d, struct virtq *q, uint16_t index, uint16_t max_size, bool irq);
/* Everything set up: DRIVER_OK, interrupts routed. */
int vdev_ready(struct virtio_dev *d);
void vdev_notify(struct virtq *q);
/* Acknowledge the device's interrupt (interrupt context). */
void vdev_irq_ack(struct virtio_dev *d);

/* mmio.c / pci.c implementations behind vdev_* */
uint64_t mmio_features(struct virtio_dev *d);
void mmio_set_features(struct virtio_dev *d, uint64_t f);
uint8_t mmio_status(struct virtio_dev *d);
void mmio_set_status(struct virtio_dev *d, uint8_t s);
volatile uint8_t *mmio_cfg(struct virtio_dev *d);
int mmio_queue(struct virtio_dev *d, struct virtq *q, uint16_t max_size);
void mmio_notify(struct virtq *q);
int mmio_irq(struct virtio_dev *d);
void mmio_irq_ack(struct virtio_dev *d);
uint64_t pci_features(struct virtio_dev *d);
void pci_set_features(struct virtio_dev *d, uint64_t f);
uint8_t pci_status(struct virtio_dev *d);
void pci_set_status(struct virtio_dev *d, uint8_t s);
int pci_queue(struct virtio_dev *d, struct virtq *q, uint16_t max_size, bool irq);
void pci_notify(struct virtq *q);
int pci_irq(struct virtio_dev *d);

/* ---- virtq.c: split virtqueues ---- */
struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};
#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2

struct virtq_used_elem {
	uint32_t id, len;
};

struct virtq {
	struct virtio_dev *dev;
	uint16_t index, size;
	struct virtq_desc *desc;
	volatile uint16_t *avail; /* flags, idx, ring[size], used_event */
	volatile uint16_t *used;  /* flags, idx, then elems; avail_event after */
	volatile struct virtq_used_elem *used_ring;
	uint64_t desc_pa, avail_pa, used_pa;
	uint16_t free_head, nfree;
	uint16_t avail_idx;  /* next entry we fill (published by virtq_kick) */
	uint16_t kicked_idx; /* avail_idx at the last notification check */
	uint16_t last_used;  /* next used entry to take */
	bool event_idx;
	void **cookie;                  /* per head descriptor */
	volatile uint16_t *notify_addr; /* virtio-pci: where to write the queue index */
	uint64_t kicks;
};

struct virtq_seg {
	uint64_t addr;
	uint32_t len;
	bool device_writes;
};

int virtq_alloc(struct virtq *q, struct virtio_dev *d, uint16_t index, uint16_t size);
/* Queue one request of n segments; MICA_EAGAIN when the ring is full. */
int virtq_add(struct virtq *q, const struct virtq_seg *segs, unsigned n, void *cookie);
/* Publish what was added and notify the device if it asked to be told. */
void virtq_kick(struct virtq *q);
/* The next completed request's cookie (and bytes written), or NULL. */
void *virtq_take(struct virtq *q, uint32_t *len);
bool virtq_pending(const struct virtq *q);
/* Ask for an interrupt at the next completion; false when one is already
 * waiting (no need to sleep). */
bool virtq_arm(struct virtq *q);
/* No interrupts for completions (transmit: they are reaped when sending). */
void virtq_quiet(struct virtq *q);

static inline void virtio_mb(void)
{
	__asm__ volatile("lock; addl $0, (%%rsp)" : : : "memory", "cc");
}

/* ---- Drivers: poll hooks (net.c, blk.c, rng.c) ---- */
/* Call the ready callback of every open netif with frames waiting; count. */
int net_poll(void);
/* Ask every open netif for an interrupt; false if frames already wait. */
bool net_arm(void);
void net_flush_all(void);
/* Asynchronous block requests (blk.c): move queued ones onto the rings,
 * deliver completions (returns how many); ask for an interrupt where
 * requests are in flight (false: completions already wait); back to
 * polling. */
int blk_poll(void);
bool blk_arm(void);
void blk_quiet(void);

#endif
