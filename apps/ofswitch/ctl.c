/* ctl.c - the switch's connection to its controller: TCP over Mica's
 * stack on the `control` device, reconnecting with exponential backoff
 * (1 s doubling to 16 s), an OpenFlow channel (lib/openflow) on it, and
 * the switch's side of the protocol: FEATURES, CONFIG, FLOW_MOD,
 * PACKET_OUT (with buffer ids), BARRIER, multipart statistics, and the
 * PACKET_IN / FLOW_REMOVED / PORT_STATUS it sends. */
#include <mica/libc.h>
#include <mica/log.h>
#include "ofswitch.h"

#define OF_VERSIONS (1u << OF_VERSION_10 | 1u << OF_VERSION_13)
#define BACKOFF_MIN_NS (1 * MICA_NS_PER_S)
#define BACKOFF_MAX_NS (16 * MICA_NS_PER_S)

bool ctl_packet_in(struct ofsw *sw, struct mica_buf *b, uint32_t in_port, uint8_t reason, uint16_t max_len,
                   uint64_t cookie)
{
	if (!sw->connected)
		return false;
	uint32_t id = OF_NO_BUFFER;
	size_t len = b->len;
	if (max_len != OFPCML_NO_BUFFER && max_len < len) {
		id = dp_buffer(sw, b, in_port);
		len = max_len;
	}
	struct of_out *o = of_chan_out(&sw->ch, 8 + 32 + 16 + len);
	if (!o || of_encode_packet_in(o, sw->ch.version, 0, id, (uint16_t)b->len, reason, 0, cookie, in_port,
	                              mica_view_make(mica_buf_data(b), len)) != MICA_OK) {
		sw->st.packet_in_dropped++;
		return false;
	}
	sw->st.packet_in++;
	return true;
}

void ctl_flow_removed(struct ofsw *sw, const struct flow *f, uint8_t reason)
{
	if (!sw->connected)
		return;
	struct of_flow_stats fs;
	ft_stats_of(sw, f, &fs);
	struct of_out *o = of_chan_out(&sw->ch, 8 + 48 + 256);
	if (o && of_encode_flow_removed(o, sw->ch.version, 0, &fs, reason) == MICA_OK)
		sw->st.flow_removed++;
}

void ctl_port_status(struct ofsw *sw, uint32_t no)
{
	if (!sw->connected)
		return;
	struct of_port d;
	dp_port_desc(sw, no, &d);
	struct of_out *o = of_chan_out(&sw->ch, 8 + 8 + 64);
	if (o && of_encode_port_status(o, sw->ch.version, 0, OFPPR_MODIFY, &d) == MICA_OK)
		sw->st.port_status++;
}

static void error_reply(struct ofsw *sw, const struct of_msg *m, struct mica_view raw, uint32_t err)
{
	sw->st.errors_sent++;
	of_chan_error(&sw->ch, m, raw, (uint16_t)(err >> 16), (uint16_t)err);
}

static bool port_valid(uint32_t p)
{
	return (p >= 1 && p <= OFSW_PORTS) || p >= OFPP_MAX;
}

static void features_reply(struct ofsw *sw, const struct of_msg *m)
{
	struct of_port ports[OFSW_PORTS];
	for (uint32_t no = 1; no <= OFSW_PORTS; no++)
		dp_port_desc(sw, no, &ports[no - 1]);
	struct of_out *o = of_chan_out(&sw->ch, 32 + 48 * OFSW_PORTS);
	if (o)
		of_encode_features_reply(o, sw->ch.version, m->xid, sw->dpid, PKT_BUFS, 1, 1 | 2 | 4, ports,
		                         OFSW_PORTS);
}

static void on_flow_mod(struct ofsw *sw, const struct of_msg *m, struct mica_view raw)
{
	const struct of_flow_mod *fm = &m->u.flow_mod;
	for (unsigned i = 0; i < fm->actions.n; i++) {
		if (fm->actions.a[i].type == OF_ACT_OUTPUT && !port_valid(fm->actions.a[i].port)) {
			error_reply(sw, m, raw, (uint32_t)OFPET_BAD_ACTION << 16 | OFPBAC_BAD_OUT_PORT);
			return;
		}
	}
	uint32_t err = ft_flow_mod(sw, fm);
	sw->st.flow_mods++;
	if (err) {
		error_reply(sw, m, raw, err);
		return;
	}
	if (fm->buffer_id != OF_NO_BUFFER && fm->command <= OFPFC_MODIFY_STRICT) {
		uint32_t in_port;
		struct mica_buf *b = dp_take_buffer(sw, fm->buffer_id, &in_port);
		if (!b)
			error_reply(sw, m, raw, (uint32_t)OFPET_BAD_REQUEST << 16 | OFPBRC_BUFFER_UNKNOWN);
		else
			dp_process(sw, b, in_port);
	}
}

static void on_packet_out(struct ofsw *sw, const struct of_msg *m, struct mica_view raw)
{
	uint32_t in_port = m->u.packet_out.in_port;
	struct mica_buf *b;
	if (m->u.packet_out.buffer_id != OF_NO_BUFFER) {
		b = dp_take_buffer(sw, m->u.packet_out.buffer_id, &in_port);
		if (!b) {
			error_reply(sw, m, raw, (uint32_t)OFPET_BAD_REQUEST << 16 | OFPBRC_BUFFER_UNKNOWN);
			return;
		}
	} else {
		struct mica_view d = m->u.packet_out.data;
		b = d.len >= 14 ? mica_raw_alloc(sw->ports[1].raw, d.len) : NULL;
		if (!b) {
			error_reply(sw, m, raw, (uint32_t)OFPET_BAD_REQUEST << 16 | OFPBRC_BAD_PACKET);
			return;
		}
		memcpy(mica_buf_put(b, d.len), d.data, d.len);
	}
	sw->st.packet_out++;
	const struct of_actions *acts = &m->u.packet_out.actions;
	if (acts->n == 1 && acts->a[0].type == OF_ACT_OUTPUT && acts->a[0].port == OFPP_TABLE)
		dp_process(sw, b, in_port);
	else
		dp_execute(sw, b, in_port, acts);
}

/* Multipart replies: FLOW entries may span several messages (MORE). */
static void mp_flows(struct ofsw *sw, const struct of_msg *m, bool aggregate)
{
	const __typeof__(m->u.multipart) *rq = &m->u.multipart;
	struct of_out *o;
	size_t start;
	uint64_t packets = 0, bytes = 0;
	uint32_t count = 0;
	if (!(o = of_chan_out(&sw->ch, 16 + 1056)) ||
	    of_mp_reply_begin(o, sw->ch.version, m->xid, rq->mp_type, &start))
		return;
	for (unsigned i = 0; i < sw->table.n; i++) {
		const struct flow *f = sw->table.f[i];
		if (!ft_selected(f, &rq->match, rq->out_port, rq->cookie, rq->cookie_mask))
			continue;
		packets += f->packets, bytes += f->bytes, count++;
		if (aggregate)
			continue;
		struct of_flow_stats fs;
		ft_stats_of(sw, f, &fs);
		if (of_mp_add_flow(o, start, &fs) == MICA_ENOSPC) {
			of_mp_reply_end(o, start, OFPMPF_MORE);
			if (!(o = of_chan_out(&sw->ch, 4096)) ||
			    of_mp_reply_begin(o, sw->ch.version, m->xid, rq->mp_type, &start) ||
			    of_mp_add_flow(o, start, &fs))
				return;
		}
	}
	if (aggregate)
		of_mp_add_aggregate(o, start, packets, bytes, count);
	of_mp_reply_end(o, start, 0);
}

static void on_multipart(struct ofsw *sw, const struct of_msg *m)
{
	uint16_t type = m->u.multipart.mp_type;
	if (type == OFPMP_FLOW || type == OFPMP_AGGREGATE) {
		mp_flows(sw, m, type == OFPMP_AGGREGATE);
		return;
	}
	struct of_out *o = of_chan_out(&sw->ch, 16 + 1056 + 112 * OFSW_PORTS);
	size_t start;
	if (!o || of_mp_reply_begin(o, sw->ch.version, m->xid, type, &start))
		return;
	if (type == OFPMP_DESC)
		of_mp_add_desc(o, start, "Mica", "Mica OpenFlow switch (apps/ofswitch)", "mica", "none",
		               "ofswitch");
	else if (type == OFPMP_TABLE)
		of_mp_add_table(o, start, 0, sw->table.n, sw->table.lookups, sw->table.matched, FLOW_MAX);
	for (uint32_t no = 1; no <= OFSW_PORTS; no++) {
		const struct port *p = &sw->ports[no];
		if (type == OFPMP_PORT_DESC) {
			struct of_port d;
			dp_port_desc(sw, no, &d);
			of_mp_add_port_desc(o, start, &d);
		} else if (type == OFPMP_PORT_STATS &&
		           (m->u.multipart.port_no == OFPP_ANY || m->u.multipart.port_no == no)) {
			uint64_t age = mica_loop_now(sw->loop) - sw->started;
			struct of_port_stats ps = {.port_no = no,
			                           .rx_packets = p->rx_packets,
			                           .tx_packets = p->tx_packets,
			                           .rx_bytes = p->rx_bytes,
			                           .tx_bytes = p->tx_bytes,
			                           .tx_dropped = p->tx_dropped,
			                           .duration_sec = (uint32_t)(age / MICA_NS_PER_S)};
			of_mp_add_port_stats(o, start, &ps);
		}
	}
	of_mp_reply_end(o, start, 0);
}

static void on_msg(struct of_chan *ch, const struct of_msg *m, struct mica_view raw, void *arg)
{
	struct ofsw *sw = arg;
	struct of_out *o;
	switch (m->type) {
	case OFPT_FEATURES_REQUEST: features_reply(sw, m); break;
	case OFPT_GET_CONFIG_REQUEST:
		if ((o = of_chan_out(ch, 12)))
			of_encode_config(o, ch->version, OFPT_GET_CONFIG_REPLY, m->xid, sw->config_flags,
			                 sw->miss_send_len);
		break;
	case OFPT_SET_CONFIG:
		sw->config_flags = m->u.config.flags;
		sw->miss_send_len = m->u.config.miss_send_len;
		break;
	case OFPT_FLOW_MOD: on_flow_mod(sw, m, raw); break;
	case OFPT_PACKET_OUT: on_packet_out(sw, m, raw); break;
	case OFPT_BARRIER_REQUEST:
		if ((o = of_chan_out(ch, 8)))
			of_encode_empty(o, ch->version, OFPT_BARRIER_REPLY, m->xid);
		break;
	case OFPT_MULTIPART_REQUEST: on_multipart(sw, m); break;
	case OFPT_ERROR:
		mica_warn("ofswitch", "controller sent error type %u code %u", m->u.error.type,
		          m->u.error.code);
		break;
	default: error_reply(sw, m, raw, (uint32_t)OFPET_BAD_REQUEST << 16 | OFPBRC_BAD_TYPE); break;
	}
}

static void on_ready(struct of_chan *ch, void *arg)
{
	struct ofsw *sw = arg;
	sw->connected = true;
	sw->st.connects++;
	sw->up_since = mica_loop_now(sw->loop);
	mica_info("ofswitch", "connected to the controller (OpenFlow %s)",
	          ch->version == OF_VERSION_10 ? "1.0" : "1.3");
}

static void schedule_reconnect(struct ofsw *sw)
{
	if (mica_timer_armed(&sw->reconnect))
		return;
	mica_timer_start(sw->loop, &sw->reconnect, sw->backoff_ns, 0);
	sw->backoff_ns = sw->backoff_ns * 2 > BACKOFF_MAX_NS ? BACKOFF_MAX_NS : sw->backoff_ns * 2;
}

static void chan_closed(struct of_chan *ch, int err, void *arg)
{
	struct ofsw *sw = arg;
	(void)ch;
	if (sw->connected)
		mica_warn("ofswitch", "controller connection lost (%s)", err ? mica_strerror(err) : "closed");
	if (sw->connected && mica_loop_now(sw->loop) - sw->up_since > 10 * MICA_NS_PER_S)
		sw->backoff_ns = BACKOFF_MIN_NS;
	sw->connected = false;
	sw->chan_up = false;
	schedule_reconnect(sw);
}

static const struct of_chan_ops chan_ops = {.on_ready = on_ready, .on_msg = on_msg, .on_close = chan_closed};

static void on_connect(struct mica_tcp *c, int err, void *arg)
{
	struct ofsw *sw = arg;
	sw->connecting = NULL;
	if (err) {
		schedule_reconnect(sw);
		return;
	}
	if (of_chan_start(&sw->ch, sw->loop, c, OF_VERSIONS, 5 * MICA_NS_PER_S, &chan_ops, sw) != MICA_OK) {
		mica_tcp_abort(c);
		return;
	}
	sw->chan_up = true;
}

static void connect_closed(struct mica_tcp *c, int err, void *arg)
{
	struct ofsw *sw = arg;
	(void)c;
	(void)err;
	sw->connecting = NULL;
	schedule_reconnect(sw);
}

static size_t connect_data(struct mica_tcp *c, struct mica_view d, void *arg)
{
	(void)c, (void)arg;
	return d.len;
}

static const struct mica_tcp_ops connect_ops = {
    .on_data = connect_data, .on_connect = on_connect, .on_close = connect_closed};

static void try_connect(struct mica_timer *t, void *arg)
{
	struct ofsw *sw = arg;
	(void)t;
	if (sw->chan_up || sw->connecting)
		return;
	mica_debug("ofswitch", "connecting to the controller (next try in %llu ms)",
	           (unsigned long long)(sw->backoff_ns / MICA_NS_PER_MS));
	int rc = mica_tcp_connect(sw->net, &sw->controller, &connect_ops, sw, &sw->connecting);
	if (rc != MICA_OK) {
		sw->connecting = NULL;
		schedule_reconnect(sw);
	}
}

static void on_tick(struct mica_timer *t, void *arg)
{
	struct ofsw *sw = arg;
	(void)t;
	uint64_t now = mica_loop_now(sw->loop);
	ft_expire(sw, now);
	dp_expire_buffers(sw, now);
}

void ctl_start(struct ofsw *sw)
{
	sw->backoff_ns = BACKOFF_MIN_NS;
	mica_timer_init(&sw->reconnect, try_connect, sw);
	mica_timer_init(&sw->tick, on_tick, sw);
	mica_timer_start(sw->loop, &sw->tick, 500 * MICA_NS_PER_MS, 500 * MICA_NS_PER_MS);
	if (sw->have_controller)
		mica_timer_start(sw->loop, &sw->reconnect, 0, 0);
}
