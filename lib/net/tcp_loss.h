/* tcp_loss.h - the sender's loss recovery and congestion control state, and
 * the interfaces between the files that run it (included by tcp.h):
 *
 *   tcp_sack.c      the scoreboard: one record per transmitted segment,
 *                   SACK and DSACK (RFC 2018, 2883, 6675), pipe
 *   tcp_rack.c      RACK-TLP (RFC 8985): time-based loss detection with an
 *                   adaptive reordering window, tail loss probes
 *   tcp_recovery.c  what an ACK does to the recovery state: fast recovery
 *                   with PRR (RFC 6937), NewReno for peers without SACK
 *                   (RFC 6582), RTO recovery with F-RTO (RFC 5682), undo of
 *                   spurious episodes (RFC 3708, DSACK and timestamps)
 *   tcp_cc.c        the congestion controller interface and its registry;
 *                   tcp_cubic.c (RFC 9438, the default), tcp_newreno.c
 *
 * Units: bytes of sequence space and loop nanoseconds. */
#ifndef MICA_NET_TCP_LOSS_H
#define MICA_NET_TCP_LOSS_H

#include <stdbool.h>
#include <stdint.h>

struct mica_tcp;
struct tcp_hdr;

#define TCP_SB_MIN 16                            /* scoreboard records allocated at first */
#define TCP_SB_MAX 16384                         /* records at most: new data waits for ACKs beyond */
#define TCP_DUPTHRESH 3                          /* RFC 5681/6675 DupThresh, also RACK's */
#define TCP_REO_PERSIST 16                       /* recoveries a grown reordering window lasts */
#define TCP_TLP_DELACK_NS (200 * MICA_NS_PER_MS) /* RFC 8985 WCDelAckT */
#define TCP_TLP_EXTRA_NS (2 * MICA_NS_PER_MS)    /* PTO slack with more in flight: its floor */
#define TCP_MIN_RTT_WIN_NS (300 * MICA_NS_PER_S) /* RACK.min_RTT's window */

/* Record flags. */
#define SEG_SACKED 0x01  /* the peer holds it (SACK) */
#define SEG_LOST 0x02    /* deemed lost: to be (or being) retransmitted */
#define SEG_RETRANS 0x04 /* retransmitted since it was deemed lost */
#define SEG_EVER 0x08    /* retransmitted at some time */
#define SEG_FIN 0x10     /* its last sequence number is the FIN */

/* One transmitted segment. */
struct tcp_seg {
	uint64_t xmit_ns; /* its latest transmission */
	uint32_t start;   /* first sequence number */
	uint16_t len;     /* sequence space, the FIN included */
	uint8_t flags;
};

/* The records of [snd_una, snd_max), contiguous and in sequence order, in a
 * ring of cap (a power of two) entries; byte totals for pipe. */
struct tcp_sb {
	struct tcp_seg *seg;
	uint32_t cap, head, n;
	uint32_t sacked, lost, retrans; /* bytes SACKed; deemed lost; lost and resent */
	uint32_t sacked_segs;
	uint32_t ever;      /* records with SEG_EVER */
	uint32_t reno_dup;  /* no SACK: bytes the duplicate ACKs stand for */
	uint32_t fack;      /* highest end SACKed or acknowledged (RACK.fack) */
	uint32_t lost_hint; /* records before this index need no retransmission */
};

/* RACK-TLP's variables (RFC 8985 5.2), TLP's and the reorder timer. */
struct tcp_rack {
	uint64_t xmit_ns; /* RACK.xmit_ts */
	uint32_t end_seq; /* RACK.end_seq */
	uint64_t rtt;     /* RACK.rtt */
	uint64_t min_rtt, min_rtt_at;
	uint32_t dsack_round; /* RACK.dsack_round (valid with dsack_round_set) */
	bool dsack_round_set;
	bool reordering_seen;
	uint8_t reo_wnd_mult, reo_wnd_persist;
	uint64_t reo_deadline; /* the reorder timer's expiry (0: none) */
	uint32_t tlp_end;      /* TLP.end_seq (valid with tlp_active) */
	bool tlp_active, tlp_is_retrans, tlp_in_recovery;
};

/* Recovery states (like Linux's Open, Recovery and Loss). */
enum tcp_ca_state { TCP_CA_OPEN, TCP_CA_RECOVERY, TCP_CA_LOSS };

/* What one ACK did, gathered while it is processed. */
struct tcp_ackinfo {
	uint64_t now;
	uint32_t tsecr; /* the ACK's echoed timestamp (with has_tsecr) */
	bool has_tsecr;
	uint32_t prior_sacked; /* SACKed (and no-SACK duplicate) bytes before it */
	uint32_t acked;        /* bytes newly acknowledged cumulatively */
	int64_t delivered;     /* RFC 6937 DeliveredData */
	uint32_t newly_sacked;
	bool una_advanced, dupack, dsack, dsack_tlp;
	bool orig_delivered; /* a never-retransmitted segment was acked or SACKed */
	bool rtt_valid;
	uint64_t rtt; /* from the newest never-retransmitted segment delivered */
};

/* ---- congestion control (tcp_cc.c) ---- */
#define TCP_CC_PRIV 8
struct tcp_cc_ops {
	const char *name;
	void (*init)(struct mica_tcp *c);
	/* A congestion event: the ssthresh to reduce to (it may note what it
	 * needs to undo the event later). */
	uint32_t (*ssthresh)(struct mica_tcp *c);
	/* Outside fast recovery: grow cwnd for bytes newly acknowledged. */
	void (*cong_avoid)(struct mica_tcp *c, uint32_t acked, uint64_t now);
	/* The last congestion event was spurious: take back its own state
	 * (cwnd and ssthresh are restored by the caller). May be NULL. */
	void (*undo)(struct mica_tcp *c);
};
extern const struct tcp_cc_ops tcp_cc_cubic, tcp_cc_newreno;
/* The controller of that name, or NULL. */
const struct tcp_cc_ops *tcp_cc_find(const char *name);
/* Slow start (RFC 5681 with RFC 3465 byte counting, L = 2): returns the
 * part of `acked` left over once cwnd reached ssthresh. */
uint32_t tcp_slow_start(struct mica_tcp *c, uint32_t acked);
/* cwnd may grow: the sender used the window it has. */
bool tcp_cwnd_limited(const struct mica_tcp *c);

/* ---- scoreboard (tcp_sack.c) ---- */
void tcp_sb_free(struct mica_tcp *c);
/* Record a first transmission of [start, start + len) at now. */
int tcp_sb_add(struct mica_tcp *c, uint32_t start, uint32_t len, bool fin, uint64_t now);
/* Records can be added (false: full at TCP_SB_MAX or out of memory). */
bool tcp_sb_room(struct mica_tcp *c, uint32_t nrec);
struct tcp_seg *tcp_sb_at(const struct mica_tcp *c, uint32_t i);
/* The cumulative ACK moved to ack: drop the records below it. */
void tcp_sb_ack(struct mica_tcp *c, uint32_t ack, struct tcp_ackinfo *a);
/* The SACK blocks of an ACK (DSACK first, RFC 2883). */
void tcp_sb_sack(struct mica_tcp *c, const struct tcp_hdr *h, struct tcp_ackinfo *a);
void tcp_sb_mark_lost(struct mica_tcp *c, struct tcp_seg *s);
void tcp_sb_mark_all_lost(struct mica_tcp *c);
void tcp_sb_unmark_lost(struct mica_tcp *c);
/* A record was sent again at now (retransmit: it was lost). */
void tcp_sb_resent(struct mica_tcp *c, struct tcp_seg *s, bool retransmit, uint64_t now);
/* The first record deemed lost and not yet resent, or NULL. */
struct tcp_seg *tcp_sb_next_lost(struct mica_tcp *c);
/* RFC 6675 pipe: bytes the network holds. */
uint32_t tcp_pipe(const struct mica_tcp *c);

/* ---- RACK-TLP (tcp_rack.c) ---- */
void tcp_rack_init(struct mica_tcp *c);
/* A segment was delivered (acked or SACKed for the first time). */
void tcp_rack_delivered(struct mica_tcp *c, const struct tcp_seg *s, struct tcp_ackinfo *a);
void tcp_rack_min_rtt(struct mica_tcp *c, uint64_t rtt, uint64_t now);
/* Mark what RACK deems lost; arms (or clears) the reorder deadline.
 * Returns how many records were newly marked. */
uint32_t tcp_rack_detect_loss(struct mica_tcp *c, uint64_t now);
void tcp_rack_on_dsack(struct mica_tcp *c);
void tcp_rack_recovery_done(struct mica_tcp *c);
/* TLP: may a probe timeout be armed now, and when does it fire. */
bool tcp_tlp_eligible(const struct mica_tcp *c);
uint64_t tcp_tlp_timeout(const struct mica_tcp *c);
/* From now to when the RTO is due for the oldest segment outstanding. */
uint64_t tcp_rto_left(const struct mica_tcp *c);
/* The probe timer fired: send a probe (false: none was due). */
bool tcp_tlp_send_probe(struct mica_tcp *c);
/* An ACK at or beyond the probe's end: was a loss repaired by it? */
void tcp_tlp_on_ack(struct mica_tcp *c, uint32_t ack, struct tcp_ackinfo *a);

/* ---- recovery (tcp_recovery.c) ---- */
void tcp_recovery_on_ack(struct mica_tcp *c, const struct tcp_hdr *h, struct tcp_ackinfo *a);
/* The reorder timer fired. */
void tcp_recovery_reo_timeout(struct mica_tcp *c);
/* The retransmission timer fired on data: enter RTO recovery. */
void tcp_enter_loss(struct mica_tcp *c);
/* A loss that cost a reduction but no recovery (repaired by TLP). */
void tcp_cwnd_reduce_once(struct mica_tcp *c);
/* Bytes sent (new or again) while PRR counts them. */
void tcp_recovery_sent(struct mica_tcp *c, uint32_t len, bool retransmit);

#endif
