/* echo.c - UDP and TCP echo on --port=N, for any number of TCP clients.
 * TCP echo honours backpressure: when the peer reads slower than it
 * writes, the app stops consuming input until there is room to send. */
#include <mica/app.h>
#include <mica/log.h>
#include <mica/net.h>

static const struct mica_arg_spec echo_args[] = {
    {"port", MICA_ARG_INT, "7", "UDP and TCP port to echo on", 1, 65535},
    {"bind", MICA_ARG_IPV4, "0.0.0.0", "local address to bind (unix target)", 0, 0},
};

static struct {
	struct mica_net *net;
	struct mica_udp *udp;
	struct mica_tcp_listener *listener;
	uint64_t udp_echoed, tcp_conns, tcp_bytes;
} echo;

static void udp_echo(struct mica_udp *u, const struct mica_udp_dgram *d, void *arg)
{
	(void)arg;
	if (mica_udp_sendto(u, &d->src, d->data.data, d->data.len) == MICA_OK)
		echo.udp_echoed++;
}

/* Echo what fits in the send buffer; the rest waits for on_writable. */
static size_t tcp_data(struct mica_tcp *c, struct mica_view data, void *arg)
{
	(void)arg;
	ptrdiff_t n = mica_tcp_write(c, data.data, data.len);
	if (n < 0)
		return data.len; /* connection is going away; on_close follows */
	echo.tcp_bytes += (uint64_t)n;
	return (size_t)n;
}

static void tcp_writable(struct mica_tcp *c, void *arg)
{
	(void)arg;
	mica_tcp_resume(c);
}

static void tcp_eof(struct mica_tcp *c, void *arg)
{
	(void)arg;
	mica_tcp_close(c);
}

static void tcp_closed(struct mica_tcp *c, int err, void *arg)
{
	(void)c, (void)arg;
	if (err)
		mica_debug("echo", "connection closed: %s", mica_strerror(err));
}

static const struct mica_tcp_ops echo_tcp_ops = {
    .on_data = tcp_data,
    .on_writable = tcp_writable,
    .on_eof = tcp_eof,
    .on_close = tcp_closed,
};

static void tcp_accept(struct mica_tcp_listener *l, struct mica_tcp *c, void *arg)
{
	(void)l, (void)arg;
	echo.tcp_conns++;
	mica_tcp_set_ops(c, &echo_tcp_ops, NULL);
}

static int echo_start(struct mica_loop *loop)
{
	struct mica_endpoint local = {mica_arg_ipv4("bind", NULL), (uint16_t)mica_arg_int("port")};
	int rc = mica_net_open(loop, "service", &echo.net);
	if (rc == MICA_OK)
		rc = mica_udp_bind(echo.net, &local, udp_echo, NULL, &echo.udp);
	if (rc == MICA_OK)
		rc = mica_tcp_listen(echo.net, &local, 256, tcp_accept, NULL, &echo.listener);
	if (rc != MICA_OK && rc != MICA_ENOTSUP)
		return rc;
	if (rc == MICA_ENOTSUP)
		mica_warn("echo", "TCP is not available on this target; UDP only");
	mica_info("echo", "echoing UDP and TCP on port %u", (unsigned)local.port);
	return MICA_OK;
}

static void echo_stop(struct mica_loop *loop)
{
	(void)loop;
	mica_printf("echo: udp datagrams %llu, tcp connections %llu, tcp bytes %llu\n",
	            (unsigned long long)echo.udp_echoed, (unsigned long long)echo.tcp_conns,
	            (unsigned long long)echo.tcp_bytes);
	mica_net_print_stats(echo.net);
}

const struct mica_app mica_app = {
    .name = "echo",
    .summary = "UDP and TCP echo server",
    .args = echo_args,
    .nargs = MICA_ARRAY_LEN(echo_args),
    .start = echo_start,
    .stop = echo_stop,
};
