/* ofchan.h - an OpenFlow channel over a Mica TCP connection (lib/openflow):
 * the part the switch and the controller share.
 *
 * It sends HELLO, negotiates the version (1.3, or 1.0 with a peer that
 * offers only that), cuts the byte stream into messages (zero copy when a
 * message is whole in what TCP delivered, else it is gathered in the
 * channel), decodes them and answers malformed ones with an ERROR, answers
 * ECHO_REQUEST, and checks the peer is alive (ECHO after idle, closed
 * after three intervals of silence). Replies are batched: everything
 * encoded while handling one delivery leaves in one TCP write. When the
 * peer does not read, input stops until output drains. */
#ifndef MICA_OFCHAN_H
#define MICA_OFCHAN_H

#include "net.h"
#include "openflow.h"

struct of_chan;

struct of_chan_ops {
	/* HELLO exchanged: ch->version is set. */
	void (*on_ready)(struct of_chan *ch, void *arg);
	/* A well-formed message other than HELLO, ECHO_*: raw is its bytes. */
	void (*on_msg)(struct of_chan *ch, const struct of_msg *m, struct mica_view raw, void *arg);
	/* The connection is gone (err 0: orderly); the channel is finished. */
	void (*on_close)(struct of_chan *ch, int err, void *arg);
};

#define OF_CHAN_IN_MAX 65536
#define OF_CHAN_OUT_MAX (256 * 1024)

struct of_chan_stats {
	uint64_t rx_msgs, tx_msgs_flushes, rx_errors_sent, rx_bad_version, tx_full;
};

struct of_chan {
	struct mica_loop *loop;
	struct mica_tcp *tcp;
	const struct of_chan_ops *ops;
	void *arg;
	uint32_t bitmap; /* versions we offer */
	uint8_t version; /* negotiated, 0 until HELLO */
	bool closing, paused;
	struct of_out out;
	uint8_t *in; /* a message gathered across deliveries */
	size_t inlen;
	uint32_t next_xid;
	uint64_t echo_ns, last_rx;
	struct mica_timer echo_timer;
	struct mica_task flush_task;
	struct of_chan_stats st;
};

/* Take over a connected TCP connection (sets its ops) and send HELLO.
 * echo_ns: idle time before an ECHO_REQUEST (0: never). */
int of_chan_start(struct of_chan *ch, struct mica_loop *loop, struct mica_tcp *tcp, uint32_t bitmap,
                  uint64_t echo_ns, const struct of_chan_ops *ops, void *arg);
/* The output buffer with room for at least `need` more bytes (flushing
 * first if that makes room), or NULL when the peer is not reading. What
 * is encoded there leaves at the end of the turn (or of the delivery). */
struct of_out *of_chan_out(struct of_chan *ch, size_t need);
uint32_t of_chan_xid(struct of_chan *ch);
/* Send an ERROR about the message raw (its xid and first bytes). */
void of_chan_error(struct of_chan *ch, const struct of_msg *m, struct mica_view raw, uint16_t type,
                   uint16_t code);
/* Close after what is queued; on_close follows. */
void of_chan_close(struct of_chan *ch);

#endif
