/* tcp_rack.c - RACK-TLP (RFC 8985), the primary loss detector on
 * connections with SACK. RACK: a segment is lost when one sent after it
 * has been delivered and it is still unacknowledged a reordering window
 * after that one's round trip; the window starts at min_RTT/4, grows with
 * each round that brings a DSACK (needless retransmissions) and falls back
 * after TCP_REO_PERSIST recoveries; without reordering seen it is zero in
 * recovery and once DupThresh segments are SACKed (RFC 6675's rule). When
 * a segment is not lost yet but could be, the reorder timer is armed.
 * TLP: with nothing SACKed and no recovery, a probe timeout (two round
 * trips, or longer when the RTT varies, see tcp_tlp_timeout; restarted
 * whenever new data goes out or an ACK comes) sends one new segment or the
 * last one again, so that a lost tail is found by SACK and fast recovery
 * instead of by the RTO. */
#include "tcp.h"

void tcp_rack_init(struct mica_tcp *c)
{
	c->rack = (struct tcp_rack){.reo_wnd_mult = 1};
}

/* RACK_sent_after: was (t1, s1) sent after (t2, s2)? */
static bool sent_after(uint64_t t1, uint32_t s1, uint64_t t2, uint32_t s2)
{
	return t1 > t2 || (t1 == t2 && SEQ_GT(s1, s2));
}

void tcp_rack_min_rtt(struct mica_tcp *c, uint64_t rtt, uint64_t now)
{
	struct tcp_rack *r = &c->rack;
	if (!r->min_rtt || rtt <= r->min_rtt || now - r->min_rtt_at > TCP_MIN_RTT_WIN_NS) {
		r->min_rtt = rtt ? rtt : 1;
		r->min_rtt_at = now;
	}
}

/* The TSval we put on a segment sent at ns. */
static uint32_t tsval_at(const struct mica_tcp *c, uint64_t ns)
{
	return (uint32_t)(ns / MICA_NS_PER_MS) + c->ts_offset;
}

void tcp_rack_delivered(struct mica_tcp *c, const struct tcp_seg *s, struct tcp_ackinfo *a)
{
	struct tcp_rack *r = &c->rack;
	uint32_t end = s->start + s->len;
	uint64_t rtt = a->now - s->xmit_ns;
	/* RFC 8985 6.2 step 3: delivered below what was delivered before,
	 * and never resent: the network reordered it. */
	if (SEQ_LT(c->sb.fack, c->snd_una))
		c->sb.fack = c->snd_una;
	if (SEQ_GT(end, c->sb.fack))
		c->sb.fack = end;
	else if (SEQ_LT(end, c->sb.fack) && !(s->flags & SEG_EVER))
		r->reordering_seen = true;
	/* Step 2: the most recently sent segment delivered. For a resent one
	 * the ACK may be for the original: skip it when it looks so. */
	if (s->flags & SEG_EVER) {
		if (rtt < r->min_rtt)
			return;
		if (a->has_tsecr && SEQ_LT(a->tsecr, tsval_at(c, s->xmit_ns)))
			return;
	} else {
		if (!a->rtt_valid || rtt < a->rtt) {
			a->rtt = rtt;
			a->rtt_valid = true;
		}
		tcp_rack_min_rtt(c, rtt, a->now);
	}
	if (sent_after(s->xmit_ns, end, r->xmit_ns, r->end_seq)) {
		r->rtt = rtt;
		r->xmit_ns = s->xmit_ns;
		r->end_seq = end;
	}
}

/* Step 4: the reordering window. */
static uint64_t reo_wnd(const struct mica_tcp *c)
{
	const struct tcp_rack *r = &c->rack;
	if (!r->reordering_seen && (c->ca_state != TCP_CA_OPEN || c->sb.sacked_segs >= TCP_DUPTHRESH))
		return 0;
	uint64_t w = (uint64_t)r->reo_wnd_mult * r->min_rtt / 4;
	return c->srtt && w > c->srtt ? c->srtt : w;
}

void tcp_rack_on_dsack(struct mica_tcp *c)
{
	struct tcp_rack *r = &c->rack;
	r->reordering_seen = true;
	if (r->dsack_round_set && SEQ_GEQ(c->snd_una, r->dsack_round))
		r->dsack_round_set = false;
	if (r->dsack_round_set)
		return; /* one step per round trip */
	r->dsack_round_set = true;
	r->dsack_round = c->snd_max;
	if (r->reo_wnd_mult < 64)
		r->reo_wnd_mult++;
	r->reo_wnd_persist = TCP_REO_PERSIST;
}

void tcp_rack_recovery_done(struct mica_tcp *c)
{
	struct tcp_rack *r = &c->rack;
	if (r->reo_wnd_persist && --r->reo_wnd_persist == 0)
		r->reo_wnd_mult = 1;
}

/* Step 5. Records in sequence order: those never resent were sent in that
 * order too, so once one of them was sent after RACK's segment, only
 * resent ones further on can still qualify. */
uint32_t tcp_rack_detect_loss(struct mica_tcp *c, uint64_t now)
{
	struct tcp_rack *r = &c->rack;
	r->reo_deadline = 0;
	if (!r->xmit_ns)
		return 0; /* nothing delivered yet */
	uint64_t wnd = reo_wnd(c), wait = 0;
	uint32_t marked = 0, ever = 0;
	for (uint32_t i = 0; i < c->sb.n; i++) {
		struct tcp_seg *s = tcp_sb_at(c, i);
		if (s->flags & SEG_EVER)
			ever++;
		if ((s->flags & SEG_SACKED) || (s->flags & (SEG_LOST | SEG_RETRANS)) == SEG_LOST)
			continue; /* delivered, or already waiting to be resent */
		if (!sent_after(r->xmit_ns, r->end_seq, s->xmit_ns, s->start + s->len)) {
			if (!(s->flags & SEG_EVER) && ever == c->sb.ever)
				break;
			continue;
		}
		uint64_t due = s->xmit_ns + r->rtt + wnd;
		if (due <= now) {
			tcp_sb_mark_lost(c, s);
			marked++;
		} else if (due - now > wait) {
			wait = due - now;
		}
	}
	if (wait)
		r->reo_deadline = now + wait;
	if (marked)
		NET_ADD(c->net, tcp_rack_lost, marked);
	return marked;
}

/* ---- tail loss probes (RFC 8985 section 7) ---- */
bool tcp_tlp_eligible(const struct mica_tcp *c)
{
	if (!c->sack_ok || c->rack.tlp_active || c->snd_max == c->snd_una || !c->sb.n)
		return false;
	if (c->ca_state == TCP_CA_OPEN)
		return c->sb.sacked == 0;
	/* Beyond RFC 8985: in fast recovery with every lost segment resent,
	 * a probe instead of the RTO when the ACKs stop (the one ACK for a
	 * filled hole is often all the receiver sends; if it is lost, only
	 * a new segment brings another). */
	return c->ca_state == TCP_CA_RECOVERY && c->sb.lost == c->sb.retrans;
}

/* RFC 8985 7.2's PTO is 2 SRTT (plus WCDelAckT with one segment out),
 * and Linux adds TCP_TLP_EXTRA_NS otherwise. Both assume the ACK clock is
 * steady. Where it is not - a receiver whose application reads many
 * connections in turn ACKs in bursts, so one connection's ACKs come
 * several SRTTs apart on a loss-free path - 2 SRTT fires early and the
 * probe is reported back as a duplicate (DSACK). So the probe also waits
 * as long as RFC 6298's estimate of an ACK's latest time, SRTT + 4 RTTVAR
 * (the term RFC 9002's PTO uses), without the RTO's 200 ms floor. The
 * slack is the floor: at microsecond RTTs a PTO is never below
 * TCP_TLP_EXTRA_NS, above the loop's 1 ms timer granularity. Never beyond
 * the RTO. */
uint64_t tcp_tlp_timeout(const struct mica_tcp *c)
{
	uint64_t left = tcp_rto_left(c);
	if (!c->srtt)
		return left < TCP_RTO_INIT ? left : TCP_RTO_INIT;
	uint32_t flight = c->snd_max - c->snd_una;
	uint64_t wait = 2 * c->srtt;
	if (c->srtt + 4 * c->rttvar > wait)
		wait = c->srtt + 4 * c->rttvar;
	uint64_t pto = wait + (flight <= c->mss ? TCP_TLP_DELACK_NS : TCP_TLP_EXTRA_NS);
	return pto < left ? pto : left;
}

/* RFC 8985 7.2: the probe fires no later than the RTO would. That one
 * counts from the latest transmission of the oldest segment outstanding
 * (as Linux's tcp_rto_delta_us), so restarting the probe on new data
 * never puts the RTO off. */
uint64_t tcp_rto_left(const struct mica_tcp *c)
{
	if (!c->sb.n)
		return c->rto;
	uint64_t now = mica_loop_now(c->net->loop);
	uint64_t due = tcp_sb_at(c, 0)->xmit_ns + c->rto;
	return due > now ? due - now : 1;
}

/* The segment a probe resends: the highest one not SACKed. */
static struct tcp_seg *probe_seg(const struct mica_tcp *c)
{
	for (uint32_t i = c->sb.n; i-- > 0;) {
		struct tcp_seg *s = tcp_sb_at(c, i);
		if (!(s->flags & SEG_SACKED))
			return s;
	}
	return NULL;
}

bool tcp_tlp_send_probe(struct mica_tcp *c)
{
	struct tcp_rack *r = &c->rack;
	if (!tcp_tlp_eligible(c))
		return false;
	bool fresh = tcp_send_new_probe(c);
	struct tcp_seg *s = fresh ? NULL : probe_seg(c);
	if (!fresh && (!s || tcp_resend(c, s, false) != MICA_OK))
		return false;
	TCP_COUNT(c->net, tlp);
	r->tlp_active = true;
	r->tlp_is_retrans = !fresh;
	r->tlp_in_recovery = c->ca_state != TCP_CA_OPEN;
	r->tlp_end = c->snd_max;
	return true;
}

/* RFC 8985 7.4: the probe's fate. A retransmitted probe that was not
 * reported as a duplicate and is followed by an ACK beyond it repaired a
 * loss: that costs one window reduction, but no recovery. */
void tcp_tlp_on_ack(struct mica_tcp *c, uint32_t ack, struct tcp_ackinfo *a)
{
	struct tcp_rack *r = &c->rack;
	if (!r->tlp_active || SEQ_LT(ack, r->tlp_end))
		return;
	if (!r->tlp_is_retrans || a->dsack_tlp || r->tlp_in_recovery) {
		r->tlp_active = false;
	} else if (SEQ_GT(ack, r->tlp_end)) {
		r->tlp_active = false;
		TCP_COUNT(c->net, tlp_recovered);
		tcp_cwnd_reduce_once(c);
	} else if (!a->una_advanced && !a->newly_sacked && a->dupack) {
		r->tlp_active = false;
	}
}
