/* mac.h - the Ethernet address of a network device: parsed from the
 * --net-mac:NAME=MAC option, or derived from the device's name and its host
 * interface so that it is the same on every run (a DHCP server keeps the
 * lease, a peer's ARP cache stays right) and the same on the tap and hvt
 * targets for the same tap. Used by platform/tap and by mica-hvt.
 * Freestanding. */
#ifndef MICA_MAC_H
#define MICA_MAC_H

#include <stdint.h>

/* "02:00:5e:10:00:01" (hex digits, ':' or '-' between bytes) -> mac. 0, or
 * MICA_EINVAL for anything else, for a multicast address or all zeros. */
int mica_mac_parse(const char *s, uint8_t mac[6]);

/* A locally administered unicast address from a hash of the device name
 * and the host interface name. Stable, not secret. */
void mica_mac_derive(const char *device, const char *host_if, uint8_t mac[6]);

#endif
