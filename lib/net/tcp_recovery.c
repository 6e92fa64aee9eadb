/* tcp_recovery.c - what each ACK does to the sender's recovery state.
 *
 *   Open      normal sending; the controller grows cwnd. Losses that RACK
 *             (or, without SACK, three duplicate ACKs: RFC 5681/6582)
 *             finds start fast recovery.
 *   Recovery  lost segments are resent first; how much goes out per ACK is
 *             Proportional Rate Reduction (RFC 6937, with its slow-start
 *             reduction bound), down to the controller's ssthresh. Ends
 *             when everything sent before it is acknowledged.
 *   Loss      after a retransmission timeout: all un-SACKed data is deemed
 *             lost and resent from cwnd = 1 MSS. F-RTO (RFC 5682) sends new
 *             data after the first ACK; an ACK for data never resent then
 *             shows the timeout was spurious.
 *
 * Undo (RFC 3708 and Eifel's timestamp test): an episode whose every
 * retransmission came back as a DSACK, or whose closing ACK echoes a
 * timestamp from before the first retransmission, was caused by
 * reordering or delay, not loss: cwnd and ssthresh return to what they
 * were before it. */
#include "tcp.h"

static void start_undo(struct mica_tcp *c)
{
	c->prior_cwnd = c->cwnd;
	c->prior_ssthresh = c->ssthresh;
	c->undo_marker = c->snd_una;
	c->undo_retrans = 0;
	c->undo_ok = true;
	c->retrans_ts_set = false;
}

static void back_to_open(struct mica_tcp *c)
{
	if (c->ca_state != TCP_CA_OPEN)
		tcp_rack_recovery_done(c);
	c->ca_state = TCP_CA_OPEN;
	c->dupacks = 0;
	c->frto = c->frto_new = false;
}

/* The episode was spurious: take its reduction back. */
static void undo(struct mica_tcp *c, bool unmark)
{
	if (c->cc->undo)
		c->cc->undo(c);
	if (c->cwnd < c->prior_cwnd)
		c->cwnd = c->prior_cwnd;
	if (c->ssthresh < c->prior_ssthresh)
		c->ssthresh = c->prior_ssthresh;
	if (unmark)
		tcp_sb_unmark_lost(c);
	c->undo_ok = false;
	back_to_open(c);
	TCP_COUNT(c->net, spurious_undo);
}

/* Eifel: the ACK echoes a timestamp older than our first retransmission,
 * so the originals arrived. */
static bool echoes_original(const struct mica_tcp *c, const struct tcp_ackinfo *a)
{
	return c->undo_ok && c->retrans_ts_set && a->has_tsecr && SEQ_LT(a->tsecr, c->retrans_tsval);
}

static void enter_recovery(struct mica_tcp *c)
{
	TCP_COUNT(c->net, fast_rexmit);
	start_undo(c);
	c->ssthresh = c->cc->ssthresh(c);
	c->recover = c->snd_max;
	c->ca_state = TCP_CA_RECOVERY;
	c->prr_delivered = c->prr_out = 0;
	c->recover_fs = c->snd_max - c->snd_una;
	if (!c->recover_fs)
		c->recover_fs = 1;
}

void tcp_cwnd_reduce_once(struct mica_tcp *c)
{
	c->ssthresh = c->cc->ssthresh(c);
	if (c->cwnd > c->ssthresh)
		c->cwnd = c->ssthresh;
}

/* RFC 6937: cwnd for this ACK = pipe + what may be sent now. */
static void prr(struct mica_tcp *c, int64_t delivered)
{
	if (delivered > 0)
		c->prr_delivered += (uint32_t)delivered;
	uint32_t pipe = tcp_pipe(c);
	int64_t sndcnt;
	if (pipe > c->ssthresh) {
		uint64_t share =
		    ((uint64_t)c->prr_delivered * c->ssthresh + c->recover_fs - 1) / c->recover_fs;
		sndcnt = (int64_t)share - c->prr_out;
	} else { /* PRR-SSRB */
		int64_t owed = (int64_t)c->prr_delivered - c->prr_out;
		int64_t limit = (owed > delivered ? owed : delivered) + c->mss;
		int64_t gap = (int64_t)c->ssthresh - pipe;
		sndcnt = gap < limit ? gap : limit;
	}
	if (sndcnt < 0)
		sndcnt = 0;
	if (!c->prr_out && sndcnt < c->mss)
		sndcnt = c->mss; /* the first retransmission goes out at once */
	c->cwnd = pipe + (uint32_t)sndcnt;
}

void tcp_recovery_sent(struct mica_tcp *c, uint32_t len, bool retransmit)
{
	if (c->ca_state == TCP_CA_RECOVERY)
		c->prr_out += len;
	if (!retransmit)
		return;
	if (c->undo_ok) {
		c->undo_retrans++;
		if (!c->retrans_ts_set) {
			c->retrans_ts_set = true;
			c->retrans_tsval = tcp_ts_now(c);
		}
	}
}

/* Peers without SACK: duplicate ACKs stand for segments that left the
 * network (for pipe), three start recovery (RFC 5681), and a partial ACK
 * in recovery resends the next segment (RFC 6582). */
static bool reno_losses(struct mica_tcp *c, struct tcp_ackinfo *a)
{
	struct tcp_sb *sb = &c->sb;
	uint32_t out = c->snd_max - c->snd_una;
	if (a->una_advanced) {
		sb->reno_dup = a->acked >= sb->reno_dup ? 0 : sb->reno_dup - a->acked;
		if (c->ca_state == TCP_CA_OPEN)
			c->dupacks = 0;
	}
	if (a->dupack) {
		c->dupacks++;
		if (sb->reno_dup + c->mss < out)
			sb->reno_dup += c->mss;
	}
	if (!sb->n)
		return false;
	struct tcp_seg *head = tcp_sb_at(c, 0);
	if (c->ca_state == TCP_CA_OPEN && a->dupack && c->dupacks == TCP_DUPTHRESH &&
	    (SEQ_GT(c->snd_una - 1, c->recover) || c->recover == c->iss)) {
		tcp_sb_mark_lost(c, head);
		return true;
	}
	if (c->ca_state == TCP_CA_RECOVERY && a->una_advanced && SEQ_LT(c->snd_una, c->recover) &&
	    !(head->flags & (SEG_LOST | SEG_EVER)))
		tcp_sb_mark_lost(c, head);
	return false;
}

/* F-RTO (RFC 5682 with SACK, as Linux runs it) for an ACK after a timeout. */
static void frto_on_ack(struct mica_tcp *c, struct tcp_ackinfo *a)
{
	if (a->orig_delivered) { /* data sent only once was acknowledged */
		TCP_COUNT(c->net, frto_undo);
		undo(c, true);
		return;
	}
	if (SEQ_GT(c->snd_max, c->recover)) {
		if (a->newly_sacked || a->dupack)
			c->frto = false; /* the loss was real */
	} else if (a->una_advanced) {
		c->recover = c->snd_max;
		c->frto_new = true; /* next: new data rather than more retransmissions */
	}
}

void tcp_recovery_on_ack(struct mica_tcp *c, const struct tcp_hdr *h, struct tcp_ackinfo *a)
{
	if (a->dsack)
		tcp_rack_on_dsack(c);
	tcp_tlp_on_ack(c, h->ack, a);
	if (a->dsack && c->undo_ok && c->retrans_ts_set && c->undo_retrans == 0)
		undo(c, c->ca_state == TCP_CA_LOSS); /* every retransmission was needless */
	if (c->ca_state == TCP_CA_LOSS && c->frto)
		frto_on_ack(c, a);
	bool lost = c->sack_ok ? tcp_rack_detect_loss(c, a->now) > 0 : reno_losses(c, a);
	a->delivered =
	    (int64_t)a->acked + (int64_t)(c->sb.sacked + c->sb.reno_dup) - (int64_t)a->prior_sacked;
	if (c->ca_state == TCP_CA_OPEN && lost)
		enter_recovery(c);
	if (c->ca_state == TCP_CA_RECOVERY) {
		if (SEQ_LT(c->snd_una, c->recover)) {
			prr(c, a->delivered);
			return;
		}
		if (echoes_original(c, a)) {
			undo(c, true);
		} else {
			c->cwnd = c->ssthresh; /* RFC 6937: the reduction is done */
			back_to_open(c);
		}
	} else if (c->ca_state == TCP_CA_LOSS && SEQ_GEQ(c->snd_una, c->recover)) {
		if (echoes_original(c, a))
			undo(c, true);
		else
			back_to_open(c);
	}
	if (a->acked && tcp_cwnd_limited(c))
		c->cc->cong_avoid(c, a->acked, a->now);
}

void tcp_recovery_reo_timeout(struct mica_tcp *c)
{
	TCP_COUNT(c->net, reo_timeout);
	if (tcp_rack_detect_loss(c, mica_loop_now(c->net->loop)) == 0)
		return;
	if (c->ca_state == TCP_CA_OPEN)
		enter_recovery(c);
	if (c->ca_state == TCP_CA_RECOVERY)
		prr(c, 0);
}

void tcp_enter_loss(struct mica_tcp *c)
{
	bool was_open = c->ca_state == TCP_CA_OPEN;
	if (was_open || !SEQ_GT(c->recover, c->snd_una)) {
		start_undo(c);
		c->ssthresh = c->cc->ssthresh(c);
	}
	c->frto = was_open || c->retries > 1;
	c->frto_new = false;
	c->cwnd = c->mss;
	c->ca_state = TCP_CA_LOSS;
	c->recover = c->snd_max;
	c->dupacks = 0;
	c->sb.reno_dup = 0;
	c->rack.tlp_active = false;
	c->rack.reo_deadline = 0;
	tcp_sb_mark_all_lost(c);
}
