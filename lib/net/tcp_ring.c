/* tcp_ring.c - a connection's send queue: the bytes from snd_una on as a
 * list of runs (struct tcp_ext). A run is either a pool block holding
 * bytes copied in by mica_tcp_write (the header sits at the block's start,
 * the bytes after it), or a reference to the app's memory from
 * mica_tcp_write_ref. A run is freed - block back to the pool, or the
 * app's release called - when it is both acknowledged and no frame points
 * into it any more (refs). Reads go through a cursor, so tcp_output's
 * sequential reads do not walk the list from the start each time. */
#include "tcp.h"
#include <mica/libc.h>

#define BLK_BYTES (TCP_BLK - (uint32_t)sizeof(struct tcp_ext))

static uint8_t *blk_bytes(struct tcp_ext *e)
{
	return (uint8_t *)(e + 1);
}

void tcp_ext_get(struct tcp_ext *e)
{
	e->refs++;
}

void tcp_ext_put(struct tcp_ext *e)
{
	if (--e->refs)
		return;
	if (e->pool) {
		tcp_pool_put(e->pool, e);
		return;
	}
	if (e->release)
		e->release(e->arg);
	free(e);
}

static void link_ext(struct tcp_ring *r, struct tcp_ext *e)
{
	if (r->last)
		r->last->next = e;
	else
		r->first = e;
	r->last = e;
}

/* Free bytes in the last run when it is a block that can grow. */
static uint32_t tail_room(const struct tcp_ring *r)
{
	const struct tcp_ext *e = r->last;
	return e && e->pool ? BLK_BYTES - e->len : 0;
}

uint32_t tcp_ring_copy_room(const struct tcp_ring *r)
{
	uint32_t room = r->cap - r->len;
	size_t pool = tail_room(r) + tcp_pool_avail(r->pool) * (size_t)BLK_BYTES;
	return pool < room ? (uint32_t)pool : room;
}

uint32_t tcp_ring_append(struct tcp_ring *r, const void *src, uint32_t n)
{
	const uint8_t *s = src;
	uint32_t room = r->cap - r->len;
	uint32_t done = 0;
	if (n > room)
		n = room;
	while (done < n) {
		uint32_t k = tail_room(r);
		if (k == 0) {
			struct tcp_ext *e = tcp_pool_get(r->pool);
			if (!e)
				break;
			*e = (struct tcp_ext){.data = blk_bytes(e), .refs = 1, .pool = r->pool};
			link_ext(r, e);
			k = BLK_BYTES;
		}
		if (k > n - done)
			k = n - done;
		struct tcp_ext *e = r->last;
		memcpy(blk_bytes(e) + e->len, s + done, k);
		e->len += k;
		done += k;
	}
	r->len += done;
	return done;
}

int tcp_ring_append_ref(struct tcp_ring *r, const void *p, uint32_t n, mica_tcp_release_fn release, void *arg)
{
	struct tcp_ext *e = malloc(sizeof(*e));
	if (!e)
		return MICA_ENOMEM;
	*e = (struct tcp_ext){.data = p, .len = n, .refs = 1, .release = release, .arg = arg};
	link_ext(r, e);
	r->len += n;
	return MICA_OK;
}

/* The run holding queue offset off (off < len); *start: its first byte's
 * queue offset (negative for the first run: skip bytes are gone). */
static struct tcp_ext *seek(struct tcp_ring *r, uint32_t off, int64_t *start)
{
	struct tcp_ext *e = r->first;
	int64_t s = -(int64_t)r->skip;
	if (r->cur && r->cur_off <= off) {
		e = r->cur;
		s = r->cur_off;
	}
	while (s + e->len <= off) {
		s += e->len;
		e = e->next;
	}
	if (s >= 0) {
		r->cur = e;
		r->cur_off = (uint32_t)s;
	}
	*start = s;
	return e;
}

void tcp_ring_read(struct tcp_ring *r, uint32_t off, void *dst, uint32_t n)
{
	uint8_t *d = dst;
	if (n == 0)
		return;
	int64_t s;
	struct tcp_ext *e = seek(r, off, &s);
	uint32_t in = (uint32_t)(off - s);
	while (n) {
		uint32_t k = e->len - in < n ? e->len - in : n;
		memcpy(d, e->data + in, k);
		d += k;
		n -= k;
		in = 0;
		e = e->next;
	}
}

const uint8_t *tcp_ring_span(struct tcp_ring *r, uint32_t off, uint32_t n, struct tcp_ext **ext)
{
	if (n == 0 || off + n > r->len)
		return NULL;
	int64_t s;
	struct tcp_ext *e = seek(r, off, &s);
	uint32_t in = (uint32_t)(off - s);
	if (e->len - in < n)
		return NULL;
	*ext = e;
	return e->data + in;
}

/* Where the range's last bytes lie in a reference: the pointer to them,
 * with *copy set to the bytes before them (even, so the checksum's words
 * line up) and *ext to the run; NULL if the tail is copied bytes or too
 * short to be worth a separate piece. */
static const uint8_t *ref_tail(struct tcp_ring *r, uint32_t off, uint32_t len, uint32_t *copy,
                               struct tcp_ext **ext)
{
	int64_t s;
	struct tcp_ext *e = seek(r, off, &s);
	while (s + e->len < (int64_t)off + len) { /* to the run holding the last byte */
		s += e->len;
		e = e->next;
	}
	if (e->pool)
		return NULL;
	uint32_t start = s > (int64_t)off ? (uint32_t)s : off; /* where the range enters it */
	uint32_t before = (start - off + 1) & ~1u;
	if (len - before < TCP_REF_MIN)
		return NULL;
	*copy = before;
	*ext = e;
	return e->data + (off + before - s);
}

static void put_ext(void *arg)
{
	tcp_ext_put(arg);
}

struct mica_buf *tcp_ring_frame(struct mica_net *net, struct tcp_ring *r, uint32_t off, uint32_t len)
{
	uint32_t copy = len;
	struct tcp_ext *e = NULL;
	const uint8_t *tail = len && net->dev.tx_ext ? ref_tail(r, off, len, &copy, &e) : NULL;
	struct mica_buf *b = net_alloc_tx(net, copy + 60);
	if (!b)
		return NULL;
	if (copy)
		tcp_ring_read(r, off, mica_buf_put(b, copy), copy);
	if (tail) {
		tcp_ext_get(e);
		b->ext = tail;
		b->ext_len = len - copy;
		b->ext_put = put_ext;
		b->ext_arg = e;
	}
	return b;
}

void tcp_ring_drop(struct tcp_ring *r, uint32_t n)
{
	if (n > r->len)
		n = r->len;
	r->len -= n;
	if (r->cur && r->cur_off >= n)
		r->cur_off -= n;
	else
		r->cur = NULL;
	n += r->skip;
	while (r->first && n >= r->first->len) {
		struct tcp_ext *e = r->first;
		n -= e->len;
		r->first = e->next;
		if (r->cur == e)
			r->cur = NULL;
		tcp_ext_put(e);
	}
	if (!r->first)
		r->last = NULL;
	r->skip = r->first ? n : 0;
}

void tcp_ring_free(struct tcp_ring *r)
{
	tcp_ring_drop(r, r->len);
}
