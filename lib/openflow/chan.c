/* chan.c - an OpenFlow channel on a Mica TCP connection (ofchan.h):
 * HELLO and version negotiation, message framing, ERROR replies to
 * malformed input, ECHO, keep-alive, batched and back-pressured output. */
#include <mica/ofchan.h>
#include <mica/err.h>
#include <mica/libc.h>
#include <mica/log.h>

static void chan_flush(void *arg)
{
	struct of_chan *ch = arg;
	if (!ch->tcp || ch->out.len == 0)
		return;
	ptrdiff_t w = mica_tcp_write(ch->tcp, ch->out.data, ch->out.len);
	if (w <= 0)
		return;
	ch->st.tx_msgs_flushes++;
	memmove(ch->out.data, ch->out.data + w, ch->out.len - (size_t)w);
	ch->out.len -= (size_t)w;
}

struct of_out *of_chan_out(struct of_chan *ch, size_t need)
{
	if (ch->closing || !ch->tcp)
		return NULL;
	if (ch->out.cap - ch->out.len < need)
		chan_flush(ch);
	if (ch->out.cap - ch->out.len < need) {
		ch->st.tx_full++;
		return NULL;
	}
	mica_loop_defer(ch->loop, &ch->flush_task);
	return &ch->out;
}

uint32_t of_chan_xid(struct of_chan *ch)
{
	return ++ch->next_xid;
}

void of_chan_error(struct of_chan *ch, const struct of_msg *m, struct mica_view raw, uint16_t type,
                   uint16_t code)
{
	uint8_t v = ch->version ? ch->version : OF_VERSION_13;
	struct of_out *o = of_chan_out(ch, 8 + 4 + 64);
	ch->st.rx_errors_sent++;
	if (o)
		of_encode_error(o, v, m->xid, type, code, raw);
}

void of_chan_close(struct of_chan *ch)
{
	if (ch->closing || !ch->tcp)
		return;
	ch->closing = true;
	chan_flush(ch);
	mica_timer_cancel(ch->loop, &ch->echo_timer);
	mica_tcp_close(ch->tcp);
}

static void on_hello(struct of_chan *ch, const struct of_msg *m, struct mica_view raw)
{
	uint8_t v = of_pick_version(ch->bitmap, m->u.hello.bitmap);
	if (v == 0) {
		ch->version = OF_VERSION_13;
		of_chan_error(ch, m, raw, OFPET_HELLO_FAILED, OFPHFC_INCOMPATIBLE);
		of_chan_close(ch);
		return;
	}
	if (ch->version)
		return; /* a second HELLO changes nothing */
	ch->version = v;
	if (ch->ops->on_ready)
		ch->ops->on_ready(ch, ch->arg);
}

/* One whole message. */
static void handle(struct of_chan *ch, struct mica_view raw)
{
	struct of_msg m;
	ch->st.rx_msgs++;
	int rc = of_decode(raw, &m);
	if (rc == MICA_OK && m.type == OFPT_HELLO) {
		on_hello(ch, &m, raw);
		return;
	}
	if (!ch->version) {
		/* the peer must start with HELLO */
		of_chan_error(ch, &m, raw, OFPET_HELLO_FAILED, OFPHFC_INCOMPATIBLE);
		of_chan_close(ch);
		return;
	}
	if (rc == MICA_OK && m.version != ch->version) {
		ch->st.rx_bad_version++;
		of_chan_error(ch, &m, raw, OFPET_BAD_REQUEST, OFPBRC_BAD_VERSION);
		return;
	}
	if (rc != MICA_OK) {
		of_chan_error(ch, &m, raw, m.err_type, m.err_code);
		return;
	}
	if (m.type == OFPT_ECHO_REQUEST) {
		struct of_out *o = of_chan_out(ch, 8 + m.u.echo.len);
		if (o)
			of_encode_echo(o, ch->version, OFPT_ECHO_REPLY, m.xid, m.u.echo);
		return;
	}
	if (m.type == OFPT_ECHO_REPLY)
		return;
	ch->ops->on_msg(ch, &m, raw, ch->arg);
}

/* Gather the start of a message that TCP cut; returns bytes taken. */
static size_t gather(struct of_chan *ch, const uint8_t *p, size_t n)
{
	size_t want = OF_HEADER_LEN, len;
	if (ch->inlen >= OF_HEADER_LEN && of_frame_len(mica_view_make(ch->in, ch->inlen), &len) == MICA_OK)
		want = len;
	size_t take = want - ch->inlen < n ? want - ch->inlen : n;
	memcpy(ch->in + ch->inlen, p, take);
	ch->inlen += take;
	if (ch->inlen == OF_HEADER_LEN && want == OF_HEADER_LEN &&
	    of_frame_len(mica_view_make(ch->in, ch->inlen), &len) == MICA_OK && len > OF_HEADER_LEN)
		return take; /* header complete, body follows */
	if (ch->inlen == want) {
		ch->inlen = 0;
		handle(ch, mica_view_make(ch->in, want));
	}
	return take;
}

static size_t on_data(struct mica_tcp *t, struct mica_view data, void *arg)
{
	struct of_chan *ch = arg;
	(void)t;
	ch->last_rx = mica_loop_now(ch->loop);
	size_t used = 0;
	while (used < data.len && !ch->closing) {
		if (ch->out.cap - ch->out.len < 4096) {
			chan_flush(ch);
			if (ch->out.cap - ch->out.len < 4096) {
				ch->paused = true; /* the peer is not reading: wait */
				return used;
			}
		}
		if (ch->inlen) {
			used += gather(ch, data.data + used, data.len - used);
			continue;
		}
		size_t len;
		struct mica_view rest = mica_view_make(data.data + used, data.len - used);
		int rc = of_frame_len(rest, &len);
		if (rc == MICA_EBADMSG) {
			struct of_msg m = {.xid = 0};
			of_chan_error(ch, &m, rest, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
			of_chan_close(ch); /* the stream cannot be framed any more */
			break;
		}
		if (rc != MICA_OK || len > rest.len) {
			used += gather(ch, rest.data, rest.len);
			continue;
		}
		handle(ch, mica_view_make(rest.data, len));
		used += len;
	}
	chan_flush(ch);
	return ch->closing ? data.len : used;
}

static void on_writable(struct mica_tcp *t, void *arg)
{
	struct of_chan *ch = arg;
	(void)t;
	chan_flush(ch);
	if (ch->paused && ch->out.cap - ch->out.len >= 4096) {
		ch->paused = false;
		mica_tcp_resume(ch->tcp);
	}
}

static void on_eof(struct mica_tcp *t, void *arg)
{
	(void)t;
	of_chan_close(arg);
}

static void on_close(struct mica_tcp *t, int err, void *arg)
{
	struct of_chan *ch = arg;
	(void)t;
	mica_timer_cancel(ch->loop, &ch->echo_timer);
	ch->tcp = NULL;
	ch->closing = true;
	free(ch->out.data);
	free(ch->in);
	ch->out.data = ch->in = NULL;
	ch->ops->on_close(ch, err, ch->arg);
}

static void on_echo_timer(struct mica_timer *tm, void *arg)
{
	struct of_chan *ch = arg;
	(void)tm;
	uint64_t idle = mica_loop_now(ch->loop) - ch->last_rx;
	if (idle >= 3 * ch->echo_ns) {
		mica_warn("openflow", "peer silent for %llu ms: closing",
		          (unsigned long long)(idle / MICA_NS_PER_MS));
		mica_tcp_abort(ch->tcp);
		return;
	}
	struct of_out *o = idle >= ch->echo_ns && ch->version ? of_chan_out(ch, 8) : NULL;
	if (o)
		of_encode_empty(o, ch->version, OFPT_ECHO_REQUEST, of_chan_xid(ch));
}

static const struct mica_tcp_ops chan_tcp_ops = {
    .on_data = on_data,
    .on_writable = on_writable,
    .on_eof = on_eof,
    .on_close = on_close,
};

int of_chan_start(struct of_chan *ch, struct mica_loop *loop, struct mica_tcp *tcp, uint32_t bitmap,
                  uint64_t echo_ns, const struct of_chan_ops *ops, void *arg)
{
	memset(ch, 0, sizeof(*ch));
	ch->out.data = malloc(OF_CHAN_OUT_MAX);
	ch->in = malloc(OF_CHAN_IN_MAX);
	if (!ch->out.data || !ch->in) {
		free(ch->out.data);
		free(ch->in);
		return MICA_ENOMEM;
	}
	ch->out.cap = OF_CHAN_OUT_MAX;
	ch->loop = loop;
	ch->tcp = tcp;
	ch->ops = ops;
	ch->arg = arg;
	ch->bitmap = bitmap;
	ch->echo_ns = echo_ns;
	ch->last_rx = mica_loop_now(loop);
	mica_task_init(&ch->flush_task, chan_flush, ch);
	mica_timer_init(&ch->echo_timer, on_echo_timer, ch);
	if (echo_ns)
		mica_timer_start(loop, &ch->echo_timer, echo_ns, echo_ns);
	mica_tcp_set_ops(tcp, &chan_tcp_ops, ch);
	mica_tcp_set_nodelay(tcp, true);
	uint8_t highest = of_pick_version(bitmap, 0xffffffffu);
	of_encode_hello(&ch->out, highest, of_chan_xid(ch), bitmap);
	chan_flush(ch);
	return MICA_OK;
}
