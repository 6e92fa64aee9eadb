/* dns_app.h - shared state of the DNS appliance's front ends (UDP in
 * main.c, TCP in tcp.c). */
#ifndef DNS_APP_H
#define DNS_APP_H

#include <mica/dns.h>
#include <mica/dns_rrl.h>
#include <mica/net.h>

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
	uint8_t out[MICA_DNS_TCP_MAX + 2]; /* response scratch (one CPU) */
};

extern struct dns_app dns_app;

int dns_tcp_start(struct dns_app *a, const struct mica_endpoint *local);

#endif
