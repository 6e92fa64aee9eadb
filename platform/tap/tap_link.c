/* tap_link.c - the link state of a tap interface, asked through the tap's
 * own file descriptor, wherever the interface is now.
 *
 * A tap's file descriptor answers no SIOCGIFFLAGS, and writes to a tap
 * that is down fail with EIO only after every other check (so no probe
 * frame can ask without being delivered when it is up). So: TUNGETIFF
 * gives the interface's current name, TUNGETDEVNETNS (Linux 5.2) the
 * network namespace it lives in - it may have been moved after we
 * attached, as tests do with a host's end of a link - and SIOCGIFFLAGS on
 * a datagram socket made in that namespace (setns there and back) its
 * flags. One socket per namespace is kept (a few namespaces at most). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* setns */
#endif
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include "tap_link.h"

#ifndef TUNGETDEVNETNS
#define TUNGETDEVNETNS _IO('T', 227)
#endif

#define NS_KEPT 8

struct ns_sock {
	dev_t dev;
	ino_t ino;
	int sock;
};

static struct ns_sock kept[NS_KEPT];
static int nkept;

/* A datagram socket in the namespace nsfd refers to (-1: ours). */
static int make_sock(int nsfd)
{
	if (nsfd < 0)
		return socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -1;
	int s = -1;
	if (setns(nsfd, CLONE_NEWNET) == 0) {
		s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (setns(self, CLONE_NEWNET) != 0) {
			/* stuck in the other namespace: give up the socket
			 * rather than go on elsewhere than we started */
			if (s >= 0)
				close(s);
			s = -1;
		}
	}
	close(self);
	return s;
}

/* The kept socket for namespace (dev, ino), made when new; -1 on failure. */
static int sock_for(int nsfd, dev_t dev, ino_t ino)
{
	for (int i = 0; i < nkept; i++)
		if (kept[i].dev == dev && kept[i].ino == ino)
			return kept[i].sock;
	int s = make_sock(nsfd);
	if (s < 0)
		return -1;
	if (nkept == NS_KEPT) { /* forget the oldest */
		close(kept[0].sock);
		memmove(kept, kept + 1, sizeof(kept[0]) * (NS_KEPT - 1));
		nkept--;
	}
	kept[nkept++] = (struct ns_sock){dev, ino, s};
	return s;
}

static void forget_sock(int s)
{
	for (int i = 0; i < nkept; i++) {
		if (kept[i].sock == s) {
			close(s);
			kept[i] = kept[--nkept];
			return;
		}
	}
}

int tap_if_ioctl(int sock, const char *ifname, unsigned long req, struct ifreq *ifr)
{
	memset(ifr, 0, sizeof(*ifr));
	strncpy(ifr->ifr_name, ifname, IFNAMSIZ - 1);
	return ioctl(sock, req, ifr);
}

int tap_link_up(int tapfd)
{
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(tapfd, TUNGETIFF, &ifr) < 0)
		return -errno;
	int nsfd = ioctl(tapfd, TUNGETDEVNETNS);
	struct stat st = {0};
	if (nsfd >= 0 && fstat(nsfd, &st) < 0) {
		close(nsfd);
		nsfd = -1;
	}
	/* without TUNGETDEVNETNS (Linux < 5.2): our own namespace */
	int s = sock_for(nsfd, st.st_dev, nsfd >= 0 ? st.st_ino : 0);
	if (nsfd >= 0)
		close(nsfd);
	if (s < 0)
		return -errno;
	char name[IFNAMSIZ];
	memcpy(name, ifr.ifr_name, IFNAMSIZ);
	name[IFNAMSIZ - 1] = 0;
	if (tap_if_ioctl(s, name, SIOCGIFFLAGS, &ifr) < 0) {
		int e = errno;
		forget_sock(s); /* a namespace gone and its number reused */
		return -e;
	}
	return (ifr.ifr_flags & IFF_UP) ? 1 : 0;
}
