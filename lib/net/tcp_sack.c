/* tcp_sack.c - the sender's scoreboard (RFC 6675): one record per
 * transmitted segment from snd_una to snd_max, in sequence order, with its
 * latest transmission time and whether the peer SACKed it, it is deemed
 * lost, or it was retransmitted. The SACK blocks of each ACK mark records
 * (a record counts as SACKed only when a block covers it whole); a first
 * block below the cumulative ACK or inside the second is a DSACK (RFC
 * 2883), which proves a retransmission needless (RFC 3708). Byte totals
 * give RFC 6675's pipe. Records live in a ring that grows by doubling up
 * to TCP_SB_MAX and is freed when nothing is in flight. */
#include "tcp.h"
#include <mica/libc.h>

struct tcp_seg *tcp_sb_at(const struct mica_tcp *c, uint32_t i)
{
	return &c->sb.seg[(c->sb.head + i) & (c->sb.cap - 1)];
}

static uint32_t seg_index(const struct mica_tcp *c, const struct tcp_seg *s)
{
	return ((uint32_t)(s - c->sb.seg) - c->sb.head) & (c->sb.cap - 1);
}

static uint32_t seg_end(const struct tcp_seg *s)
{
	return s->start + s->len;
}

/* Add (sign 1) or take out (sign -1) a record's share of the totals. */
static void account(struct tcp_sb *sb, const struct tcp_seg *s, int sign)
{
	uint32_t len = (uint32_t)(sign * (int32_t)s->len);
	if (s->flags & SEG_SACKED) {
		sb->sacked += len;
		sb->sacked_segs += (uint32_t)sign;
	}
	if (s->flags & SEG_LOST)
		sb->lost += len;
	if (s->flags & SEG_RETRANS)
		sb->retrans += len;
	if (s->flags & SEG_EVER)
		sb->ever += (uint32_t)sign;
}

static void set_flags(struct tcp_sb *sb, struct tcp_seg *s, uint8_t flags)
{
	account(sb, s, -1);
	s->flags = flags;
	account(sb, s, 1);
}

void tcp_sb_free(struct mica_tcp *c)
{
	free(c->sb.seg);
	uint32_t fack = c->sb.fack;
	c->sb = (struct tcp_sb){.fack = fack};
}

static int grow(struct tcp_sb *sb)
{
	uint32_t cap = sb->cap ? sb->cap * 2 : TCP_SB_MIN;
	if (cap > TCP_SB_MAX)
		return MICA_ENOMEM;
	struct tcp_seg *seg = malloc(cap * sizeof(*seg));
	if (!seg)
		return MICA_ENOMEM;
	for (uint32_t i = 0; i < sb->n; i++)
		seg[i] = sb->seg[(sb->head + i) & (sb->cap - 1)];
	free(sb->seg);
	sb->seg = seg;
	sb->cap = cap;
	sb->head = 0;
	return MICA_OK;
}

bool tcp_sb_room(struct mica_tcp *c, uint32_t nrec)
{
	while (c->sb.n + nrec > c->sb.cap)
		if (grow(&c->sb) != MICA_OK)
			return false;
	return true;
}

int tcp_sb_add(struct mica_tcp *c, uint32_t start, uint32_t len, bool fin, uint64_t now)
{
	if (!tcp_sb_room(c, 1))
		return MICA_ENOMEM;
	struct tcp_sb *sb = &c->sb;
	struct tcp_seg *s = &sb->seg[(sb->head + sb->n) & (sb->cap - 1)];
	*s = (struct tcp_seg){
	    .xmit_ns = now, .start = start, .len = (uint16_t)(len + fin), .flags = fin ? SEG_FIN : 0};
	sb->n++;
	return MICA_OK;
}

/* A record reached the peer for the first time (acked or SACKed). */
static void delivered(struct mica_tcp *c, struct tcp_seg *s, struct tcp_ackinfo *a)
{
	if (!(s->flags & SEG_EVER))
		a->orig_delivered = true;
	tcp_rack_delivered(c, s, a);
}

void tcp_sb_ack(struct mica_tcp *c, uint32_t ack, struct tcp_ackinfo *a)
{
	struct tcp_sb *sb = &c->sb;
	uint32_t dropped = 0;
	while (sb->n) {
		struct tcp_seg *s = tcp_sb_at(c, 0);
		if (SEQ_LEQ(seg_end(s), ack)) {
			if (!(s->flags & SEG_SACKED))
				delivered(c, s, a);
			account(sb, s, -1);
			sb->head = (sb->head + 1) & (sb->cap - 1);
			sb->n--;
			dropped++;
			continue;
		}
		if (SEQ_LT(s->start, ack)) { /* acknowledged in part */
			account(sb, s, -1);
			s->len = (uint16_t)(seg_end(s) - ack);
			s->start = ack;
			account(sb, s, 1);
		}
		break;
	}
	sb->lost_hint = sb->lost_hint > dropped ? sb->lost_hint - dropped : 0;
	if (SEQ_LT(sb->fack, ack))
		sb->fack = ack;
	if (sb->n == 0 && sb->cap > 4 * TCP_SB_MIN)
		tcp_sb_free(c); /* idle: give the memory back */
}

/* Mark the records that [l, r) covers whole as SACKed. */
static void sack_range(struct mica_tcp *c, uint32_t l, uint32_t r, struct tcp_ackinfo *a)
{
	struct tcp_sb *sb = &c->sb;
	uint32_t lo = 0, hi = sb->n;
	while (lo < hi) { /* the first record starting at or after l */
		uint32_t mid = (lo + hi) / 2;
		if (SEQ_LT(tcp_sb_at(c, mid)->start, l))
			lo = mid + 1;
		else
			hi = mid;
	}
	for (uint32_t i = lo; i < sb->n; i++) {
		struct tcp_seg *s = tcp_sb_at(c, i);
		if (SEQ_GT(seg_end(s), r))
			break;
		if (s->flags & SEG_SACKED)
			continue;
		a->newly_sacked += s->len;
		delivered(c, s, a);
		set_flags(sb, s, (uint8_t)((s->flags & ~(SEG_LOST | SEG_RETRANS)) | SEG_SACKED));
	}
}

/* A DSACK (RFC 2883): [l, r) arrived twice. A retransmission of this
 * recovery episode that the peer already had was needless (RFC 3708);
 * when all of them were, the episode is undone (tcp_recovery.c). */
static void dsack(struct mica_tcp *c, struct tcp_sack_block b, struct tcp_ackinfo *a)
{
	TCP_COUNT(c->net, dsack_rx);
	a->dsack = true;
	if (c->rack.tlp_active && c->rack.tlp_is_retrans && b.r == c->rack.tlp_end)
		a->dsack_tlp = true;
	if (c->undo_ok && c->undo_retrans && SEQ_GT(b.r, c->undo_marker)) {
		uint32_t segs = (b.r - b.l + c->mss - 1) / c->mss;
		c->undo_retrans -= segs < c->undo_retrans ? segs : c->undo_retrans;
	}
}

void tcp_sb_sack(struct mica_tcp *c, const struct tcp_hdr *h, struct tcp_ackinfo *a)
{
	struct tcp_sack_block b[TCP_MAX_SACK];
	int n = 0;
	for (int i = 0; i < h->nsack; i++) {
		struct tcp_sack_block s = h->sack[i];
		if (!SEQ_LT(s.l, s.r))
			continue;
		bool first_dsack =
		    i == 0 && (SEQ_LT(s.l, h->ack) ||
		               (h->nsack > 1 && SEQ_GEQ(s.l, h->sack[1].l) && SEQ_LEQ(s.r, h->sack[1].r)));
		if (first_dsack) {
			dsack(c, s, a);
			continue;
		}
		if (SEQ_LEQ(s.r, c->snd_una) || SEQ_GT(s.r, c->snd_max))
			continue; /* stale or bogus */
		if (SEQ_LT(s.l, c->snd_una))
			s.l = c->snd_una;
		int j = n++; /* keep them in sequence order (RACK's reordering test) */
		for (; j > 0 && SEQ_GT(b[j - 1].l, s.l); j--)
			b[j] = b[j - 1];
		b[j] = s;
	}
	for (int i = 0; i < n; i++)
		sack_range(c, b[i].l, b[i].r, a);
}

void tcp_sb_mark_lost(struct mica_tcp *c, struct tcp_seg *s)
{
	if (s->flags & SEG_SACKED)
		return;
	set_flags(&c->sb, s, (uint8_t)((s->flags | SEG_LOST) & ~SEG_RETRANS));
	uint32_t i = seg_index(c, s);
	if (i < c->sb.lost_hint)
		c->sb.lost_hint = i;
}

void tcp_sb_mark_all_lost(struct mica_tcp *c)
{
	for (uint32_t i = 0; i < c->sb.n; i++)
		tcp_sb_mark_lost(c, tcp_sb_at(c, i));
}

void tcp_sb_unmark_lost(struct mica_tcp *c)
{
	for (uint32_t i = 0; i < c->sb.n; i++) {
		struct tcp_seg *s = tcp_sb_at(c, i);
		if (s->flags & (SEG_LOST | SEG_RETRANS))
			set_flags(&c->sb, s, (uint8_t)(s->flags & ~(SEG_LOST | SEG_RETRANS)));
	}
	c->sb.lost_hint = c->sb.n;
}

void tcp_sb_resent(struct mica_tcp *c, struct tcp_seg *s, bool retransmit, uint64_t now)
{
	uint8_t f = (uint8_t)(s->flags | SEG_EVER);
	if (retransmit && (f & SEG_LOST))
		f |= SEG_RETRANS;
	set_flags(&c->sb, s, f);
	s->xmit_ns = now;
}

struct tcp_seg *tcp_sb_next_lost(struct mica_tcp *c)
{
	struct tcp_sb *sb = &c->sb;
	if (sb->lost == sb->retrans)
		return NULL; /* every lost record is out again */
	for (uint32_t i = sb->lost_hint; i < sb->n; i++) {
		struct tcp_seg *s = tcp_sb_at(c, i);
		if ((s->flags & (SEG_LOST | SEG_RETRANS)) == SEG_LOST) {
			sb->lost_hint = i;
			return s;
		}
	}
	sb->lost_hint = sb->n;
	return NULL;
}

uint32_t tcp_pipe(const struct mica_tcp *c)
{
	const struct tcp_sb *sb = &c->sb;
	uint64_t in = (uint64_t)(c->snd_max - c->snd_una) + sb->retrans;
	uint64_t out = (uint64_t)sb->sacked + sb->lost + sb->reno_dup;
	return in > out ? (uint32_t)(in - out) : 0;
}
