/* tcpperf.c - a TCP sink and source for interop tests and benchmarks.
 *
 * Server (--port=N): every accepted connection first sends --send bytes of
 * the test pattern (byte i is i % 251) and half-closes, while counting
 * (and discarding) what it receives; it closes after the peer's EOF.
 * Client (--connect=A.B.C.D:PORT): --conns connections one after the
 * other (--parallel at a time), each sending --send bytes of the pattern,
 * half-closing and reading until EOF; then it prints a summary and exits.
 * With --close-first the side that finished sending closes at once
 * instead of waiting for the peer's EOF. With --zerocopy the pattern is
 * handed to TCP by reference (mica_tcp_write_ref) instead of copied. */
#include <mica/app.h>
#include <mica/libc.h>
#include <mica/log.h>
#include <mica/net.h>

#define PATTERN 251
#define CHUNK (PATTERN * 1024)

static const struct mica_arg_spec perf_args[] = {
    {"port", MICA_ARG_INT, "5001", "port to listen on (server)", 1, 65535},
    {"connect", MICA_ARG_IPV4_PORT, NULL, "run as a client to this address", 0, 0},
    {"send", MICA_ARG_INT, "0", "bytes each connection sends", 0, 0},
    {"conns", MICA_ARG_INT, "1", "client: connections to make", 1, 1000000},
    {"parallel", MICA_ARG_INT, "1", "client: connections at a time", 1, 1000},
    {"close-first", MICA_ARG_FLAG, "0", "close right after sending, without waiting for EOF", 0, 0},
    {"nodelay", MICA_ARG_FLAG, "0", "turn Nagle off", 0, 0},
    {"verify", MICA_ARG_FLAG, "0", "hash what is received (FNV-1a, printed per connection)", 0, 0},
    {"zerocopy", MICA_ARG_FLAG, "0", "send by reference (mica_tcp_write_ref), not by copy", 0, 0},
};

struct conn {
	uint64_t sent, received, hash;
	bool shut, eof;
};

static struct {
	struct mica_loop *loop;
	struct mica_net *net;
	struct mica_tcp_listener *listener;
	struct mica_endpoint remote;
	uint8_t chunk[CHUNK];
	uint64_t send, conns, started, finished, failed, bytes_in, bytes_out;
	int64_t parallel;
	bool client, close_first, nodelay, verify, zerocopy;
	uint64_t t0;
} perf;

/* FNV-1a over everything received, printed per connection for checks. */
static uint64_t fnv(uint64_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

static void pump(struct mica_tcp *c, struct conn *k)
{
	while (k->sent < perf.send) {
		size_t off = (size_t)(k->sent % PATTERN);
		size_t n = CHUNK - off;
		if (n > perf.send - k->sent)
			n = (size_t)(perf.send - k->sent);
		/* The pattern never changes after start: it may go by reference. */
		ptrdiff_t w = perf.zerocopy ? mica_tcp_write_ref(c, perf.chunk + off, n, NULL, NULL)
		                            : mica_tcp_write(c, perf.chunk + off, n);
		if (w <= 0)
			return; /* full (on_writable follows) or closing */
		k->sent += (uint64_t)w;
		perf.bytes_out += (uint64_t)w;
	}
	if (!k->shut) {
		k->shut = true;
		if (perf.close_first || k->eof)
			mica_tcp_close(c);
		else
			mica_tcp_shutdown(c);
	}
}

static size_t on_data(struct mica_tcp *c, struct mica_view d, void *arg)
{
	(void)c;
	struct conn *k = arg;
	k->received += d.len;
	if (perf.verify)
		k->hash = fnv(k->hash, d.data, d.len);
	perf.bytes_in += d.len;
	return d.len;
}

static void on_writable(struct mica_tcp *c, void *arg)
{
	pump(c, arg);
}
/* The peer is done: close once our own sending is done too. */
static void on_eof(struct mica_tcp *c, void *arg)
{
	struct conn *k = arg;
	k->eof = true;
	if (k->shut)
		mica_tcp_close(c);
}
static void start_clients(void);

static void on_close(struct mica_tcp *c, int err, void *arg)
{
	(void)c;
	struct conn *k = arg;
	if (err)
		perf.failed++;
	perf.finished++;
	if (perf.conns == 1 || mica_log_enabled(MICA_LOG_DEBUG, "tcpperf"))
		mica_printf("tcpperf: connection sent %llu received %llu fnv %016llx%s%s\n",
		            (unsigned long long)k->sent, (unsigned long long)k->received,
		            (unsigned long long)k->hash, err ? " error: " : "",
		            err ? mica_strerror(err) : "");
	free(k);
	if (perf.client)
		start_clients();
}

static void on_connect(struct mica_tcp *c, int err, void *arg)
{
	if (err == 0)
		pump(c, arg);
}

static const struct mica_tcp_ops perf_ops = {on_data, on_writable, on_eof, on_connect, on_close};

static struct conn *new_conn(void)
{
	struct conn *k = calloc(1, sizeof(*k));
	if (k)
		k->hash = 0xcbf29ce484222325ull;
	return k;
}

static void on_accept(struct mica_tcp_listener *l, struct mica_tcp *c, void *arg)
{
	(void)l, (void)arg;
	struct conn *k = new_conn();
	if (!k) {
		mica_tcp_abort(c);
		return;
	}
	mica_tcp_set_ops(c, &perf_ops, k);
	if (perf.nodelay)
		mica_tcp_set_nodelay(c, true);
	perf.started++;
	pump(c, k);
}

static void start_clients(void)
{
	while (perf.started < perf.conns && (int64_t)(perf.started - perf.finished) < perf.parallel) {
		struct conn *k = new_conn();
		struct mica_tcp *c;
		if (!k || mica_tcp_connect(perf.net, &perf.remote, &perf_ops, k, &c) != MICA_OK) {
			free(k);
			perf.failed++;
			perf.finished++;
			perf.started++;
			continue;
		}
		if (perf.nodelay)
			mica_tcp_set_nodelay(c, true);
		perf.started++;
	}
	if (perf.finished == perf.conns)
		mica_loop_stop(perf.loop, perf.failed ? 1 : 0);
}

static void client_go(struct mica_timer *t, void *arg)
{
	(void)arg;
	/* The first connect tells whether the network is up (DHCP may still
	 * be running on a direct stack): if not, try again on the next tick. */
	struct conn *k = new_conn();
	struct mica_tcp *c;
	int rc = k ? mica_tcp_connect(perf.net, &perf.remote, &perf_ops, k, &c) : MICA_ENOMEM;
	if (rc == MICA_EUNREACH) {
		free(k);
		return;
	}
	mica_timer_cancel(perf.loop, t);
	perf.t0 = mica_loop_now(perf.loop);
	perf.started++;
	if (rc != MICA_OK) {
		free(k);
		perf.failed++;
		perf.finished++;
	} else if (perf.nodelay) {
		mica_tcp_set_nodelay(c, true);
	}
	start_clients();
}

static struct mica_timer go_timer;

static int perf_start(struct mica_loop *loop)
{
	perf.loop = loop;
	perf.send = (uint64_t)mica_arg_int("send");
	perf.conns = (uint64_t)mica_arg_int("conns");
	perf.parallel = mica_arg_int("parallel");
	perf.close_first = mica_arg_flag("close-first");
	perf.nodelay = mica_arg_flag("nodelay");
	perf.verify = mica_arg_flag("verify");
	perf.zerocopy = mica_arg_flag("zerocopy");
	for (size_t i = 0; i < CHUNK; i++)
		perf.chunk[i] = (uint8_t)(i % PATTERN);
	int rc = mica_net_open(loop, "service", &perf.net);
	if (rc != MICA_OK)
		return rc;
	if (mica_arg_given("connect")) {
		unsigned port;
		perf.remote.ip = mica_arg_ipv4("connect", &port);
		perf.remote.port = (uint16_t)port;
		perf.client = true;
		mica_timer_init(&go_timer, client_go, NULL);
		return mica_timer_start(loop, &go_timer, 1, 10 * MICA_NS_PER_MS);
	}
	struct mica_endpoint local = {0, (uint16_t)mica_arg_int("port")};
	rc = mica_tcp_listen(perf.net, &local, 1024, on_accept, NULL, &perf.listener);
	if (rc == MICA_OK)
		mica_info("tcpperf", "listening on port %u", (unsigned)local.port);
	return rc;
}

static void perf_stop(struct mica_loop *loop)
{
	uint64_t ms = perf.client ? (mica_loop_now(loop) - perf.t0) / MICA_NS_PER_MS : 0;
	mica_printf("tcpperf: connections %llu failed %llu bytes in %llu out %llu time %llu ms\n",
	            (unsigned long long)perf.finished, (unsigned long long)perf.failed,
	            (unsigned long long)perf.bytes_in, (unsigned long long)perf.bytes_out,
	            (unsigned long long)ms);
	mica_net_print_stats(perf.net);
}

const struct mica_app mica_app = {
    .name = "tcpperf",
    .summary = "TCP sink and source for tests and benchmarks",
    .args = perf_args,
    .nargs = MICA_ARRAY_LEN(perf_args),
    .start = perf_start,
    .stop = perf_stop,
};
