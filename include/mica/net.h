/* net.h - the network API apps use: UDP and TCP with callbacks.
 *
 * The same header is served by two backends, chosen by the target at link
 * time: kernel sockets on `unix` (platform/unix/net_sockets.c), and Mica's
 * own stack (lib/net) on `tap`, `hvt` and `virtio`. Apps cannot tell which.
 *
 * Addresses are IPv4 in host byte order. All calls are non-blocking; all
 * notifications are callbacks from the event loop. A callback may call any
 * function here, including closing the object it was called for. */
#ifndef MICA_NET_H
#define MICA_NET_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "view.h"
#include "buf.h"
#include "loop.h"

struct mica_net;
struct mica_udp;
struct mica_tcp;
struct mica_tcp_listener;

struct mica_endpoint {
	uint32_t ip; /* host byte order; 0 = any */
	uint16_t port;
};

/* Open the network on the device the app declared as `netif` (see
 * apps/APP/app.mk). On unix this is the host's sockets; on direct targets it
 * starts the stack on that device, configured from the boot arguments
 * (--ipv4=, --ipv4-gateway=, or DHCP). */
int mica_net_open(struct mica_loop *loop, const char *netif, struct mica_net **out);
/* Print the network's counters (packets, drops by reason) to the console. */
void mica_net_print_stats(struct mica_net *net);
/* The local IPv4 address in use (0 while unconfigured, e.g. before DHCP). */
uint32_t mica_net_ipv4(struct mica_net *net);

/* Where a service listens, so that one default fits every target. Apps
 * declare a boot argument of type MICA_ARG_LISTEN with the default "auto"
 *     {"listen", MICA_ARG_LISTEN, "auto", "address to serve", 0, 0},
 * and resolve its value here:
 *     mica_net_listen_addr(net, mica_arg_str("listen"), 53, 5353, &local);
 * "auto" is the target's natural address: on unix loopback (127.0.0.1,
 * the host keeps its own services on its addresses) with port unix_port;
 * on direct targets (tap, hvt, virtio) the address of the device - every
 * address it has, so a DHCP lease works too - with port `port`. ":PORT"
 * is that address with another port; "a.b.c.d:PORT" is taken as given.
 * unix_port differs from port where port needs root on a Linux host
 * (DNS: 53 and 5353; web: 80 and 8080); key-value 6379 and OpenFlow 6653
 * use the same number twice. MICA_EINVAL for a malformed spec (a boot
 * argument of type MICA_ARG_LISTEN was already checked at start). */
int mica_net_listen_addr(struct mica_net *net, const char *spec, uint16_t port, uint16_t unix_port,
                         struct mica_endpoint *out);

/* ---- UDP ---- */
struct mica_udp_dgram {
	struct mica_endpoint src; /* the sender */
	struct mica_endpoint dst; /* the local address it was sent to */
	struct mica_view data;    /* payload, valid only during the callback */
};

typedef void (*mica_udp_recv_fn)(struct mica_udp *u, const struct mica_udp_dgram *d, void *arg);

/* Bind to local (ip 0 = all addresses). MICA_EADDRINUSE if taken. */
int mica_udp_bind(struct mica_net *net, const struct mica_endpoint *local, mica_udp_recv_fn fn, void *arg,
                  struct mica_udp **out);
/* Send one datagram (copied). May be queued and sent in a batch at the end of
 * the current loop turn. MICA_EMSGSIZE if too large, MICA_EAGAIN when the
 * queue is full (the datagram is dropped, as UDP may). */
int mica_udp_sendto(struct mica_udp *u, const struct mica_endpoint *to, const void *data, size_t len);
void mica_udp_close(struct mica_udp *u);

/* ---- TCP ---- */
struct mica_tcp_ops {
	/* Bytes arrived. Return how many were consumed. If fewer than offered,
	 * the rest is kept, delivery pauses (the window closes) and resumes with
	 * the rest after mica_tcp_resume(). */
	size_t (*on_data)(struct mica_tcp *c, struct mica_view data, void *arg);
	/* There is room again after a write that was cut short. */
	void (*on_writable)(struct mica_tcp *c, void *arg);
	/* The peer finished sending (FIN). We may still write. */
	void (*on_eof)(struct mica_tcp *c, void *arg);
	/* Active open finished (err 0) - only for mica_tcp_connect. */
	void (*on_connect)(struct mica_tcp *c, int err, void *arg);
	/* The connection is gone (0 after an orderly close, or a MICA_E* code).
	 * Called exactly once; the handle is invalid when it returns. */
	void (*on_close)(struct mica_tcp *c, int err, void *arg);
};

/* A new connection. The accept callback must set its ops with
 * mica_tcp_set_ops (or close it). */
typedef void (*mica_tcp_accept_fn)(struct mica_tcp_listener *l, struct mica_tcp *c, void *arg);

int mica_tcp_listen(struct mica_net *net, const struct mica_endpoint *local, int backlog,
                    mica_tcp_accept_fn fn, void *arg, struct mica_tcp_listener **out);
void mica_tcp_listener_close(struct mica_tcp_listener *l);
int mica_tcp_connect(struct mica_net *net, const struct mica_endpoint *remote, const struct mica_tcp_ops *ops,
                     void *arg, struct mica_tcp **out);

void mica_tcp_set_ops(struct mica_tcp *c, const struct mica_tcp_ops *ops, void *arg);
/* Queue bytes for sending: returns how many were taken (0..len) or a
 * negative error. Fewer than len means the send buffer is full; on_writable
 * follows when there is room. */
ptrdiff_t mica_tcp_write(struct mica_tcp *c, const void *data, size_t len);
/* Zero-copy write: queue len bytes of the app's own memory by reference.
 * They are never copied into TCP's buffers: each segment, retransmissions
 * included, is built from data..data+len (on a device that takes frames
 * in pieces, e.g. tap, the memory goes to the device as it is). Returns how
 * many bytes were taken (0..len) or a negative error; fewer than len means
 * the send queue is full and on_writable follows, exactly as for
 * mica_tcp_write (the rest can be written again later, also by reference).
 *
 * Lifetime: the taken bytes must stay valid and unchanged until
 * release(release_arg) is called. It is called exactly once for each call
 * that took at least one byte, when TCP no longer needs them (all
 * acknowledged and no frame holding them, or the connection is gone). It
 * may be called before mica_tcp_write_ref returns (small pieces are
 * copied at once), and after on_close; it must not call back into this
 * API. release may be NULL for memory that lives as long as the program,
 * such as the image's read-only data. Writes by reference and by
 * copy may be mixed on one connection; the bytes go out in call order. */
typedef void (*mica_tcp_release_fn)(void *arg);
ptrdiff_t mica_tcp_write_ref(struct mica_tcp *c, const void *data, size_t len, mica_tcp_release_fn release,
                             void *release_arg);
/* Bytes that can be written now without being cut short. */
size_t mica_tcp_write_room(struct mica_tcp *c);
/* Resume delivery after on_data consumed less than it was offered. */
void mica_tcp_resume(struct mica_tcp *c);
/* Send FIN after the queued data; reading goes on (half-close). */
int mica_tcp_shutdown(struct mica_tcp *c);
/* Orderly close: send what is queued, then FIN; on_close follows. */
void mica_tcp_close(struct mica_tcp *c);
/* Reset the connection at once; on_close(MICA_ECONNRESET) follows. */
void mica_tcp_abort(struct mica_tcp *c);
int mica_tcp_set_nodelay(struct mica_tcp *c, bool on);
void mica_tcp_endpoints(struct mica_tcp *c, struct mica_endpoint *local, struct mica_endpoint *remote);

/* ---- Raw frames: an app that owns a device ----
 * An app that is not a host on a device but handles whole Ethernet frames
 * (a switch's ports) opens it raw, next to any device it runs the IP stack
 * on. Frames arrive in batches in the buffers the device filled (zero copy)
 * and can be sent out of any raw device as they are: a received buffer
 * passed to mica_raw_send leaves without being copied. Direct-stack
 * targets (tap, hvt) have it; on unix mica_raw_open returns MICA_ENOTSUP. */
struct mica_raw;

struct mica_raw_info {
	uint8_t mac[6];
	uint16_t mtu; /* largest frame is mtu + 14 (+ 4 with a VLAN tag) */
	bool link_up;
};

/* Headroom in front of every received frame, for headers pushed in place
 * (e.g. a VLAN tag). */
#define MICA_RAW_HEADROOM 64

/* Frames arrived: frames[0..n) each hold one Ethernet frame. The callback
 * owns one reference to each and must pass it on (mica_raw_send) or drop
 * it (mica_buf_unref). */
typedef void (*mica_raw_recv_fn)(struct mica_raw *r, struct mica_buf **frames, int n, void *arg);

/* Open the device the app declared as `netif` for raw frames. MICA_ENOTSUP
 * on targets without raw devices, MICA_ENOENT when it is not attached. */
int mica_raw_open(struct mica_loop *loop, const char *netif, mica_raw_recv_fn fn, void *arg,
                  struct mica_raw **out);
int mica_raw_info(struct mica_raw *r, struct mica_raw_info *info);
/* Called when the device's link goes up or down (info.link_up follows). */
typedef void (*mica_raw_link_fn)(struct mica_raw *r, bool up, void *arg);
void mica_raw_set_link_fn(struct mica_raw *r, mica_raw_link_fn fn, void *arg);
/* A buffer for a frame of up to len bytes, with MICA_RAW_HEADROOM in front;
 * NULL when none is free or len is too large. */
struct mica_buf *mica_raw_alloc(struct mica_raw *r, size_t len);
/* Queue a frame; it leaves with the others at the end of the loop turn.
 * Consumes one reference to b, also on error (MICA_EAGAIN: queue full, the
 * frame is dropped and counted). To send one buffer out of several
 * devices, take a reference per extra device (mica_buf_ref); a frame with
 * more than one reference must not be written to. */
int mica_raw_send(struct mica_raw *r, struct mica_buf *b);
/* Frames and drops so far (for counters an app prints). */
struct mica_raw_stats {
	uint64_t rx_frames, rx_bytes, tx_frames, tx_bytes, rx_nobuf, tx_dropped;
};
void mica_raw_stats(struct mica_raw *r, struct mica_raw_stats *st);

#endif
