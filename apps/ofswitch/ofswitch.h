/* ofswitch.h - the switch's state, shared by its files: main.c (arguments,
 * devices, standalone learning), flowtable.c (flows, lookup cache,
 * timeouts), datapath.c (frames through the table and the actions,
 * buffered table misses) and ctl.c (the controller connection). */
#ifndef OFSWITCH_H
#define OFSWITCH_H

#include <mica/ofchan.h>

#ifndef OFSW_PORTS
#define OFSW_PORTS 4
#endif
#define FLOW_MAX 8192
#define CACHE_SIZE 4096 /* exact-match cache entries (power of two) */
#define PKT_BUFS 256    /* table misses held for the controller */
#define PKT_BUF_TTL_NS (5 * MICA_NS_PER_S)

struct flow {
	struct of_match match;
	struct of_actions actions;
	uint16_t priority, idle_timeout, hard_timeout, flags;
	uint64_t cookie;
	uint64_t created, used; /* ns */
	uint64_t packets, bytes;
};

struct cache_entry {
	struct of_key key;
	struct flow *flow;
	uint32_t gen;
};

struct flow_table {
	struct flow *f[FLOW_MAX]; /* by priority, highest first */
	unsigned n;
	uint32_t gen; /* bumped on every change: invalidates the cache */
	struct cache_entry *cache;
	uint64_t lookups, matched, cache_hits;
};

struct port {
	uint32_t no;
	struct mica_raw *raw;
	struct mica_raw_info info;
	char name[16];
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes, tx_dropped;
};

struct pkt_buf {
	struct mica_buf *b;
	uint32_t in_port;
	uint32_t id;
	uint64_t at;
};

enum fail_mode { FAIL_SECURE, FAIL_STANDALONE };

struct ofsw {
	struct mica_loop *loop;
	struct mica_net *net;
	struct port ports[OFSW_PORTS + 1]; /* [1..OFSW_PORTS] */
	struct flow_table table;
	struct pkt_buf bufs[PKT_BUFS];
	uint32_t buf_seq;
	uint64_t dpid;
	enum fail_mode fail;
	uint16_t miss_send_len, config_flags;
	bool miss_flow; /* running the table-miss flow's actions */
	/* the controller */
	struct mica_endpoint controller;
	bool have_controller;
	struct of_chan ch;
	bool chan_up;   /* of_chan running */
	bool connected; /* HELLO done */
	struct mica_tcp *connecting;
	uint64_t backoff_ns, up_since;
	struct mica_timer reconnect, tick;
	/* standalone learning */
	struct {
		uint8_t mac[6];
		uint16_t port;
	} learn[1024];
	uint64_t started;
	struct {
		uint64_t packet_in, packet_in_dropped, packet_out, flow_mods, flow_removed, table_miss_drop,
		    buffers_evicted, connects, errors_sent, port_status;
	} st;
};

extern struct ofsw ofsw;

/* flowtable.c */
int ft_init(struct flow_table *t);
struct flow *ft_lookup(struct flow_table *t, const struct of_key *k);
/* A FLOW_MOD; returns 0 or the error (type << 16 | code) to send. */
uint32_t ft_flow_mod(struct ofsw *sw, const struct of_flow_mod *fm);
/* Idle and hard timeouts at `now`. */
void ft_expire(struct ofsw *sw, uint64_t now);
/* Does flow f match the request (non-strict: covered by m; out_port/cookie filters)? */
bool ft_selected(const struct flow *f, const struct of_match *m, uint32_t out_port, uint64_t cookie,
                 uint64_t cookie_mask);
void ft_stats_of(const struct ofsw *sw, const struct flow *f, struct of_flow_stats *fs);

/* datapath.c */
void dp_start(struct ofsw *sw);
/* Run a frame through actions (b: one reference, consumed). */
void dp_execute(struct ofsw *sw, struct mica_buf *b, uint32_t in_port, const struct of_actions *acts);
/* Run a frame through the table as if it arrived on in_port (consumed). */
void dp_process(struct ofsw *sw, struct mica_buf *b, uint32_t in_port);
/* Take a buffered table miss by id (NULL: unknown or expired). */
struct mica_buf *dp_take_buffer(struct ofsw *sw, uint32_t id, uint32_t *in_port);
void dp_expire_buffers(struct ofsw *sw, uint64_t now);
void dp_port_desc(const struct ofsw *sw, uint32_t no, struct of_port *p);
/* Keep a frame for the controller; returns its buffer id. */
uint32_t dp_buffer(struct ofsw *sw, struct mica_buf *b, uint32_t in_port);
/* The ports' receive callback (arg: struct port). */
void dp_on_frames(struct mica_raw *r, struct mica_buf **frames, int n, void *arg);

/* ctl.c */
void ctl_start(struct ofsw *sw);
/* Send a PACKET_IN; false when there is no controller to take it. */
bool ctl_packet_in(struct ofsw *sw, struct mica_buf *b, uint32_t in_port, uint8_t reason, uint16_t max_len,
                   uint64_t cookie);
void ctl_flow_removed(struct ofsw *sw, const struct flow *f, uint8_t reason);
/* Tell the controller that port `no` changed (PORT_STATUS, reason MODIFY). */
void ctl_port_status(struct ofsw *sw, uint32_t no);

#endif
