/* learn.c - the reactive L2 learning switch the controller runs for every
 * datapath: at connect it clears the switch's table and (1.3) installs a
 * table-miss flow to the controller; on each PACKET_IN it learns the source
 * MAC's port, then either installs an exact flow (in_port, eth_src,
 * eth_dst -> output) with an idle timeout, releasing the buffered packet
 * with it, or floods; on a port going down it forgets that port's MACs and
 * deletes the flows through it. Replies go out batched by the channel. */
#include <mica/libc.h>
#include <mica/log.h>
#include "ofctl.h"

#define TABLE_MISS_PRIORITY 0
#define LEARNED_PRIORITY 100

static void send_flow_mod(struct ofc_switch *sw, const struct of_flow_mod *fm)
{
	struct of_out *o = of_chan_out(&sw->ch, 8 + 48 + 128 + 64);
	if (!o || of_encode_flow_mod(o, sw->ch.version, of_chan_xid(&sw->ch), fm) != MICA_OK) {
		sw->app->st.dropped_out_full++;
		return;
	}
	sw->app->st.flow_mods++;
}

static void flow_mod_init(struct of_flow_mod *fm, uint8_t command)
{
	memset(fm, 0, sizeof(*fm));
	fm->command = command;
	fm->table_id = command == OFPFC_DELETE ? 0xff : 0;
	fm->buffer_id = OF_NO_BUFFER;
	fm->out_port = OFPP_ANY;
	fm->out_group = OFPG_ANY;
}

static void output_to(struct of_actions *a, uint32_t port)
{
	a->n = 1;
	memset(&a->a[0], 0, sizeof(a->a[0]));
	a->a[0].type = OF_ACT_OUTPUT;
	a->a[0].port = port;
	a->a[0].max_len = OFPCML_NO_BUFFER;
}

/* A fresh switch: empty its table, send table misses to us (1.3 drops
 * them by default), and ask for whole packets unless it buffers. */
static void setup_switch(struct ofc_switch *sw, uint32_t n_buffers)
{
	struct of_flow_mod fm;
	flow_mod_init(&fm, OFPFC_DELETE);
	send_flow_mod(sw, &fm);
	uint16_t miss_len = n_buffers ? 128 : OFPCML_NO_BUFFER;
	struct of_out *o = of_chan_out(&sw->ch, 12);
	if (o)
		of_encode_config(o, sw->ch.version, OFPT_SET_CONFIG, of_chan_xid(&sw->ch), 0, miss_len);
	if (sw->ch.version == OF_VERSION_10)
		return;
	flow_mod_init(&fm, OFPFC_ADD);
	fm.priority = TABLE_MISS_PRIORITY;
	output_to(&fm.actions, OFPP_CONTROLLER);
	fm.actions.a[0].max_len = miss_len;
	send_flow_mod(sw, &fm);
}

static void packet_out(struct ofc_switch *sw, uint32_t buffer_id, uint32_t in_port, uint32_t port,
                       struct mica_view data)
{
	struct of_actions acts;
	output_to(&acts, port);
	if (buffer_id != OF_NO_BUFFER)
		data.len = 0;
	struct of_out *o = of_chan_out(&sw->ch, 8 + 16 + 16 + data.len);
	if (!o ||
	    of_encode_packet_out(o, sw->ch.version, of_chan_xid(&sw->ch), buffer_id, in_port, &acts, data)) {
		sw->app->st.dropped_out_full++;
		return;
	}
	sw->app->st.packet_outs++;
}

static void on_packet_in(struct ofc_switch *sw, const struct of_msg *m)
{
	struct ofc *app = sw->app;
	struct mica_view d = m->u.packet_in.data;
	uint32_t in_port = m->u.packet_in.in_port, buffer_id = m->u.packet_in.buffer_id;
	app->st.packet_ins++;
	if (d.len < 14)
		return;
	const uint8_t *dst = d.data, *src = d.data + 6;
	if (!(src[0] & 1))
		mac_learn(&sw->macs, src, in_port);
	uint32_t out = (dst[0] & 1) ? 0 : mac_lookup(&sw->macs, dst);
	if (out == 0) {
		app->st.floods++;
		packet_out(sw, buffer_id, in_port, OFPP_FLOOD, d);
		return;
	}
	if (out == in_port)
		return; /* the destination is behind the port it came from */
	struct of_flow_mod fm;
	flow_mod_init(&fm, OFPFC_ADD);
	of_match_l2(&fm.match, in_port, src, dst);
	fm.idle_timeout = app->idle_timeout;
	fm.hard_timeout = app->hard_timeout;
	fm.priority = LEARNED_PRIORITY;
	fm.buffer_id = buffer_id;
	output_to(&fm.actions, out);
	send_flow_mod(sw, &fm);
	if (buffer_id == OF_NO_BUFFER)
		packet_out(sw, buffer_id, in_port, out, d);
}

/* A port went down or away: forget who was behind it and the flows to
 * and from it. */
static void on_port_status(struct ofc_switch *sw, const struct of_msg *m)
{
	const struct of_port *p = &m->u.port_status.port;
	bool down = m->u.port_status.reason == OFPPR_DELETE || (p->state & OFPPS_LINK_DOWN) ||
	            (p->config & OFPPC_PORT_DOWN);
	if (!down || p->port_no == 0 || p->port_no >= OFPP_MAX)
		return;
	sw->app->st.port_downs++;
	uint32_t n = mac_forget_port(&sw->macs, p->port_no);
	mica_info("ofctl", "dpid %016llx: port %u down, forgot %u MACs", (unsigned long long)sw->dpid,
	          p->port_no, n);
	struct of_flow_mod fm;
	flow_mod_init(&fm, OFPFC_DELETE);
	fm.out_port = p->port_no;
	send_flow_mod(sw, &fm);
	flow_mod_init(&fm, OFPFC_DELETE);
	fm.match.key.in_port = p->port_no, fm.match.mask.in_port = 0xffffffffu;
	send_flow_mod(sw, &fm);
}

static void on_ready(struct of_chan *ch, void *arg)
{
	(void)arg;
	struct of_out *o = of_chan_out(ch, 8);
	if (o)
		of_encode_empty(o, ch->version, OFPT_FEATURES_REQUEST, of_chan_xid(ch));
}

static void on_msg(struct of_chan *ch, const struct of_msg *m, struct mica_view raw, void *arg)
{
	struct ofc_switch *sw = arg;
	switch (m->type) {
	case OFPT_PACKET_IN:
		if (sw->features)
			on_packet_in(sw, m);
		break;
	case OFPT_FEATURES_REPLY:
		if (sw->features)
			break;
		sw->features = true;
		sw->dpid = m->u.features.dpid;
		mica_info("ofctl", "switch %016llx connected (OpenFlow %s, %u buffers)",
		          (unsigned long long)sw->dpid, ch->version == OF_VERSION_10 ? "1.0" : "1.3",
		          m->u.features.n_buffers);
		setup_switch(sw, m->u.features.n_buffers);
		break;
	case OFPT_PORT_STATUS: on_port_status(sw, m); break;
	case OFPT_ERROR:
		sw->app->st.errors_rx++;
		mica_warn("ofctl", "dpid %016llx: error type %u code %u", (unsigned long long)sw->dpid,
		          m->u.error.type, m->u.error.code);
		break;
	case OFPT_FLOW_REMOVED:
	case OFPT_MULTIPART_REPLY:
	case OFPT_BARRIER_REPLY:
	case OFPT_GET_CONFIG_REPLY: break;
	default:
		/* requests a controller does not serve */
		of_chan_error(ch, m, raw, OFPET_BAD_REQUEST, OFPBRC_BAD_TYPE);
		break;
	}
}

static void free_switch(void *arg)
{
	struct ofc_switch *sw = arg;
	mac_table_fini(&sw->macs);
	free(sw);
}

static void on_close(struct of_chan *ch, int err, void *arg)
{
	struct ofc_switch *sw = arg;
	struct ofc *app = sw->app;
	(void)ch;
	if (sw->features)
		mica_info("ofctl", "switch %016llx disconnected (%s)", (unsigned long long)sw->dpid,
		          err ? mica_strerror(err) : "closed");
	for (struct ofc_switch **pp = &app->switches; *pp; pp = &(*pp)->next) {
		if (*pp == sw) {
			*pp = sw->next;
			break;
		}
	}
	app->nswitches--;
	/* freed on the next turn: the channel's flush task may still be queued */
	mica_task_init(&sw->free_task, free_switch, sw);
	mica_loop_defer(app->loop, &sw->free_task);
}

const struct of_chan_ops ofc_chan_ops = {
    .on_ready = on_ready,
    .on_msg = on_msg,
    .on_close = on_close,
};
