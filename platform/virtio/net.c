/* net.c - virtio-net: the network interfaces of a virtio guest.
 *
 * Queue 0 receives, queue 1 sends. Every frame is one descriptor with the
 * virtio-net header right in front of it, in the buffer's headroom (12
 * bytes, 10 on a legacy device), so nothing is copied either way:
 *   - receive buffers come from the stack's pool (learnt at its first
 *     mica_netif_rx) and stay posted; completions are taken in batches;
 *   - mica_netif_tx adds a batch and notifies the device once, and only
 *     if it asked to be told (event index: while the device is still
 *     working through the ring, more frames cost no exit at all); sent
 *     buffers are reaped on the next send or poll, with no interrupt.
 * The receive queue interrupts only when the CPU is about to sleep
 * (net_arm), so a busy guest takes no interrupts.
 *
 * Offload: when the device offers checksum and TSO4 both ways, the stack
 * gets 64 KiB super-frames (tso_max): the header's flags map to the
 * buffer's csum/gso_size as on the tap target. mica_netif_set_offload
 * renegotiates (a device reset) for apps that want plain frames. */
#include <mica/app.h>
#include <mica/err.h>
#include <mica/loop.h>
#include <mica/libc.h>
#include <mica/log.h>
#include "virtio.h"
#include "../vnet_hdr.h"

#define F_CSUM (1ull << 0)
#define F_GUEST_CSUM (1ull << 1)
#define F_MTU (1ull << 3)
#define F_MAC (1ull << 5)
#define F_GUEST_TSO4 (1ull << 7)
#define F_HOST_TSO4 (1ull << 11)
#define F_OFFLOAD (F_CSUM | F_GUEST_CSUM | F_GUEST_TSO4 | F_HOST_TSO4)
#define QSIZE 256
#define RX_POST 64     /* receive buffers kept posted (plain frames) */
#define RX_POST_BIG 24 /* ... of 68 KiB each with TSO */
#define MAX_NETIFS 8
#define FLUSH_WAIT_NS (200 * MICA_NS_PER_MS)

struct mica_netif {
	struct virtio_dev *dev;
	const char *name;
	struct virtq rx, tx;
	struct mica_netif_info info;
	uint32_t hdr_len;
	bool offload;
	mica_netif_ready_fn ready;
	void *arg;
	struct mica_buf_pool *pool; /* NULL until the stack's first receive */
	size_t headroom;
	unsigned posted, post_target;
	uint64_t rx_frames, tx_frames, rx_errors, tx_errors, tx_full;
};

static struct mica_netif netifs[MAX_NETIFS];
static unsigned nnetifs;

/* Reset the device and set it up with or without offload. */
static int setup(struct mica_netif *nif, bool offload)
{
	struct virtio_dev *d = nif->dev;
	int rc = vdev_begin(d, F_MAC | F_MTU | (offload ? F_OFFLOAD : 0));
	if (rc < 0)
		return rc;
	nif->offload = (d->features & F_OFFLOAD) == F_OFFLOAD;
	if (offload && !nif->offload) { /* part of it only: plain frames */
		rc = vdev_begin(d, F_MAC | F_MTU);
		if (rc < 0)
			return rc;
	}
	nif->hdr_len = d->transport == VT_MMIO_LEGACY ? 10 : 12;
	rc = vdev_queue(d, &nif->rx, 0, QSIZE, true);
	if (rc == MICA_OK)
		rc = vdev_queue(d, &nif->tx, 1, QSIZE, false);
	if (rc == MICA_OK)
		rc = vdev_ready(d);
	if (rc < 0)
		return rc;
	virtq_quiet(&nif->rx);
	virtq_quiet(&nif->tx);
	nif->posted = 0;
	nif->info.tso_max = nif->offload ? 65535 : 0;
	nif->post_target = nif->offload ? RX_POST_BIG : RX_POST;
	return MICA_OK;
}

static void read_identity(struct mica_netif *nif)
{
	struct virtio_dev *d = nif->dev;
	if (d->features & F_MAC) {
		for (unsigned i = 0; i < 6; i++)
			nif->info.mac[i] = vdev_cfg8(d, i);
	} else {
		uint64_t r = guest_rdtsc() * 0x9e3779b97f4a7c15ull;
		memcpy(nif->info.mac, &r, 6);
		nif->info.mac[0] = (uint8_t)((nif->info.mac[0] & 0xfe) | 0x02); /* local, unicast */
	}
	uint16_t mtu = (d->features & F_MTU) ? vdev_cfg16(d, 10) : 1500;
	nif->info.mtu = mtu >= 576 && mtu <= 1500 ? mtu : 1500;
	nif->info.link_up = true;
}

int mica_netif_open(const char *name, struct mica_netif **out)
{
	for (unsigned i = 0; i < nnetifs; i++) {
		if (strcmp(netifs[i].name, name) == 0) {
			*out = &netifs[i];
			return MICA_OK;
		}
	}
	struct virtio_dev *d = virtio_dev_for(name, VIRTIO_ID_NET);
	if (!d) {
		mica_error("virtio", "no network device '%s' declared by the app", name);
		return MICA_ENOENT;
	}
	if (nnetifs == MAX_NETIFS)
		return MICA_ENOSPC;
	struct mica_netif *nif = &netifs[nnetifs];
	*nif = (struct mica_netif){.dev = d, .name = name};
	int rc = setup(nif, true);
	if (rc < 0) {
		mica_error("virtio", "%s: virtio-net device setup failed: %s", name, mica_strerror(rc));
		return rc;
	}
	read_identity(nif);
	nnetifs++;
	const uint8_t *m = nif->info.mac;
	mica_info("virtio", "%s on virtio-net (%s), mac %02x:%02x:%02x:%02x:%02x:%02x, mtu %u%s", name,
	          d->transport == VT_PCI    ? "pci"
	          : d->transport == VT_MMIO ? "mmio"
	                                    : "mmio, legacy",
	          m[0], m[1], m[2], m[3], m[4], m[5], nif->info.mtu,
	          nif->offload ? ", checksum and TSO offload" : "");
	*out = nif;
	return MICA_OK;
}

int mica_netif_info(struct mica_netif *nif, struct mica_netif_info *info)
{
	*info = nif->info;
	info->rx_errors = nif->rx_errors;
	info->tx_errors = nif->tx_errors;
	return MICA_OK;
}

void mica_netif_set_ready(struct mica_netif *nif, mica_netif_ready_fn fn, void *arg)
{
	nif->ready = fn;
	nif->arg = arg;
}

/* Offload is negotiated, so changing it resets the device: allowed only
 * before the stack has posted buffers or sent frames (right after open). */
int mica_netif_set_offload(struct mica_netif *nif, bool on)
{
	if (on == nif->offload)
		return MICA_OK;
	if (nif->pool || nif->tx.nfree != nif->tx.size)
		return MICA_EAGAIN;
	int rc = setup(nif, on);
	if (rc < 0)
		return rc;
	return on && !nif->offload ? MICA_ENOTSUP : MICA_OK;
}

/* Post receive buffers up to the target; the header goes in headroom. */
static void rx_refill(struct mica_netif *nif)
{
	bool added = false;
	while (nif->posted < nif->post_target) {
		struct mica_buf *b = mica_buf_alloc(nif->pool, nif->headroom);
		if (!b)
			break;
		struct virtq_seg s = {(uintptr_t)mica_buf_data(b) - nif->hdr_len,
		                      (uint32_t)(nif->hdr_len + mica_buf_tailroom(b)), true};
		if (virtq_add(&nif->rx, &s, 1, b) < 0) {
			mica_buf_unref(b);
			break;
		}
		nif->posted++;
		added = true;
	}
	if (added)
		virtq_kick(&nif->rx);
}

int mica_netif_rx(struct mica_netif *nif, struct mica_buf_pool *pool, size_t headroom, struct mica_buf **bufs,
                  int max)
{
	if (headroom < nif->hdr_len)
		return MICA_EINVAL;
	if (!nif->pool) {
		nif->pool = pool; /* from now on buffers stay posted from this pool */
		nif->headroom = headroom;
	}
	int n = 0;
	struct mica_buf *b;
	uint32_t len;
	while (n < max && (b = virtq_take(&nif->rx, &len)) != NULL) {
		nif->posted--;
		const struct vnet_hdr *h = (const void *)(mica_buf_data(b) - nif->hdr_len);
		if (len < nif->hdr_len + 14 || len - nif->hdr_len > mica_buf_tailroom(b)) {
			nif->rx_errors++;
			mica_buf_unref(b);
			continue;
		}
		b->len = len - nif->hdr_len;
		if (h->flags & (VNET_HDR_F_NEEDS_CSUM | VNET_HDR_F_DATA_VALID))
			b->csum = MICA_CSUM_TRUSTED;
		bufs[n++] = b;
		nif->rx_frames++;
	}
	rx_refill(nif);
	return n;
}

static void tx_reap(struct mica_netif *nif)
{
	struct mica_buf *b;
	uint32_t len;
	while ((b = virtq_take(&nif->tx, &len)) != NULL)
		mica_buf_unref(b);
}

int mica_netif_tx(struct mica_netif *nif, struct mica_buf **bufs, int n)
{
	tx_reap(nif);
	int i = 0;
	for (; i < n; i++) {
		struct mica_buf *b = bufs[i];
		if (mica_buf_headroom(b) < nif->hdr_len) {
			nif->tx_errors++; /* a frame built without room for the header: dropped */
			mica_buf_unref(b);
			continue;
		}
		struct vnet_hdr h = vnet_hdr_for_tx(b);
		uint8_t *at = mica_buf_data(b) - nif->hdr_len;
		memset(at, 0, nif->hdr_len); /* num_buffers, on a modern device */
		memcpy(at, &h, sizeof(h));
		struct virtq_seg s = {(uintptr_t)at, nif->hdr_len + b->len, false};
		if (virtq_add(&nif->tx, &s, 1, b) < 0) {
			nif->tx_full++;
			break; /* the ring is full: the caller keeps the rest */
		}
		nif->tx_frames++;
	}
	virtq_kick(&nif->tx);
	return i;
}

int net_poll(void)
{
	int ready = 0;
	for (unsigned i = 0; i < nnetifs; i++) {
		struct mica_netif *nif = &netifs[i];
		tx_reap(nif);
		/* Before the stack's first receive nothing is posted: call it once
		 * so that it names its pool. */
		if (nif->ready && (!nif->pool || virtq_pending(&nif->rx))) {
			ready++;
			nif->ready(nif, nif->arg);
		}
	}
	return ready;
}

bool net_arm(void)
{
	for (unsigned i = 0; i < nnetifs; i++)
		if (netifs[i].pool && !virtq_arm(&netifs[i].rx))
			return false;
	return true;
}

/* At exit: wait (briefly) until the device has sent what was queued, so
 * the last answers are not lost when the hypervisor stops. */
void net_flush_all(void)
{
	uint64_t until = mica_plat_monotonic_ns() + FLUSH_WAIT_NS;
	for (unsigned i = 0; i < nnetifs; i++) {
		struct mica_netif *nif = &netifs[i];
		while (nif->tx.nfree < nif->tx.size && mica_plat_monotonic_ns() < until) {
			tx_reap(nif);
			__asm__ volatile("pause");
		}
	}
}
