/* tcp_api.c - include/mica/net.h's TCP calls on the direct stack:
 * listeners, active open, write by copy and by reference with backpressure
 * (bytes taken; on_writable when room returns), resume after a partial on_data, half-close, orderly
 * close (on_close once the FIN is acknowledged), abort (RST), Nagle. */
#include "tcp.h"
#include <mica/libc.h>

static bool port_busy(struct net_tcp *t, uint32_t ip, uint16_t port)
{
	for (struct mica_tcp_listener *l = t->listeners; l; l = l->next)
		if (l->local.port == port && (l->local.ip == ip || !l->local.ip || !ip))
			return true;
	return false;
}

int mica_tcp_listen(struct mica_net *net, const struct mica_endpoint *local, int backlog,
                    mica_tcp_accept_fn fn, void *arg, struct mica_tcp_listener **out)
{
	if (!net->tcp)
		return MICA_ENOTSUP;
	if (!local || !local->port || !fn)
		return MICA_EINVAL;
	if (port_busy(net->tcp, local->ip, local->port))
		return MICA_EADDRINUSE;
	struct mica_tcp_listener *l = calloc(1, sizeof(*l));
	if (!l)
		return MICA_ENOMEM;
	l->net = net;
	l->local = *local;
	l->backlog = backlog > 0 ? backlog : 128;
	l->fn = fn;
	l->arg = arg;
	l->next = net->tcp->listeners;
	net->tcp->listeners = l;
	*out = l;
	return MICA_OK;
}

void mica_tcp_listener_close(struct mica_tcp_listener *l)
{
	if (!l)
		return;
	struct net_tcp *t = l->net->tcp;
	for (struct mica_tcp_listener **pp = &t->listeners; *pp; pp = &(*pp)->next) {
		if (*pp == l) {
			*pp = l->next;
			break;
		}
	}
	/* Half-open connections of this listener go with it. */
	for (unsigned i = 0; i < TCP_HASH && l->nsynrcvd; i++) {
		struct mica_tcp *c = t->hash[i];
		while (c) {
			struct mica_tcp *next = c->hnext;
			if (c->listener == l) {
				tcp_send_rst(c);
				tcp_finish(c, MICA_ECONNRESET);
			}
			c = next;
		}
	}
	free(l);
}

/* RFC 6056 algorithm 3: a keyed hash of the addresses picks where the
 * search starts for this peer, a counter moves it on, so ports are not
 * guessable across peers nor repeated for one. Tuples still in use, also
 * in TIME-WAIT, are skipped. */
static int pick_port(struct net_tcp *t, uint32_t lip, const struct mica_endpoint *remote, uint16_t *port)
{
	uint32_t tuple[3] = {lip, remote->ip, remote->port};
	uint32_t offset = (uint32_t)tcp_siphash(t->port_key, tuple, sizeof(tuple));
	for (uint32_t i = 0; i < TCP_EPHEMERAL_N; i++) {
		uint16_t p = (uint16_t)(TCP_EPHEMERAL_LO + (offset + t->next_port++) % TCP_EPHEMERAL_N);
		if (!port_busy(t, lip, p) && !tcp_lookup(t, lip, p, remote->ip, remote->port) &&
		    !tcp_tw_lookup(t, lip, p, remote->ip, remote->port)) {
			*port = p;
			return MICA_OK;
		}
	}
	return MICA_EADDRINUSE;
}

int mica_tcp_connect(struct mica_net *net, const struct mica_endpoint *remote, const struct mica_tcp_ops *ops,
                     void *arg, struct mica_tcp **out)
{
	if (!net->tcp)
		return MICA_ENOTSUP;
	if (!remote || !remote->port || !remote->ip || !ops)
		return MICA_EINVAL;
	if (!net->ip)
		return MICA_EUNREACH;
	uint16_t port;
	int rc = pick_port(net->tcp, net->ip, remote, &port);
	if (rc != MICA_OK)
		return rc;
	struct mica_tcp *c = tcp_new_conn(net, net->ip, port, remote->ip, remote->port);
	if (!c)
		return MICA_ENOMEM;
	c->has_app = true;
	c->ops = ops;
	c->arg = arg;
	c->iss = tcp_isn(net, c->lip, c->lport, c->rip, c->rport);
	c->snd_una = c->iss;
	c->snd_nxt = c->snd_max = c->iss + 1;
	c->ws_ok = c->sack_ok = true; /* offered in the SYN */
	c->rcv_ws = tcp_our_wscale();
	c->rtt_start = mica_loop_now(net->loop);
	tcp_set_state(c, TCP_SYN_SENT);
	tcp_send_syn(c);
	tcp_arm_rto(c);
	*out = c;
	return MICA_OK;
}

void mica_tcp_set_ops(struct mica_tcp *c, const struct mica_tcp_ops *ops, void *arg)
{
	c->ops = ops;
	c->arg = arg;
}

static bool writable_state(const struct mica_tcp *c)
{
	switch (c->state) {
	case TCP_SYN_SENT:
	case TCP_SYN_RCVD:
	case TCP_ESTABLISHED:
	case TCP_CLOSE_WAIT: return !c->shut_wr && !c->app_closed && c->has_app && !c->close_due;
	default: return false;
	}
}

/* A write was cut short: on_writable follows when there is room - after
 * ACKs free the queue, or, when the pool was short, once it has blocks
 * again (there may be nothing in flight to be acknowledged). */
static void want_room(struct mica_tcp *c)
{
	c->want_writable = true;
	if (c->snd.len < c->snd.cap) {
		c->pool_wait = true;
		c->snd.pool->starved = true;
	}
}

ptrdiff_t mica_tcp_write(struct mica_tcp *c, const void *data, size_t len)
{
	if (!writable_state(c))
		return MICA_ECLOSED;
	uint32_t n = tcp_ring_append(&c->snd, data, len < c->snd.cap ? (uint32_t)len : c->snd.cap);
	if (n < len)
		want_room(c);
	if (n)
		tcp_output(c);
	return (ptrdiff_t)n;
}

ptrdiff_t mica_tcp_write_ref(struct mica_tcp *c, const void *data, size_t len, mica_tcp_release_fn release,
                             void *release_arg)
{
	if (!writable_state(c))
		return MICA_ECLOSED;
	uint32_t room = c->snd.cap - c->snd.len;
	uint32_t n = len < room ? (uint32_t)len : room;
	if (n < TCP_REF_MIN) {
		/* Small pieces cost less copied than tracked. */
		n = tcp_ring_append(&c->snd, data, n);
		if (n && release)
			release(release_arg);
	} else if (tcp_ring_append_ref(&c->snd, data, n, release, release_arg) != MICA_OK) {
		return MICA_ENOMEM;
	}
	if (n < len)
		want_room(c);
	if (n)
		tcp_output(c);
	return (ptrdiff_t)n;
}

size_t mica_tcp_write_room(struct mica_tcp *c)
{
	return writable_state(c) ? tcp_ring_copy_room(&c->snd) : 0;
}

void mica_tcp_resume(struct mica_tcp *c)
{
	if (!c->paused)
		return;
	c->paused = false;
	tcp_kick(c);
}

/* Queue our FIN (RFC 9293 CLOSE call in a synchronized state). */
static void queue_fin(struct mica_tcp *c)
{
	if (c->shut_wr)
		return;
	c->shut_wr = true;
	if (c->state == TCP_ESTABLISHED)
		tcp_set_state(c, TCP_FIN_WAIT_1);
	else if (c->state == TCP_CLOSE_WAIT)
		tcp_set_state(c, TCP_LAST_ACK);
	tcp_output(c);
}

int mica_tcp_shutdown(struct mica_tcp *c)
{
	if (!c->has_app || c->close_due || c->state == TCP_CLOSED)
		return MICA_ECLOSED;
	queue_fin(c);
	return MICA_OK;
}

void mica_tcp_close(struct mica_tcp *c)
{
	if (!c->has_app || c->close_due || c->app_closed)
		return;
	c->app_closed = true;
	tcp_rcvbuf_free(&c->rcv); /* nobody will read it */
	c->nooo = 0;
	switch (c->state) {
	case TCP_SYN_SENT: tcp_finish(c, MICA_OK); break;
	case TCP_SYN_RCVD:
	case TCP_ESTABLISHED:
	case TCP_CLOSE_WAIT: queue_fin(c); break;
	case TCP_FIN_WAIT_2:
		tcp_schedule_close(c, MICA_OK);
		tcp_timer_update(c);
		break;
	case TCP_CLOSED:
	case TCP_TIME_WAIT: tcp_schedule_close(c, MICA_OK); break;
	default: /* FIN-WAIT-1, CLOSING, LAST-ACK: wait for the ACK */
		if (c->fin_sent && SEQ_GT(c->snd_una, c->fin_out))
			tcp_schedule_close(c, MICA_OK);
		break;
	}
}

void mica_tcp_abort(struct mica_tcp *c)
{
	if (!c->has_app || c->close_due)
		return;
	c->app_closed = true;
	if (c->state == TCP_CLOSED) {
		tcp_schedule_close(c, MICA_ECONNRESET);
		return;
	}
	if (c->state != TCP_SYN_SENT && c->state != TCP_TIME_WAIT)
		tcp_send_rst(c);
	tcp_finish(c, MICA_ECONNRESET);
}

int mica_tcp_set_nodelay(struct mica_tcp *c, bool on)
{
	c->nodelay = on;
	if (on && c->state != TCP_CLOSED)
		tcp_output(c);
	return MICA_OK;
}

void mica_tcp_endpoints(struct mica_tcp *c, struct mica_endpoint *local, struct mica_endpoint *remote)
{
	if (local)
		*local = (struct mica_endpoint){c->lip, c->lport};
	if (remote)
		*remote = (struct mica_endpoint){c->rip, c->rport};
}
