/* tcp_recv.c - the receive side of a connection: in-order payload goes to
 * the app straight from the frame's buffer when nothing is waiting (zero
 * copy); what the app does not take, and out-of-order data, is kept in the
 * receive buffer (bounded: it is the advertised window, and its blocks come
 * from the stack's pool). Out-of-order data sits at its own offset in the
 * buffer and is tracked as up to TCP_OOO_MAX ranges, which are also the
 * SACK blocks we report (RFC 2018). When nothing is held the buffer gives
 * all its memory back.
 *
 * Also when to acknowledge: delayed ACKs, and ACKs for bursts of full
 * segments sent once at the end of the receive batch.
 *
 * Buffer layout: offset 0 (at head) holds sequence rcv_nxt - rcv.len. */
#include "tcp.h"
#include <mica/libc.h>

/* Room to offer: what the buffer has left, no more than the pool could
 * back (so a stack short of memory stops opening windows). */
static uint32_t rcv_room(const struct mica_tcp *c)
{
	uint32_t used = c->rcv.len + c->rcv_lent;
	uint32_t free = used < c->rcv.cap ? c->rcv.cap - used : 0;
	size_t pool = tcp_pool_avail(c->rcv.pool) * (size_t)TCP_BLK;
	return pool < free ? (uint32_t)pool : free;
}

uint32_t tcp_rcv_window(const struct mica_tcp *c)
{
	uint32_t free = rcv_room(c);
	uint32_t adv = SEQ_GT(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
	return free > adv ? free : adv; /* never shrink the right edge */
}

static uint8_t sack_blocks(const struct mica_tcp *c)
{
	uint8_t max = c->ts_ok ? 3 : TCP_MAX_SACK; /* 40 option bytes */
	uint8_t n = (uint8_t)(c->nooo + (c->dsack_due ? 1 : 0));
	return !c->sack_ok ? 0 : n < max ? n : max;
}

uint32_t tcp_sack_len(const struct mica_tcp *c)
{
	uint8_t n = sack_blocks(c);
	return n ? 4u + 8u * n : 0;
}

void tcp_fill_sack(const struct mica_tcp *c, struct tcp_hdr *h)
{
	h->nsack = sack_blocks(c);
	int d = c->dsack_due && h->nsack ? 1 : 0;
	if (d)
		h->sack[0] = c->dsack;
	for (int i = d; i < h->nsack; i++)
		h->sack[i] = c->ooo[i - d];
}

void tcp_dsack_note(struct mica_tcp *c, uint32_t l, uint32_t r)
{
	if (!c->sack_ok || !SEQ_LT(l, r))
		return;
	c->dsack = (struct tcp_sack_block){l, r};
	c->dsack_due = true;
	c->ack_now = true;
}

/* The part of [l, r) an out-of-order range already holds, if any. */
static void ooo_duplicate(struct mica_tcp *c, uint32_t l, uint32_t r)
{
	for (int i = 0; i < c->nooo; i++) {
		struct tcp_sack_block b = c->ooo[i];
		if (SEQ_LT(l, b.r) && SEQ_GT(r, b.l)) {
			tcp_dsack_note(c, SEQ_GT(l, b.l) ? l : b.l, SEQ_LT(r, b.r) ? r : b.r);
			return;
		}
	}
}

/* Remember [l, r) as received above rcv_nxt, merged with its neighbours
 * and moved to the front (the most recent block comes first in SACK). */
static bool ooo_add(struct mica_tcp *c, uint32_t l, uint32_t r)
{
	int n = 0;
	struct tcp_sack_block keep[TCP_OOO_MAX];
	for (int i = 0; i < c->nooo; i++) {
		struct tcp_sack_block b = c->ooo[i];
		if (SEQ_LEQ(b.l, r) && SEQ_GEQ(b.r, l)) { /* overlaps or touches */
			if (SEQ_LT(b.l, l))
				l = b.l;
			if (SEQ_GT(b.r, r))
				r = b.r;
		} else {
			keep[n++] = b;
		}
	}
	if (n == TCP_OOO_MAX)
		return false;
	c->ooo[0] = (struct tcp_sack_block){l, r};
	memcpy(c->ooo + 1, keep, (size_t)n * sizeof(keep[0]));
	c->nooo = (uint8_t)(n + 1);
	return true;
}

/* rcv_nxt moved: take in the out-of-order ranges it now reaches. */
static void ooo_merge(struct mica_tcp *c)
{
	bool again = true;
	while (again) {
		again = false;
		for (int i = 0; i < c->nooo; i++) {
			if (SEQ_GT(c->ooo[i].l, c->rcv_nxt))
				continue;
			if (SEQ_GT(c->ooo[i].r, c->rcv_nxt)) {
				c->rcv.len += c->ooo[i].r - c->rcv_nxt;
				c->rcv_nxt = c->ooo[i].r;
			}
			memmove(c->ooo + i, c->ooo + i + 1, (size_t)(c->nooo - i - 1) * sizeof(c->ooo[0]));
			c->nooo--;
			again = true;
			break;
		}
	}
}

static bool app_reading(const struct mica_tcp *c)
{
	return c->has_app && !c->app_closed && !c->close_due && c->ops && c->ops->on_data;
}

/* Nothing held any more: give the buffer's memory back. */
static void rcv_release_idle(struct mica_tcp *c)
{
	if (c->rcv.len == 0 && c->nooo == 0)
		tcp_rcvbuf_free(&c->rcv);
}

static uint32_t blocks_for(uint32_t len)
{
	return len / TCP_BLK + 2; /* at any offset in a block */
}

/* The fast path: nothing is waiting, hand the frame's bytes to the app.
 * Blocks for what it may leave unread are reserved first: the bytes are
 * acknowledged by then (an ACK may leave from inside on_data). */
static void deliver_direct(struct mica_tcp *c, struct mica_view data)
{
	uint32_t reserve = blocks_for((uint32_t)data.len);
	tcp_pool_reserve(c->rcv.pool, reserve);
	c->rcv_nxt += (uint32_t)data.len;
	/* Until the app says how much it took, all of it may stay buffered:
	 * an ACK sent from inside on_data must not offer that room again. */
	c->rcv_lent = (uint32_t)data.len;
	c->in_deliver = true;
	size_t took = c->ops->on_data(c, data, c->arg);
	c->in_deliver = false;
	c->rcv_lent = 0;
	tcp_pool_unreserve(c->rcv.pool, reserve);
	if (took > data.len)
		took = data.len;
	uint32_t rest = (uint32_t)(data.len - took);
	if (rest && c->state != TCP_CLOSED && !c->app_closed) {
		tcp_rcvbuf_free(&c->rcv); /* empty: start at offset 0 */
		if (tcp_rcvbuf_write(&c->rcv, 0, data.data + took, rest) != MICA_OK) {
			TCP_COUNT(c->net, rx_nomem); /* not reached: reserved */
			return;
		}
		c->rcv.len = rest;
		c->paused = true;
	}
}

/* The receiver's round trip (Linux's rcv_rtt): from the timestamp our
 * ACKs carried and the peer's data echoes, biased to the smallest. */
static void rcv_rtt_sample(struct mica_tcp *c, const struct tcp_hdr *h)
{
	if (!c->ts_ok || !h->has_ts || !h->tsecr)
		return;
	uint32_t ms = tcp_ts_now(c) - h->tsecr;
	if (ms > 60000)
		return;
	uint64_t r = (uint64_t)(ms ? ms : 1) * MICA_NS_PER_MS;
	c->rcv_rtt = !c->rcv_rtt || r < c->rcv_rtt ? r : (7 * c->rcv_rtt + r) / 8;
}

/* Receive buffer autotuning (dynamic right-sizing, like Linux's): once a
 * round trip, when the app consumed more than a quarter of the buffer in
 * it, grow the buffer to four times that (up to TCP_RCVBUF_MAX), so the
 * window offered stays ahead of a sender that doubles each round trip.
 * Consumed means read: an app that stops reading never grows it. */
static void rcv_autotune(struct mica_tcp *c, const struct tcp_hdr *h)
{
	rcv_rtt_sample(c, h);
	uint64_t rtt = c->rcv_rtt ? c->rcv_rtt : c->srtt;
	uint64_t now = mica_loop_now(c->net->loop);
	uint32_t consumed = c->rcv_nxt - c->rcv.len;
	if (!rtt || c->rcv.cap >= TCP_RCVBUF_MAX)
		return;
	if (!c->drs_ns) {
		c->drs_ns = now;
		c->drs_seq = consumed;
		return;
	}
	if (now - c->drs_ns < rtt)
		return;
	uint64_t want = 4ull * (consumed - c->drs_seq);
	c->drs_ns = now;
	c->drs_seq = consumed;
	if (want <= c->rcv.cap)
		return;
	want = (want + TCP_BLK - 1) / TCP_BLK * TCP_BLK;
	if (tcp_rcvbuf_grow(&c->rcv, want < TCP_RCVBUF_MAX ? (uint32_t)want : TCP_RCVBUF_MAX) == MICA_OK)
		TCP_COUNT(c->net, rcvbuf_grow);
}

void tcp_recv_data(struct mica_tcp *c, const struct tcp_hdr *h, uint32_t seq, struct mica_view data)
{
	uint32_t len = (uint32_t)data.len;
	if (len == 0)
		return;
	if (c->app_closed || !c->has_app) {
		/* Nobody will read it: acknowledge in-order bytes and drop them. */
		TCP_COUNT(c->net, data_after_close);
		if (seq == c->rcv_nxt)
			c->rcv_nxt += len;
		c->ack_now = true;
		return;
	}
	uint32_t off = c->rcv.len + (seq - c->rcv_nxt);
	if (off > c->rcv.cap || len > c->rcv.cap - off) {
		TCP_COUNT(c->net, rx_overrun); /* beyond the buffer: a window bug, never a write */
		return;
	}
	if (seq != c->rcv_nxt) {
		ooo_duplicate(c, seq, seq + len);
		if (tcp_rcvbuf_write(&c->rcv, off, data.data, len) != MICA_OK)
			TCP_COUNT(c->net, ooo_dropped);
		else if (ooo_add(c, seq, seq + len))
			TCP_COUNT(c->net, ooo_queued);
		else
			TCP_COUNT(c->net, ooo_dropped);
		c->ack_now = true; /* a duplicate ACK (with SACK) at once */
		return;
	}
	rcv_autotune(c, h);
	if (c->rcv.len == 0 && c->nooo == 0 && !c->paused && !c->in_deliver && app_reading(c) &&
	    tcp_pool_avail(c->rcv.pool) >= blocks_for(len)) {
		deliver_direct(c, data);
		return;
	}
	if (tcp_rcvbuf_write(&c->rcv, c->rcv.len, data.data, len) != MICA_OK) {
		TCP_COUNT(c->net, rx_nomem); /* dropped unacknowledged: the peer sends it again */
		c->ack_now = true;
		return;
	}
	c->rcv.len += len;
	c->rcv_nxt += len;
	if (c->nooo) {
		ooo_merge(c);
		c->ack_now = true; /* a hole filled: tell the sender now */
	}
	if (!c->paused)
		tcp_deliver(c);
}

static void maybe_window_update(struct mica_tcp *c)
{
	if (c->state != TCP_ESTABLISHED && c->state != TCP_FIN_WAIT_1 && c->state != TCP_FIN_WAIT_2)
		return;
	uint32_t edge = c->rcv_nxt + rcv_room(c);
	uint32_t grow = SEQ_GT(edge, c->rcv_adv) ? edge - c->rcv_adv : 0;
	uint32_t thresh = 2u * c->mss < c->rcv.cap / 2 ? 2u * c->mss : c->rcv.cap / 2;
	bool was_closed = c->rcv_adv == c->rcv_nxt;
	if (grow >= thresh || (was_closed && grow >= c->mss))
		tcp_send_ack(c);
}

void tcp_deliver(struct mica_tcp *c)
{
	if (c->in_deliver)
		return;
	c->in_deliver = true;
	while (c->rcv.len && !c->paused && app_reading(c)) {
		struct mica_view chunk = tcp_rcvbuf_peek(&c->rcv);
		size_t took = c->ops->on_data(c, chunk, c->arg);
		if (took > chunk.len)
			took = chunk.len;
		tcp_rcvbuf_drop(&c->rcv, (uint32_t)took);
		if (took < chunk.len) {
			c->paused = true;
			break;
		}
	}
	if (c->app_closed)
		tcp_rcvbuf_drop(&c->rcv, c->rcv.len);
	rcv_release_idle(c);
	if (c->rcv.len == 0 && c->fin_rcvd && !c->eof_delivered && app_reading(c)) {
		c->eof_delivered = true;
		if (c->ops->on_eof)
			c->ops->on_eof(c, c->arg);
		else
			mica_tcp_close(c);
	}
	c->in_deliver = false;
	if (c->state != TCP_CLOSED)
		maybe_window_update(c);
}

/* ACKs owed for full segments go out at the end of the receive batch (one
 * ACK per burst of frames, like a receiver with GRO), or at once after
 * TCP_ACK_EVERY segments; a lone small segment waits for the delayed-ACK
 * timer (RFC 5681 4.2, RFC 9293 3.8.6.3). */
void tcp_ack_policy(struct mica_tcp *c, uint32_t len)
{
	if (c->ack_now || c->state == TCP_CLOSED)
		return;
	if (len >= c->mss) {
		struct net_tcp *t = c->net->tcp;
		if (++c->unacked >= TCP_ACK_EVERY) {
			c->ack_now = true;
			return;
		}
		if (c->unacked >= 2 && !c->ack_batched) {
			if (t->nack_batch == TCP_ACK_BATCH) {
				c->ack_now = true;
				return;
			}
			c->ack_batched = true;
			t->ack_batch[t->nack_batch++] = c;
			mica_loop_defer(c->net->loop, &t->ack_task);
		}
	}
	c->ack_delayed = true;
	if (!mica_timer_armed(&c->ack_timer))
		mica_timer_start(c->net->loop, &c->ack_timer, TCP_DELACK_NS, 0);
}

void tcp_ack_batch_task(void *arg)
{
	struct net_tcp *t = arg;
	if (t->dead) {
		tcp_free_dead(t);
		return;
	}
	while (t->nack_batch) {
		struct mica_tcp *c = t->ack_batch[--t->nack_batch];
		c->ack_batched = false;
		if (c->ack_delayed && c->state != TCP_CLOSED)
			tcp_send_ack(c);
	}
}

void tcp_ack_batch_forget(struct mica_tcp *c)
{
	struct net_tcp *t = c->net->tcp;
	for (unsigned i = 0; c->ack_batched && i < t->nack_batch; i++) {
		if (t->ack_batch[i] == c) {
			t->ack_batch[i] = t->ack_batch[--t->nack_batch];
			c->ack_batched = false;
		}
	}
}
