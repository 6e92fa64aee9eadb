/* tcp.c - DNS over TCP (RFC 1035 4.2.2, RFC 7766): each message has a
 * two-byte length in front, a connection carries any number of queries,
 * answers go out in order, and a connection idle for --tcp-idle seconds
 * is closed. A length under 12 (no room for a header) or over
 * DNS_TCP_QUERY_MAX ends the connection and is counted. */
#include <mica/libc.h>
#include <mica/log.h>
#include "dns_app.h"

#define DNS_TCP_QUERY_MAX 16384

struct conn {
	struct dns_app *app;
	struct mica_tcp *tcp;
	struct mica_timer idle;
	size_t have;   /* bytes in `in` */
	uint8_t *outq; /* unsent tail of a response (malloc) */
	size_t outq_len, outq_off;
	bool closing;
	bool eof;                 /* the client finished sending: close once outq is sent */
	struct mica_dns_xfr *xfr; /* a zone transfer being sent (malloc), or NULL */
	uint8_t in[2 + DNS_TCP_QUERY_MAX];
};

static void conn_close(struct conn *c)
{
	if (c->closing)
		return;
	c->closing = true;
	mica_tcp_close(c->tcp);
}

static void idle_fire(struct mica_timer *t, void *arg)
{
	(void)t;
	struct conn *c = arg;
	c->app->tcp_timeouts++;
	conn_close(c);
}

/* Write bytes; what the connection does not take now is kept in outq. */
static void send_or_queue(struct conn *c, const uint8_t *p, size_t n)
{
	ptrdiff_t w = mica_tcp_write(c->tcp, p, n);
	if (w < 0 || (size_t)w == n)
		return;
	c->outq = malloc(n - (size_t)w);
	if (!c->outq) {
		conn_close(c);
		return;
	}
	memcpy(c->outq, p + w, n - (size_t)w);
	c->outq_len = n - (size_t)w;
	c->outq_off = 0;
}

/* Send the transfer's messages while the connection takes them; what it
 * does not take waits in outq and on_writable calls this again. */
static void xfr_continue(struct conn *c)
{
	struct dns_app *a = c->app;
	while (c->xfr && !c->outq && !c->closing) {
		size_t n = mica_dns_xfr_next(c->xfr, a->out + 2, sizeof(a->out) - 2);
		if (n == 0) {
			free(c->xfr);
			c->xfr = NULL;
			a->xfr_done++;
			break;
		}
		a->xfr_msgs++;
		a->out[0] = (uint8_t)(n >> 8);
		a->out[1] = (uint8_t)n;
		send_or_queue(c, a->out, n + 2);
	}
}

/* AXFR/IXFR from an allowed client: start a transfer. */
static bool xfr_begin(struct conn *c, const uint8_t *q, size_t len)
{
	struct dns_app *a = c->app;
	struct mica_endpoint local, remote;
	if (!a->nallow)
		return false;
	mica_tcp_endpoints(c->tcp, &local, &remote);
	if (!dns_xfr_allowed(a, remote.ip))
		return false;
	struct mica_dns_xfr *x = malloc(sizeof(*x));
	if (!x)
		return false;
	if (!mica_dns_xfr_start(&a->server, q, len, true, x)) {
		free(x);
		return false;
	}
	a->server.st.queries++;
	a->server.st.tcp++;
	c->xfr = x;
	xfr_continue(c);
	return true;
}

static void answer(struct conn *c, const uint8_t *q, size_t len)
{
	struct dns_app *a = c->app;
	if (xfr_begin(c, q, len))
		return;
	size_t n = mica_dns_respond(&a->server, q, len, a->out + 2, sizeof(a->out) - 2, true);
	if (n == 0)
		return;
	a->out[0] = (uint8_t)(n >> 8);
	a->out[1] = (uint8_t)n;
	send_or_queue(c, a->out, n + 2);
}

/* A complete length prefix: reject lengths no query can have. */
static bool length_ok(struct conn *c)
{
	size_t len = (size_t)(c->in[0] << 8 | c->in[1]);
	if (len >= MICA_DNS_HDR_LEN && len <= DNS_TCP_QUERY_MAX)
		return true;
	c->app->tcp_bad_length++;
	c->app->server.st.dropped++;
	conn_close(c);
	return false;
}

static size_t on_data(struct mica_tcp *t, struct mica_view data, void *arg)
{
	struct conn *c = arg;
	(void)t;
	if (c->closing)
		return data.len;
	if (c->outq || c->xfr)
		return 0; /* wait for on_writable */
	mica_timer_start(c->app->loop, &c->idle, c->app->tcp_idle_ns, 0);
	size_t used = 0;
	while (used < data.len && !c->closing && !c->outq && !c->xfr) {
		size_t want = c->have < 2 ? 2 : 2 + (size_t)(c->in[0] << 8 | c->in[1]);
		size_t take = want - c->have;
		if (take > data.len - used)
			take = data.len - used;
		memcpy(c->in + c->have, data.data + used, take);
		c->have += take;
		used += take;
		if (c->have == 2 && want == 2) {
			if (!length_ok(c))
				break;
		} else if (c->have == want) {
			c->have = 0;
			answer(c, c->in + 2, want - 2);
		}
	}
	return c->closing ? data.len : used;
}

static void on_writable(struct mica_tcp *t, void *arg)
{
	struct conn *c = arg;
	(void)t;
	if (!c->outq)
		return;
	ptrdiff_t w = mica_tcp_write(c->tcp, c->outq + c->outq_off, c->outq_len - c->outq_off);
	if (w > 0)
		c->outq_off += (size_t)w;
	if (w >= 0 && c->outq_off < c->outq_len)
		return;
	free(c->outq);
	c->outq = NULL;
	mica_timer_start(c->app->loop, &c->idle, c->app->tcp_idle_ns, 0); /* progress */
	xfr_continue(c);
	if (c->outq || c->xfr)
		return;
	if (c->eof)
		conn_close(c);
	else
		mica_tcp_resume(c->tcp);
}

static void on_eof(struct mica_tcp *t, void *arg)
{
	struct conn *c = arg;
	(void)t;
	c->eof = true;
	if (!c->outq && !c->xfr)
		conn_close(c);
}

static void on_close(struct mica_tcp *t, int err, void *arg)
{
	struct conn *c = arg;
	(void)t, (void)err;
	mica_timer_cancel(c->app->loop, &c->idle);
	c->app->tcp_conns--;
	free(c->outq);
	free(c->xfr);
	free(c);
}

static const struct mica_tcp_ops conn_ops = {
    .on_data = on_data,
    .on_writable = on_writable,
    .on_eof = on_eof,
    .on_close = on_close,
};

static void reject_close(struct mica_tcp *t, int err, void *arg)
{
	(void)t, (void)err, (void)arg;
}

static const struct mica_tcp_ops reject_ops = {.on_close = reject_close};

static void on_accept(struct mica_tcp_listener *l, struct mica_tcp *t, void *arg)
{
	struct dns_app *a = arg;
	(void)l;
	struct conn *c = a->tcp_conns < a->tcp_max ? calloc(1, sizeof(*c)) : NULL;
	if (!c) {
		a->tcp_refused++;
		mica_tcp_set_ops(t, &reject_ops, NULL);
		mica_tcp_abort(t);
		return;
	}
	a->tcp_conns++;
	a->tcp_accepted++;
	c->app = a;
	c->tcp = t;
	mica_timer_init(&c->idle, idle_fire, c);
	mica_timer_start(a->loop, &c->idle, a->tcp_idle_ns, 0);
	mica_tcp_set_ops(t, &conn_ops, c);
}

int dns_tcp_start(struct dns_app *a, const struct mica_endpoint *local)
{
	return mica_tcp_listen(a->net, local, 256, on_accept, a, &a->listener);
}
