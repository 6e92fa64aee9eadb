/* openflow.h - the OpenFlow wire codec (lib/openflow): version 1.3, and 1.0
 * for what a learning switch and its controller use.
 *
 * Messages are decoded into one version-independent form (struct of_msg)
 * and encoded from it, so the switch and the controller contain no
 * per-version code beyond picking the version a connection negotiated.
 * Numbers in that form are OpenFlow 1.3's: message types, 32-bit ports,
 * error types and codes; the 1.0 codec translates.
 *
 * Decoding is strict: every length is checked against the message and the
 * message against the view; anything malformed makes of_decode return
 * MICA_EBADMSG with the OpenFlow error to send back in msg->err_type /
 * err_code (of_encode_error builds that reply). Decoded views point into the
 * input (no copies); they are valid as long as the input is. */
#ifndef MICA_OPENFLOW_H
#define MICA_OPENFLOW_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "view.h"

#define OF_VERSION_10 0x01
#define OF_VERSION_13 0x04
#define OF_HEADER_LEN 8
#define OF_MAX_LEN 65535
#define OF_NO_BUFFER 0xffffffffu
#define OF_MAX_ACTIONS 16
#define OF_MAX_PORTS 64 /* ports in a 1.0 FEATURES_REPLY we keep */

/* Message types (OpenFlow 1.3 numbers). */
enum of_type {
	OFPT_HELLO = 0,
	OFPT_ERROR = 1,
	OFPT_ECHO_REQUEST = 2,
	OFPT_ECHO_REPLY = 3,
	OFPT_EXPERIMENTER = 4,
	OFPT_FEATURES_REQUEST = 5,
	OFPT_FEATURES_REPLY = 6,
	OFPT_GET_CONFIG_REQUEST = 7,
	OFPT_GET_CONFIG_REPLY = 8,
	OFPT_SET_CONFIG = 9,
	OFPT_PACKET_IN = 10,
	OFPT_FLOW_REMOVED = 11,
	OFPT_PORT_STATUS = 12,
	OFPT_PACKET_OUT = 13,
	OFPT_FLOW_MOD = 14,
	OFPT_GROUP_MOD = 15,
	OFPT_PORT_MOD = 16,
	OFPT_TABLE_MOD = 17,
	OFPT_MULTIPART_REQUEST = 18,
	OFPT_MULTIPART_REPLY = 19,
	OFPT_BARRIER_REQUEST = 20,
	OFPT_BARRIER_REPLY = 21,
	OFPT_ROLE_REQUEST = 24,
	OFPT_MAX = 30,
};

/* Reserved ports (1.3 numbering; 1.0's 16-bit ones are mapped to these). */
#define OFPP_MAX 0xffffff00u
#define OFPP_IN_PORT 0xfffffff8u
#define OFPP_TABLE 0xfffffff9u
#define OFPP_NORMAL 0xfffffffau
#define OFPP_FLOOD 0xfffffffbu
#define OFPP_ALL 0xfffffffcu
#define OFPP_CONTROLLER 0xfffffffdu
#define OFPP_LOCAL 0xfffffffeu
#define OFPP_ANY 0xffffffffu
#define OFPG_ANY 0xffffffffu
#define OFPCML_NO_BUFFER 0xffff

/* Error types and codes (1.3 numbers). */
enum of_err_type {
	OFPET_HELLO_FAILED = 0,
	OFPET_BAD_REQUEST = 1,
	OFPET_BAD_ACTION = 2,
	OFPET_BAD_INSTRUCTION = 3,
	OFPET_BAD_MATCH = 4,
	OFPET_FLOW_MOD_FAILED = 5,
	OFPET_SWITCH_CONFIG_FAILED = 10,
};
enum {
	OFPHFC_INCOMPATIBLE = 0,
	OFPBRC_BAD_VERSION = 0,
	OFPBRC_BAD_TYPE = 1,
	OFPBRC_BAD_MULTIPART = 2,
	OFPBRC_BAD_EXPERIMENTER = 3,
	OFPBRC_BAD_LEN = 6,
	OFPBRC_BUFFER_EMPTY = 7,
	OFPBRC_BUFFER_UNKNOWN = 8,
	OFPBRC_BAD_TABLE_ID = 9,
	OFPBRC_BAD_PORT = 11,
	OFPBRC_BAD_PACKET = 12,
	OFPBAC_BAD_TYPE = 0,
	OFPBAC_BAD_LEN = 1,
	OFPBAC_BAD_OUT_PORT = 4,
	OFPBAC_BAD_ARGUMENT = 5,
	OFPBAC_TOO_MANY = 7,
	OFPBAC_BAD_SET_TYPE = 13,
	OFPBAC_BAD_SET_LEN = 14,
	OFPBIC_UNKNOWN_INST = 0,
	OFPBIC_UNSUP_INST = 1,
	OFPBIC_BAD_LEN = 8,
	OFPBMC_BAD_TYPE = 0,
	OFPBMC_BAD_LEN = 1,
	OFPBMC_BAD_FIELD = 6,
	OFPBMC_BAD_VALUE = 7,
	OFPBMC_BAD_PREREQ = 9,
	OFPBMC_DUP_FIELD = 10,
	OFPFMFC_UNKNOWN = 0,
	OFPFMFC_TABLE_FULL = 1,
	OFPFMFC_BAD_TABLE_ID = 2,
	OFPFMFC_BAD_COMMAND = 6,
};

/* ---- Flow keys and matches ----
 * A packet's header fields in one fixed layout; a match is a key and a
 * mask of the same layout (mask bits 1 = must equal), so matching is a few
 * word operations. Layer-4 and ARP fields share slots the way OpenFlow 1.0
 * does: tp_src/tp_dst hold TCP/UDP ports or ICMP type/code (by ip_proto);
 * for ARP, nw_proto holds the opcode and nw_src/nw_dst the protocol
 * addresses. vlan is OFPVID_PRESENT | VID for a tagged frame, 0 if not. */
#define OFPVID_PRESENT 0x1000
struct of_key {
	_Alignas(8) uint32_t in_port;
	uint16_t eth_type;
	uint16_t vlan;
	uint8_t eth_dst[6];
	uint8_t eth_src[6];
	uint8_t vlan_pcp;
	uint8_t ip_dscp;
	uint16_t nw_proto; /* IP protocol, or ARP opcode */
	uint32_t nw_src, nw_dst;
	uint16_t tp_src, tp_dst;
	uint8_t arp_sha[6];
	uint8_t arp_tha[6];
	uint32_t pad[2]; /* always 0: the size is a whole number of words */
};
#define OF_KEY_WORDS (sizeof(struct of_key) / 8)

struct of_match {
	struct of_key key, mask; /* key bits outside mask are 0 */
};

static inline bool of_key_matches(const struct of_key *pkt, const struct of_match *m)
{
	const uint64_t *p = (const uint64_t *)(const void *)pkt;
	const uint64_t *k = (const uint64_t *)(const void *)&m->key;
	const uint64_t *w = (const uint64_t *)(const void *)&m->mask;
	uint64_t diff = 0;
	for (size_t i = 0; i < OF_KEY_WORDS; i++)
		diff |= (p[i] & w[i]) ^ k[i];
	return diff == 0;
}

/* ---- Actions ---- */
enum of_action_type {
	OF_ACT_OUTPUT = 1,   /* port, max_len */
	OF_ACT_SET_ETH_SRC,  /* mac */
	OF_ACT_SET_ETH_DST,  /* mac */
	OF_ACT_PUSH_VLAN,    /* value = TPID (0x8100 / 0x88a8) */
	OF_ACT_POP_VLAN,     /* */
	OF_ACT_SET_VLAN_VID, /* value = VID (pushes a tag if none, as 1.0 does) */
	OF_ACT_SET_VLAN_PCP, /* value = PCP */
};

struct of_action {
	uint8_t type; /* enum of_action_type */
	uint8_t mac[6];
	uint16_t value;
	uint16_t max_len;
	uint32_t port;
};

struct of_actions {
	struct of_action a[OF_MAX_ACTIONS];
	unsigned n;
};

/* ---- Ports ---- */
enum { OFPPC_PORT_DOWN = 1 };
enum { OFPPS_LINK_DOWN = 1 };
enum { OFPPR_ADD = 0, OFPPR_DELETE = 1, OFPPR_MODIFY = 2 };

struct of_port {
	uint32_t port_no;
	uint8_t hw_addr[6];
	char name[16];
	uint32_t config, state, curr, advertised, supported, peer;
	uint32_t curr_speed, max_speed; /* kbps (1.3 only) */
};

struct of_port_stats {
	uint32_t port_no;
	uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes, rx_dropped, tx_dropped, rx_errors, tx_errors;
	uint32_t duration_sec, duration_nsec;
};

/* ---- Messages ---- */
enum of_flow_cmd {
	OFPFC_ADD = 0,
	OFPFC_MODIFY = 1,
	OFPFC_MODIFY_STRICT = 2,
	OFPFC_DELETE = 3,
	OFPFC_DELETE_STRICT = 4
};
enum { OFPFF_SEND_FLOW_REM = 1, OFPFF_CHECK_OVERLAP = 2, OFPFF_RESET_COUNTS = 4 };
enum { OFPRR_IDLE_TIMEOUT = 0, OFPRR_HARD_TIMEOUT = 1, OFPRR_DELETE = 2 };
enum { OFPR_NO_MATCH = 0, OFPR_ACTION = 1 };
enum of_mp_type {
	OFPMP_DESC = 0,
	OFPMP_FLOW = 1,
	OFPMP_AGGREGATE = 2,
	OFPMP_TABLE = 3,
	OFPMP_PORT_STATS = 4,
	OFPMP_PORT_DESC = 13,
};
#define OFPMPF_MORE 1

struct of_flow_mod {
	uint64_t cookie, cookie_mask;
	uint8_t table_id;
	uint8_t command; /* enum of_flow_cmd */
	uint16_t idle_timeout, hard_timeout, priority, flags;
	uint32_t buffer_id, out_port, out_group;
	struct of_match match;
	struct of_actions actions;
};

struct of_flow_stats {
	uint8_t table_id;
	uint32_t duration_sec, duration_nsec;
	uint16_t priority, idle_timeout, hard_timeout, flags;
	uint64_t cookie, packet_count, byte_count;
	const struct of_match *match;
	const struct of_actions *actions;
};

struct of_msg {
	uint8_t version;
	uint8_t type; /* enum of_type */
	uint32_t xid;
	/* set when decoding fails: the error to answer with */
	uint16_t err_type, err_code;
	union {
		struct {
			uint32_t bitmap; /* versions offered: bit v set for version v */
		} hello;
		struct {
			uint16_t type, code;
			struct mica_view data;
		} error;
		struct mica_view echo; /* ECHO_REQUEST / ECHO_REPLY payload */
		struct {
			uint64_t dpid;
			uint32_t n_buffers;
			uint8_t n_tables;
			uint32_t capabilities;
			unsigned nports; /* 1.0 only */
			struct of_port ports[OF_MAX_PORTS];
		} features;
		struct {
			uint16_t flags, miss_send_len;
		} config;
		struct {
			uint32_t buffer_id;
			uint16_t total_len;
			uint8_t reason, table_id;
			uint64_t cookie;
			uint32_t in_port;
			struct mica_view data;
		} packet_in;
		struct {
			uint32_t buffer_id, in_port;
			struct of_actions actions;
			struct mica_view data;
		} packet_out;
		struct of_flow_mod flow_mod;
		struct {
			uint64_t cookie;
			uint16_t priority;
			uint8_t reason, table_id;
			uint32_t duration_sec, duration_nsec;
			uint16_t idle_timeout, hard_timeout;
			uint64_t packet_count, byte_count;
			struct of_match match;
		} flow_removed;
		struct {
			uint8_t reason;
			struct of_port port;
		} port_status;
		struct {
			uint16_t mp_type, flags;
			/* FLOW / AGGREGATE request */
			uint8_t table_id;
			uint32_t out_port, out_group;
			uint64_t cookie, cookie_mask;
			struct of_match match;
			uint32_t port_no;      /* PORT_STATS request */
			struct mica_view body; /* a reply's body, undecoded */
		} multipart;
	} u;
};

/* Read the header of the message at the start of v: its total length (at
 * least 8) or MICA_EAGAIN when v does not hold a whole header yet, or
 * MICA_EBADMSG when the length field is below 8. */
int of_frame_len(struct mica_view v, size_t *len);
/* Decode one whole message (v is exactly its bytes). */
int of_decode(struct mica_view v, struct of_msg *m);

/* ---- Encoding ----
 * Encoders append one message to an output buffer; MICA_ENOSPC (buffer
 * unchanged) when it does not fit: flush and try again. */
struct of_out {
	uint8_t *data;
	size_t len, cap;
};

int of_encode_hello(struct of_out *o, uint8_t version, uint32_t xid, uint32_t bitmap);
int of_encode_error(struct of_out *o, uint8_t version, uint32_t xid, uint16_t type, uint16_t code,
                    struct mica_view offending);
int of_encode_echo(struct of_out *o, uint8_t version, uint8_t type, uint32_t xid, struct mica_view data);
/* Header-only messages: FEATURES_REQUEST, GET_CONFIG_REQUEST, BARRIER_*. */
int of_encode_empty(struct of_out *o, uint8_t version, uint8_t type, uint32_t xid);
int of_encode_features_reply(struct of_out *o, uint8_t version, uint32_t xid, uint64_t dpid,
                             uint32_t n_buffers, uint8_t n_tables, uint32_t capabilities,
                             const struct of_port *ports, unsigned nports);
int of_encode_config(struct of_out *o, uint8_t version, uint8_t type, uint32_t xid, uint16_t flags,
                     uint16_t miss_send_len);
int of_encode_packet_in(struct of_out *o, uint8_t version, uint32_t xid, uint32_t buffer_id,
                        uint16_t total_len, uint8_t reason, uint8_t table_id, uint64_t cookie,
                        uint32_t in_port, struct mica_view data);
int of_encode_packet_out(struct of_out *o, uint8_t version, uint32_t xid, uint32_t buffer_id,
                         uint32_t in_port, const struct of_actions *acts, struct mica_view data);
int of_encode_flow_mod(struct of_out *o, uint8_t version, uint32_t xid, const struct of_flow_mod *fm);
int of_encode_flow_removed(struct of_out *o, uint8_t version, uint32_t xid, const struct of_flow_stats *fs,
                           uint8_t reason);
int of_encode_port_status(struct of_out *o, uint8_t version, uint32_t xid, uint8_t reason,
                          const struct of_port *p);
/* Multipart (1.0: stats) requests and replies. A reply is built as: begin,
 * then entries (each fails with MICA_ENOSPC when the message would pass
 * 64 KiB or the buffer: end it with OFPMPF_MORE and begin another), end. */
int of_encode_mp_request(struct of_out *o, uint8_t version, uint32_t xid, uint16_t mp_type, uint32_t port_no);
int of_encode_mp_flow_request(struct of_out *o, uint8_t version, uint32_t xid, uint16_t mp_type,
                              uint8_t table_id, uint32_t out_port, const struct of_match *match);
int of_mp_reply_begin(struct of_out *o, uint8_t version, uint32_t xid, uint16_t mp_type, size_t *start);
void of_mp_reply_end(struct of_out *o, size_t start, uint16_t flags);
int of_mp_add_desc(struct of_out *o, size_t start, const char *mfr, const char *hw, const char *sw,
                   const char *serial, const char *dp);
int of_mp_add_flow(struct of_out *o, size_t start, const struct of_flow_stats *fs);
int of_mp_add_aggregate(struct of_out *o, size_t start, uint64_t packets, uint64_t bytes, uint32_t flows);
int of_mp_add_table(struct of_out *o, size_t start, uint8_t table_id, uint32_t active, uint64_t lookups,
                    uint64_t matched, uint32_t max_entries);
int of_mp_add_port_stats(struct of_out *o, size_t start, const struct of_port_stats *ps);
int of_mp_add_port_desc(struct of_out *o, size_t start, const struct of_port *p);

/* ---- Helpers ---- */
/* Fill key from an Ethernet frame received on in_port (fields the frame
 * lacks stay 0). Never reads past len. */
void of_key_from_frame(struct of_key *k, const uint8_t *frame, size_t len, uint32_t in_port);
/* An exact match on in_port, eth_src and eth_dst (the learning switch's). */
void of_match_l2(struct of_match *m, uint32_t in_port, const uint8_t src[6], const uint8_t dst[6]);
/* Match-all. */
void of_match_all(struct of_match *m);
/* The highest version both bitmaps offer (of ours: 1.0 and 1.3), 0 if none. */
uint8_t of_pick_version(uint32_t ours, uint32_t theirs);
const char *of_type_name(uint8_t type);

#endif
