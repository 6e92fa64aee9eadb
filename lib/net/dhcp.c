/* dhcp.c - DHCPv4 client state (RFC 2131 section 4.4): DISCOVER, OFFER,
 * REQUEST, ACK; renew at T1 (unicast to the server) and rebind at T2
 * (broadcast); the lease is dropped at its end and discovery starts over.
 * Used when no --ipv4= is given. Runs on the stack's own UDP socket 68. */
#include "stack.h"
#include <mica/libc.h>
#include <mica/log.h>

#define DHCP_RETRY_FIRST_NS (2 * MICA_NS_PER_S)
#define DHCP_RETRY_MAX_NS (32 * MICA_NS_PER_S)
#define DHCP_REQUEST_TRIES 4
#define DHCP_DEFAULT_LEASE 3600
#define DHCP_MIN_RETRY_NS (1 * MICA_NS_PER_S)

enum dhcp_state { DS_SELECTING, DS_REQUESTING, DS_BOUND, DS_RENEWING, DS_REBINDING };

struct net_dhcp {
	struct mica_net *net;
	struct mica_udp *sock;
	struct mica_timer timer;
	enum dhcp_state state;
	uint32_t xid;
	unsigned tries;
	uint64_t retry_ns;
	uint64_t started;
	uint32_t offered, server;
	uint64_t t1_at, t2_at, end_at; /* absolute monotonic ns */
};

static const char *const state_names[] = {"selecting", "requesting", "bound", "renewing", "rebinding"};

static void ip_text(uint32_t ip, char out[16])
{
	snprintf(out, 16, "%u.%u.%u.%u", ip >> 24, ip >> 16 & 255, ip >> 8 & 255, ip & 255);
}

static void send_msg(struct net_dhcp *d, uint8_t type, uint32_t to)
{
	struct mica_net *net = d->net;
	struct dhcp_msg m = {.op = DHCP_OP_REQUEST, .xid = d->xid, .type = type};
	uint64_t secs = (mica_loop_now(net->loop) - d->started) / MICA_NS_PER_S;
	m.secs = secs > 0xffff ? 0xffff : (uint16_t)secs;
	memcpy(m.chaddr, net->dev.mac, ETH_ALEN);
	if (d->state == DS_SELECTING || d->state == DS_REQUESTING) {
		m.flags = DHCP_FLAG_BROADCAST; /* we cannot take unicast before we have an address */
		if (d->state == DS_REQUESTING) {
			m.requested_ip = d->offered;
			m.server_id = d->server;
		}
	} else {
		m.ciaddr = net->ip;
	}
	/* Encode into a stack buffer; mica_udp_sendto copies it behind headers. */
	uint8_t tmp[300];
	struct mica_buf scratch = {.mem = tmp, .size = sizeof(tmp)};
	if (dhcp_encode(&scratch, &m) != MICA_OK)
		return;
	struct mica_endpoint dst = {to, DHCP_SERVER_PORT};
	mica_udp_sendto(d->sock, &dst, tmp, scratch.len);
	if (type == DHCP_DISCOVER)
		NET_COUNT(net, dhcp_discover_tx);
	else
		NET_COUNT(net, dhcp_request_tx);
}

static void arm(struct net_dhcp *d, uint64_t deadline)
{
	mica_timer_start_at(d->net->loop, &d->timer, deadline, 0);
}

static void retry_later(struct net_dhcp *d)
{
	arm(d, mica_loop_now(d->net->loop) + d->retry_ns);
	d->retry_ns = d->retry_ns * 2 > DHCP_RETRY_MAX_NS ? DHCP_RETRY_MAX_NS : d->retry_ns * 2;
}

static void discover(struct net_dhcp *d)
{
	struct mica_net *net = d->net;
	d->state = DS_SELECTING;
	/* Unpredictable, so an off-path host cannot answer for the server. */
	if (mica_plat_random(&d->xid, sizeof(d->xid)) != MICA_OK)
		d->xid = (uint32_t)(mica_loop_now(net->loop) * 2654435761u) ^ d->xid;
	d->tries = 0;
	d->retry_ns = DHCP_RETRY_FIRST_NS;
	d->started = mica_loop_now(net->loop);
	send_msg(d, DHCP_DISCOVER, IPV4_BROADCAST);
	retry_later(d);
}

/* While renewing or rebinding, retry at half the time left, at least 1 s. */
static void retry_until(struct net_dhcp *d, uint64_t limit)
{
	uint64_t now = mica_loop_now(d->net->loop);
	uint64_t next = now + (limit > now ? (limit - now) / 2 : 0);
	if (next < now + DHCP_MIN_RETRY_NS)
		next = now + DHCP_MIN_RETRY_NS;
	arm(d, next > limit ? limit : next);
}

static void timer_fn(struct mica_timer *t, void *arg)
{
	(void)t;
	struct net_dhcp *d = arg;
	struct mica_net *net = d->net;
	uint64_t now = mica_loop_now(net->loop);
	switch (d->state) {
	case DS_SELECTING:
		send_msg(d, DHCP_DISCOVER, IPV4_BROADCAST);
		retry_later(d);
		return;
	case DS_REQUESTING:
		if (++d->tries >= DHCP_REQUEST_TRIES) {
			discover(d);
			return;
		}
		send_msg(d, DHCP_REQUEST, IPV4_BROADCAST);
		retry_later(d);
		return;
	default: break;
	}
	if (now >= d->end_at) {
		mica_warn("net", "dhcp: lease lost, starting over");
		NET_COUNT(net, dhcp_lease_lost);
		net_set_address(net, 0, 0, 0);
		discover(d);
		return;
	}
	if (now >= d->t2_at) {
		d->state = DS_REBINDING;
		send_msg(d, DHCP_REQUEST, IPV4_BROADCAST);
		retry_until(d, d->end_at);
	} else {
		d->state = DS_RENEWING;
		send_msg(d, DHCP_REQUEST, d->server);
		retry_until(d, d->t2_at);
	}
}

static unsigned mask_prefix(uint32_t mask)
{
	unsigned n = 0;
	while (n < 32 && (mask & (0x80000000u >> n)))
		n++;
	return n;
}

static void bound(struct net_dhcp *d, const struct dhcp_msg *m)
{
	struct mica_net *net = d->net;
	uint64_t now = mica_loop_now(net->loop);
	uint32_t lease = m->lease ? m->lease : DHCP_DEFAULT_LEASE;
	uint32_t t1 = m->t1 && m->t1 < lease ? m->t1 : lease / 2;
	uint32_t t2 = m->t2 && m->t2 < lease && m->t2 > t1 ? m->t2 : lease / 8 * 7;
	if (t2 <= t1)
		t2 = t1 + 1;
	d->t1_at = now + (uint64_t)t1 * MICA_NS_PER_S;
	d->t2_at = now + (uint64_t)t2 * MICA_NS_PER_S;
	d->end_at = now + (uint64_t)lease * MICA_NS_PER_S;
	if (m->server_id)
		d->server = m->server_id;
	unsigned prefix = m->has_mask ? mask_prefix(m->mask) : 24;
	char ip[16];
	ip_text(m->yiaddr, ip);
	if (net->ip != m->yiaddr || net->gateway != m->router)
		net_set_address(net, m->yiaddr, prefix, m->router);
	mica_info("net", "dhcp: %s %s lease %us (renew at %us)",
	          d->state == DS_REQUESTING ? "bound" : "renewed", ip, lease, t1);
	d->state = DS_BOUND;
	arm(d, d->t1_at);
}

static void on_reply(struct mica_udp *u, const struct mica_udp_dgram *dg, void *arg)
{
	(void)u;
	struct net_dhcp *d = arg;
	struct mica_net *net = d->net;
	struct dhcp_msg m;
	if (dhcp_parse(dg->data, &m) != MICA_OK) {
		NET_COUNT(net, dhcp_bad);
		return;
	}
	if (m.op != DHCP_OP_REPLY || m.xid != d->xid || memcmp(m.chaddr, net->dev.mac, ETH_ALEN)) {
		NET_COUNT(net, dhcp_ignored);
		return;
	}
	if (m.type == DHCP_OFFER && d->state == DS_SELECTING && m.yiaddr && m.server_id) {
		d->offered = m.yiaddr;
		d->server = m.server_id;
		d->state = DS_REQUESTING;
		d->tries = 0;
		d->retry_ns = DHCP_RETRY_FIRST_NS;
		send_msg(d, DHCP_REQUEST, IPV4_BROADCAST);
		retry_later(d);
	} else if (m.type == DHCP_ACK && d->state != DS_SELECTING && d->state != DS_BOUND && m.yiaddr) {
		NET_COUNT(net, dhcp_ack);
		bound(d, &m);
	} else if (m.type == DHCP_NAK && d->state != DS_SELECTING && d->state != DS_BOUND) {
		NET_COUNT(net, dhcp_nak);
		mica_warn("net", "dhcp: server refused (NAK) while %s; starting over", state_names[d->state]);
		net_set_address(net, 0, 0, 0);
		discover(d);
	} else {
		NET_COUNT(net, dhcp_ignored);
	}
}

int net_dhcp_start(struct mica_net *net)
{
	struct net_dhcp *d = calloc(1, sizeof(*d));
	if (!d)
		return MICA_ENOMEM;
	d->net = net;
	mica_timer_init(&d->timer, timer_fn, d);
	struct mica_endpoint local = {0, DHCP_CLIENT_PORT};
	int rc = mica_udp_bind(net, &local, on_reply, d, &d->sock);
	if (rc != MICA_OK) {
		free(d);
		return rc;
	}
	net->dhcp = d;
	mica_info("net", "%s: no --ipv4 given, asking DHCP", net->name);
	discover(d);
	return MICA_OK;
}

void net_dhcp_stop(struct mica_net *net)
{
	struct net_dhcp *d = net->dhcp;
	if (!d)
		return;
	mica_timer_cancel(net->loop, &d->timer);
	mica_udp_close(d->sock);
	free(d);
	net->dhcp = NULL;
}
