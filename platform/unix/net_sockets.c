/* net_sockets.c - include/mica/net.h on Linux kernel sockets (unix target).
 *
 * UDP: received in batches with recvmmsg, several batches per wakeup (up
 * to UDP_DRAIN_BATCHES, so a flood cannot starve TCP and timers);
 * datagrams sent from callbacks are queued and leave in one sendmmsg at
 * the end of each batch (or of the loop turn, for sends made elsewhere).
 * Socket buffers are sized as NSD sizes them (1 MiB receive, 4 MiB send,
 * past the sysctl limits where the process may), so a burst waits in the
 * kernel instead of being dropped there. TCP: non-blocking sockets on the epoll
 * set; writes go straight to the kernel and overflow into a bounded
 * per-connection queue, whose fullness is the backpressure the app sees.
 * The queue holds copied bytes and, for mica_tcp_write_ref, references to
 * the app's memory, which are handed to the kernel as they are (sendmsg
 * with an iovec per piece) and released once the kernel has them. A
 * reference into the image's own read-only data (verified to be the bytes
 * of the executable file, image_file.c) goes out with sendfile from that
 * file instead: the kernel sends page-cache pages and copies nothing.
 * Writes made while the app handles one of the connection's events are
 * gathered and leave when the handler returns, so a response's head and
 * its body start in one segment (MSG_MORE before the sendfile). While
 * file pieces go out the socket is corked (full segments only), and a
 * connection that sends files has a 64 KiB not-sent low-water mark: the
 * rest of a large body waits here and leaves in our own sendfile calls
 * rather than being pushed out by the peer's ACKs on the peer's CPU.
 * MICA_NET_SENDFILE=0 in the environment turns sendfile off (references
 * are then sent from memory); MICA_NET_CORK=0 and MICA_NET_LOWAT=N (0:
 * none) change the other two, for measurements. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <mica/app.h>
#include <mica/args.h>
#include <mica/log.h>
#include <mica/net.h>
#include "unix.h"

#define UDP_BATCH 32
#define UDP_DRAIN_BATCHES 8 /* batches per wakeup before other work runs */
#define UDP_RCVBUF (1 << 20)
#define UDP_SNDBUF (4 << 20)
#define UDP_SLOT 4096 /* larger datagrams are dropped and counted */
#define UDP_TXQ 64
#define TCP_RX_BUF 16384
#define TCP_TX_MAX (256 * 1024) /* bytes queued beyond the kernel's buffer */
#define TCP_TX_CHUNK 16384      /* copied bytes are kept in pieces of this size */
#define TCP_TX_IOV 64           /* pieces per sendmsg */
#define TCP_REF_MIN 256         /* smaller references are copied */
#define TCP_GATHER_MAX 16384    /* most bytes gathered during a handler */
#define ACCEPT_BATCH 64

struct mica_net {
	struct mica_loop *loop;
	struct {
		uint64_t udp_rx, udp_tx, udp_rx_oversize, udp_tx_dropped, udp_rx_kernel_drops;
		uint64_t tcp_accepted, tcp_connected, tcp_closed, tcp_reset;
		uint64_t tcp_sendfile_calls, tcp_sendfile_bytes, tcp_ref_sent_bytes;
	} stats;
};

/* ---------------------------------------------------------------- common */

static struct mica_net the_net;
static bool net_opened;

static bool netif_declared(const char *name)
{
	for (const char *const *p = mica_manifest.netifs; p && *p; p++)
		if (strcmp(*p, name) == 0)
			return true;
	return false;
}

int mica_net_open(struct mica_loop *loop, const char *netif, struct mica_net **out)
{
	if (!netif_declared(netif)) {
		mica_error("net", "network device '%s' is not declared in the app's APP_NETIFS", netif);
		return MICA_ENOENT;
	}
	if (!net_opened) {
		the_net.loop = loop;
		net_opened = true;
	}
	*out = &the_net;
	return MICA_OK;
}

uint32_t mica_net_ipv4(struct mica_net *net)
{
	(void)net;
	return 0;
}

/* "auto" on kernel sockets: loopback, the app's unprivileged port. */
int mica_net_listen_addr(struct mica_net *net, const char *spec, uint16_t port, uint16_t unix_port,
                         struct mica_endpoint *out)
{
	struct mica_listen_spec ls;
	(void)net;
	(void)port;
	int rc = mica_parse_listen(spec ? spec : "auto", &ls);
	if (rc != MICA_OK)
		return rc;
	out->ip = ls.auto_ip ? 0x7f000001u : ls.ip;
	out->port = ls.auto_port ? unix_port : ls.port;
	return MICA_OK;
}

void mica_net_print_stats(struct mica_net *net)
{
	mica_printf("net: udp rx %llu tx %llu rx-oversize %llu tx-dropped %llu rx-kernel-drops %llu; "
	            "tcp accepted %llu connected %llu closed %llu reset %llu\n",
	            (unsigned long long)net->stats.udp_rx, (unsigned long long)net->stats.udp_tx,
	            (unsigned long long)net->stats.udp_rx_oversize,
	            (unsigned long long)net->stats.udp_tx_dropped,
	            (unsigned long long)net->stats.udp_rx_kernel_drops,
	            (unsigned long long)net->stats.tcp_accepted, (unsigned long long)net->stats.tcp_connected,
	            (unsigned long long)net->stats.tcp_closed, (unsigned long long)net->stats.tcp_reset);
	mica_printf("net: tcp sendfile %llu bytes in %llu calls, references sent from memory %llu bytes\n",
	            (unsigned long long)net->stats.tcp_sendfile_bytes,
	            (unsigned long long)net->stats.tcp_sendfile_calls,
	            (unsigned long long)net->stats.tcp_ref_sent_bytes);
}

static struct sockaddr_in to_sockaddr(const struct mica_endpoint *ep)
{
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(ep->ip);
	sa.sin_port = htons(ep->port);
	return sa;
}

static struct mica_endpoint from_sockaddr(const struct sockaddr_in *sa)
{
	struct mica_endpoint ep = {ntohl(sa->sin_addr.s_addr), ntohs(sa->sin_port)};
	return ep;
}

static int bound_socket(int type, const struct mica_endpoint *local)
{
	int fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return mica_unix_err(errno);
	int one = 1;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in sa = to_sockaddr(local);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int err = mica_unix_err(errno);
		close(fd);
		return err;
	}
	return fd;
}

/* ------------------------------------------------------------------- UDP */

struct mica_udp {
	struct mica_net *net;
	struct mica_unix_watch watch;
	mica_udp_recv_fn fn;
	void *arg;
	uint16_t port; /* local port */
	bool in_batch, closing;
	uint32_t kernel_drops; /* last SO_RXQ_OVFL count seen */
	struct mica_task flush_task, free_task;
	/* receive batch */
	struct mmsghdr rx_msgs[UDP_BATCH];
	struct iovec rx_iov[UDP_BATCH];
	struct sockaddr_in rx_from[UDP_BATCH];
	char rx_ctl[UDP_BATCH][64];
	uint8_t rx_data[UDP_BATCH][UDP_SLOT];
	/* transmit queue */
	unsigned ntx;
	struct mmsghdr tx_msgs[UDP_TXQ];
	struct iovec tx_iov[UDP_TXQ];
	struct sockaddr_in tx_to[UDP_TXQ];
	uint8_t tx_data[UDP_TXQ][UDP_SLOT];
};

static void udp_flush(struct mica_udp *u)
{
	unsigned sent = 0;
	while (sent < u->ntx) {
		int n = sendmmsg(u->watch.fd, u->tx_msgs + sent, u->ntx - sent, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* Socket buffer full or an error: UDP may drop; count it. */
			u->net->stats.udp_tx_dropped += u->ntx - sent;
			break;
		}
		sent += (unsigned)n;
	}
	u->net->stats.udp_tx += sent;
	u->ntx = 0;
}

static void udp_flush_task(void *arg)
{
	struct mica_udp *u = arg;
	if (!u->closing)
		udp_flush(u);
}

static void udp_free_task(void *arg)
{
	free(arg);
}

/* Local address a datagram was sent to, from its IP_PKTINFO; and the
 * kernel's count of datagrams it dropped on this socket (SO_RXQ_OVFL). */
static uint32_t udp_dst_ip(struct mica_udp *u, struct msghdr *mh)
{
	uint32_t ip = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			ip = ntohl(pi.ipi_addr.s_addr);
		} else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
			uint32_t drops;
			memcpy(&drops, CMSG_DATA(c), sizeof(drops));
			u->net->stats.udp_rx_kernel_drops += drops - u->kernel_drops;
			u->kernel_drops = drops;
		}
	}
	return ip;
}

/* Receive and send buffers as NSD sizes them: past net.core.rmem_max /
 * wmem_max where the process may (CAP_NET_ADMIN), else up to them. */
static void udp_size_buffers(int fd)
{
	int rcv = UDP_RCVBUF, snd = UDP_SNDBUF;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &snd, sizeof(snd)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof(snd));
}

static void udp_prepare_rx(struct mica_udp *u)
{
	for (int i = 0; i < UDP_BATCH; i++) {
		struct msghdr *mh = &u->rx_msgs[i].msg_hdr;
		u->rx_iov[i].iov_base = u->rx_data[i];
		u->rx_iov[i].iov_len = UDP_SLOT;
		mh->msg_name = &u->rx_from[i];
		mh->msg_namelen = sizeof(u->rx_from[i]);
		mh->msg_iov = &u->rx_iov[i];
		mh->msg_iovlen = 1;
		mh->msg_control = u->rx_ctl[i];
		mh->msg_controllen = sizeof(u->rx_ctl[i]);
		mh->msg_flags = 0;
	}
}

/* One recvmmsg batch through the app, then its answers out in one
 * sendmmsg. Returns how many datagrams came in (0: the socket is empty). */
static int udp_batch(struct mica_udp *u)
{
	udp_prepare_rx(u);
	int n = recvmmsg(u->watch.fd, u->rx_msgs, UDP_BATCH, MSG_DONTWAIT, NULL);
	if (n <= 0)
		return 0;
	u->in_batch = true;
	for (int i = 0; i < n && !u->closing; i++) {
		struct msghdr *mh = &u->rx_msgs[i].msg_hdr;
		uint32_t dst = udp_dst_ip(u, mh);
		if (mh->msg_flags & MSG_TRUNC) {
			u->net->stats.udp_rx_oversize++;
			continue;
		}
		u->net->stats.udp_rx++;
		struct mica_udp_dgram d = {
		    .src = from_sockaddr(&u->rx_from[i]),
		    .dst = {dst, u->port},
		    .data = mica_view_make(u->rx_data[i], u->rx_msgs[i].msg_len),
		};
		u->fn(u, &d, u->arg);
	}
	u->in_batch = false;
	if (!u->closing && u->ntx)
		udp_flush(u);
	return n;
}

/* Drain the socket batch by batch while it stays full, but at most
 * UDP_DRAIN_BATCHES at a time: level-triggered epoll brings us back. */
static void udp_ready(struct mica_unix_watch *w, uint32_t events)
{
	struct mica_udp *u = w->arg;
	(void)events;
	for (int b = 0; b < UDP_DRAIN_BATCHES && !u->closing; b++)
		if (udp_batch(u) < UDP_BATCH)
			break;
}

int mica_udp_bind(struct mica_net *net, const struct mica_endpoint *local, mica_udp_recv_fn fn, void *arg,
                  struct mica_udp **out)
{
	struct mica_udp *u = calloc(1, sizeof(*u));
	if (!u)
		return MICA_ENOMEM;
	int fd = bound_socket(SOCK_DGRAM, local);
	if (fd < 0) {
		free(u);
		return fd;
	}
	int one = 1;
	(void)setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
	(void)setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one));
	udp_size_buffers(fd);
	struct sockaddr_in self;
	socklen_t sl = sizeof(self);
	if (getsockname(fd, (struct sockaddr *)&self, &sl) == 0)
		u->port = ntohs(self.sin_port);
	u->net = net;
	u->fn = fn;
	u->arg = arg;
	u->watch = (struct mica_unix_watch){.fd = fd, .fn = udp_ready, .arg = u};
	mica_task_init(&u->flush_task, udp_flush_task, u);
	mica_task_init(&u->free_task, udp_free_task, u);
	int rc = mica_unix_watch_add(&u->watch, EPOLLIN);
	if (rc) {
		close(fd);
		free(u);
		return rc;
	}
	*out = u;
	return MICA_OK;
}

int mica_udp_sendto(struct mica_udp *u, const struct mica_endpoint *to, const void *data, size_t len)
{
	if (u->closing)
		return MICA_ECLOSED;
	if (len > UDP_SLOT) {
		struct sockaddr_in sa = to_sockaddr(to);
		ssize_t n = sendto(u->watch.fd, data, len, MSG_DONTWAIT, (struct sockaddr *)&sa, sizeof(sa));
		if (n < 0)
			return mica_unix_err(errno);
		u->net->stats.udp_tx++;
		return MICA_OK;
	}
	if (u->ntx == UDP_TXQ)
		udp_flush(u);
	unsigned i = u->ntx++;
	memcpy(u->tx_data[i], data, len);
	u->tx_to[i] = to_sockaddr(to);
	u->tx_iov[i] = (struct iovec){u->tx_data[i], len};
	u->tx_msgs[i].msg_hdr = (struct msghdr){.msg_name = &u->tx_to[i],
	                                        .msg_namelen = sizeof(u->tx_to[i]),
	                                        .msg_iov = &u->tx_iov[i],
	                                        .msg_iovlen = 1};
	if (!u->in_batch)
		mica_loop_defer(u->net->loop, &u->flush_task);
	return MICA_OK;
}

void mica_udp_close(struct mica_udp *u)
{
	if (u->closing)
		return;
	if (u->ntx)
		udp_flush(u);
	u->closing = true;
	mica_unix_watch_del(&u->watch);
	close(u->watch.fd);
	/* Freed next turn: a batch or a queued flush may still refer to it. */
	mica_loop_defer(u->net->loop, &u->free_task);
}

/* ------------------------------------------------------------------- TCP */

struct mica_tcp {
	struct mica_net *net;
	struct mica_unix_watch watch;
	const struct mica_tcp_ops *ops;
	void *arg;
	bool connecting, paused, eof_seen, want_writable;
	bool shut_pending, shut_done, closing, gone;
	bool in_handler; /* the app handles one of our events: writes are gathered */
	bool tx_blocked; /* the kernel's buffer was full: wait for EPOLLOUT */
	bool corked;     /* TCP_CORK is on while file pieces go out */
	bool file_tuned; /* the first file piece set the low-water mark */
	int close_err;
	struct mica_task resume_task, close_task;
	uint8_t *rx; /* received bytes not yet consumed */
	size_t rx_off, rx_len;
	struct tx_piece *txq, *txq_tail; /* bytes the kernel has not taken yet */
	size_t tx_len, tx_cap;
};

/* A piece of the send queue: copied bytes (stored after the header, up to
 * end) or a reference to the app's memory (released once sent), which may
 * also be bytes of the executable file (in_file: sent with sendfile). */
struct tx_piece {
	struct tx_piece *next;
	const uint8_t *p; /* first byte not yet sent */
	size_t len;
	const uint8_t *end; /* copies: end of the storage; NULL for a reference */
	mica_tcp_release_fn release;
	void *arg;
	bool in_file; /* p's bytes are file fd's from off */
	int fd;
	off_t off;
};

/* sendfile for references into the image, unless MICA_NET_SENDFILE=0 or
 * the kernel refused it once (then references are sent from memory). */
static enum { SENDFILE_UNKNOWN, SENDFILE_ON, SENDFILE_OFF } sendfile_state;

static bool sendfile_enabled(void)
{
	if (sendfile_state == SENDFILE_UNKNOWN) {
		const char *v = getenv("MICA_NET_SENDFILE");
		sendfile_state = v && strcmp(v, "0") == 0 ? SENDFILE_OFF : SENDFILE_ON;
	}
	return sendfile_state == SENDFILE_ON;
}

/* How a connection sends file pieces: corked while they are queued, and
 * with a not-sent low-water mark (bytes; 0 = none). MICA_NET_CORK=0 and
 * MICA_NET_LOWAT=N override them, for measurements. */
#define TCP_FILE_LOWAT 65536
static struct {
	bool read;
	bool cork;
	int lowat;
} file_tuning;

static void file_tuning_read(void)
{
	const char *cork = getenv("MICA_NET_CORK"), *lowat = getenv("MICA_NET_LOWAT");
	file_tuning.cork = !(cork && strcmp(cork, "0") == 0);
	file_tuning.lowat = lowat && *lowat ? atoi(lowat) : TCP_FILE_LOWAT;
	file_tuning.read = true;
}

/* Errors that say sendfile cannot be used here at all (not a socket error). */
static bool sendfile_unsupported(int err)
{
	return err == EINVAL || err == ENOSYS || err == EOPNOTSUPP;
}

struct mica_tcp_listener {
	struct mica_net *net;
	struct mica_unix_watch watch;
	mica_tcp_accept_fn fn;
	void *arg;
};

static void tcp_update_watch(struct mica_tcp *c)
{
	if (c->gone)
		return;
	uint32_t ev = 0;
	if (!c->paused && !c->eof_seen && !c->closing && !c->connecting)
		ev |= EPOLLIN;
	if (c->tx_len || c->connecting)
		ev |= EPOLLOUT;
	(void)mica_unix_watch_mod(&c->watch, ev);
}

/* Tear the socket down now and report on_close(err) on the next turn. */
static void tcp_finish(struct mica_tcp *c, int err, bool reset)
{
	if (c->gone)
		return;
	c->gone = true;
	c->close_err = err;
	mica_unix_watch_del(&c->watch);
	if (reset) {
		struct linger lg = {1, 0};
		(void)setsockopt(c->watch.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		c->net->stats.tcp_reset++;
	}
	close(c->watch.fd);
	c->net->stats.tcp_closed++;
	mica_loop_defer(c->net->loop, &c->close_task);
}

static void tx_piece_free(struct tx_piece *t)
{
	if (t->release)
		t->release(t->arg);
	free(t);
}

/* The kernel took n queued bytes: release and free the pieces it finished. */
static void tx_consume(struct mica_tcp *c, size_t n)
{
	c->tx_len -= n;
	while (n) {
		struct tx_piece *t = c->txq;
		size_t k = n < t->len ? n : t->len;
		t->p += k;
		t->len -= k;
		n -= k;
		if (t->in_file)
			t->off += (off_t)k;
		else if (!t->end)
			c->net->stats.tcp_ref_sent_bytes += k;
		if (t->len == 0) {
			c->txq = t->next;
			tx_piece_free(t);
		}
	}
	if (!c->txq) {
		c->txq_tail = NULL;
		c->tx_blocked = false;
	}
}

static void tx_drop_all(struct mica_tcp *c)
{
	while (c->txq) {
		struct tx_piece *t = c->txq;
		c->txq = t->next;
		tx_piece_free(t);
	}
	c->txq_tail = NULL;
	c->tx_len = 0;
}

static void tcp_close_task(void *arg)
{
	struct mica_tcp *c = arg;
	if (c->ops && c->ops->on_close)
		c->ops->on_close(c, c->close_err, c->arg);
	tx_drop_all(c);
	free(c->rx);
	free(c);
}

static void tcp_flush_tx(struct mica_tcp *c);

/* The app handles one of c's events: what it writes meanwhile is gathered
 * and leaves when it returns, in as few system calls and segments as the
 * kernel allows. */
static void handler_begin(struct mica_tcp *c)
{
	c->in_handler = true;
}

static void handler_end(struct mica_tcp *c)
{
	c->in_handler = false;
	if (!c->gone && c->tx_len && !c->tx_blocked)
		tcp_flush_tx(c);
}

/* Offer the kept bytes to the app; pause if it does not take them all. */
static void tcp_deliver(struct mica_tcp *c)
{
	while (c->rx_len && !c->gone && !c->closing) {
		handler_begin(c);
		size_t took = c->ops->on_data(c, mica_view_make(c->rx + c->rx_off, c->rx_len), c->arg);
		handler_end(c);
		if (c->gone)
			return;
		if (took > c->rx_len)
			took = c->rx_len;
		c->rx_off += took;
		c->rx_len -= took;
		if (c->rx_len) {
			c->paused = true;
			break;
		}
		c->rx_off = 0;
	}
}

static void tcp_read(struct mica_tcp *c)
{
	if (!c->rx && !(c->rx = malloc(TCP_RX_BUF))) {
		tcp_finish(c, MICA_ENOMEM, true);
		return;
	}
	ssize_t n = recv(c->watch.fd, c->rx, TCP_RX_BUF, MSG_DONTWAIT);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			tcp_finish(c, mica_unix_err(errno), false);
		return;
	}
	if (n == 0) {
		c->eof_seen = true;
		if (c->ops->on_eof)
			c->ops->on_eof(c, c->arg);
		else
			mica_tcp_close(c);
		return;
	}
	c->rx_off = 0;
	c->rx_len = (size_t)n;
	tcp_deliver(c);
}

/* The memory pieces at the head of the queue in one sendmsg, up to the
 * first piece sent from the file; MSG_MORE when there is one, so its bytes
 * join the same segment. */
static ssize_t tx_send_memory(struct mica_tcp *c)
{
	struct iovec iov[TCP_TX_IOV];
	struct msghdr mh = {.msg_iov = iov};
	int flags = MSG_DONTWAIT | MSG_NOSIGNAL;
	for (struct tx_piece *t = c->txq; t && mh.msg_iovlen < TCP_TX_IOV; t = t->next) {
		if (t->in_file) {
			flags |= MSG_MORE;
			break;
		}
		iov[mh.msg_iovlen++] = (struct iovec){(void *)t->p, t->len};
	}
	return sendmsg(c->watch.fd, &mh, flags);
}

/* No piece is sent from the file any more: sendfile is refused here. */
static void tx_forget_file(struct mica_tcp *c)
{
	mica_warn("net", "sendfile refused (%s); sending references from memory", strerror(errno));
	sendfile_state = SENDFILE_OFF;
	for (struct tx_piece *t = c->txq; t; t = t->next)
		t->in_file = false;
}

/* sendfile of len bytes of fd from off: bytes sent, or -1 and errno. */
static ssize_t send_file(struct mica_tcp *c, int fd, off_t off, size_t len)
{
	ssize_t n = sendfile(c->watch.fd, fd, &off, len);
	if (n > 0) {
		c->net->stats.tcp_sendfile_calls++;
		c->net->stats.tcp_sendfile_bytes += (uint64_t)n;
	} else if (n == 0) {
		errno = EINVAL; /* the file ended early: it is not what we verified */
		n = -1;
	}
	return n;
}

static bool tx_has_file(const struct mica_tcp *c)
{
	for (const struct tx_piece *t = c->txq; t; t = t->next)
		if (t->in_file)
			return true;
	return false;
}

/* TCP_CORK while file pieces go out: the kernel sends only full segments
 * (none of the small remainders of sendfile's 64 KiB rounds) until the
 * queue is empty and the cork comes off, which sends the response's tail. */
static void tx_set_cork(struct mica_tcp *c, bool on)
{
	int v = on;
	(void)setsockopt(c->watch.fd, IPPROTO_TCP, TCP_CORK, &v, sizeof(v));
	c->corked = on;
}

static void tcp_flush_tx(struct mica_tcp *c)
{
	/* file_tuned first: a connection that never sent a file has none to walk for */
	if (!c->corked && c->file_tuned && file_tuning.cork && tx_has_file(c))
		tx_set_cork(c, true);
	while (c->tx_len) {
		struct tx_piece *t = c->txq;
		ssize_t n = t->in_file ? send_file(c, t->fd, t->off, t->len) : tx_send_memory(c);
		if (n < 0 && t->in_file && sendfile_unsupported(errno)) {
			tx_forget_file(c);
			continue;
		}
		if (n < 0) {
			int err = errno;
			if (err == EINTR)
				continue;
			if (err == EAGAIN)
				c->tx_blocked = true;
			else
				tcp_finish(c, mica_unix_err(err), false);
			return;
		}
		tx_consume(c, (size_t)n);
	}
	if (c->corked)
		tx_set_cork(c, false);
	if (c->shut_pending && !c->shut_done) {
		(void)shutdown(c->watch.fd, SHUT_WR);
		c->shut_done = true;
	}
	if (c->closing)
		tcp_finish(c, MICA_OK, false);
}

static void tcp_connected(struct mica_tcp *c)
{
	int err = 0;
	socklen_t len = sizeof(err);
	(void)getsockopt(c->watch.fd, SOL_SOCKET, SO_ERROR, &err, &len);
	c->connecting = false;
	if (err) {
		tcp_finish(c, mica_unix_err(err), false);
		return;
	}
	c->net->stats.tcp_connected++;
	if (c->ops->on_connect)
		c->ops->on_connect(c, MICA_OK, c->arg);
}

static void tcp_ready(struct mica_unix_watch *w, uint32_t events)
{
	struct mica_tcp *c = w->arg;
	if (c->connecting) {
		tcp_connected(c);
	} else {
		if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) && !c->paused && !c->eof_seen)
			tcp_read(c);
		if (!c->gone && (events & EPOLLOUT)) {
			c->tx_blocked = false;
			tcp_flush_tx(c);
		}
		if (!c->gone && c->want_writable && c->tx_len == 0 && !c->closing) {
			c->want_writable = false;
			if (c->ops->on_writable) {
				handler_begin(c);
				c->ops->on_writable(c, c->arg);
				handler_end(c);
			}
		}
		if (!c->gone && (events & EPOLLERR))
			tcp_finish(c, MICA_ECONNRESET, false);
	}
	tcp_update_watch(c);
}

static void tcp_resume_task(void *arg)
{
	struct mica_tcp *c = arg;
	if (c->gone || c->closing)
		return;
	c->paused = false;
	tcp_deliver(c);
	tcp_update_watch(c);
}

static struct mica_tcp *tcp_new(struct mica_net *net, int fd)
{
	struct mica_tcp *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->net = net;
	c->watch = (struct mica_unix_watch){.fd = fd, .fn = tcp_ready, .arg = c};
	c->tx_cap = TCP_TX_MAX;
	mica_task_init(&c->resume_task, tcp_resume_task, c);
	mica_task_init(&c->close_task, tcp_close_task, c);
	return c;
}

static void listener_ready(struct mica_unix_watch *w, uint32_t events)
{
	struct mica_tcp_listener *l = w->arg;
	(void)events;
	for (int i = 0; i < ACCEPT_BATCH; i++) {
		int fd = accept4(w->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		struct mica_tcp *c = tcp_new(l->net, fd);
		if (!c || mica_unix_watch_add(&c->watch, 0) != MICA_OK) {
			free(c);
			close(fd);
			continue;
		}
		l->net->stats.tcp_accepted++;
		l->fn(l, c, l->arg);
		if (!c->ops && !c->gone) {
			mica_warn("net", "accept callback set no ops; resetting the connection");
			tcp_finish(c, MICA_ECONNRESET, true);
		}
		tcp_update_watch(c);
	}
}

int mica_tcp_listen(struct mica_net *net, const struct mica_endpoint *local, int backlog,
                    mica_tcp_accept_fn fn, void *arg, struct mica_tcp_listener **out)
{
	struct mica_tcp_listener *l = calloc(1, sizeof(*l));
	if (!l)
		return MICA_ENOMEM;
	int fd = bound_socket(SOCK_STREAM, local);
	if (fd < 0 || listen(fd, backlog > 0 ? backlog : 128) < 0) {
		int err = fd < 0 ? fd : mica_unix_err(errno);
		if (fd >= 0)
			close(fd);
		free(l);
		return err;
	}
	l->net = net;
	l->fn = fn;
	l->arg = arg;
	l->watch = (struct mica_unix_watch){.fd = fd, .fn = listener_ready, .arg = l};
	int rc = mica_unix_watch_add(&l->watch, EPOLLIN);
	if (rc) {
		close(fd);
		free(l);
		return rc;
	}
	*out = l;
	return MICA_OK;
}

void mica_tcp_listener_close(struct mica_tcp_listener *l)
{
	mica_unix_watch_del(&l->watch);
	close(l->watch.fd);
	free(l);
}

int mica_tcp_connect(struct mica_net *net, const struct mica_endpoint *remote, const struct mica_tcp_ops *ops,
                     void *arg, struct mica_tcp **out)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return mica_unix_err(errno);
	struct sockaddr_in sa = to_sockaddr(remote);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS) {
		int err = mica_unix_err(errno);
		close(fd);
		return err;
	}
	struct mica_tcp *c = tcp_new(net, fd);
	if (!c) {
		close(fd);
		return MICA_ENOMEM;
	}
	c->ops = ops;
	c->arg = arg;
	c->connecting = true;
	int rc = mica_unix_watch_add(&c->watch, EPOLLOUT);
	if (rc) {
		close(fd);
		free(c);
		return rc;
	}
	*out = c;
	return MICA_OK;
}

void mica_tcp_set_ops(struct mica_tcp *c, const struct mica_tcp_ops *ops, void *arg)
{
	c->ops = ops;
	c->arg = arg;
}

/* Room in the queue (a reference to the file may take it past tx_cap). */
static size_t tx_room(const struct mica_tcp *c)
{
	return c->tx_len < c->tx_cap ? c->tx_cap - c->tx_len : 0;
}

size_t mica_tcp_write_room(struct mica_tcp *c)
{
	if (c->gone || c->closing || c->shut_pending)
		return 0;
	return tx_room(c);
}

static void tx_link(struct mica_tcp *c, struct tx_piece *t)
{
	if (c->txq_tail)
		c->txq_tail->next = t;
	else
		c->txq = t;
	c->txq_tail = t;
}

/* Keep bytes the kernel did not take (copied); returns how many fit. */
static size_t tcp_queue(struct mica_tcp *c, const uint8_t *data, size_t len)
{
	size_t room = tx_room(c);
	size_t n = len < room ? len : room, done = 0;
	while (done < n) {
		struct tx_piece *t = c->txq_tail;
		size_t free = t && t->end ? (size_t)(t->end - (t->p + t->len)) : 0;
		if (free == 0) {
			size_t size = n - done > TCP_TX_CHUNK ? n - done : TCP_TX_CHUNK;
			if (!(t = malloc(sizeof(*t) + size)))
				break;
			*t = (struct tx_piece){.p = (const uint8_t *)(t + 1),
			                       .end = (const uint8_t *)(t + 1) + size};
			tx_link(c, t);
			free = size;
		}
		size_t k = free < n - done ? free : n - done;
		memcpy((uint8_t *)t->p + t->len, data + done, k);
		t->len += k;
		done += k;
	}
	c->tx_len += done;
	return done;
}

/* Keep a reference to bytes the kernel did not take; false without memory. */
static bool tcp_queue_ref(struct mica_tcp *c, const uint8_t *data, size_t len, mica_tcp_release_fn release,
                          void *arg)
{
	struct tx_piece *t = malloc(sizeof(*t));
	if (!t)
		return false;
	*t = (struct tx_piece){.p = data, .len = len, .release = release, .arg = arg};
	tx_link(c, t);
	c->tx_len += len;
	return true;
}

/* What a failed send or sendfile of the queue's head means: 0 when the
 * kernel's buffer is full (or a signal came), else the connection fails. */
static ptrdiff_t send_failed(struct mica_tcp *c, int errnum)
{
	if (errnum == EAGAIN || errnum == EINTR) {
		c->tx_blocked = errnum == EAGAIN;
		return 0;
	}
	int err = mica_unix_err(errnum);
	tcp_finish(c, err, false);
	return err;
}

/* With nothing queued, give the kernel what it takes at once. */
static ptrdiff_t send_now(struct mica_tcp *c, const void *data, size_t len)
{
	if (c->tx_len)
		return 0;
	ssize_t n = send(c->watch.fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n < 0)
		return send_failed(c, errno);
	c->tx_blocked = (size_t)n < len;
	return n;
}

static int write_check(struct mica_tcp *c)
{
	if (c->gone || c->closing || c->shut_pending)
		return MICA_ECLOSED;
	return c->connecting ? MICA_EAGAIN : MICA_OK;
}

/* In a handler a write of len more bytes is gathered (true: only queue
 * it); one that would gather too much sends what was gathered first. */
static bool gather(struct mica_tcp *c, size_t len)
{
	if (!c->in_handler)
		return false;
	if (c->tx_len + len <= TCP_GATHER_MAX)
		return true;
	if (c->tx_len && !c->tx_blocked)
		tcp_flush_tx(c);
	return false;
}

/* The start of a write: gathered in a handler (0 bytes sent now), else
 * sent at once as far as the kernel takes it; a negative error if the
 * connection is gone or the send failed. */
static ptrdiff_t send_unless_gathered(struct mica_tcp *c, const void *data, size_t len)
{
	if (gather(c, len))
		return 0;
	if (c->gone)
		return MICA_ECLOSED;
	return send_now(c, data, len);
}

/* After a write: wait for room if not all was taken; the watch is set
 * when the handler returns, or now outside one. */
static ptrdiff_t write_done(struct mica_tcp *c, size_t taken, size_t len)
{
	if (taken < len)
		c->want_writable = true;
	if (!c->in_handler)
		tcp_update_watch(c);
	return (ptrdiff_t)taken;
}

ptrdiff_t mica_tcp_write(struct mica_tcp *c, const void *data, size_t len)
{
	int rc = write_check(c);
	if (rc != MICA_OK)
		return rc;
	ptrdiff_t sent = send_unless_gathered(c, data, len);
	if (sent < 0)
		return sent;
	size_t taken = (size_t)sent + tcp_queue(c, (const uint8_t *)data + sent, len - (size_t)sent);
	return write_done(c, taken, len);
}

/* On a connection's first file piece: the not-sent low-water mark. The
 * kernel then takes a file piece only while less than that is unsent; the
 * rest waits in our queue (as a file offset) for EPOLLOUT and goes out in
 * our own sendfile, instead of being pushed out by the peer's ACKs, which
 * on loopback runs on the peer's CPU (see docs/www.md). */
static void tune_for_file(struct mica_tcp *c)
{
	if (!file_tuning.read)
		file_tuning_read();
	if (file_tuning.lowat > 0)
		(void)setsockopt(c->watch.fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &file_tuning.lowat,
		                 sizeof(file_tuning.lowat));
	c->file_tuned = true;
}

/* A reference to the image's bytes in its file (fd, off): queued whole
 * (it holds no memory) unless the queue is already full, and sent at once
 * unless the handler's return sends it or the kernel's buffer is full. */
static ptrdiff_t write_file_ref(struct mica_tcp *c, const uint8_t *data, size_t len, int fd, off_t off,
                                mica_tcp_release_fn release, void *release_arg)
{
	struct tx_piece *t = tx_room(c) ? malloc(sizeof(*t)) : NULL;
	if (!t)
		return write_done(c, 0, len);
	if (!c->file_tuned)
		tune_for_file(c);
	*t = (struct tx_piece){.p = data,
	                       .len = len,
	                       .release = release,
	                       .arg = release_arg,
	                       .in_file = true,
	                       .fd = fd,
	                       .off = off};
	tx_link(c, t);
	c->tx_len += len;
	if (!c->in_handler && !c->tx_blocked)
		tcp_flush_tx(c); /* a failure ends the connection; on_close follows */
	return write_done(c, len, len);
}

ptrdiff_t mica_tcp_write_ref(struct mica_tcp *c, const void *data, size_t len, mica_tcp_release_fn release,
                             void *release_arg)
{
	int rc = write_check(c);
	if (rc != MICA_OK)
		return rc;
	off_t off;
	int fd = len >= TCP_REF_MIN && sendfile_enabled() ? mica_unix_image_locate(data, len, &off) : -1;
	if (fd >= 0)
		return write_file_ref(c, data, len, fd, off, release, release_arg);
	ptrdiff_t sent = send_unless_gathered(c, data, len);
	if (sent < 0)
		return sent;
	c->net->stats.tcp_ref_sent_bytes += (uint64_t)sent;
	const uint8_t *rest = (const uint8_t *)data + sent;
	size_t room = tx_room(c), n = len - (size_t)sent;
	if (n > room)
		n = room;
	bool kept = false;
	if (n >= TCP_REF_MIN)
		kept = tcp_queue_ref(c, rest, n, release, release_arg);
	else
		n = tcp_queue(c, rest, n); /* small: copied */
	if (n >= TCP_REF_MIN && !kept)
		n = 0;
	size_t taken = (size_t)sent + n;
	if (taken && !kept && release)
		release(release_arg); /* all sent or copied already */
	return write_done(c, taken, len);
}

void mica_tcp_resume(struct mica_tcp *c)
{
	if (c->paused && !c->gone)
		mica_loop_defer(c->net->loop, &c->resume_task);
}

int mica_tcp_shutdown(struct mica_tcp *c)
{
	if (c->gone)
		return MICA_ECLOSED;
	c->shut_pending = true;
	if (c->tx_len == 0 && !c->shut_done) {
		(void)shutdown(c->watch.fd, SHUT_WR);
		c->shut_done = true;
	}
	return MICA_OK;
}

void mica_tcp_close(struct mica_tcp *c)
{
	if (c->gone || c->closing)
		return;
	c->closing = true;
	if (c->tx_len == 0)
		tcp_finish(c, MICA_OK, false);
	else
		tcp_update_watch(c);
}

void mica_tcp_abort(struct mica_tcp *c)
{
	tcp_finish(c, MICA_ECONNRESET, true);
}

int mica_tcp_set_nodelay(struct mica_tcp *c, bool on)
{
	int v = on;
	if (setsockopt(c->watch.fd, IPPROTO_TCP, TCP_NODELAY, &v, sizeof(v)) < 0)
		return mica_unix_err(errno);
	return MICA_OK;
}

void mica_tcp_endpoints(struct mica_tcp *c, struct mica_endpoint *local, struct mica_endpoint *remote)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	if (local && getsockname(c->watch.fd, (struct sockaddr *)&sa, &len) == 0)
		*local = from_sockaddr(&sa);
	len = sizeof(sa);
	if (remote && getpeername(c->watch.fd, (struct sockaddr *)&sa, &len) == 0)
		*remote = from_sockaddr(&sa);
}
