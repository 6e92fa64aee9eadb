/* conn.c - one client connection of the key-value appliance.
 *
 * Input is copied into the connection's buffer and parsed request by
 * request (pipelining: every complete request is executed, in order).
 * Replies go into one output buffer, but a reply that depends on a write
 * not yet durable - the write's own +OK, or a read that saw its value -
 * is held: the bytes from there on wait for that ticket (the store's
 * on_commit releases them), so no reply ever tells of data a crash could
 * still lose, and replies stay in request order. A command that must wait
 * (a value on the device, room in the open batch) stops the pipeline and
 * runs again when woken. When a batch fails, a connection whose held
 * replies depend on it gets an error in place of them and is closed. */
#include <mica/libc.h>
#include <mica/log.h>
#include <mica/platform.h>
#include "kv_app.h"

#define ARGV_START 16

struct kv_conn {
	struct kv_conn *next, *prev; /* kvapp.all */
	struct mica_tcp *tcp;
	uint8_t *in;
	size_t in_len, in_pos, in_cap;
	bool input_paused;
	struct mica_resp_out out;
	size_t sent;
	struct {
		size_t off;
		uint64_t ticket;
	} hold[KV_HOLDS];
	unsigned hold_head, nhold;
	uint64_t last_hold;
	struct mica_resp_arg *argv;
	size_t argv_cap;
	struct mica_resp_parser parser;
	struct mica_kv_wait wait;
	bool blocked, closing, closed;
};

static void process(struct kv_conn *c);

static uint64_t durable_ticket(void)
{
	struct mica_kv_stats s;
	mica_kv_stats(kvapp.kv, &s);
	return s.committed_ticket;
}

static size_t sendable(const struct kv_conn *c)
{
	return c->nhold ? c->hold[c->hold_head].off : c->out.len;
}

/* Drop what was sent from the front of the output buffer. */
static void out_compact(struct kv_conn *c)
{
	if (c->sent == c->out.len && !c->nhold) {
		c->out.len = c->sent = 0;
		return;
	}
	if (c->sent < 65536 || c->sent < c->out.len / 2)
		return;
	memmove(c->out.buf, c->out.buf + c->sent, c->out.len - c->sent);
	for (unsigned i = 0; i < c->nhold; i++)
		c->hold[(c->hold_head + i) % KV_HOLDS].off -= c->sent;
	c->out.len -= c->sent;
	c->sent = 0;
}

static void flush(struct kv_conn *c)
{
	if (c->closed)
		return;
	size_t limit = sendable(c);
	while (c->sent < limit) {
		ptrdiff_t n = mica_tcp_write(c->tcp, c->out.buf + c->sent, limit - c->sent);
		if (n <= 0)
			break;
		c->sent += (size_t)n;
	}
	out_compact(c);
	if (c->closing && c->sent == c->out.len) {
		c->closed = true;
		mica_tcp_close(c->tcp);
	}
}

static void hold_push(struct kv_conn *c, size_t off, uint64_t ticket)
{
	if (c->nhold && ticket <= c->last_hold)
		return; /* the hold before waits for as much already */
	c->hold[(c->hold_head + c->nhold) % KV_HOLDS].off = off;
	c->hold[(c->hold_head + c->nhold) % KV_HOLDS].ticket = ticket;
	c->nhold++;
	c->last_hold = ticket;
	kvapp.st.held_replies++;
}

static void release(struct kv_conn *c, uint64_t durable)
{
	while (c->nhold && c->hold[c->hold_head].ticket <= durable) {
		c->hold_head = (c->hold_head + 1) % KV_HOLDS;
		c->nhold--;
	}
}

/* The writes up to `ticket` failed: the replies held for them become one
 * error, and the connection ends after it. */
static void fail_holds(struct kv_conn *c, uint64_t ticket, int rc)
{
	if (!c->nhold || c->hold[c->hold_head].ticket > ticket)
		return;
	c->out.len = c->hold[c->hold_head].off;
	c->nhold = 0;
	if (rc == MICA_ENOSPC)
		mica_resp_error(&c->out, "ERR device full: the write was not stored");
	else
		mica_resp_error(&c->out,
		                "ERR device error: the write was not stored (%s); the store is read-only "
		                "until restarted",
		                mica_strerror(rc));
	kvapp.st.write_errors++;
	c->closing = true;
}

void kv_conn_commit(uint64_t ticket, int rc)
{
	uint64_t durable = durable_ticket();
	struct kv_conn *c = kvapp.all;
	while (c) {
		struct kv_conn *next = c->next; /* flush may close c (freed later) */
		if (rc < 0)
			fail_holds(c, ticket, rc);
		release(c, durable);
		if (c->blocked && !c->wait.waiting) {
			c->blocked = false;
			process(c);
		} else {
			flush(c);
		}
		c = next;
	}
}

static void woken(void *arg)
{
	struct kv_conn *c = arg;
	c->blocked = false;
	process(c);
}

static bool grow_argv(struct kv_conn *c, size_t want)
{
	size_t cap = c->argv_cap;
	while (cap < want)
		cap *= 2;
	void *p = realloc(c->argv, cap * sizeof(*c->argv));
	if (!p)
		return false;
	c->argv = p;
	c->argv_cap = cap;
	return true;
}

/* Run one parsed request; false when the pipeline stops here. */
static bool run_one(struct kv_conn *c, size_t argc, size_t used)
{
	size_t start = c->out.len;
	struct kv_cmd_ctx x = {.c = c, .out = &c->out, .argv = c->argv, .argc = argc, .wait = &c->wait};
	enum kv_result r = kv_dispatch(&x);
	if (r == KV_BLOCK) {
		c->out.len = start;
		c->blocked = true;
		return false;
	}
	kvapp.st.commands++;
	c->in_pos += used;
	if (x.ticket > durable_ticket())
		hold_push(c, start, x.ticket);
	if (r == KV_CLOSE) {
		c->closing = true;
		return false;
	}
	return true;
}

static void protocol_error(struct kv_conn *c, const char *why)
{
	mica_resp_error(&c->out, "ERR %s", why);
	kvapp.st.protocol_errors++;
	c->closing = true;
}

/* Room for more replies: little unsent output, or it could be handed to
 * TCP now (else on_writable comes when TCP has room). */
static bool out_room(struct kv_conn *c)
{
	if (c->out.len - c->sent < KV_OUT_HIGH)
		return true;
	flush(c);
	return c->out.len - c->sent < KV_OUT_HIGH;
}

static void process(struct kv_conn *c)
{
	while (!c->closing && !c->closed && !c->blocked && c->nhold < KV_HOLDS && out_room(c)) {
		size_t argc;
		ptrdiff_t n = mica_resp_parse(&c->parser, c->in + c->in_pos, c->in_len - c->in_pos, c->argv,
		                              c->argv_cap, &argc);
		if (n == MICA_EMSGSIZE) {
			if (!grow_argv(c, argc))
				protocol_error(c, "out of memory for the request's arguments");
			continue;
		}
		if (n < 0) {
			protocol_error(c, c->parser.error);
			break;
		}
		if (n == 0) {
			if (c->in_len - c->in_pos >= KV_IN_MAX)
				protocol_error(c, "Protocol error: request too large");
			break;
		}
		if (argc == 0) {
			c->in_pos += (size_t)n;
			continue;
		}
		if (!run_one(c, argc, (size_t)n))
			break;
	}
	if (c->out.failed) {
		c->closed = true;
		mica_tcp_abort(c->tcp);
		return;
	}
	if (c->in_pos == c->in_len) {
		c->in_pos = c->in_len = 0;
	} else if (c->in_pos > 65536) {
		memmove(c->in, c->in + c->in_pos, c->in_len - c->in_pos);
		c->in_len -= c->in_pos;
		c->in_pos = 0;
	}
	if (c->input_paused && c->in_len < KV_IN_MAX && !c->closing) {
		c->input_paused = false;
		mica_tcp_resume(c->tcp);
	}
	flush(c);
}

static size_t on_data(struct mica_tcp *t, struct mica_view data, void *arg)
{
	struct kv_conn *c = arg;
	if (c->closing || c->closed)
		return data.len; /* discard what follows QUIT or an error */
	size_t room = KV_IN_MAX - c->in_len, take = data.len < room ? data.len : room;
	if (c->in_len + take > c->in_cap) {
		size_t cap = c->in_cap ? c->in_cap : 4096;
		while (cap < c->in_len + take)
			cap *= 2;
		uint8_t *p = realloc(c->in, cap);
		if (!p) {
			c->closed = true;
			mica_tcp_abort(t);
			return data.len;
		}
		c->in = p;
		c->in_cap = cap;
	}
	memcpy(c->in + c->in_len, data.data, take);
	c->in_len += take;
	if (take < data.len)
		c->input_paused = true;
	process(c);
	return take;
}

static void on_writable(struct mica_tcp *t, void *arg)
{
	struct kv_conn *c = arg;
	(void)t;
	flush(c);
	if (!c->blocked)
		process(c);
}

static void on_eof(struct mica_tcp *t, void *arg)
{
	struct kv_conn *c = arg;
	(void)t;
	c->closing = true; /* answer what came, then close */
	flush(c);
}

static void on_close(struct mica_tcp *t, int err, void *arg)
{
	struct kv_conn *c = arg;
	(void)t;
	(void)err;
	mica_kv_cancel_wait(kvapp.kv, &c->wait);
	if (c->prev)
		c->prev->next = c->next;
	else
		kvapp.all = c->next;
	if (c->next)
		c->next->prev = c->prev;
	kvapp.conns--;
	kvapp.st.closed++;
	free(c->in);
	free(c->argv);
	mica_resp_out_free(&c->out);
	free(c);
}

static const struct mica_tcp_ops conn_ops = {
    .on_data = on_data,
    .on_writable = on_writable,
    .on_eof = on_eof,
    .on_close = on_close,
};

static void refuse(struct mica_tcp *t)
{
	static const char msg[] = "-ERR max number of clients reached\r\n";
	static const struct mica_tcp_ops none = {0};
	mica_tcp_set_ops(t, &none, NULL);
	(void)mica_tcp_write(t, msg, sizeof(msg) - 1);
	mica_tcp_close(t);
	kvapp.st.refused++;
}

void kv_accept(struct mica_tcp_listener *l, struct mica_tcp *t, void *arg)
{
	(void)l;
	(void)arg;
	struct kv_conn *c = kvapp.conns < kvapp.max_conns ? calloc(1, sizeof(*c)) : NULL;
	if (c)
		c->argv = malloc(ARGV_START * sizeof(*c->argv));
	if (!c || !c->argv) {
		if (c)
			free(c);
		refuse(t);
		return;
	}
	c->argv_cap = ARGV_START;
	c->tcp = t;
	c->parser.bulk_max = 2 * MICA_KV_VALUE_MAX;
	c->wait = (struct mica_kv_wait){.fn = woken, .arg = c};
	c->next = kvapp.all;
	if (kvapp.all)
		kvapp.all->prev = c;
	kvapp.all = c;
	kvapp.conns++;
	kvapp.st.accepted++;
	mica_tcp_set_ops(t, &conn_ops, c);
	(void)mica_tcp_set_nodelay(t, true);
}
