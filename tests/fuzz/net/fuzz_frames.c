/* fuzz_frames.c - libFuzzer target: raw Ethernet frames into the direct
 * stack's receive path (net_input), on two stacks that live across inputs
 * (one with a static address and a UDP echo socket, one asking DHCP), with
 * the clock advanced between inputs so timers (ARP, reassembly, DHCP) run.
 * Input: a sequence of [u16 length][frame bytes]; a length byte pair with
 * the top bit set advances the clock instead. Built by tests/fuzz/module.mk. */
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <mica/loop.h>
#include <mica/log.h>
#include "../../../lib/net/stack.h"

static uint64_t now_ns = 1000000000ull;
static uint64_t f_now(void *ctx)
{
	(void)ctx;
	return now_ns;
}
static int f_poll(void *ctx, uint64_t deadline)
{
	(void)ctx, (void)deadline;
	return 0;
}
static int f_tx(void *ctx, struct mica_buf **bufs, int n)
{
	(void)ctx;
	for (int i = 0; i < n; i++)
		mica_buf_unref(bufs[i]);
	return n;
}

static void echo(struct mica_udp *u, const struct mica_udp_dgram *d, void *arg)
{
	(void)arg;
	mica_udp_sendto(u, &d->src, d->data.data, d->data.len);
}

/* TCP echo on port 7, so frames reach TCP's connection states too. */
static size_t tcp_data(struct mica_tcp *c, struct mica_view d, void *arg)
{
	(void)arg;
	ptrdiff_t n = mica_tcp_write(c, d.data, d.len);
	return n > 0 ? (size_t)n : 0;
}
static void tcp_eof(struct mica_tcp *c, void *arg)
{
	(void)arg;
	mica_tcp_close(c);
}
static const struct mica_tcp_ops tcp_ops = {.on_data = tcp_data, .on_eof = tcp_eof};
static void tcp_accept(struct mica_tcp_listener *l, struct mica_tcp *c, void *arg)
{
	(void)l, (void)arg;
	mica_tcp_set_ops(c, &tcp_ops, NULL);
}

static struct mica_loop loop;
static struct mica_net stacks[2];

static void setup(void)
{
	struct mica_loop_ops ops = {f_now, f_poll, NULL};
	mica_loop_init_ops(&loop, &ops);
	mica_log_configure("error");
	for (int i = 0; i < 2; i++) {
		struct net_dev dev = {.tx = f_tx, .mtu = 1500, .mac = {2, 0, 0, 0, 0, (uint8_t)(2 + i)}};
		struct net_config cfg = {
		    .name = "fuzz", .ip = i ? 0 : 0x0a4d0002u, .prefix = 24, .gateway = 0x0a4d0001u};
		if (net_stack_init(&stacks[i], &loop, &dev, &cfg) != MICA_OK)
			__builtin_trap();
	}
	struct mica_udp *u;
	struct mica_endpoint ep = {0, 7};
	mica_udp_bind(&stacks[0], &ep, echo, NULL, &u);
	struct mica_tcp_listener *l;
	mica_tcp_listen(&stacks[0], &ep, 4, tcp_accept, NULL, &l);
}

static void inject(const uint8_t *data, size_t len)
{
	for (int i = 0; i < 2; i++) {
		struct mica_buf *b = mica_buf_alloc(&stacks[i].rx_pool, NET_HEADROOM);
		if (!b)
			__builtin_trap(); /* a leak: every buffer must come back */
		if (len > mica_buf_tailroom(b))
			len = mica_buf_tailroom(b);
		mica_buf_append(b, data, len);
		net_input(&stacks[i], b);
		mica_buf_unref(b);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	if (!ready) {
		setup();
		ready = 1;
	}
	while (size >= 2) {
		size_t n = (size_t)(data[0] & 0x7f) << 8 | data[1];
		bool tick = data[0] & 0x80;
		data += 2;
		size -= 2;
		if (tick) {
			now_ns += n * MICA_NS_PER_MS * 10;
			mica_loop_run_once(&loop, 0);
			continue;
		}
		if (n > size)
			n = size;
		inject(data, n);
		data += n;
		size -= n;
	}
	now_ns += MICA_NS_PER_S;
	mica_loop_run_once(&loop, 0);
	return 0;
}
