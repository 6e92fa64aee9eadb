/* xfr.c - zone transfer out and NOTIFY for the DNS appliance:
 *   --allow-transfer=CIDR[,CIDR]   who may AXFR/IXFR (over TCP; IXFR over
 *                                  UDP gets the SOA); others are refused
 *                                  as NSD refuses them (lib/dns/server.c)
 *   --notify=IP[:PORT][,...]       NOTIFY (RFC 1996) sent at boot for every
 *                                  zone to each, retried after 1, 2, 4, 8
 *                                  and 16 s until answered.
 * The transfer messages themselves are made by lib/dns/xfr.c; tcp.c sends
 * them as the connection drains. */
#include <mica/args.h>
#include <mica/libc.h>
#include <mica/log.h>
#include <mica/platform.h>
#include "dns_app.h"

#define NOTIFY_TRIES 6

/* "a.b.c.d[/len]" -> network and mask */
static int parse_cidr(const char *s, size_t n, struct dns_cidr *c)
{
	size_t slash = 0;
	while (slash < n && s[slash] != '/')
		slash++;
	unsigned len = 32;
	if (slash < n) {
		len = 0;
		if (slash + 1 == n || n - slash > 3)
			return MICA_EINVAL;
		for (size_t i = slash + 1; i < n; i++) {
			if (s[i] < '0' || s[i] > '9')
				return MICA_EINVAL;
			len = len * 10 + (unsigned)(s[i] - '0');
		}
		if (len > 32)
			return MICA_EINVAL;
	}
	uint32_t ip;
	if (mica_parse_ipv4(s, slash, &ip) != MICA_OK)
		return MICA_EINVAL;
	c->mask = len ? ~0u << (32 - len) : 0;
	c->net = ip & c->mask;
	return MICA_OK;
}

/* "IP[:PORT]" */
static int parse_target(const char *s, size_t n, struct dns_notify *t)
{
	size_t colon = 0;
	while (colon < n && s[colon] != ':')
		colon++;
	unsigned port = 53;
	if (colon < n) {
		port = 0;
		if (colon + 1 == n || n - colon > 6)
			return MICA_EINVAL;
		for (size_t i = colon + 1; i < n; i++) {
			if (s[i] < '0' || s[i] > '9')
				return MICA_EINVAL;
			port = port * 10 + (unsigned)(s[i] - '0');
		}
		if (port == 0 || port > 65535)
			return MICA_EINVAL;
	}
	if (mica_parse_ipv4(s, colon, &t->to.ip) != MICA_OK)
		return MICA_EINVAL;
	t->to.port = (uint16_t)port;
	return MICA_OK;
}

/* Split a comma list and parse each item into an array (max items). */
static int parse_list(const char *arg, const char *what, void *items, size_t size, unsigned max, unsigned *n,
                      int (*one)(const char *, size_t, void *))
{
	*n = 0;
	for (const char *p = arg; *p;) {
		const char *e = p;
		while (*e && *e != ',')
			e++;
		if (*n >= max || one(p, (size_t)(e - p), (uint8_t *)items + *n * size) != MICA_OK) {
			mica_error("dns", "bad --%s item '%.*s' (at most %u of them)", what, (int)(e - p), p,
			           max);
			return MICA_EINVAL;
		}
		(*n)++;
		p = *e ? e + 1 : e;
	}
	return MICA_OK;
}

static int one_cidr(const char *s, size_t n, void *out)
{
	return parse_cidr(s, n, out);
}

static int one_target(const char *s, size_t n, void *out)
{
	return parse_target(s, n, out);
}

bool dns_xfr_allowed(const struct dns_app *a, uint32_t ip)
{
	for (unsigned i = 0; i < a->nallow; i++)
		if ((ip & a->allow[i].mask) == a->allow[i].net)
			return true;
	return false;
}

/* ---- NOTIFY ---- */

static void notify_send(struct dns_app *a, struct dns_notify *t)
{
	size_t n = mica_dns_notify_make(mica_dns_zones[t->zone], t->id, a->out, sizeof(a->out));
	if (n && mica_udp_sendto(a->udp, &t->to, a->out, n) == MICA_OK)
		a->notify_sent++;
}

static void notify_timer(struct mica_timer *tm, void *arg)
{
	(void)tm;
	struct dns_app *a = arg;
	bool pending = false;
	for (unsigned i = 0; i < a->nnotify; i++) {
		struct dns_notify *t = &a->notify[i];
		if (t->acked || t->tries >= NOTIFY_TRIES)
			continue;
		if (t->tries > 0)
			a->notify_retries++;
		notify_send(a, t);
		t->tries++;
		pending |= t->tries < NOTIFY_TRIES;
	}
	/* 1, 2, 4, 8, 16 s between the tries */
	if (pending)
		mica_timer_start(a->loop, &a->notify_tm, MICA_NS_PER_S << a->notify_round++, 0);
}

bool dns_notify_answer(struct dns_app *a, const struct mica_udp_dgram *d)
{
	for (unsigned i = 0; i < a->nnotify; i++) {
		struct dns_notify *t = &a->notify[i];
		if (!t->acked && d->src.ip == t->to.ip && d->src.port == t->to.port &&
		    mica_dns_notify_is_ack(d->data.data, d->data.len, t->id)) {
			t->acked = true;
			a->notify_acked++;
			return true;
		}
	}
	return false;
}

int dns_xfr_start(struct dns_app *a)
{
	struct dns_notify targets[DNS_NOTIFY_MAX];
	unsigned nt;
	int rc = parse_list(mica_arg_str("allow-transfer"), "allow-transfer", a->allow, sizeof(a->allow[0]),
	                    DNS_ALLOW_MAX, &a->nallow, one_cidr);
	if (rc == MICA_OK)
		rc = parse_list(mica_arg_str("notify"), "notify", targets, sizeof(targets[0]), DNS_NOTIFY_MAX,
		                &nt, one_target);
	if (rc != MICA_OK)
		return rc;
	a->nnotify = 0;
	for (unsigned i = 0; i < nt; i++) {
		for (size_t z = 0; z < mica_dns_nzones && a->nnotify < DNS_NOTIFY_MAX; z++) {
			struct dns_notify *t = &a->notify[a->nnotify++];
			*t = (struct dns_notify){.to = targets[i].to,
			                         .zone = (unsigned)z}; /* not tried, not acked */
			(void)mica_plat_random(&t->id, sizeof(t->id));
		}
	}
	if (a->nnotify) {
		mica_timer_init(&a->notify_tm, notify_timer, a);
		notify_timer(&a->notify_tm, a);
	}
	return MICA_OK;
}

void dns_xfr_stop(struct dns_app *a)
{
	if (a->nnotify)
		mica_timer_cancel(a->loop, &a->notify_tm);
	mica_printf(
	    "dns: transfers %llu (messages %llu), notify sent %llu (retries %llu), acknowledged %llu\n",
	    (unsigned long long)a->xfr_done, (unsigned long long)a->xfr_msgs,
	    (unsigned long long)a->notify_sent, (unsigned long long)a->notify_retries,
	    (unsigned long long)a->notify_acked);
}
