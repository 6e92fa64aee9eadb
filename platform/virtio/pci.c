/* pci.c - the virtio-pci transport (virtio 1.x section 4.1, the modern
 * interface only) and finding virtio-pci devices on bus 0.
 *
 * Configuration space is read through the legacy ports 0xcf8/0xcfc (every
 * PC-compatible machine has them, q35 included). A virtio device (vendor
 * 0x1af4, device 0x1000..0x107f) describes its register blocks in
 * vendor-specific capabilities: common configuration, notifications, ISR
 * and device configuration, each somewhere in a memory BAR the firmware
 * assigned (or this file, where no firmware did: QEMU's qboot). Interrupts are MSI-X messages straight to the local APIC
 * (table entry 0 for every queue that wants them), so they need neither
 * an IOAPIC route nor an acknowledgement. */
#include <mica/err.h>
#include "virtio.h"

#define CFG_ADDR 0xcf8
#define CFG_DATA 0xcfc
#define VENDOR_VIRTIO 0x1af4
#define PCI_COMMAND 0x04
#define PCI_STATUS_CAPS (1u << 20) /* in the command/status dword */
#define PCI_CAP_PTR 0x34
#define CAP_MSIX 0x11
#define CAP_VENDOR 0x09
#define CFG_COMMON 1
#define CFG_NOTIFY 2
#define CFG_ISR 3
#define CFG_DEVICE 4
#define MSIX_ENABLE (1u << 15)
#define MSIX_MASKALL (1u << 14)
#define NO_VECTOR 0xffff

/* common configuration (struct virtio_pci_common_cfg) */
#define C_DFSELECT 0x00
#define C_DF 0x04
#define C_GFSELECT 0x08
#define C_GF 0x0c
#define C_MSIX_CONFIG 0x10
#define C_STATUS 0x14
#define C_Q_SELECT 0x16
#define C_Q_SIZE 0x18
#define C_Q_MSIX 0x1a
#define C_Q_ENABLE 0x1c
#define C_Q_NOTIFY_OFF 0x1e
#define C_Q_DESC 0x20
#define C_Q_DRIVER 0x28
#define C_Q_DEVICE 0x30

static uint32_t cfg_addr(uint8_t bus, uint8_t slot, unsigned off)
{
	return 0x80000000u | (uint32_t)bus << 16 | (uint32_t)slot << 11 | (off & 0xfc);
}

static uint32_t cfg_read(uint8_t bus, uint8_t slot, unsigned off)
{
	guest_outl(CFG_ADDR, cfg_addr(bus, slot, off));
	return guest_inl(CFG_DATA) >> (8 * (off & 3));
}

static void cfg_write32(uint8_t bus, uint8_t slot, unsigned off, uint32_t v)
{
	guest_outl(CFG_ADDR, cfg_addr(bus, slot, off));
	guest_outl(CFG_DATA, v);
}

/* Where BARs go when no firmware assigned them (QEMU's qboot does not):
 * the 32-bit PCI hole of q35 above its ECAM window, below the IOAPIC. */
#define BAR_WINDOW 0xc0000000ull
#define BAR_WINDOW_END 0xfec00000ull
static uint64_t bar_next = BAR_WINDOW;

/* Size a memory BAR (all-ones probe) and give it the next aligned address. */
static uint64_t assign_bar(uint8_t bus, uint8_t slot, unsigned bar, bool wide)
{
	unsigned off = 0x10 + 4 * bar;
	uint32_t orig = cfg_read(bus, slot, off);
	cfg_write32(bus, slot, off, 0xffffffffu);
	uint64_t mask = cfg_read(bus, slot, off) & ~0xfu;
	if (wide) {
		cfg_write32(bus, slot, off + 4, 0xffffffffu);
		mask |= (uint64_t)cfg_read(bus, slot, off + 4) << 32;
	} else {
		mask |= 0xffffffff00000000ull;
	}
	uint64_t size = ~mask + 1, at = (bar_next + size - 1) & ~(size - 1);
	if (size == 0 || mask == 0 || at + size > BAR_WINDOW_END) {
		cfg_write32(bus, slot, off, orig);
		return 0;
	}
	cfg_write32(bus, slot, off, (uint32_t)at | (orig & 0xf));
	if (wide)
		cfg_write32(bus, slot, off + 4, 0);
	bar_next = at + size;
	return at;
}

/* The address of a memory BAR, assigned here if firmware left it at 0
 * (0: an I/O BAR, or no room). */
static uint64_t bar_address(uint8_t bus, uint8_t slot, unsigned bar)
{
	if (bar > 5)
		return 0;
	uint32_t lo = cfg_read(bus, slot, 0x10 + 4 * bar);
	if (lo & 1)
		return 0;
	bool wide = ((lo >> 1) & 3) == 2 && bar < 5;
	uint64_t a = lo & ~0xfu;
	if (wide)
		a |= (uint64_t)cfg_read(bus, slot, 0x10 + 4 * (bar + 1)) << 32;
	return a ? a : assign_bar(bus, slot, bar, wide);
}

/* Transitional device ids name the type; modern ones are 0x1040 + type. */
static uint32_t device_type(uint32_t pci_id)
{
	static const uint8_t transitional[] = {VIRTIO_ID_NET, VIRTIO_ID_BLOCK, 0, 3, VIRTIO_ID_RNG};
	if (pci_id >= 0x1040 && pci_id <= 0x107f)
		return pci_id - 0x1040;
	if (pci_id >= 0x1000 && pci_id < 0x1000 + sizeof(transitional))
		return transitional[pci_id - 0x1000];
	return 0;
}

/* Walk the capabilities: register blocks and the MSI-X table. */
static int read_caps(struct virtio_dev *d, uint8_t *msix_cap)
{
	uint8_t bus = d->bus, slot = d->slot;
	unsigned found = 0, guard = 0;
	for (unsigned p = cfg_read(bus, slot, PCI_CAP_PTR) & 0xfc; p && guard < 48; guard++) {
		uint32_t head = cfg_read(bus, slot, p);
		uint8_t id = (uint8_t)head, next = (uint8_t)(head >> 8);
		if (id == CAP_MSIX) {
			*msix_cap = (uint8_t)p;
			uint32_t table = cfg_read(bus, slot, p + 4);
			uint64_t base = bar_address(bus, slot, table & 7);
			d->msix_count = (uint16_t)(((head >> 16) & 0x7ff) + 1);
			if (base) {
				d->msix = (volatile uint32_t *)(uintptr_t)(base + (table & ~7u));
				mm_add_mmio((uintptr_t)d->msix, 16u * d->msix_count);
			}
		} else if (id == CAP_VENDOR) {
			uint8_t type = (uint8_t)(head >> 24);
			uint64_t base = bar_address(bus, slot, cfg_read(bus, slot, p + 4) & 0xff);
			uint32_t off = cfg_read(bus, slot, p + 8), len = cfg_read(bus, slot, p + 12);
			volatile uint8_t *at = (volatile uint8_t *)(uintptr_t)(base + off);
			if (!base || type < CFG_COMMON || type > CFG_DEVICE || (found & (1u << type))) {
				p = next & 0xfc;
				continue;
			}
			found |= 1u << type;
			mm_add_mmio(base + off, len);
			if (type == CFG_COMMON)
				d->common = at;
			else if (type == CFG_NOTIFY)
				d->notify = at, d->notify_mult = cfg_read(bus, slot, p + 16);
			else if (type == CFG_ISR)
				d->isr = at;
			else
				d->devcfg = at;
		}
		p = next & 0xfc;
	}
	const unsigned need = 1u << CFG_COMMON | 1u << CFG_NOTIFY | 1u << CFG_DEVICE;
	return (found & need) == need && d->msix ? MICA_OK : MICA_ENOTSUP;
}

static void add_device(uint8_t slot, uint32_t type)
{
	struct virtio_dev *d = virtio_dev_add();
	if (!d) {
		virtio_say("virtio-pci device at 00:%02x.0: too many devices, ignored", slot);
		return;
	}
	d->device_id = type;
	d->transport = VT_PCI;
	d->bus = 0;
	d->slot = slot;
	uint8_t msix_cap = 0;
	if (read_caps(d, &msix_cap) < 0) {
		virtio_say(
		    "virtio-pci device at 00:%02x.0: no modern (virtio 1.x) interface with MSI-X, ignored",
		    slot);
		d->device_id = 0; /* stays registered but matches nothing */
		return;
	}
	/* Memory decoding and bus mastering on; MSI-X on, all vectors masked
	 * until pci_irq programs entry 0. */
	uint32_t cmd = cfg_read(0, slot, PCI_COMMAND);
	cfg_write32(0, slot, PCI_COMMAND, (cmd & 0xffff) | 0x6);
	uint32_t ctl = cfg_read(0, slot, msix_cap);
	cfg_write32(0, slot, msix_cap, (ctl & 0xffff) | (MSIX_ENABLE | MSIX_MASKALL) << 16);
	d->msix_cap = msix_cap;
}

bool pci_discover(void)
{
	if ((cfg_read(0, 0, 0) & 0xffff) == 0xffff)
		return false; /* no host bridge: no PCI (QEMU microvm, Firecracker) */
	for (uint8_t slot = 0; slot < 32; slot++) {
		uint32_t id = cfg_read(0, slot, 0);
		if ((id & 0xffff) != VENDOR_VIRTIO)
			continue;
		uint32_t type = device_type(id >> 16);
		if (type)
			add_device(slot, type);
	}
	return true;
}

static volatile uint8_t *c8(struct virtio_dev *d, unsigned off)
{
	return d->common + off;
}

static volatile uint16_t *c16(struct virtio_dev *d, unsigned off)
{
	return (volatile uint16_t *)(d->common + off);
}

static volatile uint32_t *c32(struct virtio_dev *d, unsigned off)
{
	return (volatile uint32_t *)(d->common + off);
}

uint64_t pci_features(struct virtio_dev *d)
{
	*c32(d, C_DFSELECT) = 1;
	uint64_t hi = *c32(d, C_DF);
	*c32(d, C_DFSELECT) = 0;
	return hi << 32 | *c32(d, C_DF);
}

void pci_set_features(struct virtio_dev *d, uint64_t f)
{
	*c32(d, C_GFSELECT) = 1;
	*c32(d, C_GF) = (uint32_t)(f >> 32);
	*c32(d, C_GFSELECT) = 0;
	*c32(d, C_GF) = (uint32_t)f;
	*c16(d, C_MSIX_CONFIG) = NO_VECTOR; /* no configuration-change interrupts */
}

uint8_t pci_status(struct virtio_dev *d)
{
	return *c8(d, C_STATUS);
}

void pci_set_status(struct virtio_dev *d, uint8_t s)
{
	*c8(d, C_STATUS) = s;
}

static void c64(struct virtio_dev *d, unsigned off, uint64_t v)
{
	*c32(d, off) = (uint32_t)v;
	*c32(d, off + 4) = (uint32_t)(v >> 32);
}

int pci_queue(struct virtio_dev *d, struct virtq *q, uint16_t max_size, bool irq)
{
	*c16(d, C_Q_SELECT) = q->index;
	uint16_t max = *c16(d, C_Q_SIZE);
	if (max == 0)
		return MICA_ENOENT;
	uint16_t size = max_size;
	while (size > max)
		size >>= 1;
	int rc = virtq_alloc(q, d, q->index, size);
	if (rc < 0)
		return rc;
	*c16(d, C_Q_SIZE) = size;
	c64(d, C_Q_DESC, q->desc_pa);
	c64(d, C_Q_DRIVER, q->avail_pa);
	c64(d, C_Q_DEVICE, q->used_pa);
	*c16(d, C_Q_MSIX) = irq ? 0 : NO_VECTOR;
	if (irq && *c16(d, C_Q_MSIX) != 0)
		return MICA_EIO; /* the device could not take the vector */
	q->notify_addr =
	    (volatile uint16_t *)(d->notify + (uint32_t)*c16(d, C_Q_NOTIFY_OFF) * d->notify_mult);
	*c16(d, C_Q_ENABLE) = 1;
	return MICA_OK;
}

void pci_notify(struct virtq *q)
{
	*q->notify_addr = q->index;
}

/* MSI-X entry 0: a fixed interrupt on the device's vector to this CPU. */
int pci_irq(struct virtio_dev *d)
{
	volatile uint32_t *e = d->msix;
	e[0] = 0xfee00000u | apic_id() << 12;
	e[1] = 0;
	e[2] = d->vector;
	e[3] = 0; /* unmasked */
	uint32_t ctl = cfg_read(0, d->slot, d->msix_cap);
	cfg_write32(0, d->slot, d->msix_cap, (ctl & 0xffff) | MSIX_ENABLE << 16);
	return MICA_OK;
}
