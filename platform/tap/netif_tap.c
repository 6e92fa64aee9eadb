/* netif_tap.c - network interfaces of the tap target: each netif the app
 * declared is a Linux tap device (IFF_TAP, no packet info) named by
 * --net:NAME=TAPIF, read and written one frame per system call in batches,
 * non-blocking, woken through the unix platform's epoll set. The MAC is a
 * random locally administered address; the MTU is the tap interface's. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/epoll.h>
#include <mica/platform.h>
#include <mica/args.h>
#include <mica/app.h>
#include <mica/log.h>
#include "../unix/unix.h"

#define TAP_MAX 4

struct mica_netif {
	struct mica_unix_watch watch;
	char name[32]; /* the app's name for the device */
	char ifname[IFNAMSIZ];
	struct mica_netif_info info;
	mica_netif_ready_fn fn;
	void *arg;
	uint64_t rx_errors, tx_errors;
};

static struct mica_netif taps[TAP_MAX];
static int ntaps;

static bool declared(const char *name)
{
	for (const char *const *p = mica_manifest.netifs; p && *p; p++)
		if (strcmp(*p, name) == 0)
			return true;
	return false;
}

static int tap_attach(const char *ifname)
{
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* MTU and link state of the Linux side of the tap. */
static void query_link(struct mica_netif *nif)
{
	nif->info.mtu = 1500;
	nif->info.link_up = true;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", nif->ifname);
	if (ioctl(s, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu >= 576 && ifr.ifr_mtu <= 1500)
		nif->info.mtu = (uint16_t)ifr.ifr_mtu;
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0)
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
	int fd = tap_attach(ifname);
	if (fd < 0) {
		mica_error("tap", "cannot attach tap '%s': %s", ifname, strerror(errno));
		return mica_unix_err(errno);
	}
	struct mica_netif *nif = &taps[ntaps];
	memset(nif, 0, sizeof(*nif));
	snprintf(nif->name, sizeof(nif->name), "%s", name);
	snprintf(nif->ifname, sizeof(nif->ifname), "%s", ifname);
	if (getrandom(nif->info.mac, 6, 0) != 6)
		nif->info.mac[5] = (uint8_t)getpid();
	nif->info.mac[0] = (uint8_t)((nif->info.mac[0] & 0xfe) | 0x02); /* local, unicast */
	query_link(nif);
	nif->watch = (struct mica_unix_watch){.fd = fd, .fn = on_ready, .arg = nif};
	int rc = mica_unix_watch_add(&nif->watch, EPOLLIN);
	if (rc != MICA_OK) {
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
	while (n < max) {
		struct mica_buf *b = mica_buf_alloc(pool, headroom);
		if (!b)
			return n ? n : MICA_ENOMEM;
		ssize_t got = read(nif->watch.fd, mica_buf_data(b), mica_buf_tailroom(b));
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
		bufs[n++] = b;
	}
	return n;
}

int mica_netif_tx(struct mica_netif *nif, struct mica_buf **bufs, int n)
{
	int i = 0;
	for (; i < n; i++) {
		ssize_t w = write(nif->watch.fd, mica_buf_data(bufs[i]), bufs[i]->len);
		if (w < 0 && (errno == EAGAIN || errno == ENOBUFS))
			break; /* the kernel queue is full: the caller keeps the rest */
		if (w < 0)
			nif->tx_errors++;
		mica_buf_unref(bufs[i]);
	}
	return i;
}
