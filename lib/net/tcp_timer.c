/* tcp_timer.c - the time-driven parts of a connection. One timer per
 * connection serves, depending on its state, as the retransmission timer
 * (RFC 6298: SRTT/RTTVAR, 200 ms floor, exponential backoff; the timeout
 * itself is tcp_recovery.c's tcp_enter_loss), RACK's reorder timer or the
 * tail loss probe timeout (RFC 8985), the persist timer (zero-window
 * probes), keepalive, TIME-WAIT (2 MSL) or the FIN-WAIT-2 timeout; a second
 * one delays ACKs (RFC 9293 3.8.6.3, RFC 5681 4.2). */
#include "tcp.h"
#include <mica/libc.h>

static void arm(struct mica_tcp *c, enum tcp_tmode mode, uint64_t delay)
{
	c->tmode = (uint8_t)mode;
	mica_timer_start(c->net->loop, &c->timer, delay, 0);
}

void tcp_arm_rto(struct mica_tcp *c)
{
	arm(c, TM_RTO, c->rto);
}

void tcp_rearm(struct mica_tcp *c)
{
	uint64_t now = mica_loop_now(c->net->loop);
	if (c->rack.reo_deadline)
		arm(c, TM_REO, c->rack.reo_deadline > now ? c->rack.reo_deadline - now : 1);
	else if (tcp_tlp_eligible(c))
		arm(c, TM_TLP, tcp_tlp_timeout(c));
	else
		tcp_arm_rto(c);
}

static bool data_mode(const struct mica_tcp *c)
{
	return c->tmode == TM_RTO || c->tmode == TM_REO || c->tmode == TM_TLP;
}

void tcp_rtt_sample(struct mica_tcp *c, uint64_t r)
{
	if (c->srtt == 0) {
		c->srtt = r ? r : 1;
		c->rttvar = r / 2;
	} else {
		uint64_t d = c->srtt > r ? c->srtt - r : r - c->srtt;
		c->rttvar = (3 * c->rttvar + d) / 4;
		c->srtt = (7 * c->srtt + r) / 8;
		if (!c->srtt)
			c->srtt = 1;
	}
	uint64_t var = 4 * c->rttvar > MICA_NS_PER_MS ? 4 * c->rttvar : MICA_NS_PER_MS;
	uint64_t rto = c->srtt + var;
	c->rto = rto < TCP_RTO_MIN ? TCP_RTO_MIN : rto > TCP_RTO_MAX ? TCP_RTO_MAX : rto;
}

void tcp_timer_update(struct mica_tcp *c)
{
	bool armed = mica_timer_armed(&c->timer);
	switch (c->state) {
	case TCP_CLOSED: mica_timer_cancel(c->net->loop, &c->timer); return;
	case TCP_TIME_WAIT: return;
	case TCP_SYN_SENT:
	case TCP_SYN_RCVD:
		if (!armed || c->tmode != TM_RTO)
			tcp_arm_rto(c);
		return;
	default: break;
	}
	if (c->snd_max != c->snd_una) {
		if (!armed || !data_mode(c))
			tcp_rearm(c);
	} else if (c->snd.len && c->snd_wnd && c->state != TCP_FIN_WAIT_2) {
		if (!armed || c->tmode != TM_RTO)
			tcp_arm_rto(c); /* data held back by a lack of memory: try again */
	} else if (c->snd.len && c->snd_wnd == 0) {
		if (!armed || c->tmode != TM_PERSIST) {
			c->probes = 0;
			arm(c, TM_PERSIST, c->rto < TCP_PERSIST_MIN ? TCP_PERSIST_MIN : c->rto);
		}
	} else if (c->state == TCP_FIN_WAIT_2 && c->app_closed) {
		if (!armed || c->tmode != TM_FINWAIT2)
			arm(c, TM_FINWAIT2, TCP_FIN_WAIT2_NS);
	} else if (!armed || c->tmode != TM_KEEPALIVE) {
		c->probes = 0;
		arm(c, TM_KEEPALIVE, TCP_KEEPIDLE_NS);
	}
}

static void on_rto(struct mica_tcp *c)
{
	TCP_COUNT(c->net, rto);
	bool syn = c->state == TCP_SYN_SENT || c->state == TCP_SYN_RCVD;
	if (++c->retries > (syn ? TCP_SYN_RETRIES : TCP_DATA_RETRIES)) {
		TCP_COUNT(c->net, timeout);
		if (!syn)
			tcp_send_rst(c);
		tcp_finish(c, MICA_ETIMEDOUT);
		return;
	}
	c->rto = c->rto * 2 > TCP_RTO_MAX ? TCP_RTO_MAX : c->rto * 2;
	if (syn) {
		tcp_retransmit_syn(c);
		tcp_arm_rto(c);
		return;
	}
	tcp_enter_loss(c);
	tcp_arm_rto(c);
	tcp_output(c);
}

/* The probe timeout: a tail loss probe, or on to the RTO. */
static void on_tlp(struct mica_tcp *c)
{
	if (!tcp_tlp_send_probe(c)) {
		arm(c, TM_RTO, tcp_rto_left(c));
		return;
	}
	tcp_arm_rto(c);
	tcp_timer_update(c);
}

static void on_persist(struct mica_tcp *c)
{
	if (c->snd_wnd != 0 || c->snd.len == 0) {
		tcp_output(c);
		return;
	}
	TCP_COUNT(c->net, zero_window_probe);
	tcp_send_seg(c, c->snd_una - 1, 0, TCP_ACK);
	if (c->probes < 30)
		c->probes++;
	uint64_t d = (c->rto < TCP_PERSIST_MIN ? TCP_PERSIST_MIN : c->rto)
	             << (c->probes < 10 ? c->probes : 10);
	arm(c, TM_PERSIST, d > TCP_PERSIST_MAX ? TCP_PERSIST_MAX : d);
}

static void on_keepalive(struct mica_tcp *c)
{
	uint64_t now = mica_loop_now(c->net->loop);
	if (now - c->last_rx < TCP_KEEPIDLE_NS) {
		c->probes = 0;
		arm(c, TM_KEEPALIVE, TCP_KEEPIDLE_NS - (now - c->last_rx));
		return;
	}
	if (c->probes >= TCP_KEEPCNT) {
		TCP_COUNT(c->net, timeout);
		tcp_send_rst(c);
		tcp_finish(c, MICA_ETIMEDOUT);
		return;
	}
	c->probes++;
	TCP_COUNT(c->net, keepalive_tx);
	tcp_send_seg(c, c->snd_una - 1, 0, TCP_ACK);
	arm(c, TM_KEEPALIVE, TCP_KEEPINTVL_NS);
}

void tcp_timer_fn(struct mica_timer *t, void *arg)
{
	(void)t;
	struct mica_tcp *c = arg;
	switch (c->tmode) {
	case TM_RTO:
		if (c->snd_max != c->snd_una || c->state == TCP_SYN_SENT || c->state == TCP_SYN_RCVD)
			on_rto(c);
		else
			tcp_output(c);
		break;
	case TM_REO:
		c->rack.reo_deadline = 0;
		tcp_recovery_reo_timeout(c);
		tcp_output(c);
		break;
	case TM_TLP:
		if (c->snd_max != c->snd_una)
			on_tlp(c);
		else
			tcp_timer_update(c);
		break;
	case TM_PERSIST: on_persist(c); break;
	case TM_KEEPALIVE: on_keepalive(c); break;
	case TM_TIMEWAIT:
	case TM_FINWAIT2: tcp_finish(c, MICA_OK); break;
	default: break;
	}
}

void tcp_ack_timer_fn(struct mica_timer *t, void *arg)
{
	(void)t;
	struct mica_tcp *c = arg;
	if (c->ack_delayed && c->state != TCP_CLOSED) {
		TCP_COUNT(c->net, delack);
		tcp_send_ack(c);
	}
}
