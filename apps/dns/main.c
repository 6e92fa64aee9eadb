/* main.c - the DNS appliance: serves the zones zonec compiled into the
 * image over UDP and TCP (--listen: by default 127.0.0.1:5353 on unix, the
 * device's address port 53 on direct targets), limits the rate of UDP
 * responses per source as NSD's rrl does (--rrl=off turns that off),
 * prints counters on exit.
 * Only include/mica/net.h is used, so every target runs it unchanged. */
#include <mica/app.h>
#include <mica/log.h>
#include <mica/platform.h>
#include "dns_app.h"

struct dns_app dns_app;

static const struct mica_arg_spec dns_args[] = {
    {"listen", MICA_ARG_LISTEN, "auto",
     "UDP and TCP address to serve: auto (unix 127.0.0.1:5353, else the device's address, port 53), "
     ":PORT or IP:PORT",
     0, 0},
    {"tcp-idle", MICA_ARG_INT, "10", "seconds before an idle TCP connection is closed", 1, 3600},
    {"tcp-max", MICA_ARG_INT, "256", "most TCP connections at once", 1, 65535},
    {"rrl", MICA_ARG_FLAG, "on", "response-rate limiting of UDP answers (NSD's rrl)", 0, 0},
    {"rrl-rate", MICA_ARG_INT, "200", "UDP responses per second per source /24 and class (0: unlimited)", 0,
     1000000},
    {"rrl-slip", MICA_ARG_INT, "2", "every Nth limited response goes out truncated (TC); 0: drop all", 0,
     255},
    {"rrl-ipv4-prefix", MICA_ARG_INT, "24", "prefix length that groups sources", 0, 32},
    {"rrl-whitelist", MICA_ARG_STR, "",
     "classes limited at --rrl-whitelist-rate instead: nxdomain,error,referral,any,rrsig,wildcard,nodata,"
     "dnskey,positive,all",
     0, 0},
    {"rrl-whitelist-rate", MICA_ARG_INT, "2000",
     "responses per second for whitelisted classes (0: unlimited)", 0, 1000000},
    {"rrl-size", MICA_ARG_INT, "65536", "buckets of the rate table (24 bytes each)", 1, 16777216},
    {"allow-transfer", MICA_ARG_STR, "", "CIDR[,CIDR]: addresses that may AXFR/IXFR the zones (over TCP)", 0,
     0},
    {"notify", MICA_ARG_STR, "", "IP[:PORT][,...]: secondaries sent a NOTIFY for every zone at boot", 0, 0},
};

static void udp_query(struct mica_udp *u, const struct mica_udp_dgram *d, void *arg)
{
	struct dns_app *a = arg;
	struct mica_dns_xfr x;
	if (a->nnotify && dns_notify_answer(a, d))
		return;
	size_t n;
	/* IXFR over UDP from an allowed client: our SOA (RFC 1995 2) */
	if (a->nallow && dns_xfr_allowed(a, d->src.ip) &&
	    mica_dns_xfr_start(&a->server, d->data.data, d->data.len, false, &x))
		n = mica_dns_xfr_next(&x, a->out, MICA_DNS_UDP_PLAIN);
	else
		n = mica_dns_respond(&a->server, d->data.data, d->data.len, a->out, sizeof(a->out), false);
	if (n > 0 && a->rrl_on)
		n = mica_rrl_apply(&a->rrl, &a->server.zs, d->src.ip, a->out, n, mica_loop_now(a->loop));
	if (n > 0)
		mica_udp_sendto(u, &d->src, a->out, n);
}

/* Response-rate limiting from the --rrl* boot arguments. */
static int rrl_start(struct dns_app *a)
{
	struct mica_rrl_config c;
	a->rrl_on = mica_arg_flag("rrl");
	if (!a->rrl_on)
		return MICA_OK;
	mica_rrl_defaults(&c);
	c.rate = (uint32_t)mica_arg_int("rrl-rate");
	c.slip = (uint16_t)mica_arg_int("rrl-slip");
	c.ipv4_prefix = (uint8_t)mica_arg_int("rrl-ipv4-prefix");
	c.whitelist_rate = (uint32_t)mica_arg_int("rrl-whitelist-rate");
	c.size = (uint32_t)mica_arg_int("rrl-size");
	if (mica_rrl_kinds_parse(mica_arg_str("rrl-whitelist"), &c.whitelist) != MICA_OK) {
		mica_error("dns",
		           "bad boot argument '--rrl-whitelist=%s': expected classes among "
		           "nxdomain,error,referral,any,rrsig,wildcard,nodata,dnskey,positive,all",
		           mica_arg_str("rrl-whitelist"));
		return MICA_EINVAL;
	}
	(void)mica_plat_random(&c.seed, sizeof(c.seed)); /* a fixed salt still limits */
	/* Fresh pages are zero: no memset of the table (kept for the app's life). */
	size_t pages = (mica_rrl_table_bytes(&c) + MICA_PAGE_SIZE - 1) / MICA_PAGE_SIZE;
	void *table = mica_plat_alloc_pages(pages);
	int rc = table ? mica_rrl_init_table(&a->rrl, &c, table) : MICA_ENOMEM;
	if (rc != MICA_OK)
		mica_error("dns", "cannot set up response-rate limiting: %s", mica_strerror(rc));
	return rc;
}

static int dns_start(struct mica_loop *loop)
{
	struct dns_app *a = &dns_app;
	struct mica_endpoint local;
	a->loop = loop;
	a->tcp_idle_ns = (uint64_t)mica_arg_int("tcp-idle") * MICA_NS_PER_S;
	a->tcp_max = (unsigned)mica_arg_int("tcp-max");
	mica_dns_server_init(&a->server, mica_dns_zones, mica_dns_nzones, mica_dns_memoised);
	int rc = rrl_start(a);
	if (rc != MICA_OK)
		return rc;
	rc = mica_net_open(loop, "service", &a->net);
	if (rc == MICA_OK)
		rc = mica_net_listen_addr(a->net, mica_arg_str("listen"), 53, 5353, &local);
	if (rc == MICA_OK)
		rc = mica_udp_bind(a->net, &local, udp_query, a, &a->udp);
	if (rc != MICA_OK) {
		mica_error("dns", "cannot serve UDP: %s", mica_strerror(rc));
		return rc;
	}
	rc = dns_xfr_start(a);
	if (rc != MICA_OK)
		return rc;
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
	dns_xfr_stop(a);
	if (a->rrl_on)
		mica_rrl_print_stats(&a->rrl);
	else
		mica_printf("rrl: off\n");
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
