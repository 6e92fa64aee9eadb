/* netif_tap.c - network interfaces of the tap target: each netif the app
 * declared is a Linux tap device (IFF_TAP, no packet info) named by
 * --net:NAME=TAPIF, read and written one frame per system call in batches,
 * non-blocking, woken through the unix platform's epoll set. The MAC is
 * --net-mac:NAME=MAC or derived from NAME and the tap's name (the same on
 * every run, see mac.h); the MTU is the tap interface's.
 *
 * Offload: each frame carries a virtio-net header (IFF_VNET_HDR) and the
 * tap is told we take checksum-less and TCP super-frames (TUNSETOFFLOAD
 * CSUM|TSO4), so Linux's TCP hands us up to 64 KiB per read and takes as
 * much per write, cutting it into MSS segments itself. The header's flags
 * map to the buffer's gso_size and csum fields. --tap-offload=send keeps
 * the header for sending only: Mica writes super-frames that the kernel
 * cuts into MSS segments in software (as Linux's own TCP does on a device
 * without offload - its GSO is always on), while the tap's Linux side
 * offers no offload, so everything Mica reads is a plain, checksummed
 * frame. --tap-offload=no turns it off (one frame of at most the MTU per
 * write). A frame whose bytes go on
 * in the app's memory (buf->ext, zero-copy TCP) is written with one more
 * iovec.
 *
 * Writes: --tap-tx=uring (the default) hands all the frames of a flush
 * to the kernel in one io_uring_enter (tap_ring.c), sqpoll has a kernel
 * thread take them, writev makes one system call per frame.
 *
 * Link state: every LINK_CHECK_MS a timer asks whether each tap's Linux
 * side is up (tap_link.c, wherever the interface was moved); a change
 * sets info.link_up and calls the device's ready callback, which reads it
 * with mica_netif_info (platform.h), as the stack reads the tap's error
 * counts (short reads, bad virtio-net headers, failed writes) to print
 * them with its own. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <sys/uio.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <mica/platform.h>
#include <mica/args.h>
#include <mica/app.h>
#include <mica/log.h>
#include <mica/mac.h>
#include "../unix/unix.h"
#include "tap_link.h"
#include "tap_ring.h"

#define TAP_MAX 16 /* an OpenFlow switch: 1 control + up to 15 ports */
#define LINK_CHECK_MS 500
#define TAP_RUNNING_WAIT_MS 1500 /* at most, for Linux's side to transmit */

struct mica_netif {
	struct mica_unix_watch watch;
	char name[32]; /* the app's name for the device */
	char ifname[IFNAMSIZ];
	struct mica_netif_info info;
	mica_netif_ready_fn fn;
	void *arg;
	uint64_t rx_errors, tx_errors;
	bool vnet;             /* frames carry a struct virtio_net_hdr */
	struct tap_ring *ring; /* NULL: one writev per frame */
};

static struct mica_netif taps[TAP_MAX];
static int ntaps;
static struct mica_unix_watch link_timer;

static bool declared(const char *name)
{
	for (const char *const *p = mica_manifest.netifs; p && *p; p++)
		if (strcmp(*p, name) == 0)
			return true;
	return false;
}

static int tap_attach(const char *ifname, bool vnet)
{
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = (short)(IFF_TAP | IFF_NO_PI | (vnet ? IFF_VNET_HDR : 0));
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* --tap-offload: what the kernel segments and checksums for us. */
enum tap_offload { OFFLOAD_NONE, OFFLOAD_SEND, OFFLOAD_BOTH };

/* --tap-offload's value; MICA_EINVAL for an unknown one. */
static int offload_mode(enum tap_offload *mode)
{
	const char *v = mica_arg_str("tap-offload");
	static const struct {
		const char *name;
		enum tap_offload mode;
	} names[] = {{"yes", OFFLOAD_BOTH},  {"1", OFFLOAD_BOTH},  {"true", OFFLOAD_BOTH},
	             {"send", OFFLOAD_SEND}, {"no", OFFLOAD_NONE}, {"0", OFFLOAD_NONE},
	             {"false", OFFLOAD_NONE}};
	for (size_t i = 0; v && i < MICA_ARRAY_LEN(names); i++) {
		if (strcmp(v, names[i].name) == 0) {
			*mode = names[i].mode;
			return MICA_OK;
		}
	}
	mica_error("tap", "--tap-offload=%s: expected yes, send or no", v ? v : "");
	return MICA_EINVAL;
}

/* Frames carry a virtio-net header, and the tap's Linux side sends us
 * super-frames and checksum-less frames (TUNSETOFFLOAD) when receive is
 * set; false if refused. */
static bool tap_offload(int fd, bool receive)
{
	int hdr = (int)sizeof(struct virtio_net_hdr);
	return ioctl(fd, TUNSETVNETHDRSZ, &hdr) == 0 &&
	       ioctl(fd, TUNSETOFFLOAD, receive ? TUN_F_CSUM | TUN_F_TSO4 : 0) == 0;
}

/* Attaching the file descriptor turns the tap's carrier on, but Linux
 * only starts transmitting on it (dev_activate, and IFF_RUNNING) when its
 * link watcher has run, up to a second later; what it sends before that -
 * the answer to our first ARP request, typically - is dropped, and that
 * cost a whole ARP retry (1 s) at start-up now and then. So wait, briefly
 * and bounded, for IFF_RUNNING when the interface is up. */
static void wait_running(int s, const char *ifname)
{
	for (int waited = 0; waited < TAP_RUNNING_WAIT_MS; waited += 5) {
		struct ifreq ifr;
		if (tap_if_ioctl(s, ifname, SIOCGIFFLAGS, &ifr) < 0 || !(ifr.ifr_flags & IFF_UP) ||
		    (ifr.ifr_flags & IFF_RUNNING))
			return; /* not here (moved), down on purpose, or ready */
		usleep(5000);
	}
}

/* MTU and link state of the Linux side of the tap, once it runs. */
static void query_link(struct mica_netif *nif)
{
	nif->info.mtu = 1500;
	nif->info.link_up = true;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return;
	wait_running(s, nif->ifname);
	struct ifreq ifr;
	if (tap_if_ioctl(s, nif->ifname, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu >= 576 && ifr.ifr_mtu <= 1500)
		nif->info.mtu = (uint16_t)ifr.ifr_mtu;
	if (tap_if_ioctl(s, nif->ifname, SIOCGIFFLAGS, &ifr) == 0)
		nif->info.link_up = ifr.ifr_flags & IFF_UP;
	close(s);
}

static void on_ready(struct mica_unix_watch *w, uint32_t events)
{
	(void)events;
	struct mica_netif *nif = w->arg;
	if (nif->fn)
		nif->fn(nif, nif->arg);
}

/* The link timer: tell each device whose link went up or down. */
static void on_link_timer(struct mica_unix_watch *w, uint32_t events)
{
	(void)events;
	uint64_t ticks;
	if (read(w->fd, &ticks, sizeof(ticks)) < 0)
		return;
	for (int i = 0; i < ntaps; i++) {
		struct mica_netif *nif = &taps[i];
		int up = tap_link_up(nif->watch.fd);
		if (up < 0 || (up == 1) == nif->info.link_up)
			continue;
		nif->info.link_up = up == 1;
		mica_info("tap", "%s (tap %s): link %s", nif->name, nif->ifname, up ? "up" : "down");
		if (nif->fn)
			nif->fn(nif, nif->arg);
	}
}

static int link_timer_start(void)
{
	if (link_timer.fn)
		return MICA_OK;
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	struct itimerspec its = {{0, LINK_CHECK_MS * 1000000L}, {0, LINK_CHECK_MS * 1000000L}};
	if (fd < 0 || timerfd_settime(fd, 0, &its, NULL) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return mica_unix_err(e);
	}
	link_timer = (struct mica_unix_watch){.fd = fd, .fn = on_link_timer};
	int rc = mica_unix_watch_add(&link_timer, EPOLLIN);
	if (rc != MICA_OK) {
		close(fd);
		link_timer.fn = NULL;
	}
	return rc;
}

/* --tap-tx: how frames are written (see tap_ring.c); MICA_EINVAL for an
 * unknown way. */
static int open_ring(struct mica_netif *nif)
{
	const char *how = mica_arg_str("tap-tx");
	if (!how || strcmp(how, "writev") == 0)
		return MICA_OK;
	if (strcmp(how, "uring") != 0 && strcmp(how, "sqpoll") != 0) {
		mica_error("tap", "--tap-tx=%s: expected uring, sqpoll or writev", how);
		return MICA_EINVAL;
	}
	enum tap_ring_mode mode = strcmp(how, "sqpoll") == 0 ? TAP_RING_SQPOLL : TAP_RING_INLINE;
	if (tap_ring_open(nif->watch.fd, nif->vnet, mode, &nif->ring) != MICA_OK) {
		mica_warn("tap", "%s: no io_uring (%s): one writev per frame", nif->ifname, strerror(errno));
		nif->ring = NULL;
	}
	return MICA_OK;
}

/* --net-mac:NAME=MAC, else derived from the device and tap names. */
static int device_mac(const char *name, const char *ifname, uint8_t mac[6])
{
	char key[48];
	snprintf(key, sizeof(key), "net-mac:%s", name);
	const char *v = mica_arg_str(key);
	if (!v || !*v) {
		mica_mac_derive(name, ifname, mac);
		return MICA_OK;
	}
	if (mica_mac_parse(v, mac) != MICA_OK) {
		mica_error("tap", "--%s=%s: expected a unicast MAC address like 02:00:00:00:00:01", key, v);
		return MICA_EINVAL;
	}
	return MICA_OK;
}

int mica_netif_open(const char *name, struct mica_netif **out)
{
	for (int i = 0; i < ntaps; i++) {
		if (strcmp(taps[i].name, name) == 0) {
			*out = &taps[i];
			return MICA_OK;
		}
	}
	if (!declared(name)) {
		mica_error("tap", "no network device '%s' declared by the app", name);
		return MICA_ENOENT;
	}
	char key[48];
	snprintf(key, sizeof(key), "net:%s", name);
	const char *ifname = mica_arg_str(key);
	if (!ifname || !*ifname || strlen(ifname) >= IFNAMSIZ) {
		mica_error("tap", "network device '%s': give its tap interface with --net:%s=TAPIF", name,
		           name);
		return MICA_ENOENT;
	}
	if (ntaps == TAP_MAX)
		return MICA_ENOSPC;
	uint8_t mac[6];
	int rc = device_mac(name, ifname, mac);
	if (rc != MICA_OK)
		return rc;
	enum tap_offload want;
	rc = offload_mode(&want);
	if (rc != MICA_OK)
		return rc;
	bool want_offload = want != OFFLOAD_NONE;
	int fd = tap_attach(ifname, want_offload);
	if (fd < 0) {
		mica_error("tap", "cannot attach tap '%s': %s", ifname, strerror(errno));
		return mica_unix_err(errno);
	}
	struct mica_netif *nif = &taps[ntaps];
	memset(nif, 0, sizeof(*nif));
	snprintf(nif->name, sizeof(nif->name), "%s", name);
	snprintf(nif->ifname, sizeof(nif->ifname), "%s", ifname);
	memcpy(nif->info.mac, mac, 6);
	query_link(nif);
	nif->info.tx_ext = true; /* writev gathers it */
	nif->vnet = want_offload;
	if (want_offload && tap_offload(fd, want == OFFLOAD_BOTH)) {
		nif->info.tso_max = 0xffff;
	} else {
		if (want_offload)
			mica_warn("tap", "%s: the kernel refused offload; one frame per system call", ifname);
		ioctl(fd, TUNSETOFFLOAD, 0); /* an earlier user's offloads stay on the device */
	}
	nif->watch = (struct mica_unix_watch){.fd = fd, .fn = on_ready, .arg = nif};
	rc = open_ring(nif);
	if (rc == MICA_OK)
		rc = mica_unix_watch_add(&nif->watch, EPOLLIN);
	if (rc == MICA_OK && link_timer_start() != MICA_OK)
		mica_warn("tap", "%s: link changes will not be seen", ifname);
	if (rc != MICA_OK) {
		tap_ring_close(nif->ring);
		close(fd);
		return rc;
	}
	ntaps++;
	const uint8_t *m = nif->info.mac;
	mica_info("tap", "%s on tap %s, mac %02x:%02x:%02x:%02x:%02x:%02x, mtu %u", name, ifname, m[0], m[1],
	          m[2], m[3], m[4], m[5], nif->info.mtu);
	*out = nif;
	return MICA_OK;
}

int mica_netif_info(struct mica_netif *nif, struct mica_netif_info *info)
{
	*info = nif->info;
	info->rx_errors = nif->rx_errors;
	info->tx_errors = nif->tx_errors + tap_ring_errors(nif->ring);
	return MICA_OK;
}

int mica_netif_set_offload(struct mica_netif *nif, bool on)
{
	if (on && (!nif->vnet || !tap_offload(nif->watch.fd, true)))
		return MICA_ENOTSUP;
	if (!on && nif->vnet && ioctl(nif->watch.fd, TUNSETOFFLOAD, 0) < 0)
		return mica_unix_err(errno);
	nif->info.tso_max = on ? 0xffff : 0; /* the vnet header stays, all zero when off */
	return MICA_OK;
}

void mica_netif_set_ready(struct mica_netif *nif, mica_netif_ready_fn fn, void *arg)
{
	nif->fn = fn;
	nif->arg = arg;
}

int mica_netif_rx(struct mica_netif *nif, struct mica_buf_pool *pool, size_t headroom, struct mica_buf **bufs,
                  int max)
{
	int n = 0;
	for (int reads = 0; n < max && reads < max; reads++) { /* reads: short frames count too */
		struct mica_buf *b = mica_buf_alloc(pool, headroom);
		if (!b)
			return n ? n : MICA_ENOMEM;
		struct virtio_net_hdr vh;
		struct iovec iov[2] = {{&vh, sizeof(vh)}, {mica_buf_data(b), mica_buf_tailroom(b)}};
		ssize_t got = nif->vnet ? readv(nif->watch.fd, iov, 2) : readv(nif->watch.fd, iov + 1, 1);
		if (nif->vnet && got >= 0 && got <= (ssize_t)sizeof(vh)) { /* no frame behind the header */
			nif->rx_errors++;
			mica_buf_unref(b);
			continue;
		}
		if (nif->vnet && got > 0)
			got -= (ssize_t)sizeof(vh);
		if (got <= 0) {
			int e = errno;
			mica_buf_unref(b);
			if (got < 0 && e != EAGAIN && e != EINTR) {
				nif->rx_errors++;
				return n ? n : mica_unix_err(e);
			}
			break;
		}
		b->len = (uint32_t)got;
		if (nif->vnet && (vh.flags & (VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_DATA_VALID)))
			b->csum = MICA_CSUM_TRUSTED; /* from the host's own stack */
		bufs[n++] = b;
	}
	return n;
}

int mica_netif_tx(struct mica_netif *nif, struct mica_buf **bufs, int n)
{
	if (nif->ring)
		return tap_ring_tx(nif->ring, bufs, n);
	int i = 0;
	for (; i < n; i++) {
		struct vnet_hdr vh;
		struct iovec iov[3];
		int n_iov = tap_frame_iov(bufs[i], nif->vnet, &vh, iov);
		ssize_t w = writev(nif->watch.fd, iov, n_iov);
		if (w < 0 && (errno == EAGAIN || errno == ENOBUFS))
			break; /* the kernel queue is full: the caller keeps the rest */
		if (w < 0)
			nif->tx_errors++;
		mica_buf_unref(bufs[i]);
	}
	return i;
}
