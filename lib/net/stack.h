/* stack.h - the state of one direct-stack instance (struct mica_net) and the
 * interfaces between the files of lib/net. Private to lib/net.
 *
 * Layout: wire formats in *_wire.c (see wire.h); protocol state in arp.c,
 * ipv4.c (+ reasm.c), icmp.c, udp.c, dhcp.c; the device edge and transmit
 * queue in stack.c; the net.h entry points on a platform netif in open.c;
 * boot arguments in args.c; counters in stats.c; TCP in tcp*.c.
 *
 * A stack talks to its device only through struct net_dev, so unit tests and
 * the fuzzer run a stack on a capture function instead of a netif, with the
 * loop's clock under their control. Ownership: a buffer passed to an input
 * function stays the caller's (a layer that keeps it takes a reference); a
 * buffer passed to an output function is consumed, also on error. */
#ifndef MICA_NET_STACK_H
#define MICA_NET_STACK_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <mica/buf.h>
#include <mica/loop.h>
#include <mica/net.h>
#include <mica/platform.h>
#include "wire.h"

#define NET_HEADROOM 128 /* eth + IPv4 + TCP with options, rounded up */
#define NET_SLOT 2048    /* one frame of MTU <= 1500 plus headroom */
#define NET_RX_BUFS 1024
#define NET_TX_BUFS 1024
#define NET_BIG_SLOT (17 * 4096) /* a 65535-byte datagram plus headroom */
#define NET_BIG_BUFS 4
#define NET_TSO_BUFS 64 /* big buffers when the device takes super-frames */
#define NET_RX_BATCH 32
#define NET_RX_BATCHES 8 /* batches per ready callback before yielding */
#define NET_TXQ 64
#define NET_TTL 64
#define NET_MAX_PROTOS 4
#define NET_TICK_NS (100 * MICA_NS_PER_MS)

/* ---- counters: every drop has a reason ---- */
/* clang-format off */
#define NET_COUNTERS(X)                                                           \
	X(rx_frames) X(rx_bytes) X(tx_frames) X(tx_bytes) X(rx_nobuf) X(tx_nobuf)     \
	X(tx_queue_full) X(tx_dev_error)                                              \
	X(eth_runt) X(eth_not_for_us) X(eth_unknown_type)                              \
	X(arp_bad) X(arp_conflict) X(arp_not_for_us) X(arp_request_rx) X(arp_reply_rx) X(arp_request_tx) \
	X(arp_reply_tx) X(arp_timeout_drop) X(arp_queue_full) X(arp_cache_full)        \
	X(ip_rx) X(ip_short) X(ip_bad_version) X(ip_bad_hlen) X(ip_bad_len)            \
	X(ip_bad_csum) X(ip_not_for_us) X(ip_bad_src) X(ip_unknown_proto) X(ip_no_route) \
	X(ip_tx) X(ip_frag_rx) X(ip_reasm_ok) X(ip_reasm_timeout) X(ip_reasm_overlap)  \
	X(ip_reasm_dup) X(ip_reasm_too_big) X(ip_reasm_nomem) X(ip_frag_tx)           \
	X(icmp_bad_len) X(icmp_bad_csum) X(icmp_echo_rx) X(icmp_echo_reply_tx)         \
	X(icmp_unreach_tx) X(icmp_rate_limited) X(icmp_other_rx)                       \
	X(udp_rx) X(udp_bad_len) X(udp_bad_csum) X(udp_no_port) X(udp_tx)             \
	X(udp_tx_too_big)                                                             \
	X(dhcp_bad) X(dhcp_ignored) X(dhcp_discover_tx) X(dhcp_request_tx) X(dhcp_ack) \
	X(dhcp_nak) X(dhcp_lease_lost)                                                 \
	NET_TCP_COUNTERS(X)

/* TCP's counters (lib/net/tcp*.c), printed with the others as tcp_NAME. */
#define NET_TCP_COUNTERS(X)                                                         \
	X(tcp_rx) X(tcp_tx) X(tcp_rx_bad_csum) X(tcp_rx_bad_hdr) X(tcp_rx_no_conn)         \
	X(tcp_rst_tx) X(tcp_rst_rx) X(tcp_accepted) X(tcp_connected) X(tcp_syn_dropped)     \
	X(tcp_syn_cookie_tx) X(tcp_syn_cookie_ok) X(tcp_syn_cookie_bad) X(tcp_conn_limit)   \
	X(tcp_rexmit) X(tcp_rto) X(tcp_fast_rexmit) X(tcp_sack_rexmit) X(tcp_dupack)        \
	X(tcp_ooo_queued) X(tcp_ooo_dropped) X(tcp_out_of_window) X(tcp_paws_drop)          \
	X(tcp_challenge_ack) X(tcp_challenge_limited) X(tcp_bad_ack) X(tcp_zero_window_probe) \
	X(tcp_keepalive_tx) X(tcp_timeout) X(tcp_rx_nomem) X(tcp_rx_overrun) X(tcp_data_after_close) X(tcp_delack) \
	X(tcp_tso_tx) X(tcp_rx_super)                                                     \
	X(tcp_rack_lost) X(tcp_reo_timeout) X(tcp_tlp) X(tcp_tlp_recovered) X(tcp_dsack_rx)    \
	X(tcp_spurious_undo) X(tcp_frto_undo) X(tcp_limited_transmit) X(tcp_tw_recycled) X(tcp_tw_reused) \
	X(tcp_sndbuf_grow) X(tcp_rcvbuf_grow) X(tcp_dsack_tx)
/* clang-format on */

enum net_counter {
#define NET_X(name) NET_##name,
	NET_COUNTERS(NET_X)
#undef NET_X
	    NET_NCOUNTERS
};
#define NET_COUNT(net, name) ((net)->stats[NET_##name]++)
#define NET_ADD(net, name, n) ((net)->stats[NET_##name] += (n))

/* ---- the device edge ---- */
struct net_dev {
	/* Send up to n frames; returns how many were taken (the device drops
	 * its reference to each) or a negative error. */
	int (*tx)(void *ctx, struct mica_buf **bufs, int n);
	void *ctx;
	uint8_t mac[ETH_ALEN];
	uint16_t mtu;     /* IP MTU */
	uint32_t tso_max; /* > 0: TCP super-frames up to this IP length (mica_netif_info) */
	bool tx_ext;      /* takes frames with an ext tail (mica_netif_info) */
};

struct net_config {
	const char *name; /* the netif's name, for messages */
	uint32_t ip;      /* 0: use DHCP */
	unsigned prefix;
	uint32_t gateway;        /* 0: none */
	uint64_t stats_every_ns; /* 0: counters only on demand and at exit */
	const char *tcp_cc;      /* TCP congestion control by name (NULL: cubic) */
};

/* ---- ARP (arp.c) ---- */
#define ARP_ENTRIES 64
#define ARP_QUEUE_PER_ENTRY 48 /* a 64 KiB datagram in fragments */
#define ARP_QUEUE_MAX 128
#define ARP_REACHABLE_NS (60 * MICA_NS_PER_S)
#define ARP_RETRY_NS (1 * MICA_NS_PER_S)
#define ARP_REFRESH_NS (5 * MICA_NS_PER_S) /* refresh entries in use this long before expiry */
#define ARP_TRIES 3

enum arp_state { ARP_FREE, ARP_INCOMPLETE, ARP_REACHABLE };

struct arp_entry {
	uint32_t ip;
	uint8_t mac[ETH_ALEN];
	uint8_t state;
	uint8_t tries; /* requests sent while incomplete */
	uint8_t nqueued;
	uint64_t deadline;              /* expiry when reachable, next retry when incomplete */
	uint64_t used;                  /* last use, for eviction */
	uint64_t probed;                /* last refresh request while still reachable */
	struct mica_buf *qhead, *qtail; /* IP packets waiting, linked by next */
};

struct net_arp {
	struct arp_entry e[ARP_ENTRIES];
	unsigned nqueued;
};

/* ---- IPv4 reassembly (reasm.c) ---- */
#define REASM_CTXS 8
#define REASM_MAX_FRAGS 48           /* per datagram */
#define REASM_MAX_BYTES (128 * 1024) /* buffer memory held by all contexts */
#define REASM_TIMEOUT_NS (10 * MICA_NS_PER_S)

struct reasm_ctx {
	bool used;
	uint8_t proto;
	uint16_t id;
	uint32_t src, dst;
	uint32_t total; /* payload length, known once the last fragment came */
	uint16_t nfrags;
	uint64_t deadline;
	struct mica_buf *frags; /* sorted by offset; b->user = offset, data = payload */
};

struct net_reasm {
	struct reasm_ctx c[REASM_CTXS];
	size_t bytes; /* slot bytes held */
};

/* ---- the stack ---- */
struct mica_net;
/* An IPv4 protocol's receive hook: b's data is the IP payload (the same
 * bytes as ip->payload); the buffer is the caller's. */
typedef void (*net_ipv4_input_fn)(struct mica_net *net, const struct ipv4_hdr *ip, struct mica_buf *b);

struct net_dhcp;
struct net_tcp;

struct mica_net {
	struct mica_loop *loop;
	struct net_dev dev;
	const char *name;
	struct mica_netif *nif; /* NULL when driven by a test */
	uint32_t ip, mask, gateway;
	struct mica_buf_pool rx_pool, tx_pool, big_pool;
	struct mica_buf *txq[NET_TXQ];
	int ntxq;
	struct mica_task flush_task;
	struct mica_timer tick; /* ARP retries, reassembly expiry */
	struct mica_timer stats_timer;
	uint16_t ip_id;
	struct {
		uint8_t proto;
		net_ipv4_input_fn fn;
	} protos[NET_MAX_PROTOS];
	struct net_arp arp;
	struct net_reasm reasm;
	struct {
		uint64_t last;
		uint32_t tokens;
	} icmp_rl;
	struct mica_udp *udp_socks;
	struct net_dhcp *dhcp;
	struct net_tcp *tcp;        /* owned by tcp*.c */
	struct mica_net *next_open; /* list of stacks opened on netifs */
	uint64_t stats[NET_NCOUNTERS];
};

/* stack.c */
int net_stack_init(struct mica_net *net, struct mica_loop *loop, const struct net_dev *dev,
                   const struct net_config *cfg);
void net_stack_fini(struct mica_net *net);
/* One received frame (the caller keeps the buffer). */
void net_input(struct mica_net *net, struct mica_buf *b);
/* Queue a finished frame for the device; sent at the end of the turn. */
void net_tx_enqueue(struct mica_net *net, struct mica_buf *b);
void net_tx_flush(struct mica_net *net);
/* A transmit buffer with NET_HEADROOM (big: one that can hold 64 KiB). */
struct mica_buf *net_alloc_tx(struct mica_net *net, size_t payload);
/* How many more big transmit buffers can be had now. */
uint32_t net_tx_big_free(const struct mica_net *net);
/* Set the address (0 clears it); sends a gratuitous ARP when set. */
void net_set_address(struct mica_net *net, uint32_t ip, unsigned prefix, uint32_t gateway);
/* Make sure the housekeeping tick runs (ARP retries, reassembly). */
void net_tick_needed(struct mica_net *net);

/* arp.c */
void net_arp_input(struct mica_net *net, struct mica_buf *b);
/* Send an IP packet to the on-link next hop (queues it while resolving). */
void net_arp_output(struct mica_net *net, uint32_t nexthop, struct mica_buf *b);
int net_arp_send(struct mica_net *net, uint16_t op, const uint8_t tha[ETH_ALEN], uint32_t tpa,
                 const uint8_t eth_dst[ETH_ALEN]);
/* Retries and expiry; returns true while work is pending. */
bool net_arp_tick(struct mica_net *net, uint64_t now);
void net_arp_flush(struct mica_net *net);
/* Look up a resolved entry (for tests and the stats dump). */
const struct arp_entry *net_arp_lookup(struct mica_net *net, uint32_t ip);

/* ipv4.c */
void net_ipv4_input(struct mica_net *net, struct mica_buf *b);
/* Deliver a complete (possibly reassembled) datagram to its protocol. */
void net_ipv4_deliver(struct mica_net *net, const struct ipv4_hdr *ip, struct mica_buf *b);
int net_ipv4_register(struct mica_net *net, uint8_t proto, net_ipv4_input_fn fn);
/* Send b (data = the L4 datagram, headroom for IP and Ethernet) from src
 * (0: our address) to dst; fragments when larger than the MTU. Consumes b. */
int net_ipv4_output(struct mica_net *net, uint32_t src, uint32_t dst, uint8_t proto, struct mica_buf *b);
bool net_ipv4_is_local(struct mica_net *net, uint32_t dst);

/* reasm.c: takes a fragment (the caller keeps b); may deliver a datagram. */
void net_reasm_input(struct mica_net *net, const struct ipv4_hdr *ip, struct mica_buf *b);
bool net_reasm_tick(struct mica_net *net, uint64_t now);
void net_reasm_flush(struct mica_net *net);

/* icmp.c */
void net_icmp_input(struct mica_net *net, const struct ipv4_hdr *ip, struct mica_buf *b);
/* Send destination unreachable about the datagram `ip` (rate limited). */
void net_icmp_unreach(struct mica_net *net, const struct ipv4_hdr *ip, uint8_t code);

/* udp.c */
void net_udp_input(struct mica_net *net, const struct ipv4_hdr *ip, struct mica_buf *b);
void net_udp_close_all(struct mica_net *net);

/* dhcp.c */
int net_dhcp_start(struct mica_net *net);
void net_dhcp_stop(struct mica_net *net);

/* tcp*.c: attach TCP to / detach it from a stack; its congestion control
 * by name (MICA_EINVAL if unknown). */
int net_tcp_attach(struct mica_net *net);
void net_tcp_detach(struct mica_net *net);
int net_tcp_set_cc(struct mica_net *net, const char *name);

/* args.c: the stack's configuration from the boot arguments */
void net_config_from_args(struct net_config *cfg);

/* stats.c */
const char *net_counter_name(enum net_counter c);
void net_log_stats(struct mica_net *net);

/* Address helpers */
static inline uint32_t net_prefix_mask(unsigned prefix)
{
	return prefix == 0 ? 0 : prefix >= 32 ? 0xffffffffu : ~((1u << (32 - prefix)) - 1);
}

#endif
