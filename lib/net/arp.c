/* arp.c - ARP state (RFC 826): the neighbour cache with expiry, answering
 * requests for our address, resolving next hops with a bounded queue of
 * packets waiting on each resolution (dropped and counted on timeout), and
 * refreshing entries in use shortly before they expire. */
#include "stack.h"
#include <mica/libc.h>
#include <mica/log.h>

static struct arp_entry *find(struct mica_net *net, uint32_t ip)
{
	for (int i = 0; i < ARP_ENTRIES; i++)
		if (net->arp.e[i].state != ARP_FREE && net->arp.e[i].ip == ip)
			return &net->arp.e[i];
	return NULL;
}

static void drop_queue(struct mica_net *net, struct arp_entry *e, bool count)
{
	while (e->qhead) {
		struct mica_buf *b = e->qhead;
		e->qhead = b->next;
		b->next = NULL;
		if (count)
			NET_COUNT(net, arp_timeout_drop);
		mica_buf_unref(b);
	}
	net->arp.nqueued -= e->nqueued;
	e->nqueued = 0;
	e->qtail = NULL;
}

static void send_resolved(struct mica_net *net, struct mica_buf *b, const uint8_t mac[ETH_ALEN])
{
	if (eth_encode(b, mac, net->dev.mac, ETH_TYPE_IPV4) != MICA_OK) {
		NET_COUNT(net, tx_nobuf);
		mica_buf_unref(b);
		return;
	}
	net_tx_enqueue(net, b);
}

/* The peer's address is known now: remember it and send what waited. */
static void learn(struct mica_net *net, struct arp_entry *e, const uint8_t mac[ETH_ALEN])
{
	uint64_t now = mica_loop_now(net->loop);
	memcpy(e->mac, mac, ETH_ALEN);
	e->state = ARP_REACHABLE;
	e->deadline = now + ARP_REACHABLE_NS;
	e->tries = 0;
	while (e->qhead) {
		struct mica_buf *b = e->qhead;
		e->qhead = b->next;
		b->next = NULL;
		net->arp.nqueued--;
		send_resolved(net, b, mac);
	}
	e->nqueued = 0;
	e->qtail = NULL;
}

/* A free slot, or the least recently used resolved entry. */
static struct arp_entry *alloc_entry(struct mica_net *net)
{
	struct arp_entry *victim = NULL;
	for (int i = 0; i < ARP_ENTRIES; i++) {
		struct arp_entry *e = &net->arp.e[i];
		if (e->state == ARP_FREE)
			return e;
		if (e->state == ARP_REACHABLE && (!victim || e->used < victim->used))
			victim = e;
	}
	return victim;
}

int net_arp_send(struct mica_net *net, uint16_t op, const uint8_t tha[ETH_ALEN], uint32_t tpa,
                 const uint8_t eth_dst[ETH_ALEN])
{
	struct mica_buf *b = net_alloc_tx(net, ARP_LEN);
	if (!b)
		return MICA_ENOMEM;
	struct arp_pkt p = {.op = op, .spa = net->ip, .tpa = tpa};
	memcpy(p.sha, net->dev.mac, ETH_ALEN);
	memcpy(p.tha, tha, ETH_ALEN);
	int rc = arp_encode(b, &p);
	if (rc == MICA_OK)
		rc = eth_encode(b, eth_dst, net->dev.mac, ETH_TYPE_ARP);
	if (rc != MICA_OK) {
		mica_buf_unref(b);
		return rc;
	}
	/* Pad to Ethernet's 60-byte minimum frame. */
	size_t pad = 60 - b->len;
	memset(mica_buf_put(b, pad), 0, pad);
	NET_COUNT(net, arp_request_tx + (op == ARP_OP_REPLY));
	net_tx_enqueue(net, b);
	return MICA_OK;
}

void net_arp_input(struct mica_net *net, struct mica_buf *b)
{
	struct arp_pkt p;
	if (arp_parse(mica_buf_view(b), &p) != MICA_OK || eth_is_multicast(p.sha)) {
		NET_COUNT(net, arp_bad);
		return;
	}
	NET_COUNT(net, arp_request_rx + (p.op == ARP_OP_REPLY));
	if (net->ip && p.spa == net->ip) {
		/* Another host claims our address (an RFC 5227 conflict):
		 * never learn it; warn the first time. */
		if (!net->stats[NET_arp_conflict]++)
			mica_warn("net", "%s: %02x:%02x:%02x:%02x:%02x:%02x also uses our address", net->name,
			          p.sha[0], p.sha[1], p.sha[2], p.sha[3], p.sha[4], p.sha[5]);
		return;
	}
	bool for_us = net->ip && p.tpa == net->ip;
	struct arp_entry *e = p.spa ? find(net, p.spa) : NULL;
	if (e)
		learn(net, e, p.sha);
	if (!for_us) {
		if (!e)
			NET_COUNT(net, arp_not_for_us);
		return;
	}
	if (!e && p.spa && (e = alloc_entry(net)) != NULL) {
		drop_queue(net, e, false);
		e->ip = p.spa;
		e->used = mica_loop_now(net->loop);
		learn(net, e, p.sha);
	}
	if (p.op == ARP_OP_REQUEST)
		net_arp_send(net, ARP_OP_REPLY, p.sha, p.spa, p.sha);
}

static void queue_packet(struct mica_net *net, struct arp_entry *e, struct mica_buf *b)
{
	if (e->nqueued >= ARP_QUEUE_PER_ENTRY || net->arp.nqueued >= ARP_QUEUE_MAX) {
		NET_COUNT(net, arp_queue_full);
		mica_buf_unref(b);
		return;
	}
	b->next = NULL;
	if (e->qtail)
		e->qtail->next = b;
	else
		e->qhead = b;
	e->qtail = b;
	e->nqueued++;
	net->arp.nqueued++;
}

void net_arp_output(struct mica_net *net, uint32_t nexthop, struct mica_buf *b)
{
	uint64_t now = mica_loop_now(net->loop);
	struct arp_entry *e = find(net, nexthop);
	if (e && e->state == ARP_REACHABLE && now < e->deadline) {
		e->used = now;
		/* In use and about to expire: ask the peer directly (a unicast
		 * request), so its reply renews the entry without a gap. */
		if (e->deadline - now < ARP_REFRESH_NS && now - e->probed >= ARP_RETRY_NS) {
			e->probed = now;
			net_arp_send(net, ARP_OP_REQUEST, e->mac, nexthop, e->mac);
		}
		send_resolved(net, b, e->mac);
		return;
	}
	if (!e) {
		e = alloc_entry(net);
		if (!e) {
			NET_COUNT(net, arp_cache_full);
			mica_buf_unref(b);
			return;
		}
		drop_queue(net, e, false);
		e->ip = nexthop;
	}
	if (e->state != ARP_INCOMPLETE) { /* new, or expired: resolve (again) */
		e->state = ARP_INCOMPLETE;
		e->tries = 1;
		e->deadline = now + ARP_RETRY_NS;
		e->used = now;
		net_arp_send(net, ARP_OP_REQUEST, (const uint8_t[ETH_ALEN]){0}, nexthop, eth_broadcast);
		net_tick_needed(net);
	}
	queue_packet(net, e, b);
}

bool net_arp_tick(struct mica_net *net, uint64_t now)
{
	bool pending = false;
	for (int i = 0; i < ARP_ENTRIES; i++) {
		struct arp_entry *e = &net->arp.e[i];
		if (e->state != ARP_INCOMPLETE)
			continue;
		if (now >= e->deadline) {
			if (e->tries >= ARP_TRIES) {
				drop_queue(net, e, true);
				e->state = ARP_FREE;
				continue;
			}
			e->tries++;
			e->deadline = now + ARP_RETRY_NS;
			net_arp_send(net, ARP_OP_REQUEST, (const uint8_t[ETH_ALEN]){0}, e->ip, eth_broadcast);
		}
		pending = true;
	}
	return pending;
}

void net_arp_flush(struct mica_net *net)
{
	for (int i = 0; i < ARP_ENTRIES; i++) {
		drop_queue(net, &net->arp.e[i], false);
		net->arp.e[i].state = ARP_FREE;
	}
}

const struct arp_entry *net_arp_lookup(struct mica_net *net, uint32_t ip)
{
	struct arp_entry *e = find(net, ip);
	return e && e->state == ARP_REACHABLE && mica_loop_now(net->loop) < e->deadline ? e : NULL;
}
