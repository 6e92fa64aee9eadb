/* tap_link.h - is the Linux side of a tap interface up? Shared by the tap
 * target (netif_tap.c) and mica-hvt's link watcher (monitor/link.c);
 * plain Linux C, no Mica headers. */
#ifndef MICA_TAP_LINK_H
#define MICA_TAP_LINK_H

/* 1 when the interface behind the tap file descriptor `tapfd` is up
 * (IFF_UP), 0 when it is down, a negative errno when it cannot be told.
 * Works wherever the interface is now, also after it was moved to another
 * network namespace than ours (needs CAP_SYS_ADMIN for that case). */
int tap_link_up(int tapfd);

/* ioctl(sock, req, ifr) about interface `ifname` (SIOCGIFFLAGS,
 * SIOCGIFMTU, ...), ifr cleared and named first; ioctl's result. */
struct ifreq;
int tap_if_ioctl(int sock, const char *ifname, unsigned long req, struct ifreq *ifr);

#endif
