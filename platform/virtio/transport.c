/* transport.c - the device side of virtio that both transports share:
 * status and feature negotiation (virtio 1.x, section 3.1), queues,
 * notifications, configuration space and interrupts, dispatched to
 * virtio-mmio (mmio.c) or virtio-pci (pci.c). */
#include <mica/err.h>
#include "virtio.h"

#define S_ACKNOWLEDGE 1
#define S_DRIVER 2
#define S_DRIVER_OK 4
#define S_FEATURES_OK 8
#define S_FAILED 128

static bool is_pci(const struct virtio_dev *d)
{
	return d->transport == VT_PCI;
}

static uint8_t status(struct virtio_dev *d)
{
	return is_pci(d) ? pci_status(d) : mmio_status(d);
}

static void set_status(struct virtio_dev *d, uint8_t s)
{
	if (is_pci(d))
		pci_set_status(d, s);
	else
		mmio_set_status(d, s);
}

int vdev_begin(struct virtio_dev *d, uint64_t wanted)
{
	set_status(d, 0); /* reset */
	for (int i = 0; i < 1000 && status(d) != 0; i++)
		;
	set_status(d, S_ACKNOWLEDGE);
	set_status(d, S_ACKNOWLEDGE | S_DRIVER);
	bool legacy = d->transport == VT_MMIO_LEGACY;
	uint64_t offered = is_pci(d) ? pci_features(d) : mmio_features(d);
	uint64_t f = offered & (wanted | VIRTIO_F_EVENT_IDX | (legacy ? 0 : VIRTIO_F_VERSION_1));
	if (!legacy && !(f & VIRTIO_F_VERSION_1)) {
		set_status(d, S_FAILED);
		return MICA_ENOTSUP;
	}
	if (is_pci(d))
		pci_set_features(d, f);
	else
		mmio_set_features(d, f);
	d->features = f;
	if (legacy)
		return MICA_OK; /* legacy devices have no FEATURES_OK step */
	set_status(d, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK);
	if (!(status(d) & S_FEATURES_OK)) {
		set_status(d, S_FAILED);
		return MICA_ENOTSUP;
	}
	return MICA_OK;
}

int vdev_queue(struct virtio_dev *d, struct virtq *q, uint16_t index, uint16_t max_size, bool irq)
{
	q->index = index;
	return is_pci(d) ? pci_queue(d, q, max_size, irq) : mmio_queue(d, q, max_size);
}

int vdev_ready(struct virtio_dev *d)
{
	int rc = is_pci(d) ? pci_irq(d) : mmio_irq(d);
	if (rc < 0)
		return rc;
	uint8_t s = S_ACKNOWLEDGE | S_DRIVER | (d->transport == VT_MMIO_LEGACY ? 0 : S_FEATURES_OK);
	set_status(d, s | S_DRIVER_OK);
	return MICA_OK;
}

void vdev_notify(struct virtq *q)
{
	if (is_pci(q->dev))
		pci_notify(q);
	else
		mmio_notify(q);
}

void vdev_irq_ack(struct virtio_dev *d)
{
	if (!is_pci(d))
		mmio_irq_ack(d); /* MSI-X (PCI) needs no acknowledgement */
}

static volatile uint8_t *cfg(struct virtio_dev *d)
{
	return is_pci(d) ? d->devcfg : mmio_cfg(d);
}

uint8_t vdev_cfg8(struct virtio_dev *d, unsigned off)
{
	return cfg(d)[off];
}

uint16_t vdev_cfg16(struct virtio_dev *d, unsigned off)
{
	return *(volatile uint16_t *)(cfg(d) + off);
}

uint32_t vdev_cfg32(struct virtio_dev *d, unsigned off)
{
	return *(volatile uint32_t *)(cfg(d) + off);
}

uint64_t vdev_cfg64(struct virtio_dev *d, unsigned off)
{
	return vdev_cfg32(d, off) | (uint64_t)vdev_cfg32(d, off + 4) << 32;
}
