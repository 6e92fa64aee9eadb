/* tcp.h - TCP on the direct stack (RFC 9293 with RFC 5961, 6298, 5681,
 * 7323, 2018, 6528; loss recovery and congestion control in tcp_loss.h):
 * the connection block, the per-stack TCP state and the interfaces between
 * the tcp*.c files. Private to lib/net.
 *
 * Files: tcp_wire.c (header and option parse/encode), tcp_siphash.c (keyed
 * hash for ISNs and SYN cookies), tcp_ring.c (byte rings for the send and
 * receive buffers), tcp_conn.c (connection table, life cycle, listeners),
 * tcp_input.c (segment arrival), tcp_ack.c (the ACK field: window, RTT,
 * then tcp_loss.h's files), tcp_recv.c (in-order and
 * out-of-order data, delivery to the app, when to ACK), tcp_output.c
 * (segments out, Nagle), tcp_timer.c (RTO, persist, keepalive, TIME-WAIT,
 * delayed ACK), tcp_syncookie.c, tcp_api.c (include/mica/net.h).
 *
 * Sequence numbers compare modulo 2^32 (SEQ_LT etc.). Times are loop
 * nanoseconds; the timestamp option ticks in milliseconds. */
#ifndef MICA_NET_TCP_H
#define MICA_NET_TCP_H

#include "stack.h"
#include "tcp_loss.h"

/* ---- wire (tcp_wire.c) ---- */
#define TCP_HLEN 20
#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20
#define TCP_MAX_SACK 4
#define TCP_OPT_TS_LEN 12 /* NOP NOP kind len val ecr */

enum tcp_err { TCP_OK, TCP_ERR_SHORT, TCP_ERR_HLEN, TCP_ERR_CSUM, TCP_ERR_OPTION };

struct tcp_sack_block {
	uint32_t l, r;
};

struct tcp_hdr {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t wnd;
	uint16_t urg;
	uint8_t hlen; /* parsed: header length with options */
	/* options */
	bool has_mss, has_ws, sack_ok, has_ts;
	uint16_t mss;
	uint8_t ws;
	uint32_t tsval, tsecr;
	uint8_t nsack;
	struct tcp_sack_block sack[TCP_MAX_SACK];
	struct mica_view payload;
	enum tcp_err err;
};

/* Validates lengths, options and the checksum (pseudo-header src/dst). */
int tcp_parse(struct mica_view v, uint32_t src, uint32_t dst, struct tcp_hdr *h);
/* The same without the checksum (the device vouched for it). */
int tcp_parse_header(struct mica_view v, struct tcp_hdr *h);
/* Push the header and the options set in h in front of the payload in b and
 * fill the checksum (only its pseudo-header part when b->csum is
 * MICA_CSUM_PARTIAL: the device completes it). MICA_ENOSPC without headroom. */
int tcp_encode(struct mica_buf *b, uint32_t src, uint32_t dst, const struct tcp_hdr *h);

#define SEQ_LT(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)
#define SEQ_LEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) <= 0)
#define SEQ_GT(a, b) SEQ_LT(b, a)
#define SEQ_GEQ(a, b) SEQ_LEQ(b, a)

/* ---- SipHash-2-4 (tcp_siphash.c) ---- */
uint64_t tcp_siphash(const uint8_t key[16], const void *data, size_t len);

/* ---- the block pool (tcp_pool.c) ----
 * Send and receive buffers are made of TCP_BLK-byte blocks taken from one
 * pool per stack, so a connection holds memory only for the bytes it has
 * in flight or unread, and gives it back as soon as they are acknowledged
 * or consumed. The pool never holds more than its budget (derived from the
 * memory the platform has, tcp_mem.c); a small cache of free blocks saves
 * malloc calls. */
#define TCP_BLK 4096u
struct tcp_pool {
	size_t budget; /* most bytes in blocks at once */
	size_t used;   /* bytes in blocks held by buffers (cached ones not counted) */
	size_t peak;
	void *cache; /* free blocks, linked through their first word */
	unsigned ncache;
	size_t reserved; /* bytes promised to a caller that will take them shortly */
	uint64_t denied; /* requests refused at the budget */
	bool detached;   /* the stack is gone: free the pool when the last block returns */
	bool starved;    /* a writer was cut short: call wake when blocks return */
	void (*wake)(void *arg);
	void *wake_arg;
};
struct tcp_pool *tcp_pool_new(size_t budget);
/* The stack is done with it; it goes when frames give back their blocks. */
void tcp_pool_detach(struct tcp_pool *p);
/* A TCP_BLK-byte block, or NULL when the budget is spent. */
void *tcp_pool_get(struct tcp_pool *p);
void tcp_pool_put(struct tcp_pool *p, void *blk);
/* Blocks that can still be had. */
size_t tcp_pool_avail(const struct tcp_pool *p);
/* Hold n blocks back from everyone else until unreserved (callers check
 * tcp_pool_avail first); the holder takes them after unreserving. */
void tcp_pool_reserve(struct tcp_pool *p, size_t n);
void tcp_pool_unreserve(struct tcp_pool *p, size_t n);

/* ---- send queue (tcp_ring.c) ----
 * The bytes from snd_una on, as a list of runs: blocks of bytes copied in
 * by mica_tcp_write, and references to the app's own memory from
 * mica_tcp_write_ref (never copied; segments, also retransmitted ones, are
 * read from them). tcp_output reads it with tcp_ring_read; an ACK drops
 * acknowledged bytes with tcp_ring_drop, which gives blocks back to the
 * pool and calls the app's release for references it no longer needs. */
struct tcp_ext {
	struct tcp_ext *next;
	const uint8_t *data;
	uint32_t len;  /* bytes in this run */
	uint32_t refs; /* 1 while queued, +1 for each frame still pointing into it */
	mica_tcp_release_fn release;
	void *arg;
	struct tcp_pool *pool; /* a pooled block (its bytes follow this header); NULL: a reference */
};
struct tcp_ring {
	struct tcp_pool *pool;
	struct tcp_ext *first, *last;
	uint32_t skip; /* bytes of first already acknowledged */
	uint32_t len;  /* bytes queued */
	uint32_t cap;  /* most bytes queued */
	struct tcp_ext *cur;
	uint32_t cur_off; /* read cursor: cur's first byte is at queue offset cur_off */
};
/* Copy up to n bytes in at the end; returns how many fit (cap, pool). */
uint32_t tcp_ring_append(struct tcp_ring *r, const void *src, uint32_t n);
/* Queue n bytes by reference (n <= cap - len). MICA_ENOMEM: nothing queued. */
int tcp_ring_append_ref(struct tcp_ring *r, const void *p, uint32_t n, mica_tcp_release_fn release,
                        void *arg);
/* Bytes a copying append can take now. */
uint32_t tcp_ring_copy_room(const struct tcp_ring *r);
/* Copy n bytes out from offset off (off + n <= len). */
void tcp_ring_read(struct tcp_ring *r, uint32_t off, void *dst, uint32_t n);
/* Contiguous memory holding bytes [off, off + n) when they lie in one run
 * (with that run in *ext), else NULL. */
const uint8_t *tcp_ring_span(struct tcp_ring *r, uint32_t off, uint32_t n, struct tcp_ext **ext);
/* A transmit buffer (headroom for the headers) holding bytes [off,
 * off + len) of the queue. On a device that gathers (dev.tx_ext), the part
 * of the range in an app's reference is not copied: the frame's ext tail
 * points at it and holds the run until the device is done. NULL: no buffer. */
struct mica_buf *tcp_ring_frame(struct mica_net *net, struct tcp_ring *r, uint32_t off, uint32_t len);
void tcp_ring_drop(struct tcp_ring *r, uint32_t n);
/* Drop everything (references are released). */
void tcp_ring_free(struct tcp_ring *r);
void tcp_ext_get(struct tcp_ext *e);
void tcp_ext_put(struct tcp_ext *e);

/* ---- receive buffer (tcp_rcvbuf.c) ----
 * Unconsumed in-order bytes from head on, then room where out-of-order
 * data lands at its offset; cap bytes of sequence space mapped onto pool
 * blocks that are taken when a byte lands in them and given back when
 * the head passes them or the buffer empties. */
struct tcp_rcvbuf {
	struct tcp_pool *pool;
	uint8_t **slot; /* cap / TCP_BLK + 1 blocks; the table exists only while something is held */
	uint32_t cap, head, len;
};
/* Copy n bytes in at offset off from head (off + n <= cap); MICA_ENOMEM
 * (nothing written) when the pool cannot back them. */
int tcp_rcvbuf_write(struct tcp_rcvbuf *r, uint32_t off, const void *src, uint32_t n);
/* The contiguous unconsumed bytes at head (up to a block's end). */
struct mica_view tcp_rcvbuf_peek(const struct tcp_rcvbuf *r);
void tcp_rcvbuf_drop(struct tcp_rcvbuf *r, uint32_t n);
/* Give every block back (nothing is held: no in-order nor out-of-order bytes). */
void tcp_rcvbuf_free(struct tcp_rcvbuf *r);
/* Make the buffer cap bytes (more than now), keeping what it holds. */
int tcp_rcvbuf_grow(struct tcp_rcvbuf *r, uint32_t cap);

/* ---- tunables ---- */
/* Send and receive buffers start at TCP_SNDBUF / TCP_RCVBUF and grow with
 * the connection's bandwidth-delay product up to the _MAX (send: twice
 * cwnd, tcp_ack.c; receive: four times what the app consumed in a round
 * trip, tcp_recv.c); only bytes actually held take pool memory. */
#define TCP_SNDBUF (256 * 1024)
#define TCP_SNDBUF_MAX (4u << 20)
#define TCP_RCVBUF (256 * 1024)
#define TCP_RCVBUF_MAX (4u << 20)
#define TCP_MAX_CONNS 16384              /* cap of the cap (tcp_mem.c derives it from memory) */
#define TCP_MEM_PER_CONN 8192            /* memory per allowed connection */
#define TCP_MEM_ASSUMED (32u << 20)      /* when the platform cannot say */
#define TCP_POOL_MAX ((size_t)256 << 20) /* most buffer memory, however large the machine */
#define TCP_HASH 1024
#define TCP_OOO_MAX 32  /* out-of-order ranges held per connection */
#define TCP_REF_MIN 256 /* mica_tcp_write_ref copies pieces smaller than this */
#define TCP_DEFAULT_MSS 536
#define TCP_RTO_INIT (1 * MICA_NS_PER_S)
#define TCP_RTO_MIN (200 * MICA_NS_PER_MS)
#define TCP_RTO_MAX (60 * MICA_NS_PER_S)
#define TCP_SYN_RETRIES 6
#define TCP_DATA_RETRIES 12
#define TCP_DELACK_NS (40 * MICA_NS_PER_MS)
#define TCP_ACK_EVERY 8  /* full segments per ACK within a receive batch */
#define TCP_ACK_BATCH 64 /* connections whose ACK waits for the batch end */
#define TCP_MSL_NS (30 * MICA_NS_PER_S)
#define TCP_FIN_WAIT2_NS (60 * MICA_NS_PER_S)
#define TCP_KEEPIDLE_NS (7200 * MICA_NS_PER_S)
#define TCP_KEEPINTVL_NS (75 * MICA_NS_PER_S)
#define TCP_KEEPCNT 9
#define TCP_PERSIST_MIN (200 * MICA_NS_PER_MS)
#define TCP_PERSIST_MAX (60 * MICA_NS_PER_S)
#define TCP_CHALLENGE_PER_S 1000 /* RFC 5961 challenge ACK limit */
#define TCP_EPHEMERAL_LO 49152
#define TCP_EPHEMERAL_N 16384

enum tcp_state {
	TCP_CLOSED,
	TCP_SYN_SENT,
	TCP_SYN_RCVD,
	TCP_ESTABLISHED,
	TCP_FIN_WAIT_1,
	TCP_FIN_WAIT_2,
	TCP_CLOSE_WAIT,
	TCP_CLOSING,
	TCP_LAST_ACK,
	TCP_TIME_WAIT,
};
const char *tcp_state_name(enum tcp_state s);

/* What the one retransmission-side timer is for (by state of the TCB). */
enum tcp_tmode { TM_NONE, TM_RTO, TM_PERSIST, TM_KEEPALIVE, TM_TIMEWAIT, TM_FINWAIT2, TM_REO, TM_TLP };

struct mica_tcp_listener;

struct mica_tcp {
	struct mica_net *net;
	struct mica_tcp *hnext;             /* hash chain */
	struct mica_tcp_listener *listener; /* while SYN-RECEIVED from a listen */
	uint32_t lip, rip;
	uint16_t lport, rport;
	uint8_t state;
	/* the app side */
	const struct mica_tcp_ops *ops;
	void *arg;
	bool has_app;    /* the app holds the handle until on_close */
	bool app_closed; /* close() called: no more callbacks but on_close */
	bool shut_wr;    /* FIN queued after the data */
	bool close_due;  /* on_close scheduled */
	bool free_due;
	bool paused, want_writable, nodelay, eof_delivered, fin_rcvd, in_deliver;
	bool pool_wait; /* a write was cut short by the pool, not the queue's cap */
	bool ws_ok, ts_ok, sack_ok;
	bool fin_sent; /* our FIN went out (at sequence fin_out) */
	uint32_t fin_out;
	int close_err;
	struct mica_task task; /* deferred delivery, on_close and free */
	/* send side */
	uint32_t iss, snd_una, snd_nxt, snd_max, snd_wnd, snd_wl1, snd_wl2, max_snd_wnd;
	uint8_t snd_ws, rcv_ws;
	uint16_t peer_mss;   /* from the peer's MSS option */
	uint16_t mss;        /* payload bytes per segment (options taken off) */
	struct tcp_ring snd; /* bytes from snd_una on (after the SYN) */
	/* loss recovery and congestion control (tcp_loss.h) */
	uint32_t cwnd, ssthresh;
	uint32_t recover; /* snd_max when the recovery began (RFC 6582's recover) */
	uint8_t ca_state; /* enum tcp_ca_state */
	uint8_t dupacks;
	bool frto, frto_new; /* F-RTO: after a timeout; send new data next */
	bool cwnd_limited;   /* the last send stopped at cwnd */
	struct tcp_sb sb;
	struct tcp_rack rack;
	uint32_t prr_delivered, prr_out, recover_fs;      /* RFC 6937 */
	uint32_t prior_cwnd, prior_ssthresh, undo_marker; /* undo (valid with undo_ok) */
	uint32_t undo_retrans, retrans_tsval;
	bool undo_ok, retrans_ts_set;
	const struct tcp_cc_ops *cc;
	uint64_t cc_priv[TCP_CC_PRIV];
	/* round trip (RFC 6298) */
	uint64_t srtt, rttvar, rto;
	uint64_t rtt_start; /* the SYN's */
	uint8_t retries;
	/* receive side */
	uint32_t irs, rcv_nxt, rcv_adv; /* rcv_adv: right edge last advertised */
	struct tcp_rcvbuf rcv;          /* unconsumed in-order bytes, out-of-order data beyond */
	uint32_t rcv_lent; /* bytes the app is reading straight from a frame: they count as buffered */
	struct tcp_sack_block ooo[TCP_OOO_MAX]; /* received above rcv_nxt, newest first */
	uint8_t nooo;
	bool dsack_due;              /* the next ACK reports dsack first (RFC 2883) */
	struct tcp_sack_block dsack; /* a range received twice */
	bool fin_ooo;
	uint32_t fin_seq; /* seq of a FIN that came out of order */
	uint32_t ts_recent, ts_offset;
	uint32_t last_ack_sent; /* RFC 7323's Last.ACK.sent */
	uint8_t unacked;        /* full segments received since our last ACK */
	uint32_t drs_seq;       /* receive buffer autotuning: consumed up to here at drs_ns */
	uint64_t drs_ns, rcv_rtt;
	bool ack_now, ack_delayed, ack_batched;
	/* timers */
	struct mica_timer timer, ack_timer;
	uint8_t tmode;
	uint8_t probes;
	uint64_t last_rx;
};

struct mica_tcp_listener {
	struct mica_net *net;
	struct mica_endpoint local;
	int backlog;
	int nsynrcvd;
	uint64_t cookies_until; /* ACKs may carry cookies until then (0: none issued) */
	mica_tcp_accept_fn fn;
	void *arg;
	struct mica_tcp_listener *next;
};

/* tcp_mem.c: limits derived from the platform's memory. */
struct tcp_limits {
	size_t budget;      /* the block pool's */
	size_t reserve;     /* refuse new connections with less than this free in the pool */
	unsigned max_conns; /* connection blocks */
	unsigned max_tw;    /* TIME-WAIT records */
};
void tcp_mem_limits(struct tcp_limits *l, size_t mem);

/* tcp_timewait.c: the compact TIME-WAIT record. */
struct tcp_tw;

struct net_tcp {
	struct mica_net *net;
	struct mica_tcp *hash[TCP_HASH];
	struct mica_tcp_listener *listeners;
	unsigned nconns;
	struct tcp_limits limits;
	struct tcp_tw *tw_hash[TCP_HASH];
	struct tcp_tw *tw_first, *tw_last; /* creation order */
	unsigned ntw;
	struct mica_timer tw_timer;
	struct tcp_pool *pool;       /* send and receive buffers */
	uint8_t secret[16];          /* ISNs (RFC 6528) and timestamp offsets */
	uint8_t cookie_key[16];      /* SYN cookies */
	uint8_t port_key[16];        /* ephemeral ports (RFC 6056 algorithm 3) */
	const struct tcp_cc_ops *cc; /* for new connections (--tcp-cc) */
	uint16_t next_port;
	struct {
		uint64_t second;
		uint32_t sent;
	} challenge;
	/* ACKs owed at the end of the current receive batch (tcp_input.c) */
	struct mica_tcp *ack_batch[TCP_ACK_BATCH];
	unsigned nack_batch;
	struct mica_task ack_task;
	struct mica_task pool_task; /* on_writable for writers the pool cut short */
	bool dead;                  /* detached while a task was queued: the last one frees */
};

#define TCP_COUNT(net, name) NET_COUNT(net, tcp_##name)

/* tcp_conn.c */
struct mica_tcp *tcp_lookup(struct net_tcp *t, uint32_t lip, uint16_t lport, uint32_t rip, uint16_t rport);
struct mica_tcp_listener *tcp_find_listener(struct net_tcp *t, uint32_t lip, uint16_t lport);
struct mica_tcp *tcp_new_conn(struct mica_net *net, uint32_t lip, uint16_t lport, uint32_t rip,
                              uint16_t rport);
uint32_t tcp_isn(struct mica_net *net, uint32_t lip, uint16_t lport, uint32_t rip, uint16_t rport);
uint8_t tcp_our_wscale(void);
/* Hand an established passive connection to its listener's app. */
void tcp_accept(struct mica_tcp *c, struct mica_tcp_listener *l);
void tcp_set_state(struct mica_tcp *c, enum tcp_state s);
/* The connection is over: unhash, stop timers; on_close(err) if the app has it. */
void tcp_finish(struct mica_tcp *c, int err);
/* Schedule the app's on_close (once). */
void tcp_schedule_close(struct mica_tcp *c, int err);
void tcp_kick(struct mica_tcp *c); /* run the deferred task */
/* Take the peer's SYN options into the connection. */
void tcp_take_syn_opts(struct mica_tcp *c, const struct tcp_hdr *h);

/* tcp_input.c */
void tcp_input(struct mica_net *net, const struct ipv4_hdr *ip, struct mica_buf *b);

/* tcp_ack.c: process the ACK field; false means drop the segment. */
bool tcp_process_ack(struct mica_tcp *c, const struct tcp_hdr *h);
bool tcp_challenge_ok(struct mica_net *net);

/* tcp_recv.c */
/* Accept the in-window payload of h (already trimmed to the window). */
void tcp_recv_data(struct mica_tcp *c, const struct tcp_hdr *h, uint32_t seq, struct mica_view data);
/* Offer kept bytes and EOF to the app. */
void tcp_deliver(struct mica_tcp *c);
uint32_t tcp_rcv_window(const struct mica_tcp *c);
/* Fill our SACK blocks (RFC 2018) into h, a DSACK block first when due. */
void tcp_fill_sack(const struct mica_tcp *c, struct tcp_hdr *h);
/* [l, r) arrived again: report it in the next ACK (RFC 2883). */
void tcp_dsack_note(struct mica_tcp *c, uint32_t l, uint32_t r);
/* Option bytes those SACK blocks take in a segment. */
uint32_t tcp_sack_len(const struct mica_tcp *c);
/* When to acknowledge len in-order bytes just received. */
void tcp_ack_policy(struct mica_tcp *c, uint32_t len);
void tcp_ack_batch_task(void *arg);
void tcp_ack_batch_forget(struct mica_tcp *c);
/* A task of a detached stack ran: free it once no task is queued. */
void tcp_free_dead(struct net_tcp *t);

/* tcp_output.c */
void tcp_output(struct mica_tcp *c);
void tcp_send_ack(struct mica_tcp *c);
void tcp_send_syn(struct mica_tcp *c);
int tcp_send_seg(struct mica_tcp *c, uint32_t seq, uint32_t len, uint8_t flags);
void tcp_send_rst(struct mica_tcp *c);
/* A reset in answer to a segment that has no connection. */
void tcp_reply_rst(struct mica_net *net, const struct ipv4_hdr *ip, const struct tcp_hdr *h);
/* Resend the SYN or SYN-ACK (handshake timeouts). */
void tcp_retransmit_syn(struct mica_tcp *c);
/* Send one scoreboard record again (a retransmission or a probe). */
int tcp_resend(struct mica_tcp *c, struct tcp_seg *s, bool retransmit);
/* Send up to one segment of new data regardless of cwnd (a probe). */
bool tcp_send_new_probe(struct mica_tcp *c);
uint32_t tcp_ts_now(const struct mica_tcp *c);
/* Sequence number just past the last data byte queued. */
static inline uint32_t tcp_data_end(const struct mica_tcp *c)
{
	bool syn_unacked = c->state == TCP_SYN_SENT || c->state == TCP_SYN_RCVD;
	return c->snd_una + (syn_unacked ? 1u : 0u) + c->snd.len;
}

/* tcp_timer.c */
void tcp_timer_fn(struct mica_timer *t, void *arg);
void tcp_ack_timer_fn(struct mica_timer *t, void *arg);
void tcp_arm_rto(struct mica_tcp *c);
/* Data is outstanding: arm the reorder timer, a loss probe or the RTO. */
void tcp_rearm(struct mica_tcp *c);
void tcp_timer_update(struct mica_tcp *c); /* pick RTO/persist/keepalive */
void tcp_rtt_sample(struct mica_tcp *c, uint64_t rtt_ns);
/* tcp_timewait.c: hand the connection's TIME-WAIT to a compact record. */
void tcp_enter_timewait(struct mica_tcp *c);

/* tcp_cc.c: congestion state of a new connection. */
void tcp_init_cc(struct mica_tcp *c);

/* tcp_mem.c: no room for another connection (the cap, or the pool short). */
bool tcp_full(const struct net_tcp *t);

/* tcp_timewait.c */
void tcp_tw_init(struct net_tcp *t);
void tcp_tw_fini(struct net_tcp *t);
struct tcp_tw *tcp_tw_lookup(struct net_tcp *t, uint32_t lip, uint16_t lport, uint32_t rip, uint16_t rport);
/* A segment for a TIME-WAIT record; false: it starts a new incarnation
 * (the record is gone) and goes on to the listener. */
bool tcp_tw_input(struct mica_net *net, struct tcp_tw *w, const struct tcp_hdr *h);
size_t tcp_tw_size(void);

/* tcp_syncookie.c: the listener's backlog is full - answer the SYN
 * without keeping state (RFC 4987), or rebuild the connection from the
 * cookie in the ACK (NULL if it is not a valid cookie). */
void tcp_cookie_syn(struct mica_net *net, struct mica_tcp_listener *l, const struct ipv4_hdr *ip,
                    const struct tcp_hdr *h);
struct mica_tcp *tcp_cookie_ack(struct mica_net *net, struct mica_tcp_listener *l, const struct ipv4_hdr *ip,
                                const struct tcp_hdr *h);

#endif
