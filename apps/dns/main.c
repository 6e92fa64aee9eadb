/* main.c - the DNS appliance: serves the zones zonec compiled into the
 * image over UDP and TCP (--listen: by default 127.0.0.1:5353 on unix, the
 * device's address port 53 on direct targets), prints counters on exit.
 * Only include/mica/net.h is used, so every target runs it unchanged. */
#include <mica/app.h>
#include <mica/log.h>
#include "dns_app.h"

struct dns_app dns_app;

static const struct mica_arg_spec dns_args[] = {
    {"listen", MICA_ARG_LISTEN, "auto",
     "UDP and TCP address to serve: auto (unix 127.0.0.1:5353, else the device's address, port 53), "
     ":PORT or IP:PORT",
     0, 0},
    {"tcp-idle", MICA_ARG_INT, "10", "seconds before an idle TCP connection is closed", 1, 3600},
    {"tcp-max", MICA_ARG_INT, "256", "most TCP connections at once", 1, 65535},
};

static void udp_query(struct mica_udp *u, const struct mica_udp_dgram *d, void *arg)
{
	struct dns_app *a = arg;
	size_t n = mica_dns_respond(&a->server, d->data.data, d->data.len, a->out, sizeof(a->out), false);
	if (n > 0)
		mica_udp_sendto(u, &d->src, a->out, n);
}

static int dns_start(struct mica_loop *loop)
{
	struct dns_app *a = &dns_app;
	struct mica_endpoint local;
	a->loop = loop;
	a->tcp_idle_ns = (uint64_t)mica_arg_int("tcp-idle") * MICA_NS_PER_S;
	a->tcp_max = (unsigned)mica_arg_int("tcp-max");
	mica_dns_server_init(&a->server, mica_dns_zones, mica_dns_nzones, mica_dns_memoised);
	int rc = mica_net_open(loop, "service", &a->net);
	if (rc == MICA_OK)
		rc = mica_net_listen_addr(a->net, mica_arg_str("listen"), 53, 5353, &local);
	if (rc == MICA_OK)
		rc = mica_udp_bind(a->net, &local, udp_query, a, &a->udp);
	if (rc != MICA_OK) {
		mica_error("dns", "cannot serve UDP: %s", mica_strerror(rc));
		return rc;
	}
	rc = dns_tcp_start(a, &local);
	if (rc == MICA_ENOTSUP)
		mica_warn("dns", "TCP is not available on this target; UDP only");
	else if (rc != MICA_OK)
		return rc;
	char name[MICA_DNS_NAME_MAX * 4 + 8];
	for (size_t i = 0; i < mica_dns_nzones; i++) {
		const struct mica_dns_zone *z = mica_dns_zones[i];
		mica_info("dns", "zone %s: %u names%s",
		          mica_dns_name_str(z->names + z->nodes[z->apex].name, name, sizeof(name)), z->nnodes,
		          z->memo ? ", memoised" : "");
	}
	uint32_t ip = local.ip ? local.ip : mica_net_ipv4(a->net); /* 0: not leased yet */
	mica_info("dns", "serving on %u.%u.%u.%u:%u%s (UDP%s)", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255,
	          ip & 255, local.port, local.ip ? "" : " (every address of the device)",
	          a->listener ? " and TCP" : "");
	return MICA_OK;
}

static void dns_stop(struct mica_loop *loop)
{
	(void)loop;
	struct dns_app *a = &dns_app;
	mica_dns_print_stats(&a->server.st);
	mica_printf("dns: tcp connections %llu, refused %llu, idle timeouts %llu, bad lengths %llu\n",
	            (unsigned long long)a->tcp_accepted, (unsigned long long)a->tcp_refused,
	            (unsigned long long)a->tcp_timeouts, (unsigned long long)a->tcp_bad_length);
	if (a->net)
		mica_net_print_stats(a->net);
}

const struct mica_app mica_app = {
    .name = "dns",
    .summary = "authoritative DNS server for zones compiled into the image",
    .args = dns_args,
    .nargs = MICA_ARRAY_LEN(dns_args),
    .start = dns_start,
    .stop = dns_stop,
};
