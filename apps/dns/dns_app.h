/* dns_app.h - shared state of the DNS appliance's front ends (UDP in
 * main.c, TCP in tcp.c). */
#ifndef DNS_APP_H
#define DNS_APP_H

#include <mica/dns.h>
#include <mica/dns_rrl.h>
#include <mica/net.h>

#define DNS_ALLOW_MAX 16
#define DNS_NOTIFY_MAX 64

struct dns_cidr {
	uint32_t net, mask;
};

/* A NOTIFY to send for one zone to one secondary (xfr.c). */
struct dns_notify {
	struct mica_endpoint to;
	unsigned zone;
	uint16_t id;
	unsigned tries;
	bool acked;
};

struct dns_app {
	struct mica_loop *loop;
	struct mica_net *net;
	struct mica_udp *udp;
	struct mica_tcp_listener *listener;
	struct mica_dns_server server;
	struct mica_rrl rrl; /* UDP response-rate limiting (--rrl) */
	bool rrl_on;
	uint64_t tcp_idle_ns;
	unsigned tcp_conns, tcp_max;
	uint64_t tcp_accepted, tcp_refused, tcp_timeouts, tcp_bad_length;
	/* zone transfer out and NOTIFY (xfr.c) */
	struct dns_cidr allow[DNS_ALLOW_MAX];
	unsigned nallow;
	struct dns_notify notify[DNS_NOTIFY_MAX];
	unsigned nnotify, notify_round;
	struct mica_timer notify_tm;
	uint64_t xfr_done, xfr_msgs, notify_sent, notify_retries, notify_acked;
	uint8_t out[MICA_DNS_TCP_MAX + 2]; /* response scratch (one CPU) */
};

extern struct dns_app dns_app;

int dns_tcp_start(struct dns_app *a, const struct mica_endpoint *local);
/* --allow-transfer and --notify (xfr.c); NOTIFYs go out from here. */
int dns_xfr_start(struct dns_app *a);
void dns_xfr_stop(struct dns_app *a);
/* May this address transfer zones? */
bool dns_xfr_allowed(const struct dns_app *a, uint32_t ip);
/* A datagram that answers one of our NOTIFYs (consumed: true). */
bool dns_notify_answer(struct dns_app *a, const struct mica_udp_dgram *d);

#endif
