/* mmio.c - the virtio-mmio transport (virtio 1.x section 4.2) and finding
 * virtio-mmio devices.
 *
 * Where they are: the kernel command line may list them the way Linux
 * takes them, "virtio_mmio.device=SIZE@ADDR:IRQ" (Firecracker always does;
 * QEMU's microvm does with acpi=off). Otherwise, on a QEMU microvm, they
 * sit in fixed slots of 512 bytes from 0xfeb00000, probed for the virtio
 * magic: 24 slots on GSIs 24.. (the second IOAPIC) in the default
 * configuration, else 8 slots on GSIs 16.. . Slots are filled from the top,
 * so scanning downwards lists devices in command-line order.
 *
 * Both register layouts are driven: version 2 (modern, Firecracker, QEMU
 * with virtio-mmio.force-legacy=false) and version 1 (legacy, QEMU's
 * default), which differs only in queue setup (one page-frame number for
 * the fixed ring layout) and has no FEATURES_OK step or VERSION_1 bit. */
#include <mica/err.h>
#include <mica/libc.h>
#include "virtio.h"

#define MAGIC 0x74726976u /* "virt" */
#define R_MAGIC 0x000
#define R_VERSION 0x004
#define R_DEVICE_ID 0x008
#define R_DEVICE_FEATURES 0x010
#define R_DEVICE_FEATURES_SEL 0x014
#define R_DRIVER_FEATURES 0x020
#define R_DRIVER_FEATURES_SEL 0x024
#define R_GUEST_PAGE_SIZE 0x028 /* legacy */
#define R_QUEUE_SEL 0x030
#define R_QUEUE_NUM_MAX 0x034
#define R_QUEUE_NUM 0x038
#define R_QUEUE_ALIGN 0x03c /* legacy */
#define R_QUEUE_PFN 0x040   /* legacy */
#define R_QUEUE_READY 0x044
#define R_QUEUE_NOTIFY 0x050
#define R_INTERRUPT_ACK 0x064
#define R_STATUS 0x070
#define R_QUEUE_DESC 0x080
#define R_QUEUE_DRIVER 0x090
#define R_QUEUE_DEVICE 0x0a0
#define R_CONFIG 0x100

#define MICROVM_BASE 0xfeb00000ull
#define MICROVM_SLOT 512
#define MICROVM_SLOTS_ACPI 24 /* with the second IOAPIC */
#define MICROVM_SLOTS 8
#define MAX_CMDLINE_DEVS 16

static struct {
	uint64_t base, size;
	uint32_t gsi;
} listed[MAX_CMDLINE_DEVS];
static unsigned nlisted;

static volatile uint32_t *reg(struct virtio_dev *d, unsigned off)
{
	return (volatile uint32_t *)(d->regs + off);
}

static uint32_t rd(struct virtio_dev *d, unsigned off)
{
	return *reg(d, off);
}

static void wr(struct virtio_dev *d, unsigned off, uint32_t v)
{
	*reg(d, off) = v;
}

/* A number as Linux's memparse takes it: decimal or 0x hex, K/M/G suffix. */
static const char *number(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	unsigned base = 10;
	const char *start;
	if (s[0] == '0' && (s[1] | 32) == 'x') {
		base = 16;
		s += 2;
	}
	start = s;
	for (;; s++) {
		unsigned c = (unsigned char)*s, x;
		if (c >= '0' && c <= '9')
			x = c - '0';
		else if (base == 16 && (c | 32) >= 'a' && (c | 32) <= 'f')
			x = (c | 32) - 'a' + 10;
		else
			break;
		v = v * base + x;
	}
	if (s == start)
		return NULL;
	switch (*s | 32) {
	case 'k': v <<= 10, s++; break;
	case 'm': v <<= 20, s++; break;
	case 'g': v <<= 30, s++; break;
	default: break;
	}
	*out = v;
	return s;
}

bool mmio_cmdline_word(const char *w)
{
	static const char key[] = "virtio_mmio.device=";
	if (strncmp(w, key, sizeof(key) - 1) != 0)
		return false;
	uint64_t size, base, irq;
	const char *p = number(w + sizeof(key) - 1, &size);
	if (p && *p == '@')
		p = number(p + 1, &base);
	else
		p = NULL;
	if (p && *p == ':')
		p = number(p + 1, &irq);
	else
		p = NULL;
	if (!p || (*p && *p != ':') || size < 0x100 || irq > 0xffff) {
		virtio_say("ignoring malformed '%s' (expected virtio_mmio.device=SIZE@ADDR:IRQ)", w);
		return true;
	}
	if (nlisted < MAX_CMDLINE_DEVS) {
		listed[nlisted].base = base;
		listed[nlisted].size = size;
		listed[nlisted++].gsi = (uint32_t)irq;
	}
	return true;
}

/* Register the device at base if the slot holds one. */
static void probe(uint64_t base, uint64_t size, uint32_t gsi)
{
	volatile uint32_t *r = (volatile uint32_t *)(uintptr_t)base;
	if (r[R_DEVICE_ID / 4] == 0 || r[R_MAGIC / 4] != MAGIC)
		return; /* an empty slot, or nothing at all (reads as 0) */
	uint32_t version = r[R_VERSION / 4];
	if (version != 1 && version != 2) {
		virtio_say("virtio-mmio at 0x%llx: unknown version %u, ignored", (unsigned long long)base,
		           version);
		return;
	}
	struct virtio_dev *d = virtio_dev_add();
	if (!d) {
		virtio_say("virtio-mmio at 0x%llx: too many devices, ignored", (unsigned long long)base);
		return;
	}
	d->device_id = r[R_DEVICE_ID / 4];
	d->transport = version == 1 ? VT_MMIO_LEGACY : VT_MMIO;
	d->regs = (volatile uint8_t *)(uintptr_t)base;
	d->gsi = gsi;
	mm_add_mmio(base, size);
	mm_add_mmio(gsi < 24 ? 0xfec00000ull : 0xfec10000ull, 4096); /* its IOAPIC */
}

/* Devices the command line lists may sit anywhere (Firecracker: from
 * 0xd0000000), beyond the boot page tables: only their ranges are noted
 * now, and mmio_probe_listed looks at them once the final tables map them. */
void mmio_discover(void)
{
	if (nlisted) {
		for (unsigned i = 0; i < nlisted; i++) {
			mm_add_mmio(listed[i].base, listed[i].size);
			mm_add_mmio(listed[i].gsi < 24 ? 0xfec00000ull : 0xfec10000ull, 4096);
		}
		return;
	}
	/* Without a list, the microvm slots (read under the boot page tables,
	 * which map the first 4 GiB). */
	volatile uint32_t *slot8 = (volatile uint32_t *)(uintptr_t)(MICROVM_BASE + 8 * MICROVM_SLOT);
	bool acpi_layout = *slot8 == MAGIC;
	unsigned slots = acpi_layout ? MICROVM_SLOTS_ACPI : MICROVM_SLOTS;
	for (unsigned i = slots; i-- > 0;)
		probe(MICROVM_BASE + i * MICROVM_SLOT, MICROVM_SLOT, (acpi_layout ? 24 : 16) + i);
}

void mmio_probe_listed(void)
{
	for (unsigned i = 0; i < nlisted; i++)
		probe(listed[i].base, listed[i].size, listed[i].gsi);
}

uint64_t mmio_features(struct virtio_dev *d)
{
	wr(d, R_DEVICE_FEATURES_SEL, 1);
	uint64_t hi = rd(d, R_DEVICE_FEATURES);
	wr(d, R_DEVICE_FEATURES_SEL, 0);
	return hi << 32 | rd(d, R_DEVICE_FEATURES);
}

void mmio_set_features(struct virtio_dev *d, uint64_t f)
{
	wr(d, R_DRIVER_FEATURES_SEL, 1);
	wr(d, R_DRIVER_FEATURES, (uint32_t)(f >> 32));
	wr(d, R_DRIVER_FEATURES_SEL, 0);
	wr(d, R_DRIVER_FEATURES, (uint32_t)f);
}

uint8_t mmio_status(struct virtio_dev *d)
{
	return (uint8_t)rd(d, R_STATUS);
}

void mmio_set_status(struct virtio_dev *d, uint8_t s)
{
	wr(d, R_STATUS, s);
}

volatile uint8_t *mmio_cfg(struct virtio_dev *d)
{
	return d->regs + R_CONFIG;
}

int mmio_queue(struct virtio_dev *d, struct virtq *q, uint16_t max_size)
{
	wr(d, R_QUEUE_SEL, q->index);
	uint32_t max = rd(d, R_QUEUE_NUM_MAX);
	if (max == 0)
		return MICA_ENOENT;
	uint16_t size = max_size;
	while (size > max)
		size >>= 1;
	int rc = virtq_alloc(q, d, q->index, size);
	if (rc < 0)
		return rc;
	wr(d, R_QUEUE_NUM, size);
	if (d->transport == VT_MMIO_LEGACY) {
		wr(d, R_GUEST_PAGE_SIZE, 4096);
		wr(d, R_QUEUE_ALIGN, 4096);
		wr(d, R_QUEUE_PFN, (uint32_t)(q->desc_pa >> 12));
		return MICA_OK;
	}
	wr(d, R_QUEUE_DESC, (uint32_t)q->desc_pa);
	wr(d, R_QUEUE_DESC + 4, (uint32_t)(q->desc_pa >> 32));
	wr(d, R_QUEUE_DRIVER, (uint32_t)q->avail_pa);
	wr(d, R_QUEUE_DRIVER + 4, (uint32_t)(q->avail_pa >> 32));
	wr(d, R_QUEUE_DEVICE, (uint32_t)q->used_pa);
	wr(d, R_QUEUE_DEVICE + 4, (uint32_t)(q->used_pa >> 32));
	wr(d, R_QUEUE_READY, 1);
	return MICA_OK;
}

void mmio_notify(struct virtq *q)
{
	wr(q->dev, R_QUEUE_NOTIFY, q->index);
}

int mmio_irq(struct virtio_dev *d)
{
	return ioapic_route(d->gsi, d->vector);
}

void mmio_irq_ack(struct virtio_dev *d)
{
	wr(d, R_INTERRUPT_ACK, 3); /* used buffers and configuration change */
}
