/* test_loss.c - loss recovery and congestion control with explicit time:
 * a lost tail found by a probe instead of the RTO (RACK-TLP), reordering
 * inside RACK's window causes no retransmission while a real hole is found
 * by the reorder timer, a spurious timeout undone by F-RTO and a spurious
 * fast retransmit undone by DSACK, PRR's sending rate during recovery,
 * limited transmit, CUBIC's window along its curve after a loss (with fast
 * convergence), the probe timeout's floor at microsecond RTTs, its wait
 * for an ACK clock that varies, its restart on new data (which never puts
 * off the RTO), the --tcp-cc
 * choice, tolerance for reordered ACKs, and the
 * receive side's SACK blocks (merged, most recent first) and DSACK
 * blocks for data received twice (RFC 2883). */
#include "tcp_peer.h"

#define MSS 1460
#define MS MICA_NS_PER_MS

static uint8_t payload[64 * MSS];
static const struct seg_opts sack_peer = {.mss = true, .ws = true, .sack_ok = true};
static const struct seg_opts plain_peer = {.mss = true, .ws = true};

/* A connection accepted from the peer (window 8 MB); *una is our ISN + 1. */
static struct harness *conn(const struct seg_opts *o, const char *cc, uint32_t *una)
{
	struct mica_tcp_listener *l;
	struct harness *h = srv_new(&l, 16);
	if (cc)
		CHECK_EQ(net_tcp_set_cc(&h->net, cc), MICA_OK);
	*una = p_connect(h, o, 65535);
	CHECK(app.c != NULL);
	CHECK_EQ(app.c->mss, MSS);
	mica_tcp_set_nodelay(app.c, true);
	return h;
}

static uint64_t stat(struct harness *h, enum net_counter n)
{
	return h->net.stats[n];
}

/* The app writes n segments; returns how many frames went out. */
static int write_segs(struct harness *h, int n)
{
	h_clear(h);
	CHECK_EQ(mica_tcp_write(app.c, payload, (size_t)n * MSS), (ptrdiff_t)n * MSS);
	h_run(h);
	return h->nsent;
}

/* The peer's ACK, with SACK blocks given as [l, r) pairs of sequence numbers. */
static void ack(struct harness *h, uint32_t ackno, int nblk, const uint32_t *blk)
{
	struct seg_opts o = {.nsack = (uint8_t)nblk};
	for (int i = 0; i < nblk; i++)
		o.sack[i] = (struct tcp_sack_block){blk[2 * i], blk[2 * i + 1]};
	h_clear(h);
	p_send(h, PEER_ISN + 1, ackno, TCP_ACK, 65535, NULL, 0, &o);
}

/* Sequence number of the i-th segment after una. */
static uint32_t seg(uint32_t una, int i)
{
	return una + (uint32_t)i * MSS;
}

static bool sent_seq(struct harness *h, int i, uint32_t seq)
{
	struct tcp_hdr t;
	return p_sent(h, i, &t) && t.seq == seq && t.payload.len > 0;
}

TEST(lost_tail_is_recovered_by_a_probe_not_an_rto)
{
	uint32_t una;
	struct harness *h = conn(&sack_peer, NULL, &una);
	CHECK_EQ(write_segs(h, 10), 10);
	h_advance(h, MS);
	ack(h, seg(una, 7), 0, NULL); /* the last three are lost */
	CHECK_EQ(h->nsent, 0);
	/* No ACK comes: after 2 SRTT + 2 ms the last segment is sent again. */
	h_clear(h);
	h_advance(h, 5 * MS);
	CHECK_EQ(stat(h, NET_tcp_tlp), 1);
	CHECK_EQ(h->nsent, 1);
	CHECK(sent_seq(h, 0, seg(una, 9)));
	/* Its SACK shows the two before it lost: fast recovery resends them. */
	h_advance(h, 2 * MS);
	uint32_t blk[] = {seg(una, 9), seg(una, 10)};
	ack(h, seg(una, 7), 1, blk);
	CHECK_EQ(h->nsent, 2);
	CHECK(sent_seq(h, 0, seg(una, 7)) && sent_seq(h, 1, seg(una, 8)));
	CHECK_EQ(app.c->ca_state, TCP_CA_RECOVERY);
	CHECK_EQ(stat(h, NET_tcp_rack_lost), 2);
	h_advance(h, MS);
	ack(h, seg(una, 10), 0, NULL);
	CHECK_EQ(app.c->ca_state, TCP_CA_OPEN);
	CHECK_EQ(stat(h, NET_tcp_rto), 0);
	t_free(h);
}

#define US (MICA_NS_PER_MS / 1000)

/* Rounds of two segments acknowledged after rtt[i % n] each: SRTT and
 * RTTVAR from those samples. Returns the next unacknowledged sequence. */
static uint32_t rtt_rounds(struct harness *h, uint32_t una, int rounds, const uint64_t *rtt, int n)
{
	for (int i = 0; i < rounds; i++) {
		CHECK_EQ(write_segs(h, 2), 2);
		h_advance(h, rtt[i % n]);
		una = seg(una, 2);
		ack(h, una, 0, NULL);
	}
	return una;
}

/* The time from now to the connection's next timer. */
static uint64_t timer_in(struct harness *h)
{
	CHECK(mica_timer_armed(&app.c->timer));
	return app.c->timer.deadline - h->now;
}

TEST(probe_timeout_has_a_floor_at_microsecond_rtts)
{
	uint32_t una;
	struct harness *h = conn(&sack_peer, NULL, &una);
	const uint64_t rtt[] = {20 * US};
	una = rtt_rounds(h, una, 30, rtt, 1);
	CHECK(app.c->srtt < 100 * US);
	CHECK_EQ(write_segs(h, 10), 10);
	h_advance(h, 20 * US);
	ack(h, seg(una, 7), 0, NULL); /* the last three are lost */
	CHECK_EQ(app.c->tmode, TM_TLP);
	uint64_t pto = timer_in(h);
	CHECK(pto >= TCP_TLP_EXTRA_NS);           /* not 2 x 20 us */
	CHECK(pto < TCP_TLP_EXTRA_NS + 200 * US); /* but not much more */
	h_advance(h, TCP_TLP_EXTRA_NS - 10 * US);
	CHECK_EQ(stat(h, NET_tcp_tlp), 0);
	CHECK_EQ(h->nsent, 0);
	/* Then the probe, and its SACK leads to fast recovery, not an RTO. */
	h_advance(h, pto - TCP_TLP_EXTRA_NS + 10 * US);
	CHECK_EQ(stat(h, NET_tcp_tlp), 1);
	CHECK_EQ(h->nsent, 1);
	CHECK(sent_seq(h, 0, seg(una, 9)));
	h_advance(h, 20 * US);
	uint32_t blk[] = {seg(una, 9), seg(una, 10)};
	ack(h, seg(una, 7), 1, blk);
	CHECK_EQ(h->nsent, 2);
	CHECK(sent_seq(h, 0, seg(una, 7)) && sent_seq(h, 1, seg(una, 8)));
	h_advance(h, 20 * US);
	ack(h, seg(una, 10), 0, NULL);
	CHECK_EQ(app.c->ca_state, TCP_CA_OPEN);
	CHECK_EQ(stat(h, NET_tcp_rto), 0);
	CHECK(app.c->snd_una == app.c->snd_max);
	t_free(h);
}

TEST(probe_waits_out_an_ack_clock_that_varies)
{
	/* ACKs 1 or 9 ms after the data (a receiver that reads many
	 * connections in turn): a late one inside that spread is no loss. */
	uint32_t una;
	struct harness *h = conn(&sack_peer, NULL, &una);
	for (int i = 0; i < 20; i++)
		tcp_rtt_sample(app.c, i % 2 ? 9 * MS : MS);
	uint64_t srtt = app.c->srtt, rttvar = app.c->rttvar;
	CHECK(srtt + 4 * rttvar > 2 * srtt);
	CHECK_EQ(write_segs(h, 10), 10);
	CHECK_EQ(app.c->tmode, TM_TLP);
	uint64_t pto = timer_in(h);
	CHECK_EQ(pto, srtt + 4 * rttvar + TCP_TLP_EXTRA_NS);
	CHECK(pto < app.c->rto);
	h_advance(h, 2 * srtt + TCP_TLP_EXTRA_NS); /* 2 SRTT alone would probe now */
	CHECK_EQ(stat(h, NET_tcp_tlp), 0);
	ack(h, seg(una, 10), 0, NULL); /* late, but all there */
	CHECK_EQ(stat(h, NET_tcp_rexmit), 0);
	CHECK(!mica_timer_armed(&app.c->timer) || app.c->tmode != TM_TLP);
	t_free(h);
}

TEST(probe_timeout_restarts_when_new_data_goes_out)
{
	uint32_t una;
	struct harness *h = conn(&sack_peer, NULL, &una);
	const uint64_t rtt[] = {MS};
	una = rtt_rounds(h, una, 10, rtt, 1);
	CHECK_EQ(write_segs(h, 4), 4);
	uint64_t pto = timer_in(h);
	h_advance(h, pto / 2);
	CHECK_EQ(write_segs(h, 4), 4); /* RFC 8985 7.2: restart after new data */
	CHECK_EQ(timer_in(h), pto);
	h_advance(h, pto - pto / 4);
	CHECK_EQ(stat(h, NET_tcp_tlp), 0);
	h_advance(h, pto / 4);
	CHECK_EQ(stat(h, NET_tcp_tlp), 1);
	t_free(h);
}

TEST(restarted_probes_never_put_off_the_rto)
{
	/* SRTT 20 ms, so the PTO is 42 ms; no ACK comes while the app sends
	 * every 30 ms: the probe still fires when the first
	 * segment's RTO is due (200 ms), not never. (Two segments at a time:
	 * with one in flight the PTO would wait for a delayed ACK.) */
	uint32_t una;
	struct harness *h = conn(&sack_peer, NULL, &una);
	for (int i = 0; i < 20; i++)
		tcp_rtt_sample(app.c, 20 * MS);
	app.c->cwnd = 64 * MSS; /* room for all of it */
	uint64_t t0 = h->now, rto = app.c->rto;
	CHECK_EQ(rto, TCP_RTO_MIN);
	while (h->now - t0 < rto - 30 * MS) {
		CHECK_EQ(write_segs(h, 2), 2);
		CHECK_EQ(timer_in(h), t0 + rto - h->now < 42 * MS ? t0 + rto - h->now : 42 * MS);
		h_advance(h, 30 * MS);
	}
	CHECK_EQ(stat(h, NET_tcp_tlp), 0);
	CHECK_EQ(write_segs(h, 2), 2); /* less than a PTO before the RTO */
	CHECK_EQ(timer_in(h), t0 + rto - h->now);
	h_advance(h, t0 + rto - h->now);
	CHECK_EQ(stat(h, NET_tcp_tlp), 1);
	t_free(h);
}

/* Ten segments out, RTT 4 ms (so the reordering window is 1 ms), two
 * acknowledged, then the fourth SACKed while the third is missing. */
static struct harness *third_missing(uint32_t *una)
{
	struct harness *h = conn(&sack_peer, NULL, una);
	CHECK_EQ(write_segs(h, 10), 10);
	h_advance(h, 4 * MS);
	ack(h, seg(*una, 2), 0, NULL);
	uint32_t b[] = {seg(*una, 3), seg(*una, 4)};
	ack(h, seg(*una, 2), 1, b);
	CHECK_EQ(h->nsent, 0);
	return h;
}

TEST(reordering_inside_the_window_is_not_retransmitted)
{
	uint32_t una;
	struct harness *h = third_missing(&una);
	CHECK_EQ(app.c->tmode, TM_REO); /* it could still be lost: the reorder timer */
	h_advance(h, MS / 2);
	ack(h, seg(una, 4), 0, NULL); /* there it is */
	CHECK(app.c->rack.reordering_seen);
	/* Now even three SACKed segments wait for the window. */
	uint32_t b2[] = {seg(una, 5), seg(una, 8)};
	ack(h, seg(una, 4), 1, b2);
	CHECK_EQ(h->nsent, 0);
	h_advance(h, MS / 5);
	ack(h, seg(una, 10), 0, NULL);
	CHECK_EQ(stat(h, NET_tcp_rexmit), 0);
	CHECK_EQ(stat(h, NET_tcp_fast_rexmit), 0);
	CHECK_EQ(app.c->ca_state, TCP_CA_OPEN);
	t_free(h);
}

TEST(a_hole_that_stays_is_found_by_the_reorder_timer)
{
	uint32_t una;
	struct harness *h = third_missing(&una);
	h_clear(h);
	h_advance(h, 2 * MS); /* RACK.rtt + reordering window passed */
	CHECK_EQ(stat(h, NET_tcp_reo_timeout), 1);
	CHECK_EQ(stat(h, NET_tcp_rack_lost), 1);
	CHECK(h->nsent >= 1 && sent_seq(h, 0, seg(una, 2)));
	CHECK_EQ(app.c->ca_state, TCP_CA_RECOVERY);
	CHECK_EQ(stat(h, NET_tcp_rto), 0);
	t_free(h);
}

TEST(spurious_timeout_is_undone_by_frto)
{
	uint32_t una;
	struct harness *h = conn(&plain_peer, NULL, &una);
	CHECK_EQ(write_segs(h, 10), 10);
	h_advance(h, MS);
	ack(h, seg(una, 1), 0, NULL);
	struct mica_tcp *c = app.c;
	CHECK_EQ(c->rto, TCP_RTO_MIN); /* RFC 6298 with the 200 ms floor */
	uint32_t cwnd = c->cwnd;
	/* The ACKs stall (a slow path, not a loss): the RTO resends one. */
	h_clear(h);
	h_advance(h, TCP_RTO_MIN + MS);
	CHECK_EQ(stat(h, NET_tcp_rto), 1);
	CHECK_EQ(h->nsent, 1);
	CHECK(sent_seq(h, 0, seg(una, 1)));
	CHECK_EQ(c->cwnd, MSS);
	CHECK_EQ(c->ca_state, TCP_CA_LOSS);
	/* Then the ACK for the originals arrives: segments sent only once are
	 * acknowledged, so the timeout was spurious. */
	ack(h, seg(una, 6), 0, NULL);
	CHECK_EQ(stat(h, NET_tcp_frto_undo), 1);
	CHECK_EQ(stat(h, NET_tcp_spurious_undo), 1);
	CHECK_EQ(c->ca_state, TCP_CA_OPEN);
	CHECK(c->cwnd >= cwnd);
	CHECK_EQ(h->nsent, 0); /* the rest is not resent */
	ack(h, seg(una, 10), 0, NULL);
	CHECK_EQ(stat(h, NET_tcp_rexmit), 1);
	t_free(h);
}

TEST(needless_fast_retransmit_is_undone_by_dsack)
{
	uint32_t una;
	struct harness *h = conn(&sack_peer, NULL, &una);
	CHECK_EQ(write_segs(h, 10), 10);
	h_advance(h, MS);
	struct mica_tcp *c = app.c;
	uint32_t cwnd = c->cwnd;
	for (int i = 1; i <= 3; i++) { /* the first segment is late */
		uint32_t b[] = {seg(una, 1), seg(una, 1 + i)};
		ack(h, una, 1, b);
	}
	CHECK_EQ(c->ca_state, TCP_CA_RECOVERY);
	CHECK(sent_seq(h, 0, una));
	CHECK(c->cwnd < cwnd);
	/* The original arrives, then our retransmission: a DSACK for it. */
	h_advance(h, MS);
	uint32_t d[] = {una, seg(una, 1)};
	ack(h, seg(una, 10), 1, d);
	CHECK_EQ(stat(h, NET_tcp_dsack_rx), 1);
	CHECK_EQ(stat(h, NET_tcp_spurious_undo), 1);
	CHECK_EQ(c->ca_state, TCP_CA_OPEN);
	CHECK(c->cwnd >= cwnd);
	CHECK_EQ(c->rack.reo_wnd_mult, 2); /* RACK waits longer from now on */
	t_free(h);
}

/* RFC 6937: with RecoverFS = 22 segments (20, and 2 sent by limited
 * transmit) and ssthresh = 11 (NewReno halves), while pipe > ssthresh one
 * segment goes out per two delivered. */
TEST(prr_sends_in_proportion_during_recovery)
{
	uint32_t una;
	struct harness *h = conn(&sack_peer, "newreno", &una);
	struct mica_tcp *c = app.c;
	c->cwnd = 20 * MSS;
	CHECK_EQ(write_segs(h, 40), 20);
	h_advance(h, MS);
	for (int i = 1; i <= 3; i++) {
		uint32_t b[] = {seg(una, 1), seg(una, 1 + i)};
		ack(h, una, 1, b);
	}
	CHECK_EQ(c->ca_state, TCP_CA_RECOVERY);
	CHECK_EQ(c->ssthresh, 11 * MSS);
	CHECK_EQ(h->nsent, 1); /* the retransmission, at once */
	CHECK(sent_seq(h, 0, una));
	int total = 0;
	for (int k = 1; k <= 10; k++) {
		uint32_t b[] = {seg(una, 1), seg(una, 4 + k)};
		ack(h, una, 1, b);
		CHECK_EQ(h->nsent, k % 2 == 0 ? 1 : 0);
		total += h->nsent;
	}
	CHECK_EQ(total, 5);
	CHECK_EQ(c->prr_out, 6 * MSS);
	CHECK_EQ(c->prr_delivered, 11 * MSS);
	t_free(h);
}

TEST(limited_transmit_sends_new_data_on_the_first_dupacks)
{
	uint32_t una;
	struct harness *h = conn(&plain_peer, "newreno", &una);
	CHECK_EQ(write_segs(h, 12), 10);
	h_advance(h, MS);
	ack(h, una, 0, NULL);
	CHECK_EQ(h->nsent, 1);
	CHECK(sent_seq(h, 0, seg(una, 10)));
	ack(h, una, 0, NULL);
	CHECK_EQ(h->nsent, 1);
	CHECK(sent_seq(h, 0, seg(una, 11)));
	CHECK_EQ(stat(h, NET_tcp_limited_transmit), 2);
	CHECK_EQ(stat(h, NET_tcp_rexmit), 0);
	ack(h, una, 0, NULL); /* the third: fast retransmit */
	CHECK(h->nsent >= 1 && sent_seq(h, 0, una));
	CHECK_EQ(stat(h, NET_tcp_fast_rexmit), 1);
	t_free(h);
}

/* Feed CUBIC one window of 1000-byte ACKs per RTT (c->srtt), in 10 ms
 * steps, from `from` to `to` ns after the epoch began; returns cwnd. */
static uint32_t cubic_run(struct mica_tcp *c, uint64_t t0, uint64_t from, uint64_t to)
{
	for (uint64_t t = from; t < to; t += 10 * MS) {
		uint32_t acks = (uint32_t)((uint64_t)c->cwnd * 10 * MS / c->srtt / 1000);
		for (uint32_t i = 0; i < (acks ? acks : 1); i++)
			tcp_cc_cubic.cong_avoid(c, 1000, t0 + t);
	}
	return c->cwnd;
}

static bool near(uint32_t got, double want, double tolerance)
{
	return got >= want * (1 - tolerance) && got <= want * (1 + tolerance);
}

TEST(cubic_window_follows_its_curve_after_a_loss)
{
	struct mica_tcp *c = calloc(1, sizeof(*c));
	c->mss = 1000;
	c->srtt = 100 * MS;
	c->cwnd = 100000;
	c->ssthresh = 0x7fffffff;
	tcp_cc_cubic.init(c);
	/* The loss: ssthresh = 0.7 W, W_max = 100 segments. */
	c->ssthresh = tcp_cc_cubic.ssthresh(c);
	CHECK(near(c->ssthresh, 70000, 0.005));
	c->cwnd = c->ssthresh;
	/* W(t) = 0.4 (t - K)^3 + 100 segments, K = cbrt(100 * 0.3 / 0.4) = 4.217 s:
	 * concave up to W_max, flat around K, convex beyond. */
	uint64_t t0 = 5000 * MICA_NS_PER_S;
	uint32_t w1 = cubic_run(c, t0, 0, 1000 * MS);
	CHECK(near(w1, 86680, 0.03));
	uint32_t w2 = cubic_run(c, t0, 1000 * MS, 2000 * MS);
	CHECK(near(w2, 95640, 0.03));
	uint32_t wk = cubic_run(c, t0, 2000 * MS, 4217 * MS);
	CHECK(near(wk, 100000, 0.02));
	uint32_t w6 = cubic_run(c, t0, 4217 * MS, 6000 * MS);
	CHECK(near(w6, 102266, 0.03));
	uint32_t w7 = cubic_run(c, t0, 6000 * MS, 7000 * MS);
	CHECK(near(w7, 108600, 0.03));
	CHECK(w2 - w1 > wk - w2); /* concave */
	CHECK(w7 - w6 > w6 - wk); /* convex */
	/* A loss before W_max is reached again: fast convergence aims lower,
	 * at 0.85 of the window (90 segments here), reached after
	 * K = cbrt((76.5 - 63) / 0.4) = 3.23 s. (With a longer RTT, so that
	 * Reno's estimate stays below the curve.) */
	c->srtt = 500 * MS;
	c->cwnd = 90000;
	c->ssthresh = tcp_cc_cubic.ssthresh(c);
	c->cwnd = c->ssthresh;
	uint64_t t1 = t0 + 100 * MICA_NS_PER_S;
	uint32_t wf = cubic_run(c, t1, 0, 3230 * MS);
	CHECK(near(wf, 76500, 0.02));
	free(c);
}

TEST(newreno_is_chosen_by_name_and_unknown_names_fail)
{
	uint32_t una;
	struct harness *h = conn(&sack_peer, "newreno", &una);
	CHECK(app.c->cc == &tcp_cc_newreno);
	CHECK_EQ(net_tcp_set_cc(&h->net, "bbr"), MICA_EINVAL);
	CHECK(tcp_cc_find("cubic") == &tcp_cc_cubic);
	t_free(h);
	h = conn(&sack_peer, NULL, &una);
	CHECK(app.c->cc == &tcp_cc_cubic); /* the default */
	t_free(h);
}

TEST(reordered_pure_acks_are_harmless)
{
	uint32_t una;
	struct harness *h = conn(&sack_peer, NULL, &una);
	CHECK_EQ(write_segs(h, 4), 4);
	h_advance(h, MS);
	ack(h, seg(una, 2), 0, NULL);
	uint32_t wnd = app.c->snd_wnd;
	ack(h, seg(una, 1), 0, NULL); /* an older ACK, overtaken */
	CHECK_EQ(app.c->snd_una, seg(una, 2));
	CHECK_EQ(app.c->snd_wnd, wnd);
	CHECK_EQ(h->nsent, 0);
	CHECK_EQ(stat(h, NET_tcp_bad_ack), 0);
	CHECK_EQ(stat(h, NET_tcp_dupack), 0);
	ack(h, seg(una, 4), 0, NULL);
	CHECK_EQ(app.c->snd_una, seg(una, 4));
	CHECK_EQ(stat(h, NET_tcp_rexmit), 0);
	t_free(h);
}

/* With timestamps, a bare ACK overtaken by a newer one fails PAWS
 * (RFC 7323): it is let through without an answer, while data with an old
 * timestamp is still dropped and answered. */
TEST(reordered_bare_ack_passes_paws_but_old_data_does_not)
{
	struct seg_opts o = sack_peer;
	o.ts = true;
	o.tsval = 100;
	struct mica_tcp_listener *l;
	struct harness *h = srv_new(&l, 16);
	uint32_t una = p_connect(h, &o, 65535);
	uint32_t mss = app.c->mss; /* the timestamp option takes 12 bytes */
	h_clear(h);
	CHECK_EQ(mica_tcp_write(app.c, payload, 4 * mss), (ptrdiff_t)(4 * mss));
	h_run(h);
	struct tcp_hdr t;
	CHECK(p_last(h, &t));
	struct seg_opts a = {.ts = true, .tsval = 200, .tsecr = t.tsval};
	h_clear(h);
	p_send(h, PEER_ISN + 1, una + 2 * mss, TCP_ACK, 65535, NULL, 0, &a);
	a.tsval = 199; /* sent before, arrives after */
	p_send(h, PEER_ISN + 1, una + mss, TCP_ACK, 65535, NULL, 0, &a);
	CHECK_EQ(h->nsent, 0);
	CHECK_EQ(stat(h, NET_tcp_paws_drop), 0);
	CHECK_EQ(app.c->snd_una, una + 2 * mss);
	p_send(h, PEER_ISN + 1, una + 2 * mss, TCP_ACK, 65535, "old", 3, &a);
	CHECK_EQ(stat(h, NET_tcp_paws_drop), 1);
	CHECK_EQ(app.rxlen, 0);
	CHECK_EQ(h->nsent, 1); /* answered with an ACK */
	t_free(h);
}

TEST(receiver_merges_ranges_and_reports_the_newest_first)
{
	struct mica_tcp_listener *l;
	struct harness *h = srv_new(&l, 16);
	uint32_t una = p_connect(h, &sack_peer, 8192);
	uint32_t base = PEER_ISN + 1;
	struct tcp_hdr t;
	p_send(h, base + 10, una, TCP_ACK, 8192, payload, 5, NULL);
	p_send(h, base + 20, una, TCP_ACK, 8192, payload, 5, NULL);
	h_clear(h);
	p_send(h, base + 30, una, TCP_ACK, 8192, payload, 5, NULL);
	CHECK(p_last(h, &t)); /* at once, not delayed */
	CHECK_EQ(t.ack, base);
	CHECK_EQ(t.nsack, 3);
	CHECK(t.sack[0].l == base + 30 && t.sack[1].l == base + 20 && t.sack[2].l == base + 10);
	h_clear(h);
	p_send(h, base + 15, una, TCP_ACK, 8192, payload, 5, NULL); /* joins two ranges */
	CHECK(p_last(h, &t));
	CHECK_EQ(t.nsack, 2);
	CHECK(t.sack[0].l == base + 10 && t.sack[0].r == base + 25);
	CHECK(t.sack[1].l == base + 30 && t.sack[1].r == base + 35);
	t_free(h);
}

/* RFC 2883 as a receiver: a segment that arrives again is reported in a
 * DSACK block, first in the next ACK (then the usual SACK blocks), once;
 * so a sender can tell a needless retransmission and undo. */
TEST(receiver_reports_duplicates_in_a_dsack_block_once)
{
	struct mica_tcp_listener *l;
	struct harness *h = srv_new(&l, 16);
	uint32_t una = p_connect(h, &sack_peer, 8192);
	uint32_t base = PEER_ISN + 1;
	struct tcp_hdr t;
	p_send(h, base, una, TCP_ACK, 8192, payload, 100, NULL);
	/* The same bytes again (a needless retransmission). */
	h_clear(h);
	p_send(h, base, una, TCP_ACK, 8192, payload, 100, NULL);
	CHECK(p_last(h, &t)); /* at once */
	CHECK_EQ(t.ack, base + 100);
	CHECK_EQ(t.nsack, 1);
	CHECK(t.sack[0].l == base && t.sack[0].r == base + 100); /* below the ACK: a DSACK */
	CHECK_EQ(stat(h, NET_tcp_dsack_tx), 1);
	/* Out of order data, then part of it again: DSACK, then the range. */
	p_send(h, base + 200, una, TCP_ACK, 8192, payload, 100, NULL);
	h_clear(h);
	p_send(h, base + 250, una, TCP_ACK, 8192, payload, 100, NULL);
	CHECK(p_last(h, &t));
	CHECK_EQ(t.nsack, 2);
	CHECK(t.sack[0].l == base + 250 && t.sack[0].r == base + 300);
	CHECK(t.sack[1].l == base + 200 && t.sack[1].r == base + 350);
	/* A segment partly old: only the old part is a duplicate. */
	h_clear(h);
	p_send(h, base + 50, una, TCP_ACK, 8192, payload, 150, NULL);
	CHECK(p_last(h, &t));
	CHECK_EQ(t.ack, base + 350); /* the hole is filled */
	CHECK_EQ(t.nsack, 1);
	CHECK(t.sack[0].l == base + 50 && t.sack[0].r == base + 100);
	/* Reported once: the next ACK has no DSACK. */
	h_clear(h);
	p_send(h, base + 400, una, TCP_ACK, 8192, payload, 10, NULL);
	CHECK(p_last(h, &t));
	CHECK_EQ(t.nsack, 1);
	CHECK(t.sack[0].l == base + 400);
	CHECK_EQ(stat(h, NET_tcp_dsack_tx), 3);
	t_free(h);
}

/* Without SACK permitted there are no DSACK blocks either. */
TEST(no_dsack_without_sack)
{
	struct mica_tcp_listener *l;
	struct harness *h = srv_new(&l, 16);
	uint32_t una = p_connect(h, &plain_peer, 8192);
	uint32_t base = PEER_ISN + 1;
	struct tcp_hdr t;
	p_send(h, base, una, TCP_ACK, 8192, payload, 100, NULL);
	h_clear(h);
	p_send(h, base, una, TCP_ACK, 8192, payload, 100, NULL);
	CHECK(p_last(h, &t));
	CHECK_EQ(t.ack, base + 100);
	CHECK_EQ(t.nsack, 0);
	CHECK_EQ(stat(h, NET_tcp_dsack_tx), 0);
	t_free(h);
}

int main(void)
{
	return RUN_TESTS();
}
