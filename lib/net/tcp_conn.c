/* tcp_conn.c - the life of a TCP connection block: the connection table
 * (hashed on the 4-tuple, capped by tcp_mem.c's limits), listeners,
 * initial sequence numbers (RFC 6528), SYN option negotiation, and the
 * deferred task that resumes delivery, reports on_close exactly once and
 * frees the block. Also attach/detach to a stack, with the secrets drawn
 * from the platform's entropy. */
#include "tcp.h"
#include <mica/libc.h>
#include <mica/log.h>

static const char *const state_names[] = {
    "CLOSED",     "SYN-SENT",   "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1",
    "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING",      "LAST-ACK",    "TIME-WAIT",
};

const char *tcp_state_name(enum tcp_state s)
{
	return (unsigned)s <= TCP_TIME_WAIT ? state_names[s] : "?";
}

static unsigned hash4(uint32_t lip, uint16_t lport, uint32_t rip, uint16_t rport)
{
	uint32_t h = rip * 0x9e3779b1u ^ (uint32_t)rport * 0x85ebca6bu ^ (uint32_t)lport * 0xc2b2ae35u ^ lip;
	h ^= h >> 15;
	return h % TCP_HASH;
}

struct mica_tcp *tcp_lookup(struct net_tcp *t, uint32_t lip, uint16_t lport, uint32_t rip, uint16_t rport)
{
	for (struct mica_tcp *c = t->hash[hash4(lip, lport, rip, rport)]; c; c = c->hnext)
		if (c->rport == rport && c->lport == lport && c->rip == rip && c->lip == lip)
			return c;
	return NULL;
}

struct mica_tcp_listener *tcp_find_listener(struct net_tcp *t, uint32_t lip, uint16_t lport)
{
	struct mica_tcp_listener *wild = NULL;
	for (struct mica_tcp_listener *l = t->listeners; l; l = l->next) {
		if (l->local.port != lport)
			continue;
		if (l->local.ip == lip)
			return l;
		if (l->local.ip == 0)
			wild = l;
	}
	return wild;
}

static void unhash(struct mica_tcp *c)
{
	struct net_tcp *t = c->net->tcp;
	for (struct mica_tcp **pp = &t->hash[hash4(c->lip, c->lport, c->rip, c->rport)]; *pp;
	     pp = &(*pp)->hnext) {
		if (*pp == c) {
			*pp = c->hnext;
			c->hnext = NULL;
			t->nconns--;
			return;
		}
	}
}

static void task_fn(void *arg);

uint32_t tcp_isn(struct mica_net *net, uint32_t lip, uint16_t lport, uint32_t rip, uint16_t rport)
{
	uint32_t tuple[3] = {lip, rip, (uint32_t)lport << 16 | rport};
	uint64_t h = tcp_siphash(net->tcp->secret, tuple, sizeof(tuple));
	/* RFC 6528: ISN = M + F(4-tuple, secret), M a 4-microsecond timer. */
	return (uint32_t)h + (uint32_t)(mica_loop_now(net->loop) / 4000);
}

struct mica_tcp *tcp_new_conn(struct mica_net *net, uint32_t lip, uint16_t lport, uint32_t rip,
                              uint16_t rport)
{
	struct net_tcp *t = net->tcp;
	if (tcp_full(t)) {
		TCP_COUNT(net, conn_limit);
		return NULL;
	}
	struct mica_tcp *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->net = net;
	c->lip = lip, c->lport = lport, c->rip = rip, c->rport = rport;
	c->snd.cap = TCP_SNDBUF;
	c->snd.pool = t->pool;
	c->rcv.cap = TCP_RCVBUF;
	c->rcv.pool = t->pool;
	c->rto = TCP_RTO_INIT;
	c->peer_mss = TCP_DEFAULT_MSS;
	c->mss = TCP_DEFAULT_MSS;
	c->last_rx = mica_loop_now(net->loop);
	uint32_t tuple[3] = {rip, lip, (uint32_t)rport << 16 | lport};
	c->ts_offset = (uint32_t)(tcp_siphash(t->secret, tuple, sizeof(tuple)) >> 32);
	mica_timer_init(&c->timer, tcp_timer_fn, c);
	mica_timer_init(&c->ack_timer, tcp_ack_timer_fn, c);
	mica_task_init(&c->task, task_fn, c);
	unsigned h = hash4(lip, lport, rip, rport);
	c->hnext = t->hash[h];
	t->hash[h] = c;
	t->nconns++;
	return c;
}

void tcp_set_state(struct mica_tcp *c, enum tcp_state s)
{
	mica_debug("tcp", "%u.%u.%u.%u:%u %s -> %s", c->rip >> 24, c->rip >> 16 & 255, c->rip >> 8 & 255,
	           c->rip & 255, c->rport, tcp_state_name((enum tcp_state)c->state), tcp_state_name(s));
	c->state = (uint8_t)s;
}

uint8_t tcp_our_wscale(void)
{
	uint8_t s = 0;
	while (s < 14 && (TCP_RCVBUF_MAX >> s) > 0xffff)
		s++;
	return s;
}

void tcp_take_syn_opts(struct mica_tcp *c, const struct tcp_hdr *h)
{
	c->peer_mss = h->has_mss ? h->mss : TCP_DEFAULT_MSS;
	c->ws_ok = h->has_ws;
	c->snd_ws = h->has_ws ? h->ws : 0;
	c->rcv_ws = h->has_ws ? tcp_our_wscale() : 0;
	c->ts_ok = h->has_ts;
	c->ts_recent = h->tsval;
	c->sack_ok = h->sack_ok;
	uint32_t mss = c->net->dev.mtu - IPV4_HLEN - TCP_HLEN;
	if (c->peer_mss < mss)
		mss = c->peer_mss;
	if (c->ts_ok)
		mss -= TCP_OPT_TS_LEN;
	c->mss = (uint16_t)(mss < 64 ? 64 : mss); /* no tiny-segment floods */
}

void tcp_kick(struct mica_tcp *c)
{
	mica_loop_defer(c->net->loop, &c->task);
}

void tcp_schedule_close(struct mica_tcp *c, int err)
{
	if (!c->has_app || c->close_due)
		return;
	c->close_due = true;
	c->close_err = err;
	tcp_kick(c);
}

static void free_conn(struct mica_tcp *c)
{
	tcp_ring_free(&c->snd);
	tcp_rcvbuf_free(&c->rcv);
	tcp_sb_free(c);
	free(c);
}

void tcp_finish(struct mica_tcp *c, int err)
{
	if (c->state == TCP_CLOSED)
		return;
	tcp_set_state(c, TCP_CLOSED);
	unhash(c);
	mica_timer_cancel(c->net->loop, &c->timer);
	mica_timer_cancel(c->net->loop, &c->ack_timer);
	tcp_ack_batch_forget(c);
	if (c->listener) {
		c->listener->nsynrcvd--;
		c->listener = NULL;
	}
	if (err != MICA_OK || c->app_closed)
		tcp_schedule_close(c, err); /* else the app's close() reports it */
	tcp_kick(c);
}

/* Deferred work of one connection: delivery after mica_tcp_resume, the
 * app's on_close, and freeing the block once both the protocol and the app
 * are done with it. */
static void task_fn(void *arg)
{
	struct mica_tcp *c = arg;
	if (c->state == TCP_CLOSED && !c->has_app && c->free_due) {
		free_conn(c); /* stack detached */
		return;
	}
	if (c->has_app && !c->close_due && !c->app_closed)
		tcp_deliver(c);
	if (c->has_app && c->close_due) {
		c->has_app = false;
		if (c->ops && c->ops->on_close)
			c->ops->on_close(c, c->close_err, c->arg);
	}
	if (!c->has_app && c->state == TCP_CLOSED)
		free_conn(c);
}

/* The pool has blocks again: writers it cut short get on_writable. */
static void pool_task_fn(void *arg)
{
	struct net_tcp *t = arg;
	if (t->dead) {
		tcp_free_dead(t);
		return;
	}
	for (unsigned i = 0; i < TCP_HASH; i++) {
		struct mica_tcp *next;
		for (struct mica_tcp *c = t->hash[i]; c; c = next) {
			next = c->hnext; /* on_writable may close c; blocks are freed only later */
			if (!c->pool_wait)
				continue;
			c->pool_wait = false;
			if (c->want_writable && c->has_app && !c->app_closed && !c->close_due &&
			    !c->shut_wr && c->ops && c->ops->on_writable) {
				c->want_writable = false;
				c->ops->on_writable(c, c->arg);
			}
		}
	}
}

void tcp_free_dead(struct net_tcp *t)
{
	if (!t->ack_task.queued && !t->pool_task.queued)
		free(t);
}

static void pool_wake(void *arg)
{
	struct net_tcp *t = arg;
	mica_loop_defer(t->net->loop, &t->pool_task);
}

/* Keys for ISNs, cookies and ports: from the platform's entropy, or, on
 * a target without any, mixed from clocks and the MAC (guessable: said so
 * at start). */
static void draw_keys(struct net_tcp *t, const struct mica_net *net)
{
	uint8_t k[48];
	if (mica_plat_random(k, sizeof(k)) != MICA_OK) {
		mica_warn("tcp", "no entropy source: ISNs, SYN cookies and ports are guessable");
		uint64_t seed[4] = {mica_plat_wall_ns(), mica_plat_monotonic_ns(), (uint64_t)(uintptr_t)t,
		                    (uint64_t)net->dev.mac[0] << 40 | (uint64_t)net->dev.mac[5] << 8 |
		                        net->dev.mac[4]};
		uint8_t mix[16] = "mica-tcp-secret";
		for (size_t i = 0; i < sizeof(k); i += 8) {
			seed[0] += i;
			uint64_t v = tcp_siphash(mix, seed, sizeof(seed));
			memcpy(k + i, &v, 8);
		}
	}
	memcpy(t->secret, k, 16);
	memcpy(t->cookie_key, k + 16, 16);
	memcpy(t->port_key, k + 32, 16);
	memset(k, 0, sizeof(k));
}

int net_tcp_attach(struct mica_net *net)
{
	struct net_tcp *t = calloc(1, sizeof(*t));
	if (!t)
		return MICA_ENOMEM;
	t->net = net;
	draw_keys(t, net);
	tcp_mem_limits(&t->limits, mica_plat_mem_size());
	t->pool = tcp_pool_new(t->limits.budget);
	if (!t->pool) {
		free(t);
		return MICA_ENOMEM;
	}
	t->pool->wake = pool_wake;
	t->pool->wake_arg = t;
	mica_task_init(&t->pool_task, pool_task_fn, t);
	mica_task_init(&t->ack_task, tcp_ack_batch_task, t);
	tcp_tw_init(t);
	net->tcp = t;
	return net_ipv4_register(net, IPV4_PROTO_TCP, tcp_input);
}

void net_tcp_detach(struct mica_net *net)
{
	struct net_tcp *t = net->tcp;
	if (!t)
		return;
	t->nack_batch = 0;
	for (unsigned i = 0; i < TCP_HASH; i++) {
		while (t->hash[i]) {
			struct mica_tcp *c = t->hash[i];
			t->hash[i] = c->hnext;
			mica_timer_cancel(net->loop, &c->timer);
			mica_timer_cancel(net->loop, &c->ack_timer);
			c->state = TCP_CLOSED;
			c->has_app = false;
			c->free_due = true;
			tcp_ring_free(&c->snd);
			tcp_rcvbuf_free(&c->rcv);
			if (c->task.queued)
				continue; /* the queued task frees it */
			free_conn(c);
		}
	}
	while (t->listeners) {
		struct mica_tcp_listener *l = t->listeners;
		t->listeners = l->next;
		free(l);
	}
	tcp_tw_fini(t);
	net->tcp = NULL;
	tcp_pool_detach(t->pool);
	t->dead = true;
	tcp_free_dead(t); /* now, or from the last queued task */
}
