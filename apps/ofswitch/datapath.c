/* datapath.c - frames through the switch: each batch a port delivers is
 * looked up (exact-match cache, then the table) and its flow's actions
 * run on the very buffer the frame arrived in. An output takes a reference
 * and queues the buffer on the port, so forwarding and flooding copy
 * nothing; an action that rewrites the frame copies it first only while
 * another port still holds it. A table miss goes to the controller as a
 * PACKET_IN, the frame kept under a buffer id (PKT_BUFS at most, oldest
 * evicted, expired after PKT_BUF_TTL_NS); without a controller it is
 * dropped (fail=secure) or switched by MAC learning (fail=standalone).
 * A port's link going up or down is reported to the controller. */
#include <mica/libc.h>
#include <mica/log.h>
#include "ofswitch.h"

static void port_send(struct ofsw *sw, uint32_t no, struct mica_buf *b)
{
	struct port *p = &sw->ports[no];
	mica_buf_ref(b);
	p->tx_packets++;
	p->tx_bytes += b->len;
	if (mica_raw_send(p->raw, b) != MICA_OK)
		p->tx_dropped++;
}

static void flood(struct ofsw *sw, struct mica_buf *b, uint32_t in_port, bool all)
{
	for (uint32_t no = 1; no <= OFSW_PORTS; no++)
		if (all || no != in_port)
			port_send(sw, no, b);
}

/* Make b safe to write: a copy when another port still holds it. */
static struct mica_buf *writable(struct ofsw *sw, struct mica_buf *b)
{
	if (b->refs == 1)
		return b;
	struct mica_buf *c = mica_raw_alloc(sw->ports[1].raw, b->len);
	if (!c)
		return NULL;
	memcpy(mica_buf_put(c, b->len), mica_buf_data(b), b->len);
	mica_buf_unref(b);
	return c;
}

static bool tagged(const struct mica_buf *b)
{
	const uint8_t *p = mica_buf_data(b);
	return b->len >= 18 && ((p[12] == 0x81 && p[13] == 0x00) || (p[12] == 0x88 && p[13] == 0xa8));
}

static void push_vlan(struct mica_buf *b, uint16_t tpid, uint16_t tci)
{
	uint8_t *p = mica_buf_push(b, 4);
	if (!p)
		return;
	memmove(p, p + 4, 12);
	p[12] = (uint8_t)(tpid >> 8), p[13] = (uint8_t)tpid;
	p[14] = (uint8_t)(tci >> 8), p[15] = (uint8_t)tci;
}

/* One rewriting action; returns the (possibly copied) buffer or NULL. */
static struct mica_buf *rewrite(struct ofsw *sw, struct mica_buf *b, const struct of_action *a)
{
	if (!(b = writable(sw, b)) || b->len < 14)
		return b;
	uint8_t *p = mica_buf_data(b);
	switch (a->type) {
	case OF_ACT_SET_ETH_DST: memcpy(p, a->mac, 6); break;
	case OF_ACT_SET_ETH_SRC: memcpy(p + 6, a->mac, 6); break;
	case OF_ACT_PUSH_VLAN: {
		/* a new outer tag copies the VID and PCP of the one below, if any */
		uint16_t tci = tagged(b) ? (uint16_t)(p[14] << 8 | p[15]) : 0;
		push_vlan(b, a->value, tci);
		break;
	}
	case OF_ACT_POP_VLAN:
		if (tagged(b)) {
			memmove(p + 4, p, 12);
			mica_buf_pull(b, 4);
		}
		break;
	case OF_ACT_SET_VLAN_VID:
	case OF_ACT_SET_VLAN_PCP:
		if (!tagged(b))
			push_vlan(b, 0x8100, 0);
		p = mica_buf_data(b);
		if (tagged(b)) {
			uint16_t tci = (uint16_t)(p[14] << 8 | p[15]);
			tci = a->type == OF_ACT_SET_VLAN_VID ? (uint16_t)((tci & 0xf000) | (a->value & 0xfff))
			                                     : (uint16_t)((tci & 0x1fff) | (a->value << 13));
			p[14] = (uint8_t)(tci >> 8), p[15] = (uint8_t)tci;
		}
		break;
	default: break;
	}
	return b;
}

static void output(struct ofsw *sw, struct mica_buf *b, uint32_t in_port, const struct of_action *a)
{
	uint32_t port = a->port;
	if (port >= 1 && port <= OFSW_PORTS) {
		if (port != in_port)
			port_send(sw, port, b);
	} else if (port == OFPP_IN_PORT) {
		if (in_port >= 1 && in_port <= OFSW_PORTS)
			port_send(sw, in_port, b);
	} else if (port == OFPP_FLOOD || port == OFPP_ALL) {
		flood(sw, b, in_port, false);
	} else if (port == OFPP_CONTROLLER) {
		ctl_packet_in(sw, b, in_port, sw->miss_flow ? OFPR_NO_MATCH : OFPR_ACTION, a->max_len, 0);
	}
	/* TABLE runs only from PACKET_OUT (ctl.c); LOCAL, NORMAL: no such port here */
}

void dp_execute(struct ofsw *sw, struct mica_buf *b, uint32_t in_port, const struct of_actions *acts)
{
	for (unsigned i = 0; i < acts->n && b; i++) {
		const struct of_action *a = &acts->a[i];
		if (a->type == OF_ACT_OUTPUT)
			output(sw, b, in_port, a);
		else
			b = rewrite(sw, b, a);
	}
	if (b)
		mica_buf_unref(b);
}

/* ---- buffered table misses ---- */

static uint32_t buffer_frame(struct ofsw *sw, struct mica_buf *b, uint32_t in_port)
{
	uint64_t now = mica_loop_now(sw->loop);
	uint32_t seq = sw->buf_seq++;
	struct pkt_buf *pb = &sw->bufs[seq % PKT_BUFS];
	if (pb->b) {
		sw->st.buffers_evicted++;
		mica_buf_unref(pb->b);
	}
	mica_buf_ref(b);
	*pb = (struct pkt_buf){.b = b, .in_port = in_port, .id = seq & 0x7fffffff, .at = now};
	return pb->id;
}

struct mica_buf *dp_take_buffer(struct ofsw *sw, uint32_t id, uint32_t *in_port)
{
	struct pkt_buf *pb = &sw->bufs[id % PKT_BUFS];
	if (!pb->b || pb->id != id)
		return NULL;
	struct mica_buf *b = pb->b;
	*in_port = pb->in_port;
	pb->b = NULL;
	return b;
}

void dp_expire_buffers(struct ofsw *sw, uint64_t now)
{
	for (unsigned i = 0; i < PKT_BUFS; i++) {
		if (sw->bufs[i].b && now - sw->bufs[i].at >= PKT_BUF_TTL_NS) {
			mica_buf_unref(sw->bufs[i].b);
			sw->bufs[i].b = NULL;
		}
	}
}

/* Without a controller in standalone mode: a plain learning switch. */
static void standalone(struct ofsw *sw, struct mica_buf *b, uint32_t in_port)
{
	const uint8_t *p = mica_buf_data(b);
	uint32_t h = ((uint32_t)p[3] << 16 | p[4] << 8 | p[5]) % 1024;
	if (!(p[6] & 1)) {
		uint32_t hs = ((uint32_t)p[9] << 16 | p[10] << 8 | p[11]) % 1024;
		memcpy(sw->learn[hs].mac, p + 6, 6);
		sw->learn[hs].port = (uint16_t)in_port;
	}
	if (!(p[0] & 1) && sw->learn[h].port && memcmp(sw->learn[h].mac, p, 6) == 0) {
		if (sw->learn[h].port != in_port)
			port_send(sw, sw->learn[h].port, b);
	} else {
		flood(sw, b, in_port, false);
	}
	mica_buf_unref(b);
}

static void table_miss(struct ofsw *sw, struct mica_buf *b, uint32_t in_port)
{
	if (!sw->connected) {
		if (sw->fail == FAIL_STANDALONE)
			standalone(sw, b, in_port);
		else {
			sw->st.table_miss_drop++;
			mica_buf_unref(b);
		}
		return;
	}
	ctl_packet_in(sw, b, in_port, OFPR_NO_MATCH, sw->miss_send_len, 0);
	mica_buf_unref(b);
}

void dp_process(struct ofsw *sw, struct mica_buf *b, uint32_t in_port)
{
	struct of_key k;
	of_key_from_frame(&k, mica_buf_data(b), b->len, in_port);
	struct flow *f = ft_lookup(&sw->table, &k);
	if (!f) {
		table_miss(sw, b, in_port);
		return;
	}
	f->packets++;
	f->bytes += b->len;
	f->used = mica_loop_now(sw->loop);
	/* a table-miss flow (priority 0, matches all) sends as a miss (1.3 A.4.1) */
	static const struct of_match all;
	sw->miss_flow = f->priority == 0 && memcmp(&f->match.mask, &all.mask, sizeof(all.mask)) == 0;
	dp_execute(sw, b, in_port, &f->actions);
	sw->miss_flow = false;
}

void dp_on_frames(struct mica_raw *r, struct mica_buf **frames, int n, void *arg)
{
	struct port *p = arg;
	(void)r;
	for (int i = 0; i < n; i++) {
		p->rx_packets++;
		p->rx_bytes += frames[i]->len;
		if (frames[i]->len < 14) {
			mica_buf_unref(frames[i]);
			continue;
		}
		dp_process(&ofsw, frames[i], p->no);
	}
}

uint32_t dp_buffer(struct ofsw *sw, struct mica_buf *b, uint32_t in_port)
{
	return buffer_frame(sw, b, in_port);
}

void dp_port_desc(const struct ofsw *sw, uint32_t no, struct of_port *d)
{
	const struct port *p = &sw->ports[no];
	memset(d, 0, sizeof(*d));
	d->port_no = no;
	memcpy(d->hw_addr, p->info.mac, 6);
	memcpy(d->name, p->name, sizeof(d->name));
	d->state = p->info.link_up ? 0 : OFPPS_LINK_DOWN;
	d->curr = d->advertised = d->supported = 1u << 6 | 1u << 11; /* 10 Gb/s full duplex, copper */
	d->curr_speed = d->max_speed = 10000000;
}

/* A port's link went up or down: its state in port descriptions follows,
 * the controller hears of it (PORT_STATUS) and standalone learning
 * forgets the MACs behind it. */
static void on_link(struct mica_raw *r, bool up, void *arg)
{
	struct port *p = arg;
	(void)r;
	p->info.link_up = up;
	mica_info("ofswitch", "%s: link %s", p->name, up ? "up" : "down");
	for (unsigned i = 0; !up && i < sizeof(ofsw.learn) / sizeof(ofsw.learn[0]); i++)
		if (ofsw.learn[i].port == p->no)
			ofsw.learn[i].port = 0;
	ctl_port_status(&ofsw, p->no);
}

void dp_start(struct ofsw *sw)
{
	for (uint32_t no = 1; no <= OFSW_PORTS; no++) {
		mica_raw_info(sw->ports[no].raw, &sw->ports[no].info);
		mica_raw_set_link_fn(sw->ports[no].raw, on_link, &sw->ports[no]);
	}
}
