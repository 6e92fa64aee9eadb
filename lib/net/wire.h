/* wire.h - wire formats of the direct stack: parse and encode, nothing else.
 *
 * Private to lib/net. Every parser takes a view and fills a struct of fields
 * and sub-views without reading outside the view; on malformed input it
 * returns MICA_EBADMSG and names the reason in the struct's `err` field (the
 * stack turns reasons into drop counters). Encoders write a header into a
 * buffer's headroom (mica_buf_push) in front of the payload already there.
 * Addresses and fields are in host byte order. No protocol state lives here:
 * see arp.c, ipv4.c, icmp.c, udp.c, dhcp.c for that. */
#ifndef MICA_NET_WIRE_H
#define MICA_NET_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <mica/buf.h>
#include <mica/view.h>

/* ---- Internet checksum (RFC 1071), csum.c ---- */
/* Add bytes to a running one's-complement sum (any alignment, odd lengths
 * only at the end). */
uint32_t net_csum_add(uint32_t sum, const void *data, size_t len);
/* Fold to 16 bits and complement: the value to put in a header. */
uint16_t net_csum_fold(uint32_t sum);
/* The TCP/UDP pseudo-header sum. */
uint32_t net_csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len);

/* ---- Ethernet II, eth_wire.c ---- */
#define ETH_ALEN 6
#define ETH_HLEN 14
#define ETH_TYPE_IPV4 0x0800
#define ETH_TYPE_ARP 0x0806
extern const uint8_t eth_broadcast[ETH_ALEN];

struct eth_hdr {
	uint8_t dst[ETH_ALEN], src[ETH_ALEN];
	uint16_t type;
	struct mica_view payload;
};

/* MICA_EBADMSG when shorter than a header (a runt). */
int eth_parse(struct mica_view v, struct eth_hdr *h);
/* Push a 14-byte header; MICA_ENOSPC without headroom. */
int eth_encode(struct mica_buf *b, const uint8_t dst[ETH_ALEN], const uint8_t src[ETH_ALEN], uint16_t type);
static inline bool eth_is_multicast(const uint8_t mac[ETH_ALEN])
{
	return mac[0] & 1;
}

/* ---- ARP for IPv4 over Ethernet (RFC 826), arp_wire.c ---- */
#define ARP_LEN 28
#define ARP_OP_REQUEST 1
#define ARP_OP_REPLY 2

enum arp_err { ARP_OK, ARP_ERR_SHORT, ARP_ERR_FORMAT };

struct arp_pkt {
	uint16_t op;
	uint8_t sha[ETH_ALEN];
	uint32_t spa;
	uint8_t tha[ETH_ALEN];
	uint32_t tpa;
	enum arp_err err;
};

/* Accepts only Ethernet/IPv4 ARP (htype 1, ptype 0x0800, 6/4 lengths). */
int arp_parse(struct mica_view v, struct arp_pkt *p);
/* Push the 28-byte packet. */
int arp_encode(struct mica_buf *b, const struct arp_pkt *p);

/* ---- IPv4 (RFC 791), ipv4_wire.c ---- */
#define IPV4_HLEN 20
#define IPV4_PROTO_ICMP 1
#define IPV4_PROTO_TCP 6
#define IPV4_PROTO_UDP 17
#define IPV4_FLAG_DF 0x4000
#define IPV4_FLAG_MF 0x2000
#define IPV4_OFFSET_MASK 0x1fff
#define IPV4_BROADCAST 0xffffffffu

enum ipv4_err {
	IPV4_OK,
	IPV4_ERR_SHORT,
	IPV4_ERR_VERSION,
	IPV4_ERR_HLEN,
	IPV4_ERR_TOTLEN,
	IPV4_ERR_CSUM,
};

struct ipv4_hdr {
	uint8_t hlen; /* header length in bytes, options included */
	uint8_t tos;
	uint16_t total_len;
	uint16_t id;
	bool df, mf;
	uint16_t frag_off; /* fragment offset in bytes */
	uint8_t ttl;
	uint8_t proto;
	uint32_t src, dst;
	struct mica_view options; /* skipped by the stack */
	struct mica_view payload; /* exactly total_len - hlen bytes */
	enum ipv4_err err;
};

/* Validates version, header length, total length against the view (link
 * padding after total_len is ignored) and the header checksum. */
int ipv4_parse(struct mica_view v, struct ipv4_hdr *h);
/* Push a 20-byte header (no options) over the b->len payload bytes;
 * total_len and the checksum are computed. MICA_EMSGSIZE over 65535. */
int ipv4_encode(struct mica_buf *b, const struct ipv4_hdr *h);
static inline bool ipv4_is_fragment(const struct ipv4_hdr *h)
{
	return h->mf || h->frag_off;
}

/* ---- ICMP (RFC 792), icmp_wire.c ---- */
#define ICMP_HLEN 8
#define ICMP_ECHO_REPLY 0
#define ICMP_UNREACH 3
#define ICMP_ECHO_REQUEST 8
#define ICMP_UNREACH_PROTO 2
#define ICMP_UNREACH_PORT 3
#define ICMP_UNREACH_NEEDFRAG 4

enum icmp_err { ICMP_OK, ICMP_ERR_SHORT, ICMP_ERR_CSUM };

struct icmp_hdr {
	uint8_t type, code;
	uint32_t rest; /* id/sequence for echo, unused/MTU for errors */
	struct mica_view body;
	enum icmp_err err;
};

/* Validates the checksum over the whole message. */
int icmp_parse(struct mica_view v, struct icmp_hdr *h);
/* Push an 8-byte header over the body in b; checksum over the whole message. */
int icmp_encode(struct mica_buf *b, uint8_t type, uint8_t code, uint32_t rest);

/* ---- UDP (RFC 768), udp_wire.c ---- */
#define UDP_HLEN 8

enum udp_err { UDP_OK, UDP_ERR_SHORT, UDP_ERR_LEN, UDP_ERR_CSUM };

struct udp_hdr {
	uint16_t sport, dport;
	uint16_t len;             /* header + payload, from the header */
	struct mica_view payload; /* exactly len - 8 bytes */
	enum udp_err err;
};

/* v is the IP payload; src/dst feed the pseudo-header checksum (a zero
 * checksum means none was sent). A length larger than v is an error;
 * bytes after the UDP length are ignored. */
int udp_parse(struct mica_view v, uint32_t src, uint32_t dst, struct udp_hdr *h);
/* The same without the checksum (the device vouched for it). */
int udp_parse_header(struct mica_view v, struct udp_hdr *h);
/* Push an 8-byte header over the payload in b and fill the checksum. */
int udp_encode(struct mica_buf *b, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport);

/* ---- DHCPv4 (RFC 2131, RFC 2132), dhcp_wire.c ---- */
#define DHCP_SERVER_PORT 67
#define DHCP_CLIENT_PORT 68
#define DHCP_FIXED_LEN 236 /* up to and including `file` */
#define DHCP_MIN_LEN 240   /* with the magic cookie */
#define DHCP_OP_REQUEST 1
#define DHCP_OP_REPLY 2
#define DHCP_FLAG_BROADCAST 0x8000

enum dhcp_type {
	DHCP_DISCOVER = 1,
	DHCP_OFFER,
	DHCP_REQUEST,
	DHCP_DECLINE,
	DHCP_ACK,
	DHCP_NAK,
	DHCP_RELEASE,
	DHCP_INFORM,
};
enum dhcp_err { DHCP_OK, DHCP_ERR_SHORT, DHCP_ERR_FORMAT, DHCP_ERR_OPTION };

#define DHCP_MAX_DNS 3

struct dhcp_msg {
	uint8_t op;
	uint32_t xid;
	uint16_t secs, flags;
	uint32_t ciaddr, yiaddr, siaddr, giaddr;
	uint8_t chaddr[ETH_ALEN];
	/* Options (0 / false when absent). */
	uint8_t type;          /* option 53 */
	uint32_t server_id;    /* option 54 */
	uint32_t requested_ip; /* option 50 */
	bool has_mask;
	uint32_t mask;              /* option 1 */
	uint32_t router;            /* option 3, first address */
	uint32_t dns[DHCP_MAX_DNS]; /* option 6 */
	uint8_t ndns;
	uint32_t lease, t1, t2; /* options 51, 58, 59 (seconds) */
	enum dhcp_err err;
};

int dhcp_parse(struct mica_view v, struct dhcp_msg *m);
/* Append the message (fixed part, cookie, options for the fields set, a
 * parameter request list for requests, end, padding to 300 bytes) at the
 * end of b's data. MICA_ENOSPC without tailroom. */
int dhcp_encode(struct mica_buf *b, const struct dhcp_msg *m);

#endif
