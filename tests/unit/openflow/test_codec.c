/* test_codec.c - unit tests of lib/openflow's codec: every message type
 * encoded and decoded back in OpenFlow 1.3 and 1.0 (wire type numbers and
 * layouts checked where the versions differ), OXM matches with masks and
 * their canonical encoding, the 1.0 match's wildcards, and every ERROR
 * type and code a malformed message can draw from of_decode. */
#include "check.h"
#include <mica/openflow.h>
#include <mica/err.h>

static uint8_t obuf[70000];

static struct of_out out_new(void)
{
	return (struct of_out){obuf, 0, sizeof(obuf)};
}

static int decode(const struct of_out *o, struct of_msg *m)
{
	return of_decode(mica_view_make(o->data, o->len), m);
}

static const uint8_t mac_a[6] = {0x02, 0, 0, 0, 0, 0x0a}, mac_b[6] = {0x02, 0, 0, 0, 0, 0x0b};
static const uint8_t versions[2] = {OF_VERSION_13, OF_VERSION_10};

/* ---- raw message builder for malformed input ---- */
struct raw {
	uint8_t b[4096];
	size_t n;
};

static void put8(struct raw *r, uint8_t v)
{
	r->b[r->n++] = v;
}
static void put16(struct raw *r, uint16_t v)
{
	put8(r, (uint8_t)(v >> 8)), put8(r, (uint8_t)v);
}
static void put32(struct raw *r, uint32_t v)
{
	put16(r, (uint16_t)(v >> 16)), put16(r, (uint16_t)v);
}
static void putz(struct raw *r, size_t n)
{
	memset(r->b + r->n, 0, n);
	r->n += n;
}
static void raw_begin(struct raw *r, uint8_t version, uint8_t wire_type)
{
	r->n = 0;
	put8(r, version), put8(r, wire_type), put16(r, 0), put32(r, 0x1234);
}
/* Fix the header's length to the bytes written. */
static struct mica_view raw_end(struct raw *r)
{
	r->b[2] = (uint8_t)(r->n >> 8), r->b[3] = (uint8_t)r->n;
	return mica_view_make(r->b, r->n);
}

/* Decoding v must fail with this error. */
#define EXPECT_ERR(v, t, c)                                   \
	do {                                                  \
		struct of_msg em_;                            \
		CHECK_EQ(of_decode((v), &em_), MICA_EBADMSG); \
		CHECK_EQ(em_.err_type, (t));                  \
		CHECK_EQ(em_.err_code, (c));                  \
	} while (0)

/* A 1.3 FLOW_MOD's fixed part (command ADD, no buffer). */
static void flow_mod13_head(struct raw *r, uint8_t command)
{
	raw_begin(r, OF_VERSION_13, OFPT_FLOW_MOD);
	putz(r, 16);                  /* cookie, cookie mask */
	put8(r, 0), put8(r, command); /* table, command */
	putz(r, 6);                   /* timeouts, priority */
	put32(r, OF_NO_BUFFER), put32(r, OFPP_ANY), put32(r, OFPG_ANY);
	putz(r, 4); /* flags, pad */
}
/* An OXM match with TLV bytes tlv[0..n) (padded). */
static void match13(struct raw *r, const uint8_t *tlv, size_t n)
{
	put16(r, 1), put16(r, (uint16_t)(4 + n));
	if (n)
		memcpy(r->b + r->n, tlv, n);
	r->n += n;
	putz(r, (8 - (4 + n) % 8) % 8);
}
static void oxm(uint8_t *p, size_t *n, uint8_t field, bool hasmask, const uint8_t *val, uint8_t len)
{
	p[*n] = 0x80, p[*n + 1] = 0x00, p[*n + 2] = (uint8_t)(field << 1 | hasmask), p[*n + 3] = len;
	memcpy(p + *n + 4, val, len);
	*n += 4u + len;
}

/* ---- round trips ---- */

TEST(hello_bitmap_and_versions)
{
	struct of_out o = out_new();
	struct of_msg m;
	CHECK_EQ(of_encode_hello(&o, OF_VERSION_13, 5, 1u << 1 | 1u << 4), MICA_OK);
	CHECK_EQ(decode(&o, &m), MICA_OK);
	CHECK_EQ(m.type, OFPT_HELLO);
	CHECK_EQ(m.xid, 5);
	CHECK_EQ(m.u.hello.bitmap, 1u << 1 | 1u << 4);
	CHECK_EQ(of_pick_version(1u << 1 | 1u << 4, m.u.hello.bitmap), OF_VERSION_13);
	CHECK_EQ(of_pick_version(1u << 1 | 1u << 4, 1u << 1), OF_VERSION_10);
	CHECK_EQ(of_pick_version(1u << 1 | 1u << 4, 1u << 5 | 1u << 6), 0);
	/* no bitmap: the sender's own version; a newer one accepts ours too */
	struct raw r;
	raw_begin(&r, OF_VERSION_10, OFPT_HELLO);
	CHECK_EQ(of_decode(raw_end(&r), &m), MICA_OK);
	CHECK_EQ(m.u.hello.bitmap, 1u << 1);
	raw_begin(&r, 6, OFPT_HELLO);
	CHECK_EQ(of_decode(raw_end(&r), &m), MICA_OK);
	CHECK_EQ(of_pick_version(1u << 1 | 1u << 4, m.u.hello.bitmap), OF_VERSION_13);
	/* an element shorter than its header */
	raw_begin(&r, OF_VERSION_13, OFPT_HELLO);
	put16(&r, 1), put16(&r, 2), putz(&r, 4);
	EXPECT_ERR(raw_end(&r), OFPET_HELLO_FAILED, OFPHFC_INCOMPATIBLE);
	/* an element running past the message */
	raw_begin(&r, OF_VERSION_13, OFPT_HELLO);
	put16(&r, 1), put16(&r, 16), put32(&r, 1u << 4);
	EXPECT_ERR(raw_end(&r), OFPET_HELLO_FAILED, OFPHFC_INCOMPATIBLE);
}

TEST(error_round_trip_and_10_mapping)
{
	uint8_t bad[100];
	for (int i = 0; i < 100; i++)
		bad[i] = (uint8_t)i;
	struct of_out o = out_new();
	struct of_msg m;
	CHECK_EQ(of_encode_error(&o, OF_VERSION_13, 9, OFPET_BAD_MATCH, OFPBMC_DUP_FIELD,
	                         mica_view_make(bad, sizeof(bad))),
	         MICA_OK);
	CHECK_EQ(decode(&o, &m), MICA_OK);
	CHECK_EQ(m.type, OFPT_ERROR);
	CHECK_EQ(m.xid, 9);
	CHECK_EQ(m.u.error.type, OFPET_BAD_MATCH);
	CHECK_EQ(m.u.error.code, OFPBMC_DUP_FIELD);
	CHECK_EQ(m.u.error.data.len, 64); /* the offending message's first 64 bytes */
	CHECK(memcmp(m.u.error.data.data, bad, 64) == 0);
	/* 1.0 has no match or instruction errors, and numbers flow-mod failures as 3 */
	o = out_new();
	CHECK_EQ(
	    of_encode_error(&o, OF_VERSION_10, 1, OFPET_BAD_MATCH, OFPBMC_BAD_PREREQ, mica_view_make(bad, 8)),
	    MICA_OK);
	CHECK_EQ(decode(&o, &m), MICA_OK);
	CHECK_EQ(m.u.error.type, OFPET_BAD_REQUEST);
	CHECK_EQ(m.u.error.code, OFPBRC_BAD_LEN);
	CHECK_EQ(m.u.error.data.len, 8);
	o = out_new();
	of_encode_error(&o, OF_VERSION_10, 1, OFPET_FLOW_MOD_FAILED, OFPFMFC_BAD_COMMAND,
	                mica_view_make(bad, 8));
	CHECK_EQ(decode(&o, &m), MICA_OK);
	CHECK_EQ(m.u.error.type, 3);
	CHECK_EQ(m.u.error.code, 4);
	o = out_new();
	of_encode_error(&o, OF_VERSION_10, 1, OFPET_BAD_ACTION, OFPBAC_BAD_OUT_PORT, mica_view_make(bad, 0));
	CHECK_EQ(decode(&o, &m), MICA_OK);
	CHECK_EQ(m.u.error.type, OFPET_BAD_ACTION);
	CHECK_EQ(m.u.error.code, OFPBAC_BAD_OUT_PORT);
}

TEST(echo_and_empty_messages)
{
	for (int vi = 0; vi < 2; vi++) {
		uint8_t v = versions[vi];
		struct of_out o = out_new();
		struct of_msg m;
		char payload[] = "keepalive";
		CHECK_EQ(of_encode_echo(&o, v, OFPT_ECHO_REQUEST, 3, mica_view_make(payload, 9)), MICA_OK);
		CHECK_EQ(decode(&o, &m), MICA_OK);
		CHECK_EQ(m.type, OFPT_ECHO_REQUEST);
		CHECK_EQ(m.u.echo.len, 9);
		CHECK(memcmp(m.u.echo.data, payload, 9) == 0);
		static const uint8_t empty[] = {OFPT_FEATURES_REQUEST, OFPT_GET_CONFIG_REQUEST,
		                                OFPT_BARRIER_REQUEST, OFPT_BARRIER_REPLY, OFPT_ECHO_REPLY};
		for (unsigned i = 0; i < sizeof(empty); i++) {
			o = out_new();
			CHECK_EQ(of_encode_empty(&o, v, empty[i], 77), MICA_OK);
			CHECK_EQ(o.len, 8);
			CHECK_EQ(decode(&o, &m), MICA_OK);
			CHECK_EQ(m.type, empty[i]);
			CHECK_EQ(m.version, v);
			CHECK_EQ(m.xid, 77);
		}
	}
	/* where the versions number types differently */
	struct of_out o = out_new();
	of_encode_empty(&o, OF_VERSION_10, OFPT_BARRIER_REQUEST, 1);
	CHECK_EQ(obuf[1], 18);
	o = out_new();
	of_encode_empty(&o, OF_VERSION_13, OFPT_BARRIER_REQUEST, 1);
	CHECK_EQ(obuf[1], 20);
	o = out_new();
	of_encode_mp_request(&o, OF_VERSION_10, 1, OFPMP_DESC, 0);
	CHECK_EQ(obuf[1], 16); /* STATS_REQUEST */
	CHECK_EQ(o.len, 12);
}

static void port_fill(struct of_port *p, uint32_t no)
{
	memset(p, 0, sizeof(*p));
	p->port_no = no;
	memcpy(p->hw_addr, mac_a, 6);
	p->hw_addr[5] = (uint8_t)no;
	snprintf(p->name, sizeof(p->name), "port%u", (unsigned)no);
	p->config = 0, p->state = no == 2 ? OFPPS_LINK_DOWN : 0;
	p->curr = p->advertised = p->supported = 1u << 6;
	p->peer = 0;
	p->curr_speed = p->max_speed = 10000000;
}

static void check_port(const struct of_port *got, const struct of_port *want, uint8_t v)
{
	CHECK_EQ(got->port_no, want->port_no);
	CHECK(memcmp(got->hw_addr, want->hw_addr, 6) == 0);
	CHECK_STR(got->name, want->name);
	CHECK_EQ(got->config, want->config);
	CHECK_EQ(got->state, want->state);
	CHECK_EQ(got->curr, want->curr);
	CHECK_EQ(got->supported, want->supported);
	CHECK_EQ(got->curr_speed, v == OF_VERSION_13 ? want->curr_speed : 0);
}

TEST(features_reply)
{
	struct of_port ports[3];
	for (uint32_t i = 0; i < 3; i++)
		port_fill(&ports[i], i + 1);
	for (int vi = 0; vi < 2; vi++) {
		uint8_t v = versions[vi];
		struct of_out o = out_new();
		struct of_msg m;
		CHECK_EQ(of_encode_features_reply(&o, v, 4, 0x00000000000000a1ull, 256, 1, 7, ports, 3),
		         MICA_OK);
		CHECK_EQ(o.len, v == OF_VERSION_10 ? 32u + 3 * 48 : 32u);
		CHECK_EQ(decode(&o, &m), MICA_OK);
		CHECK_EQ(m.type, OFPT_FEATURES_REPLY);
		CHECK_EQ(m.u.features.dpid, 0xa1);
		CHECK_EQ(m.u.features.n_buffers, 256);
		CHECK_EQ(m.u.features.n_tables, 1);
		CHECK_EQ(m.u.features.capabilities, 7);
		CHECK_EQ(m.u.features.nports, v == OF_VERSION_10 ? 3 : 0);
		for (unsigned i = 0; i < m.u.features.nports; i++)
			check_port(&m.u.features.ports[i], &ports[i], v);
	}
}

TEST(config_messages)
{
	for (int vi = 0; vi < 2; vi++) {
		struct of_out o = out_new();
		struct of_msg m;
		CHECK_EQ(of_encode_config(&o, versions[vi], OFPT_SET_CONFIG, 2, 1, 128), MICA_OK);
		CHECK_EQ(decode(&o, &m), MICA_OK);
		CHECK_EQ(m.type, OFPT_SET_CONFIG);
		CHECK_EQ(m.u.config.flags, 1);
		CHECK_EQ(m.u.config.miss_send_len, 128);
		o = out_new();
		of_encode_config(&o, versions[vi], OFPT_GET_CONFIG_REPLY, 2, 0, OFPCML_NO_BUFFER);
		CHECK_EQ(decode(&o, &m), MICA_OK);
		CHECK_EQ(m.type, OFPT_GET_CONFIG_REPLY);
		CHECK_EQ(m.u.config.miss_send_len, OFPCML_NO_BUFFER);
	}
}

TEST(packet_in)
{
	uint8_t frame[60] = {0};
	memcpy(frame, mac_b, 6), memcpy(frame + 6, mac_a, 6);
	frame[12] = 0x08, frame[13] = 0x06;
	for (int vi = 0; vi < 2; vi++) {
		uint8_t v = versions[vi];
		struct of_out o = out_new();
		struct of_msg m;
		CHECK_EQ(of_encode_packet_in(&o, v, 0, 42, 1500, OFPR_NO_MATCH, 0, 0x77, 3,
		                             mica_view_make(frame, sizeof(frame))),
		         MICA_OK);
		CHECK_EQ(decode(&o, &m), MICA_OK);
		CHECK_EQ(m.type, OFPT_PACKET_IN);
		CHECK_EQ(m.u.packet_in.buffer_id, 42);
		CHECK_EQ(m.u.packet_in.total_len, 1500);
		CHECK_EQ(m.u.packet_in.reason, OFPR_NO_MATCH);
		CHECK_EQ(m.u.packet_in.in_port, 3);
		CHECK_EQ(m.u.packet_in.cookie, v == OF_VERSION_13 ? 0x77 : 0);
		CHECK_EQ(m.u.packet_in.data.len, sizeof(frame));
		CHECK(memcmp(m.u.packet_in.data.data, frame, sizeof(frame)) == 0);
	}
	/* 1.0 reserved ports map to 1.3's */
	struct of_out o = out_new();
	struct of_msg m;
	of_encode_packet_in(&o, OF_VERSION_10, 0, OF_NO_BUFFER, 60, OFPR_ACTION, 0, 0, OFPP_LOCAL,
	                    mica_view_make(frame, 14));
	CHECK_EQ(obuf[14], 0xff);
	CHECK_EQ(obuf[15], 0xfe);
	CHECK_EQ(decode(&o, &m), MICA_OK);
	CHECK_EQ(m.u.packet_in.in_port, OFPP_LOCAL);
	CHECK_EQ(m.u.packet_in.buffer_id, OF_NO_BUFFER);
}

static void all_actions(struct of_actions *a)
{
	memset(a, 0, sizeof(*a));
	a->a[0] = (struct of_action){.type = OF_ACT_SET_ETH_SRC};
	memcpy(a->a[0].mac, mac_a, 6);
	a->a[1] = (struct of_action){.type = OF_ACT_SET_ETH_DST};
	memcpy(a->a[1].mac, mac_b, 6);
	a->a[2] = (struct of_action){.type = OF_ACT_SET_VLAN_VID, .value = 100};
	a->a[3] = (struct of_action){.type = OF_ACT_SET_VLAN_PCP, .value = 5};
	a->a[4] = (struct of_action){.type = OF_ACT_POP_VLAN};
	a->a[5] = (struct of_action){.type = OF_ACT_OUTPUT, .port = 2, .max_len = 0};
	a->a[6] = (struct of_action){.type = OF_ACT_OUTPUT, .port = OFPP_FLOOD};
	a->a[7] = (struct of_action){.type = OF_ACT_OUTPUT, .port = OFPP_CONTROLLER, .max_len = 128};
	a->n = 8;
}

static void check_actions(const struct of_actions *got, const struct of_actions *want)
{
	CHECK_EQ(got->n, want->n);
	for (unsigned i = 0; i < got->n && i < want->n; i++) {
		const struct of_action *g = &got->a[i], *w = &want->a[i];
		CHECK_EQ(g->type, w->type);
		CHECK_EQ(g->port, w->port);
		CHECK_EQ(g->max_len, w->max_len);
		CHECK_EQ(g->value, w->value);
		CHECK(memcmp(g->mac, w->mac, 6) == 0);
	}
}

TEST(packet_out_with_every_action)
{
	uint8_t frame[64] = {1, 2, 3};
	struct of_actions acts;
	all_actions(&acts);
	for (int vi = 0; vi < 2; vi++) {
		uint8_t v = versions[vi];
		struct of_out o = out_new();
		struct of_msg m;
		CHECK_EQ(of_encode_packet_out(&o, v, 8, OF_NO_BUFFER, 1, &acts, mica_view_make(frame, 64)),
		         MICA_OK);
		CHECK_EQ(decode(&o, &m), MICA_OK);
		CHECK_EQ(m.type, OFPT_PACKET_OUT);
		CHECK_EQ(m.u.packet_out.buffer_id, OF_NO_BUFFER);
		CHECK_EQ(m.u.packet_out.in_port, 1);
		check_actions(&m.u.packet_out.actions, &acts);
		CHECK_EQ(m.u.packet_out.data.len, 64);
		/* a buffered packet carries no data */
		o = out_new();
		CHECK_EQ(of_encode_packet_out(&o, v, 8, 7, OFPP_CONTROLLER, &acts, mica_view_make(frame, 0)),
		         MICA_OK);
		CHECK_EQ(decode(&o, &m), MICA_OK);
		CHECK_EQ(m.u.packet_out.buffer_id, 7);
		CHECK_EQ(m.u.packet_out.in_port, OFPP_CONTROLLER);
		CHECK_EQ(m.u.packet_out.data.len, 0);
		o = out_new();
		of_encode_packet_out(&o, v, 8, 7, 1, &acts, mica_view_make(frame, 20));
		struct of_msg e;
		CHECK_EQ(decode(&o, &e), MICA_EBADMSG);
		CHECK_EQ(e.err_type, OFPET_BAD_REQUEST);
		CHECK_EQ(e.err_code, OFPBRC_BAD_PACKET);
	}
	/* push VLAN exists only in 1.3 */
	struct of_actions push = {.n = 1};
	push.a[0] = (struct of_action){.type = OF_ACT_PUSH_VLAN, .value = 0x88a8};
	struct of_out o = out_new();
	struct of_msg m;
	of_encode_packet_out(&o, OF_VERSION_13, 1, OF_NO_BUFFER, 1, &push, mica_view_make(frame, 0));
	CHECK_EQ(decode(&o, &m), MICA_OK);
	check_actions(&m.u.packet_out.actions, &push);
}

/* A match on every field the codec knows, some masked. */
static void rich_match(struct of_match *mt, bool arp)
{
	memset(mt, 0, sizeof(*mt));
	struct of_key *k = &mt->key, *w = &mt->mask;
	k->in_port = 3, w->in_port = 0xffffffffu;
	memcpy(k->eth_src, mac_a, 6), memset(w->eth_src, 0xff, 6);
	memcpy(k->eth_dst, mac_b, 6), memset(w->eth_dst, 0xff, 5); /* masked: the last byte is free */
	k->eth_dst[5] = 0;
	k->vlan = OFPVID_PRESENT | 10, w->vlan = 0x1fff;
	k->vlan_pcp = 3, w->vlan_pcp = 7;
	if (arp) {
		k->eth_type = 0x0806, w->eth_type = 0xffff;
		k->nw_proto = 1, w->nw_proto = 0xffff;
		k->nw_src = 0x0a000001, w->nw_src = 0xffffffffu;
		k->nw_dst = 0x0a000000, w->nw_dst = 0xffffff00u;
		memcpy(k->arp_sha, mac_a, 6), memset(w->arp_sha, 0xff, 6);
		memcpy(k->arp_tha, mac_b, 6), memset(w->arp_tha, 0xff, 6);
		return;
	}
	k->eth_type = 0x0800, w->eth_type = 0xffff;
	k->ip_dscp = 46, w->ip_dscp = 63;
	k->nw_proto = 6, w->nw_proto = 0xff;
	k->nw_src = 0xc0a80000, w->nw_src = 0xffff0000u;
	k->nw_dst = 0x0a000002, w->nw_dst = 0xffffffffu;
	k->tp_src = 1234, w->tp_src = 0xffff;
	k->tp_dst = 80, w->tp_dst = 0xffff;
}

static void check_match(const struct of_match *got, const struct of_match *want)
{
	CHECK(memcmp(&got->key, &want->key, sizeof(got->key)) == 0);
	CHECK(memcmp(&got->mask, &want->mask, sizeof(got->mask)) == 0);
}

static struct of_flow_mod flow_mod_of(uint8_t command, const struct of_match *mt)
{
	struct of_flow_mod fm;
	memset(&fm, 0, sizeof(fm));
	fm.cookie = 0x1122334455667788ull, fm.cookie_mask = ~0ull;
	fm.command = command;
	fm.idle_timeout = 10, fm.hard_timeout = 20, fm.priority = 100, fm.flags = OFPFF_SEND_FLOW_REM;
	fm.buffer_id = 9, fm.out_port = OFPP_ANY, fm.out_group = OFPG_ANY;
	fm.match = *mt;
	fm.actions.n = 1;
	fm.actions.a[0] = (struct of_action){.type = OF_ACT_OUTPUT, .port = 2, .max_len = OFPCML_NO_BUFFER};
	return fm;
}

TEST(flow_mod_13_every_command_and_field)
{
	for (int arp = 0; arp < 2; arp++) {
		struct of_match mt;
		rich_match(&mt, arp);
		for (uint8_t cmd = OFPFC_ADD; cmd <= OFPFC_DELETE_STRICT; cmd++) {
			struct of_flow_mod fm = flow_mod_of(cmd, &mt);
			struct of_out o = out_new();
			struct of_msg m;
			CHECK_EQ(of_encode_flow_mod(&o, OF_VERSION_13, 11, &fm), MICA_OK);
			CHECK_EQ(decode(&o, &m), MICA_OK);
			const struct of_flow_mod *g = &m.u.flow_mod;
			CHECK_EQ(m.type, OFPT_FLOW_MOD);
			CHECK_EQ(g->command, cmd);
			CHECK_EQ(g->cookie, fm.cookie);
			CHECK_EQ(g->cookie_mask, fm.cookie_mask);
			CHECK_EQ(g->idle_timeout, 10);
			CHECK_EQ(g->hard_timeout, 20);
			CHECK_EQ(g->priority, 100);
			CHECK_EQ(g->flags, OFPFF_SEND_FLOW_REM);
			CHECK_EQ(g->buffer_id, 9);
			CHECK_EQ(g->out_port, OFPP_ANY);
			check_match(&g->match, &mt);
			check_actions(&g->actions, &fm.actions);
		}
	}
	/* UDP and ICMP pick their own OXM fields for the layer-4 slots */
	for (int proto = 0; proto < 2; proto++) {
		struct of_match mt;
		rich_match(&mt, false);
		mt.key.nw_proto = proto ? 1 : 17;
		mt.key.tp_src = proto ? 8 : 53, mt.key.tp_dst = proto ? 0 : 5353;
		mt.mask.tp_src = mt.mask.tp_dst = proto ? 0xff : 0xffff;
		struct of_flow_mod fm = flow_mod_of(OFPFC_ADD, &mt);
		struct of_out o = out_new();
		struct of_msg m;
		of_encode_flow_mod(&o, OF_VERSION_13, 1, &fm);
		CHECK_EQ(decode(&o, &m), MICA_OK);
		if (proto) /* ICMP type/code are one byte: the decoded mask says so */
			mt.mask.tp_src = mt.mask.tp_dst = 0xff;
		check_match(&m.u.flow_mod.match, &mt);
	}
}

TEST(oxm_canonical_encoding)
{
	/* in_port only: type 1, length 4 + 8, padded to 16 */
	struct of_match mt;
	of_match_all(&mt);
	CHECK_EQ(of_encode_flow_mod(&(struct of_out){obuf, 0, sizeof(obuf)}, OF_VERSION_13, 1,
	                            &(struct of_flow_mod){.match = mt}),
	         MICA_OK);
	CHECK_EQ(obuf[48], 0);
	CHECK_EQ(obuf[49], 1); /* OFPMT_OXM */
	CHECK_EQ(obuf[51], 4); /* an empty match */
	of_match_l2(&mt, 7, mac_a, mac_b);
	struct of_flow_mod fm = flow_mod_of(OFPFC_ADD, &mt);
	struct of_out o = out_new();
	of_encode_flow_mod(&o, OF_VERSION_13, 1, &fm);
	CHECK_EQ(obuf[51], 4 + 8 + 10 + 10);
	CHECK_EQ(obuf[52], 0x80); /* IN_PORT first */
	CHECK_EQ(obuf[54], 0 << 1);
	CHECK_EQ(obuf[55], 4);
	CHECK_EQ(obuf[60 + 2], 3 << 1); /* then ETH_DST */
	CHECK_EQ(obuf[70 + 2], 4 << 1); /* ETH_SRC */
	/* a masked field carries the HM bit and twice the length */
	of_match_all(&mt);
	mt.key.eth_type = 0x0800, mt.mask.eth_type = 0xffff;
	mt.key.nw_src = 0x0a000000, mt.mask.nw_src = 0xff000000u;
	fm = flow_mod_of(OFPFC_ADD, &mt);
	o = out_new();
	of_encode_flow_mod(&o, OF_VERSION_13, 1, &fm);
	CHECK_EQ(obuf[60], 11 << 1 | 1); /* after ETH_TYPE, IPV4_SRC with a mask */
	CHECK_EQ(obuf[61], 8);
	struct of_msg m;
	CHECK_EQ(decode(&o, &m), MICA_OK);
	check_match(&m.u.flow_mod.match, &mt);
	/* key bits outside the mask are dropped when decoding */
	struct raw r;
	uint8_t tlv[64];
	size_t n = 0;
	oxm(tlv, &n, 5, false, (const uint8_t[]){0x08, 0x00}, 2);
	oxm(tlv, &n, 11, true, (const uint8_t[]){10, 1, 2, 3, 255, 0, 0, 0}, 8);
	flow_mod13_head(&r, OFPFC_ADD);
	match13(&r, tlv, n);
	CHECK_EQ(of_decode(raw_end(&r), &m), MICA_OK);
	CHECK_EQ(m.u.flow_mod.match.key.nw_src, 0x0a000000u);
	CHECK_EQ(m.u.flow_mod.match.mask.nw_src, 0xff000000u);
}

TEST(flow_mod_10_wildcards)
{
	struct of_match mt;
	rich_match(&mt, false);
	/* 1.0 matches whole MACs and no PCP-less VLAN masks: use what it can say */
	memset(mt.mask.eth_dst, 0xff, 6);
	memcpy(mt.key.eth_dst, mac_b, 6);
	for (uint8_t cmd = OFPFC_ADD; cmd <= OFPFC_DELETE_STRICT; cmd++) {
		struct of_flow_mod fm = flow_mod_of(cmd, &mt);
		fm.cookie_mask = 0;
		struct of_out o = out_new();
		struct of_msg m;
		CHECK_EQ(of_encode_flow_mod(&o, OF_VERSION_10, 2, &fm), MICA_OK);
		CHECK_EQ(obuf[1], OFPT_FLOW_MOD);
		CHECK_EQ(decode(&o, &m), MICA_OK);
		const struct of_flow_mod *g = &m.u.flow_mod;
		CHECK_EQ(g->command, cmd);
		CHECK_EQ(g->table_id, cmd >= OFPFC_DELETE ? 0xff : 0);
		CHECK_EQ(g->priority, 100);
		CHECK_EQ(g->buffer_id, 9);
		CHECK_EQ(g->out_port, OFPP_ANY);
		check_match(&g->match, &mt);
		check_actions(&g->actions, &fm.actions);
	}
	/* all wildcards, and an untagged-only VLAN match */
	of_match_all(&mt);
	mt.mask.vlan = 0x1fff; /* vlan 0: no tag */
	struct of_flow_mod fm = flow_mod_of(OFPFC_ADD, &mt);
	struct of_out o = out_new();
	struct of_msg m;
	of_encode_flow_mod(&o, OF_VERSION_10, 2, &fm);
	CHECK_EQ(obuf[8 + 18], 0xff); /* OFP_VLAN_NONE */
	CHECK_EQ(obuf[8 + 19], 0xff);
	CHECK_EQ(decode(&o, &m), MICA_OK);
	check_match(&m.u.flow_mod.match, &mt);
	/* a /0 prefix (wildcard count 32 and above) matches nothing */
	struct raw r;
	raw_begin(&r, OF_VERSION_10, OFPT_FLOW_MOD);
	put32(&r, (0x3fffffu & ~(63u << 8)) | (40u << 8));
	putz(&r, 36 + 16);
	put32(&r, OF_NO_BUFFER), put16(&r, 0xffff), put16(&r, 0);
	CHECK_EQ(of_decode(raw_end(&r), &m), MICA_OK);
	CHECK_EQ(m.u.flow_mod.match.mask.nw_src, 0);
}

TEST(flow_removed)
{
	struct of_match mt;
	rich_match(&mt, false);
	struct of_actions acts = {0};
	struct of_flow_stats fs = {.table_id = 0,
	                           .duration_sec = 5,
	                           .duration_nsec = 500,
	                           .priority = 100,
	                           .idle_timeout = 10,
	                           .hard_timeout = 30,
	                           .cookie = 0xabc,
	                           .packet_count = 1000,
	                           .byte_count = 64000,
	                           .match = &mt,
	                           .actions = &acts};
	for (int vi = 0; vi < 2; vi++) {
		uint8_t v = versions[vi];
		struct of_out o = out_new();
		struct of_msg m;
		CHECK_EQ(of_encode_flow_removed(&o, v, 0, &fs, OFPRR_IDLE_TIMEOUT), MICA_OK);
		CHECK_EQ(decode(&o, &m), MICA_OK);
		CHECK_EQ(m.type, OFPT_FLOW_REMOVED);
		CHECK_EQ(m.u.flow_removed.reason, OFPRR_IDLE_TIMEOUT);
		CHECK_EQ(m.u.flow_removed.cookie, 0xabc);
		CHECK_EQ(m.u.flow_removed.priority, 100);
		CHECK_EQ(m.u.flow_removed.duration_sec, 5);
		CHECK_EQ(m.u.flow_removed.duration_nsec, 500);
		CHECK_EQ(m.u.flow_removed.idle_timeout, 10);
		CHECK_EQ(m.u.flow_removed.hard_timeout, v == OF_VERSION_13 ? 30 : 0);
		CHECK_EQ(m.u.flow_removed.packet_count, 1000);
		CHECK_EQ(m.u.flow_removed.byte_count, 64000);
		if (v == OF_VERSION_13)
			check_match(&m.u.flow_removed.match, &mt);
		else
			CHECK_EQ(m.u.flow_removed.match.key.tp_dst, 80);
	}
}

TEST(port_status)
{
	for (int vi = 0; vi < 2; vi++) {
		uint8_t v = versions[vi];
		for (uint8_t reason = OFPPR_ADD; reason <= OFPPR_MODIFY; reason++) {
			struct of_port p;
			port_fill(&p, 2);
			struct of_out o = out_new();
			struct of_msg m;
			CHECK_EQ(of_encode_port_status(&o, v, 0, reason, &p), MICA_OK);
			CHECK_EQ(o.len, v == OF_VERSION_13 ? 80u : 64u);
			CHECK_EQ(decode(&o, &m), MICA_OK);
			CHECK_EQ(m.type, OFPT_PORT_STATUS);
			CHECK_EQ(m.u.port_status.reason, reason);
			check_port(&m.u.port_status.port, &p, v);
			CHECK_EQ(m.u.port_status.port.state, OFPPS_LINK_DOWN);
		}
	}
}

TEST(multipart_requests)
{
	static const uint16_t simple[] = {OFPMP_DESC, OFPMP_TABLE, OFPMP_PORT_STATS, OFPMP_PORT_DESC};
	for (int vi = 0; vi < 2; vi++) {
		uint8_t v = versions[vi];
		for (unsigned i = 0; i < 4; i++) {
			struct of_out o = out_new();
			struct of_msg m;
			CHECK_EQ(of_encode_mp_request(&o, v, 6, simple[i], 3), MICA_OK);
			int rc = decode(&o, &m);
			if (simple[i] == OFPMP_PORT_DESC && v == OF_VERSION_10) {
				CHECK_EQ(rc, MICA_EBADMSG); /* 1.0 has no PORT_DESC: ports come in FEATURES */
				CHECK_EQ(m.err_code, OFPBRC_BAD_MULTIPART);
				continue;
			}
			CHECK_EQ(rc, MICA_OK);
			CHECK_EQ(m.type, OFPT_MULTIPART_REQUEST);
			CHECK_EQ(m.u.multipart.mp_type, simple[i]);
			if (simple[i] == OFPMP_PORT_STATS)
				CHECK_EQ(m.u.multipart.port_no, 3);
		}
		struct of_match mt;
		rich_match(&mt, false);
		if (v == OF_VERSION_10)
			memset(mt.mask.eth_dst, 0xff, 6), memcpy(mt.key.eth_dst, mac_b, 6);
		for (uint16_t t = OFPMP_FLOW; t <= OFPMP_AGGREGATE; t++) {
			struct of_out o = out_new();
			struct of_msg m;
			CHECK_EQ(of_encode_mp_flow_request(&o, v, 6, t, 0xff, 2, &mt), MICA_OK);
			CHECK_EQ(decode(&o, &m), MICA_OK);
			CHECK_EQ(m.u.multipart.mp_type, t);
			CHECK_EQ(m.u.multipart.table_id, 0xff);
			CHECK_EQ(m.u.multipart.out_port, 2);
			check_match(&m.u.multipart.match, &mt);
		}
	}
}

TEST(multipart_replies_split_with_more)
{
	struct of_match mt;
	rich_match(&mt, false);
	struct of_actions acts;
	all_actions(&acts);
	struct of_flow_stats fs = {
	    .priority = 7, .cookie = 1, .packet_count = 2, .match = &mt, .actions = &acts};
	struct of_port p;
	port_fill(&p, 1);
	struct of_port_stats ps = {.port_no = 1, .rx_packets = 10, .tx_bytes = 20, .duration_sec = 3};
	for (int vi = 0; vi < 2; vi++) {
		uint8_t v = versions[vi];
		struct of_out o = out_new();
		size_t start;
		struct of_msg m;
		CHECK_EQ(of_mp_reply_begin(&o, v, 1, OFPMP_DESC, &start), MICA_OK);
		CHECK_EQ(of_mp_add_desc(&o, start, "Mica", "hw", "sw", "serial", "dp"), MICA_OK);
		of_mp_reply_end(&o, start, 0);
		CHECK_EQ(decode(&o, &m), MICA_OK);
		CHECK_EQ(m.type, OFPT_MULTIPART_REPLY);
		CHECK_EQ(m.u.multipart.body.len, 1056);
		CHECK_STR((const char *)m.u.multipart.body.data, "Mica");
		static const struct {
			uint16_t type;
			size_t entry10, entry13;
		} kinds[] = {{OFPMP_TABLE, 64, 24}, {OFPMP_PORT_STATS, 104, 112}, {OFPMP_AGGREGATE, 24, 24}};
		for (unsigned k = 0; k < 3; k++) {
			o = out_new();
			of_mp_reply_begin(&o, v, 1, kinds[k].type, &start);
			if (kinds[k].type == OFPMP_TABLE)
				of_mp_add_table(&o, start, 0, 5, 100, 90, 8192);
			else if (kinds[k].type == OFPMP_PORT_STATS)
				of_mp_add_port_stats(&o, start, &ps);
			else
				of_mp_add_aggregate(&o, start, 1, 2, 3);
			of_mp_reply_end(&o, start, 0);
			CHECK_EQ(decode(&o, &m), MICA_OK);
			CHECK_EQ(m.u.multipart.mp_type, kinds[k].type);
			CHECK_EQ(m.u.multipart.body.len,
			         v == OF_VERSION_10 ? kinds[k].entry10 : kinds[k].entry13);
		}
		/* flows until the 64 KiB message is full, then MORE and a new one */
		o = out_new();
		of_mp_reply_begin(&o, v, 1, OFPMP_FLOW, &start);
		unsigned n = 0;
		while (of_mp_add_flow(&o, start, &fs) == MICA_OK)
			n++;
		CHECK(n > 100);
		of_mp_reply_end(&o, start, OFPMPF_MORE);
		CHECK(o.len <= OF_MAX_LEN);
		CHECK_EQ(decode(&o, &m), MICA_OK);
		CHECK_EQ(m.u.multipart.flags, OFPMPF_MORE);
		size_t first = o.len;
		CHECK_EQ(of_mp_reply_begin(&o, v, 1, OFPMP_FLOW, &start), MICA_OK);
		CHECK_EQ(of_mp_add_flow(&o, start, &fs), MICA_OK);
		of_mp_reply_end(&o, start, 0);
		CHECK_EQ(of_decode(mica_view_make(obuf + first, o.len - first), &m), MICA_OK);
		CHECK_EQ(m.u.multipart.flags, 0);
	}
	struct of_out o = out_new();
	size_t start;
	struct of_msg m;
	of_mp_reply_begin(&o, OF_VERSION_13, 1, OFPMP_PORT_DESC, &start);
	of_mp_add_port_desc(&o, start, &p);
	of_mp_reply_end(&o, start, 0);
	CHECK_EQ(decode(&o, &m), MICA_OK);
	CHECK_EQ(m.u.multipart.body.len, 64);
}

TEST(encoders_refuse_what_does_not_fit)
{
	uint8_t small[20];
	struct of_out o = {small, 0, sizeof(small)};
	struct of_actions acts;
	all_actions(&acts);
	CHECK_EQ(of_encode_packet_out(&o, OF_VERSION_13, 1, OF_NO_BUFFER, 1, &acts, mica_view_make(small, 0)),
	         MICA_ENOSPC);
	CHECK_EQ(o.len, 0);
	CHECK_EQ(of_encode_empty(&o, OF_VERSION_13, OFPT_BARRIER_REQUEST, 1), MICA_OK);
	CHECK_EQ(of_encode_empty(&o, OF_VERSION_13, OFPT_BARRIER_REQUEST, 1), MICA_OK);
	CHECK_EQ(of_encode_empty(&o, OF_VERSION_13, OFPT_BARRIER_REQUEST, 1), MICA_ENOSPC);
	CHECK_EQ(o.len, 16);
}

TEST(framing)
{
	uint8_t b[8] = {4, 0, 0, 16, 0, 0, 0, 1};
	size_t len = 0;
	CHECK_EQ(of_frame_len(mica_view_make(b, 7), &len), MICA_EAGAIN);
	CHECK_EQ(of_frame_len(mica_view_make(b, 8), &len), MICA_OK);
	CHECK_EQ(len, 16);
	b[3] = 7;
	CHECK_EQ(of_frame_len(mica_view_make(b, 8), &len), MICA_EBADMSG);
	CHECK_STR(of_type_name(OFPT_PORT_STATUS), "PORT_STATUS");
	CHECK_STR(of_type_name(200), "UNKNOWN");
}

/* ---- malformed messages: every error of_decode can answer with ---- */

TEST(malformed_headers_and_lengths)
{
	struct raw r;
	struct of_msg m;
	/* the header's length differs from the bytes */
	raw_begin(&r, OF_VERSION_13, OFPT_BARRIER_REQUEST);
	struct mica_view v = raw_end(&r);
	v.len = 7;
	EXPECT_ERR(v, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	r.b[3] = 12;
	EXPECT_ERR(mica_view_make(r.b, 8), OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	/* unknown types, per version */
	raw_begin(&r, OF_VERSION_13, 30);
	EXPECT_ERR(raw_end(&r), OFPET_BAD_REQUEST, OFPBRC_BAD_TYPE);
	raw_begin(&r, OF_VERSION_10, 22);
	EXPECT_ERR(raw_end(&r), OFPET_BAD_REQUEST, OFPBRC_BAD_TYPE);
	raw_begin(&r, OF_VERSION_13, OFPT_GROUP_MOD); /* known, not served */
	putz(&r, 8);
	EXPECT_ERR(raw_end(&r), OFPET_BAD_REQUEST, OFPBRC_BAD_TYPE);
	/* a version we do not speak */
	raw_begin(&r, 3, OFPT_ECHO_REQUEST);
	EXPECT_ERR(raw_end(&r), OFPET_BAD_REQUEST, OFPBRC_BAD_VERSION);
	/* bodies where none belongs, and short fixed parts, of each type */
	static const uint8_t empty_only[] = {OFPT_FEATURES_REQUEST, OFPT_GET_CONFIG_REQUEST,
	                                     OFPT_BARRIER_REQUEST, OFPT_BARRIER_REPLY};
	for (unsigned i = 0; i < sizeof(empty_only); i++) {
		raw_begin(&r, OF_VERSION_13, empty_only[i]);
		putz(&r, 4);
		EXPECT_ERR(raw_end(&r), OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	}
	static const uint8_t fixed[] = {
	    OFPT_ERROR,     OFPT_FEATURES_REPLY,    OFPT_GET_CONFIG_REPLY, OFPT_SET_CONFIG,
	    OFPT_PACKET_IN, OFPT_FLOW_REMOVED,      OFPT_PORT_STATUS,      OFPT_PACKET_OUT,
	    OFPT_FLOW_MOD,  OFPT_MULTIPART_REQUEST, OFPT_MULTIPART_REPLY};
	for (int vi = 0; vi < 2; vi++) {
		for (unsigned i = 0; i < sizeof(fixed); i++) {
			uint8_t wire = fixed[i];
			if (versions[vi] == OF_VERSION_10 && wire >= OFPT_MULTIPART_REQUEST)
				wire = (uint8_t)(wire - 2);
			raw_begin(&r, versions[vi], wire);
			putz(&r, 3);
			EXPECT_ERR(raw_end(&r), OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
		}
	}
	raw_begin(&r, OF_VERSION_13, OFPT_SET_CONFIG); /* exactly 4 */
	putz(&r, 8);
	EXPECT_ERR(raw_end(&r), OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	raw_begin(&r, OF_VERSION_13, OFPT_PORT_STATUS); /* exactly 72 */
	putz(&r, 80);
	EXPECT_ERR(raw_end(&r), OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	raw_begin(&r, OF_VERSION_10, OFPT_FEATURES_REPLY); /* ports of 48 bytes */
	putz(&r, 24 + 47);
	EXPECT_ERR(raw_end(&r), OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	/* a PACKET_IN whose match leaves no room for its pad */
	raw_begin(&r, OF_VERSION_13, OFPT_PACKET_IN);
	put32(&r, OF_NO_BUFFER), put16(&r, 0), put8(&r, 0), put8(&r, 0), putz(&r, 8);
	match13(&r, NULL, 0);
	EXPECT_ERR(raw_end(&r), OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	(void)m;
}

TEST(malformed_packet_out_and_multipart)
{
	struct raw r;
	/* actions longer than the message, both versions */
	raw_begin(&r, OF_VERSION_13, OFPT_PACKET_OUT);
	put32(&r, OF_NO_BUFFER), put32(&r, 1), put16(&r, 0xfff0), putz(&r, 6);
	EXPECT_ERR(raw_end(&r), OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	raw_begin(&r, OF_VERSION_10, OFPT_PACKET_OUT);
	put32(&r, OF_NO_BUFFER), put16(&r, 1), put16(&r, 16);
	EXPECT_ERR(raw_end(&r), OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	/* unknown multipart type; bodies of the wrong size */
	raw_begin(&r, OF_VERSION_13, OFPT_MULTIPART_REQUEST);
	put16(&r, 0x77), putz(&r, 6);
	EXPECT_ERR(raw_end(&r), OFPET_BAD_REQUEST, OFPBRC_BAD_MULTIPART);
	raw_begin(&r, OF_VERSION_13, OFPT_MULTIPART_REQUEST);
	put16(&r, OFPMP_DESC), putz(&r, 6 + 8);
	EXPECT_ERR(raw_end(&r), OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	raw_begin(&r, OF_VERSION_13, OFPT_MULTIPART_REQUEST);
	put16(&r, OFPMP_PORT_STATS), putz(&r, 6 + 4);
	EXPECT_ERR(raw_end(&r), OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	raw_begin(&r, OF_VERSION_13, OFPT_MULTIPART_REQUEST);
	put16(&r, OFPMP_FLOW), putz(&r, 6 + 16);
	EXPECT_ERR(raw_end(&r), OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	raw_begin(&r, OF_VERSION_13, OFPT_MULTIPART_REQUEST); /* bytes after the match */
	put16(&r, OFPMP_FLOW), putz(&r, 6 + 32);
	match13(&r, NULL, 0);
	putz(&r, 8);
	EXPECT_ERR(raw_end(&r), OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	raw_begin(&r, OF_VERSION_10, 16); /* STATS_REQUEST FLOW: exactly 44 */
	put16(&r, OFPMP_FLOW), putz(&r, 2 + 40);
	EXPECT_ERR(raw_end(&r), OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
}

/* A 1.3 FLOW_MOD with match TLVs tlv[0..tn) and instruction bytes ins[0..in). */
static struct mica_view fm13(struct raw *r, const uint8_t *tlv, size_t tn, const uint8_t *ins, size_t in)
{
	flow_mod13_head(r, OFPFC_ADD);
	match13(r, tlv, tn);
	if (in)
		memcpy(r->b + r->n, ins, in);
	r->n += in;
	return raw_end(r);
}

TEST(malformed_matches)
{
	struct raw r;
	uint8_t t[64];
	size_t n;
	static const uint8_t ip[] = {0x08, 0x00}, arp[] = {0x08, 0x06}, six[] = {6}, one[] = {1};
	/* not an OXM match */
	flow_mod13_head(&r, OFPFC_ADD);
	put16(&r, 0), put16(&r, 4), putz(&r, 4);
	EXPECT_ERR(raw_end(&r), OFPET_BAD_MATCH, OFPBMC_BAD_TYPE);
	/* match length below its header, and past the message */
	flow_mod13_head(&r, OFPFC_ADD);
	put16(&r, 1), put16(&r, 2), putz(&r, 4);
	EXPECT_ERR(raw_end(&r), OFPET_BAD_MATCH, OFPBMC_BAD_LEN);
	flow_mod13_head(&r, OFPFC_ADD);
	put16(&r, 1), put16(&r, 40), putz(&r, 4);
	EXPECT_ERR(raw_end(&r), OFPET_BAD_MATCH, OFPBMC_BAD_LEN);
	/* a TLV running past the match; a TLV header cut short */
	n = 0;
	oxm(t, &n, 0, false, (const uint8_t[]){0, 0, 0, 1}, 4);
	t[3] = 200;
	EXPECT_ERR(fm13(&r, t, n, NULL, 0), OFPET_BAD_MATCH, OFPBMC_BAD_LEN);
	n = 0;
	oxm(t, &n, 0, false, (const uint8_t[]){0, 0, 0, 1}, 4);
	t[n++] = 0x80, t[n++] = 0;
	EXPECT_ERR(fm13(&r, t, n, NULL, 0), OFPET_BAD_MATCH, OFPBMC_BAD_LEN);
	/* a known field with the wrong length */
	n = 0;
	oxm(t, &n, 0, false, (const uint8_t[]){0, 1}, 2);
	EXPECT_ERR(fm13(&r, t, n, NULL, 0), OFPET_BAD_MATCH, OFPBMC_BAD_LEN);
	/* unknown field, other class, mask on a field that takes none */
	n = 0;
	oxm(t, &n, 99, false, (const uint8_t[]){0, 0, 0, 0}, 4);
	EXPECT_ERR(fm13(&r, t, n, NULL, 0), OFPET_BAD_MATCH, OFPBMC_BAD_FIELD);
	n = 0;
	oxm(t, &n, 0, false, (const uint8_t[]){0, 0, 0, 1}, 4);
	t[0] = 0xff, t[1] = 0xff;
	EXPECT_ERR(fm13(&r, t, n, NULL, 0), OFPET_BAD_MATCH, OFPBMC_BAD_FIELD);
	n = 0;
	oxm(t, &n, 0, true, (const uint8_t[]){0, 0, 0, 1, 0, 0, 0, 1}, 8);
	EXPECT_ERR(fm13(&r, t, n, NULL, 0), OFPET_BAD_MATCH, OFPBMC_BAD_FIELD);
	/* the same field twice */
	n = 0;
	oxm(t, &n, 5, false, ip, 2);
	oxm(t, &n, 5, false, arp, 2);
	EXPECT_ERR(fm13(&r, t, n, NULL, 0), OFPET_BAD_MATCH, OFPBMC_DUP_FIELD);
	/* prerequisites: IP fields without eth_type IP, ARP fields without
	 * ARP, TCP ports without ip_proto 6, PCP without a VLAN */
	n = 0;
	oxm(t, &n, 10, false, six, 1);
	EXPECT_ERR(fm13(&r, t, n, NULL, 0), OFPET_BAD_MATCH, OFPBMC_BAD_PREREQ);
	n = 0;
	oxm(t, &n, 5, false, ip, 2);
	oxm(t, &n, 21, false, (const uint8_t[]){0, 1}, 2);
	EXPECT_ERR(fm13(&r, t, n, NULL, 0), OFPET_BAD_MATCH, OFPBMC_BAD_PREREQ);
	n = 0;
	oxm(t, &n, 5, false, ip, 2);
	oxm(t, &n, 10, false, one, 1);
	oxm(t, &n, 14, false, (const uint8_t[]){0, 80}, 2);
	EXPECT_ERR(fm13(&r, t, n, NULL, 0), OFPET_BAD_MATCH, OFPBMC_BAD_PREREQ);
	n = 0;
	oxm(t, &n, 5, false, ip, 2);
	oxm(t, &n, 10, false, six, 1);
	oxm(t, &n, 16, false, (const uint8_t[]){0, 53}, 2);
	EXPECT_ERR(fm13(&r, t, n, NULL, 0), OFPET_BAD_MATCH, OFPBMC_BAD_PREREQ);
	n = 0;
	oxm(t, &n, 5, false, ip, 2);
	oxm(t, &n, 10, false, six, 1);
	oxm(t, &n, 19, false, (const uint8_t[]){8}, 1);
	EXPECT_ERR(fm13(&r, t, n, NULL, 0), OFPET_BAD_MATCH, OFPBMC_BAD_PREREQ);
	n = 0;
	oxm(t, &n, 7, false, (const uint8_t[]){3}, 1);
	EXPECT_ERR(fm13(&r, t, n, NULL, 0), OFPET_BAD_MATCH, OFPBMC_BAD_PREREQ);
	/* ... and with them in place, it decodes */
	n = 0;
	oxm(t, &n, 5, false, ip, 2);
	oxm(t, &n, 10, false, six, 1);
	oxm(t, &n, 14, false, (const uint8_t[]){0, 80}, 2);
	struct of_msg m;
	CHECK_EQ(of_decode(fm13(&r, t, n, NULL, 0), &m), MICA_OK);
	CHECK_EQ(m.u.flow_mod.match.key.tp_dst, 80);
}

TEST(malformed_instructions_and_actions)
{
	struct raw r, ins;
	struct of_msg m;
#define INS(type, len) (ins.n = 0, put16(&ins, (type)), put16(&ins, (len)), putz(&ins, 4))
#define RUN() fm13(&r, NULL, 0, ins.b, ins.n)
	INS(4, 4);
	EXPECT_ERR(RUN(), OFPET_BAD_INSTRUCTION, OFPBIC_BAD_LEN);
	INS(4, 12);
	EXPECT_ERR(RUN(), OFPET_BAD_INSTRUCTION, OFPBIC_BAD_LEN);
	INS(4, 16); /* past the message */
	EXPECT_ERR(RUN(), OFPET_BAD_INSTRUCTION, OFPBIC_BAD_LEN);
	INS(5, 16), putz(&ins, 8); /* clear-actions is 8 bytes */
	EXPECT_ERR(RUN(), OFPET_BAD_INSTRUCTION, OFPBIC_BAD_LEN);
	INS(1, 8);
	EXPECT_ERR(RUN(), OFPET_BAD_INSTRUCTION, OFPBIC_UNSUP_INST);
	INS(99, 8);
	EXPECT_ERR(RUN(), OFPET_BAD_INSTRUCTION, OFPBIC_UNKNOWN_INST);
	ins.n = 0;
	put16(&ins, 4), put16(&ins, 8), putz(&ins, 4), putz(&ins, 4); /* 4 stray bytes */
	EXPECT_ERR(RUN(), OFPET_BAD_INSTRUCTION, OFPBIC_BAD_LEN);
	INS(5, 8);
	CHECK_EQ(of_decode(RUN(), &m), MICA_OK);
	/* actions inside apply-actions */
#define ACT(...)                                                             \
	do {                                                                 \
		INS(4, 0);                                                   \
		__VA_ARGS__;                                                 \
		ins.b[2] = (uint8_t)(ins.n >> 8), ins.b[3] = (uint8_t)ins.n; \
	} while (0)
	ACT(put16(&ins, 0), put16(&ins, 8), putz(&ins, 4)); /* output of 8 bytes */
	EXPECT_ERR(RUN(), OFPET_BAD_ACTION, OFPBAC_BAD_LEN);
	ACT(put16(&ins, 0), put16(&ins, 12), putz(&ins, 12)); /* not a multiple of 8 */
	EXPECT_ERR(RUN(), OFPET_BAD_ACTION, OFPBAC_BAD_LEN);
	ACT(put16(&ins, 0), put16(&ins, 16), putz(&ins, 4)); /* past the instruction */
	EXPECT_ERR(RUN(), OFPET_BAD_ACTION, OFPBAC_BAD_LEN);
	ACT(put16(&ins, 0), put16(&ins, 16), put32(&ins, 0), putz(&ins, 8)); /* port 0 */
	EXPECT_ERR(RUN(), OFPET_BAD_ACTION, OFPBAC_BAD_OUT_PORT);
	ACT(put16(&ins, 0), put16(&ins, 16), put32(&ins, OFPP_ANY), putz(&ins, 8));
	EXPECT_ERR(RUN(), OFPET_BAD_ACTION, OFPBAC_BAD_OUT_PORT);
	ACT(put16(&ins, 0), put16(&ins, 16), put32(&ins, OFPP_MAX + 1), putz(&ins, 8));
	EXPECT_ERR(RUN(), OFPET_BAD_ACTION, OFPBAC_BAD_OUT_PORT);
	ACT(put16(&ins, 11), put16(&ins, 8), putz(&ins, 4)); /* copy TTL out: unknown here */
	EXPECT_ERR(RUN(), OFPET_BAD_ACTION, OFPBAC_BAD_TYPE);
	ACT(put16(&ins, 17), put16(&ins, 8), put16(&ins, 0x0800), putz(&ins, 2));
	EXPECT_ERR(RUN(), OFPET_BAD_ACTION, OFPBAC_BAD_ARGUMENT);
	ACT(put16(&ins, 17), put16(&ins, 16), putz(&ins, 12));
	EXPECT_ERR(RUN(), OFPET_BAD_ACTION, OFPBAC_BAD_LEN);
	ACT(put16(&ins, 18), put16(&ins, 16), putz(&ins, 12));
	EXPECT_ERR(RUN(), OFPET_BAD_ACTION, OFPBAC_BAD_LEN);
	ACT(for (int i = 0; i < OF_MAX_ACTIONS + 1; i++) put16(&ins, 18), put16(&ins, 8), putz(&ins, 4));
	EXPECT_ERR(RUN(), OFPET_BAD_ACTION, OFPBAC_TOO_MANY);
	/* set-field: masked, another class, a field it cannot set, bad length */
	ACT(put16(&ins, 25), put16(&ins, 16), put16(&ins, 0x8000), put8(&ins, 3 << 1 | 1), put8(&ins, 6),
	    putz(&ins, 8));
	EXPECT_ERR(RUN(), OFPET_BAD_ACTION, OFPBAC_BAD_SET_TYPE);
	ACT(put16(&ins, 25), put16(&ins, 16), put16(&ins, 0xffff), put8(&ins, 3 << 1), put8(&ins, 6),
	    putz(&ins, 8));
	EXPECT_ERR(RUN(), OFPET_BAD_ACTION, OFPBAC_BAD_SET_TYPE);
	ACT(put16(&ins, 25), put16(&ins, 16), put16(&ins, 0x8000), put8(&ins, 11 << 1), put8(&ins, 4),
	    putz(&ins, 8));
	EXPECT_ERR(RUN(), OFPET_BAD_ACTION, OFPBAC_BAD_SET_TYPE);
	ACT(put16(&ins, 25), put16(&ins, 16), put16(&ins, 0x8000), put8(&ins, 3 << 1), put8(&ins, 4),
	    putz(&ins, 8));
	EXPECT_ERR(RUN(), OFPET_BAD_ACTION, OFPBAC_BAD_SET_LEN);
	ACT(put16(&ins, 25), put16(&ins, 8), put16(&ins, 0x8000), put8(&ins, 3 << 1), put8(&ins, 6));
	EXPECT_ERR(RUN(), OFPET_BAD_ACTION, OFPBAC_BAD_SET_LEN);
#undef ACT
#undef INS
#undef RUN
	/* 1.0 actions: lengths and arguments */
	static const struct {
		uint16_t type, len;
		uint16_t arg;
		uint16_t code;
	} a10[] = {
	    {0, 16, 1, OFPBAC_BAD_LEN},          /* output is 8 bytes */
	    {4, 8, 0, OFPBAC_BAD_LEN},           /* set dl_src is 16 */
	    {1, 8, 0x1000, OFPBAC_BAD_ARGUMENT}, /* VID of 13 bits */
	    {2, 8, 0x0800, OFPBAC_BAD_ARGUMENT}, /* PCP 8 (first byte of arg) */
	    {0, 8, 0, OFPBAC_BAD_OUT_PORT},      /* port 0 */
	    {9, 8, 0, OFPBAC_BAD_TYPE},          /* set nw_tos: not served */
	};
	for (unsigned i = 0; i < sizeof(a10) / sizeof(a10[0]); i++) {
		raw_begin(&r, OF_VERSION_10, OFPT_PACKET_OUT);
		put32(&r, OF_NO_BUFFER), put16(&r, 1), put16(&r, a10[i].len);
		put16(&r, a10[i].type), put16(&r, a10[i].len), put16(&r, a10[i].arg),
		    putz(&r, a10[i].len - 6u);
		EXPECT_ERR(raw_end(&r), OFPET_BAD_ACTION, a10[i].code);
	}
}

TEST(malformed_flow_mod_commands)
{
	struct raw r;
	raw_begin(&r, OF_VERSION_10, OFPT_FLOW_MOD);
	put32(&r, 0x3fffff), putz(&r, 36), putz(&r, 8), put16(&r, 5), putz(&r, 6), put32(&r, OF_NO_BUFFER),
	    put16(&r, 0xffff), put16(&r, 0);
	EXPECT_ERR(raw_end(&r), OFPET_FLOW_MOD_FAILED, OFPFMFC_BAD_COMMAND);
	flow_mod13_head(&r, 9);
	match13(&r, NULL, 0);
	EXPECT_ERR(raw_end(&r), OFPET_FLOW_MOD_FAILED, OFPFMFC_BAD_COMMAND);
}

TEST(keys_from_frames)
{
	/* TCP in a VLAN tag, an ICMP echo, an ARP reply, a runt */
	uint8_t f[80] = {0};
	memcpy(f, mac_b, 6), memcpy(f + 6, mac_a, 6);
	f[12] = 0x81, f[13] = 0x00, f[14] = 0xa0 | 0x0, f[15] = 10; /* PCP 5, VID 10 */
	f[16] = 0x08, f[17] = 0x00;
	uint8_t *ip = f + 18;
	ip[0] = 0x45, ip[1] = 46 << 2, ip[9] = 6;
	ip[12] = 10, ip[15] = 1, ip[16] = 10, ip[19] = 2;
	ip[20] = 0x04, ip[21] = 0xd2, ip[22] = 0, ip[23] = 80;
	struct of_key k;
	of_key_from_frame(&k, f, sizeof(f), 4);
	CHECK_EQ(k.in_port, 4);
	CHECK_EQ(k.vlan, OFPVID_PRESENT | 10);
	CHECK_EQ(k.vlan_pcp, 5);
	CHECK_EQ(k.eth_type, 0x0800);
	CHECK_EQ(k.ip_dscp, 46);
	CHECK_EQ(k.nw_proto, 6);
	CHECK_EQ(k.nw_src, 0x0a000001);
	CHECK_EQ(k.tp_src, 1234);
	CHECK_EQ(k.tp_dst, 80);
	struct of_match mt;
	rich_match(&mt, false);
	mt.key.ip_dscp = 46;
	mt.key.nw_src = 0x0a000000, mt.mask.nw_src = 0xff000000u;
	mt.key.in_port = 4, mt.key.vlan_pcp = 5;
	memcpy(mt.key.eth_dst, mac_b, 5);
	CHECK(of_key_matches(&k, &mt));
	k.tp_dst = 81;
	CHECK(!of_key_matches(&k, &mt));
	/* a later fragment: no ports */
	ip[6] = 0x00, ip[7] = 0x10;
	of_key_from_frame(&k, f, sizeof(f), 4);
	CHECK_EQ(k.tp_dst, 0);
	/* ARP */
	memset(f + 12, 0, 60);
	f[12] = 0x08, f[13] = 0x06;
	uint8_t *a = f + 14;
	a[1] = 1, a[2] = 0x08, a[4] = 6, a[5] = 4, a[7] = 2;
	memcpy(a + 8, mac_a, 6), a[14] = 10, a[17] = 1, memcpy(a + 18, mac_b, 6), a[24] = 10, a[27] = 2;
	of_key_from_frame(&k, f, 42, 1);
	CHECK_EQ(k.eth_type, 0x0806);
	CHECK_EQ(k.nw_proto, 2);
	CHECK_EQ(k.nw_src, 0x0a000001);
	CHECK_EQ(k.nw_dst, 0x0a000002);
	CHECK(memcmp(k.arp_sha, mac_a, 6) == 0);
	CHECK(memcmp(k.arp_tha, mac_b, 6) == 0);
	/* too short for Ethernet: only the port */
	of_key_from_frame(&k, f, 13, 9);
	CHECK_EQ(k.in_port, 9);
	CHECK_EQ(k.eth_type, 0);
}

int main(void)
{
	return RUN_TESTS();
}
