/* net.c - network devices: a guest netif is a Linux tap interface.
 *
 * NET_WRITE and NET_READ move a batch of frames per exit (and POLL can
 * carry both, see poll.c). Every frame
 * buffer is checked against guest memory (NET_READ only into memory the
 * guest may write). A received frame larger than its guest buffer is
 * dropped and counted, never truncated. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <linux/if_tun.h>
#include <mica/mac.h>
#include <mica/err.h>
#include "hvt.h"

/* Frames dropped as too large that one receive may read past. */
#define RECV_DROP_MAX MICA_HVT_NET_BATCH_MAX

static uint16_t tap_mtu(const char *ifname)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	int mtu = (s >= 0 && ioctl(s, SIOCGIFMTU, &ifr) == 0) ? ifr.ifr_mtu : 1500;
	if (s >= 0)
		close(s);
	return (uint16_t)(mtu > 0 && mtu <= MICA_HVT_FRAME_MAX - 14 ? mtu : 1500);
}

int hvt_net_open(struct hvt_dev *d)
{
	if (strlen(d->arg) >= IFNAMSIZ || if_nametoindex(d->arg) == 0) {
		hvt_err("--net:%s=%s: no such tap interface (create it first: ip tuntap add %s mode tap)",
		        d->name, d->arg, d->arg);
		return -1;
	}
	d->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", d->arg);
	if (d->fd < 0 || ioctl(d->fd, TUNSETIFF, &ifr) < 0) {
		hvt_err("--net:%s=%s: cannot attach to tap interface: %s", d->name, d->arg, strerror(errno));
		return -1;
	}
	/* Plain frames with complete checksums: offloads an earlier user of
	 * the tap asked for (mica's tap target does) stay on the device. */
	if (ioctl(d->fd, TUNSETOFFLOAD, 0) < 0) {
		hvt_err("--net:%s=%s: cannot turn off tap offloads: %s", d->name, d->arg, strerror(errno));
		return -1;
	}
	if (!d->mac_given)
		mica_mac_derive(d->name, d->arg, d->mac); /* the same on every run */
	d->mtu = tap_mtu(d->arg);
	return 0;
}

struct hvt_dev *hvt_net_dev(struct hvt *h, uint32_t handle)
{
	if (handle >= h->ndevs || h->devs[handle].kind != MICA_HVT_DEV_NET)
		return NULL;
	return &h->devs[handle];
}

void hvt_call_net_info(struct hvt *h, struct mica_hvt_net_info *a)
{
	struct hvt_dev *d = hvt_net_dev(h, a->handle);
	if (!d) {
		a->ret = MICA_ENOENT;
		return;
	}
	memcpy(a->mac, d->mac, 6);
	a->mtu = d->mtu;
	a->ret = 0;
}

/* The frame array of a batch, checked. A bad one ends the guest. */
static struct mica_hvt_frame *frames_of(struct hvt *h, uint64_t gpa, uint32_t count, const char *call)
{
	if (count > MICA_HVT_NET_BATCH_MAX)
		hvt_guest_fault(h, "hypercall %s: batch of %u frames exceeds %u", call, count,
		                MICA_HVT_NET_BATCH_MAX);
	struct mica_hvt_frame *f = hvt_gpa_write(h, gpa, (uint64_t)count * sizeof(*f));
	if (!f)
		hvt_guest_fault(h,
		                "hypercall %s: bad guest pointer: frame array at 0x%llx (%u "
		                "entries) is not in writable guest memory",
		                call, (unsigned long long)gpa, count);
	return f;
}

/* Send frames; returns how many were sent (stops when the tap is full) or
 * a negative error when the first one fails. */
int64_t hvt_net_send(struct hvt *h, struct hvt_dev *d, uint64_t gpa, uint32_t count, const char *call)
{
	struct mica_hvt_frame *f = frames_of(h, gpa, count, call);
	uint32_t sent = 0;
	for (; sent < count; sent++) {
		struct mica_hvt_frame fr;
		memcpy(&fr, &f[sent], sizeof(fr));
		const void *p = hvt_gpa_read(h, fr.addr, fr.len);
		if (!p)
			hvt_guest_fault(h,
			                "hypercall %s: bad guest pointer: frame %u [0x%llx, "
			                "+%u) is outside guest memory",
			                call, sent, (unsigned long long)fr.addr, fr.len);
		if (fr.len < 14 || fr.len > MICA_HVT_FRAME_MAX)
			return sent ? (int64_t)sent : MICA_EMSGSIZE;
		ssize_t n = write(d->fd, p, fr.len);
		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0)
			return sent ? (int64_t)sent : MICA_EIO;
		d->tx_frames++;
	}
	return sent;
}

/* Receive waiting frames into the guest's buffers; returns how many.
 * Bounded work per exit: at most count + RECV_DROP_MAX reads, so a peer
 * flooding the tap with frames too big for the guest's buffers cannot keep
 * the monitor here (the rest wait; the next POLL wakes at once). */
uint32_t hvt_net_recv(struct hvt *h, struct hvt_dev *d, uint64_t gpa, uint32_t count, const char *call)
{
	static uint8_t spill[65536];
	struct mica_hvt_frame *f = frames_of(h, gpa, count, call);
	uint32_t got = 0, dropped = 0;
	while (got < count && dropped < RECV_DROP_MAX) {
		struct mica_hvt_frame fr;
		memcpy(&fr, &f[got], sizeof(fr));
		void *p = hvt_gpa_write(h, fr.addr, fr.len);
		if (!p)
			hvt_guest_fault(h,
			                "hypercall %s: bad guest pointer: buffer %u [0x%llx, "
			                "+%u) is not in writable guest memory",
			                call, got, (unsigned long long)fr.addr, fr.len);
		/* The spill iovec catches frames too big for the buffer. */
		struct iovec iov[2] = {{p, fr.len}, {spill, sizeof(spill)}};
		ssize_t n = readv(d->fd, iov, 2);
		if (n < 0)
			break; /* EAGAIN: nothing more waiting */
		if ((size_t)n > fr.len) {
			d->rx_dropped++;
			dropped++;
			continue;
		}
		fr.len = (uint32_t)n;
		memcpy(&f[got], &fr, sizeof(fr));
		d->rx_frames++;
		got++;
	}
	return got;
}

void hvt_call_net_write(struct hvt *h, struct mica_hvt_net_io *a)
{
	struct hvt_dev *d = hvt_net_dev(h, a->handle);
	a->ret = d ? hvt_net_send(h, d, a->frames, a->count, "NET_WRITE") : MICA_ENOENT;
}

void hvt_call_net_read(struct hvt *h, struct mica_hvt_net_io *a)
{
	struct hvt_dev *d = hvt_net_dev(h, a->handle);
	a->ret = d ? (int64_t)hvt_net_recv(h, d, a->frames, a->count, "NET_READ") : MICA_ENOENT;
}
