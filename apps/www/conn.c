/* conn.c - one HTTP/1.1 connection of the web appliance.
 *
 * Requests are parsed as bytes arrive (lib/http); each is answered in
 * order. The answers of one batch of input are gathered in www.batch and
 * handed to TCP with one write; a large body goes to TCP by reference to
 * the image's read-only data (mica_tcp_write_ref: never copied into TCP's
 * buffers, segments are built from it, with TSO on tap). When TCP takes less than offered, what is
 * left is kept (copied bytes, then at most one reference) and no further
 * request is read until on_writable has drained it: pipelined requests
 * wait in TCP, and responses stay in order.
 *
 * A connection closes after a response to a request that asked for it
 * (Connection: close, HTTP/1.0 without keep-alive) or that was malformed:
 * our FIN follows the response, then input is read and dropped until the
 * peer closes too or a short linger time passes (so a client's unread
 * pipelined requests do not turn into a reset that destroys the response).
 * A connection closes after --idle seconds without a request or, while a
 * response is going out, without progress (then it is reset). Idle, a connection holds only
 * struct conn (the parser keeps no buffer between requests). */
#include <mica/libc.h>
#include <mica/log.h>
#include "www.h"

#define WWW_LINGER_NS (2 * MICA_NS_PER_S)

struct conn {
	struct www *w;
	struct mica_tcp *tcp;
	struct mica_http_parser parser;
	struct mica_timer timer; /* idle timeout, then the linger time */
	uint64_t last_active;
	struct mica_endpoint peer;
	uint8_t *pend; /* copied bytes TCP has not taken yet (malloc) */
	size_t pend_len, pend_off;
	const uint8_t *ref; /* then image bytes, by reference */
	size_t ref_len;
	bool blocked;     /* output waits for on_writable, and so do requests */
	bool close_after; /* close once the output is out */
	bool lingering;   /* our FIN is queued: read and drop until the peer closes */
	bool eof;         /* the peer finished sending */
	bool closing;     /* mica_tcp_close or abort was called */
};

/* From here TCP finishes the connection: our timer has nothing left to do
 * (left armed, it would count an idle timeout for a connection that the
 * peer closed, when the deadline passes before TCP reports the close). */
static void conn_close(struct conn *c, bool reset)
{
	if (c->closing)
		return;
	c->closing = true;
	mica_timer_cancel(c->w->loop, &c->timer);
	if (reset)
		mica_tcp_abort(c->tcp);
	else
		mica_tcp_close(c->tcp);
}

/* Keep n copied bytes behind what is already pending. */
static void pend_append(struct conn *c, const uint8_t *p, size_t n)
{
	uint8_t *np = realloc(c->pend, c->pend_len + n);
	if (!np) {
		conn_close(c, true);
		return;
	}
	memcpy(np + c->pend_len, p, n);
	c->pend = np;
	c->pend_len += n;
	c->blocked = true;
}

/* Write to TCP, copying (the batch) or by reference (the image's
 * read-only data, which lives as long as the program: no release needed);
 * returns how much it took (a failed connection takes all: its output no
 * longer matters and on_close follows). */
static size_t tcp_put(struct conn *c, const uint8_t *p, size_t n, bool by_ref)
{
	ptrdiff_t w = by_ref ? mica_tcp_write_ref(c->tcp, p, n, NULL, NULL) : mica_tcp_write(c->tcp, p, n);
	if (w < 0) {
		mica_debug("www", "write failed: %s", mica_strerror((int)w));
		c->w->st.write_errors++;
		conn_close(c, true);
		return n;
	}
	c->w->st.bytes += (uint64_t)w;
	return (size_t)w;
}

static void flush(struct conn *c)
{
	struct www *w = c->w;
	size_t n = w->batch_len;
	w->batch_len = 0;
	if (n == 0 || c->closing)
		return;
	size_t took = tcp_put(c, w->batch, n, false);
	if (took < n)
		pend_append(c, w->batch + took, n - took);
}

static void out_copy(struct conn *c, const uint8_t *p, size_t n)
{
	struct www *w = c->w;
	if (c->blocked) {
		pend_append(c, p, n);
		return;
	}
	if (n > WWW_BATCH - w->batch_len)
		flush(c);
	if (c->blocked) {
		pend_append(c, p, n);
		return;
	}
	memcpy(w->batch + w->batch_len, p, n);
	w->batch_len += n;
}

/* Any amount, copied: through the batch in pieces while TCP takes them,
 * the rest kept pending in one piece. */
static void out_copy_all(struct conn *c, const uint8_t *p, size_t n)
{
	while (n && !c->closing) {
		if (c->blocked) {
			pend_append(c, p, n);
			return;
		}
		size_t piece = n < WWW_BATCH ? n : WWW_BATCH;
		out_copy(c, p, piece);
		p += piece;
		n -= piece;
	}
}

/* The last piece of a response: large ones go by reference (or copied,
 * when the site's memory may be replaced: SITE=block). */
static void out_ref(struct conn *c, const uint8_t *p, size_t n)
{
	if (n <= WWW_COPY_MAX) {
		out_copy(c, p, n);
		return;
	}
	if (c->w->copy_bodies) {
		out_copy_all(c, p, n);
		return;
	}
	flush(c);
	if (c->closing)
		return;
	size_t took = c->blocked ? 0 : tcp_put(c, p, n, true);
	if (took < n) {
		c->ref = p + took;
		c->ref_len = n - took;
		c->blocked = true;
	}
}

static void log_access(struct conn *c, const struct mica_http_request *req, unsigned status, uint64_t len)
{
	uint32_t ip = c->peer.ip;
	if (req && !req->error) {
		int tlen = req->target.len > 200 ? 200 : (int)req->target.len;
		mica_printf("www: %u.%u.%u.%u:%u \"%.*s %.*s HTTP/1.%u\" %u %llu\n", ip >> 24,
		            (ip >> 16) & 255, (ip >> 8) & 255, ip & 255, c->peer.port,
		            (int)req->method_str.len, (const char *)req->method_str.p, tlen,
		            (const char *)req->target.p, req->minor, status, (unsigned long long)len);
	} else {
		mica_printf("www: %u.%u.%u.%u:%u \"-\" %u %llu\n", ip >> 24, (ip >> 16) & 255,
		            (ip >> 8) & 255, ip & 255, c->peer.port, status, (unsigned long long)len);
	}
}

/* Write the body part of a 200/206/304 after its dynamic head. */
static void out_representation(struct conn *c, const struct mica_http_reply *r)
{
	const struct mica_http_variant *v = r->var;
	if (r->status == 304) {
		out_copy(c, v->head304, v->head304_len);
	} else if (!r->body) {
		out_copy(c, v->head, v->head_len);
	} else if (r->status == 200) {
		out_ref(c, v->head, v->head_len + (size_t)v->body_len); /* head and body are contiguous */
	} else {
		out_copy(c, v->head, v->head_len);
		out_ref(c, v->head + v->head_len + r->first, (size_t)r->len);
	}
}

static void respond(struct conn *c, const struct mica_http_request *req)
{
	struct www *w = c->w;
	struct mica_http_reply r;
	bool close = true;
	if (req->error) {
		memset(&r, 0, sizeof(r));
		r.status = req->error;
		r.body = true;
		w->st.bad_requests++;
	} else {
		mica_http_site_reply(w->site, req, &r);
		close = !req->keep_alive || r.status == 400;
		w->st.requests++;
	}
	uint8_t head[WWW_HEAD_MAX];
	struct mica_http_out o = {head, 0, sizeof(head), false};
	mica_http_write_head(&o, &r, req->error ? NULL : req, w->date, close);
	if (o.overflow) { /* cannot happen with the limits above; never send half a head */
		conn_close(c, true);
		return;
	}
	out_copy(c, head, o.len);
	if (r.status == 200 || r.status == 206 || r.status == 304)
		out_representation(c, &r);
	w->st.status[r.status / 100 % 6]++;
	if (w->log_access)
		log_access(c, req, r.status, r.status == 200 || r.status == 206 ? r.len : 0);
	if (close)
		c->close_after = true;
}

/* The response that asked to close is out: FIN, then linger. */
static void begin_linger(struct conn *c)
{
	if (c->closing || c->lingering)
		return;
	if (c->eof) {
		conn_close(c, false);
		return;
	}
	c->lingering = true;
	(void)mica_tcp_shutdown(c->tcp);
	mica_timer_start(c->w->loop, &c->timer, WWW_LINGER_NS, 0);
}

static size_t on_data(struct mica_tcp *t, struct mica_view data, void *arg)
{
	struct conn *c = arg;
	(void)t;
	if (c->closing || c->lingering || c->close_after)
		return data.len; /* read and dropped */
	if (c->blocked)
		return 0;
	struct www *w = c->w;
	c->last_active = mica_loop_now(w->loop);
	www_update_date(w);
	size_t used = 0;
	while (used < data.len && !c->blocked && !c->close_after && !c->closing) {
		struct mica_http_request req;
		size_t n = 0;
		int rc = mica_http_feed(&c->parser, data.data + used, data.len - used, &n, &req);
		used += n;
		if (rc < 0) {
			conn_close(c, true);
			break;
		}
		if (rc == MICA_HTTP_REQUEST)
			respond(c, &req);
	}
	flush(c);
	if (c->closing || c->close_after) {
		if (!c->blocked)
			begin_linger(c);
		return data.len;
	}
	return used;
}

/* Hand TCP what waits (copied bytes, then the body by reference) as far
 * as it takes it; returns how many bytes it took. */
static size_t push_pending(struct conn *c)
{
	size_t total = 0;
	if (c->pend) {
		size_t took = tcp_put(c, c->pend + c->pend_off, c->pend_len - c->pend_off, false);
		c->pend_off += took;
		total += took;
		if (c->pend_off < c->pend_len || c->closing)
			return total;
		free(c->pend);
		c->pend = NULL;
		c->pend_len = c->pend_off = 0;
	}
	if (c->ref) {
		size_t took = tcp_put(c, c->ref, c->ref_len, true);
		c->ref += took;
		c->ref_len -= took;
		total += took;
		if (c->ref_len > 0 || c->closing)
			return total;
		c->ref = NULL;
	}
	c->blocked = false;
	return total;
}

/* Everything waiting went to TCP: on to what the connection does next. */
static void unblocked(struct conn *c)
{
	if (c->close_after)
		begin_linger(c);
	else if (c->eof)
		conn_close(c, false);
	else
		mica_tcp_resume(c->tcp);
}

static void on_writable(struct mica_tcp *t, void *arg)
{
	struct conn *c = arg;
	(void)t;
	if (c->closing || !c->blocked)
		return;
	c->last_active = mica_loop_now(c->w->loop); /* the peer is reading: not idle */
	push_pending(c);
	if (!c->blocked && !c->closing)
		unblocked(c);
}

static void on_eof(struct mica_tcp *t, void *arg)
{
	struct conn *c = arg;
	(void)t;
	c->eof = true;
	if (!c->blocked)
		conn_close(c, false);
}

static void on_close(struct mica_tcp *t, int err, void *arg)
{
	struct conn *c = arg;
	(void)t, (void)err;
	mica_timer_cancel(c->w->loop, &c->timer);
	mica_http_parser_fini(&c->parser);
	free(c->pend);
	c->w->conns--;
	c->w->st.closed++;
	free(c);
}

/* Idle timeout: checked lazily against last_active, so a busy connection
 * does not re-arm a timer per request. */
static void timer_fire(struct mica_timer *tm, void *arg)
{
	struct conn *c = arg;
	(void)tm;
	if (c->lingering) {
		conn_close(c, false);
		return;
	}
	uint64_t now = mica_loop_now(c->w->loop), idle = now - c->last_active;
	if (idle >= c->w->idle_ns && c->blocked && push_pending(c) > 0 && !c->closing) {
		/* TCP had room again without saying so yet (on_writable waits
		 * for half its buffer): the peer is reading, slowly. */
		c->last_active = now;
		idle = 0;
		if (!c->blocked)
			unblocked(c);
		if (c->closing || c->lingering)
			return;
	}
	if (idle < c->w->idle_ns) {
		mica_timer_start(c->w->loop, &c->timer, c->w->idle_ns - idle, 0);
		return;
	}
	c->w->st.timeouts++;
	conn_close(c, c->blocked); /* a peer that stopped reading is reset */
}

static const struct mica_tcp_ops conn_ops = {
    .on_data = on_data,
    .on_writable = on_writable,
    .on_eof = on_eof,
    .on_close = on_close,
};

static void refused_close(struct mica_tcp *t, int err, void *arg)
{
	(void)t, (void)err, (void)arg;
}

static const struct mica_tcp_ops refused_ops = {.on_close = refused_close};

static const char busy_response[] = "HTTP/1.1 503 Service Unavailable\r\nServer: mica\r\n"
                                    "Content-Type: text/plain; charset=utf-8\r\nContent-Length: 20\r\n"
                                    "Retry-After: 1\r\nConnection: close\r\n\r\n"
                                    "too many connections";

/* At the cap: a 503 and a close, so the client knows why. */
static void refuse(struct www *w, struct mica_tcp *t)
{
	w->st.refused++;
	mica_tcp_set_ops(t, &refused_ops, NULL);
	(void)mica_tcp_write(t, busy_response, sizeof(busy_response) - 1);
	mica_tcp_close(t);
}

void www_accept(struct mica_tcp_listener *l, struct mica_tcp *t, void *arg)
{
	struct www *w = arg;
	(void)l;
	struct conn *c = w->conns < w->max_conns ? calloc(1, sizeof(*c)) : NULL;
	if (!c) {
		refuse(w, t);
		return;
	}
	w->conns++;
	w->st.accepted++;
	c->w = w;
	c->tcp = t;
	c->last_active = mica_loop_now(w->loop);
	mica_http_parser_init(&c->parser);
	mica_tcp_endpoints(t, NULL, &c->peer);
	mica_timer_init(&c->timer, timer_fire, c);
	mica_timer_start(w->loop, &c->timer, w->idle_ns, 0);
	(void)mica_tcp_set_nodelay(t, true);
	mica_tcp_set_ops(t, &conn_ops, c);
}
