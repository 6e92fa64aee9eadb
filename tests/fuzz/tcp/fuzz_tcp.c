/* fuzz_tcp.c - libFuzzer target for TCP's state machine (lib/net/tcp*.c).
 *
 * A scripted peer drives one stack on a capture device with explicit time.
 * It learns the stack's sequence numbers from what the stack sends, so the
 * fuzzed segments land near the live window and reach every state (plain
 * frame fuzzing cannot guess an ISN). The app behind the listener and the
 * active opens is driven by the input too (partial consumption, writes,
 * shutdown, close, abort, resume). Input: 8-byte records
 *   [op][conn][a][b][c][d][e][f]
 * op%6: 0 SYN (options from a) to port 7, 1 a segment (flags a, seq/ack
 * offsets b/c, window d, length e, options f), 2 advance time, 3 an app
 * action, 4 an active open to the peer, 5 complete a handshake.
 * Built by tests/fuzz/module.mk; run by tests/integration/tcp/fuzz-tcp.sh. */
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <stdlib.h>
#include <mica/loop.h>
#include <mica/log.h>
#include "../../../lib/net/tcp.h"

#define OUR_IP 0x0a4d0002u
#define PEER_IP 0x0a4d0001u
#define NPEER 4

static const uint8_t our_mac[6] = {2, 0, 0, 0, 0, 2}, peer_mac[6] = {2, 0, 0, 0, 0, 1};
static uint64_t now_ns = 1000000000ull;
static struct mica_loop loop;
static struct mica_net net;
static struct mica_buf_pool pool;

struct peer {
	uint16_t port, our_port;
	uint32_t seq;     /* the peer's next sequence number */
	uint32_t our_nxt; /* highest sequence the stack sent + 1 */
	bool known;
	struct mica_tcp *c; /* the app's handle, while it holds one */
};
static struct peer peers[NPEER];

static struct {
	int consume; /* on_data: 0 all, 1 half, 2 none */
} app;

static uint64_t f_now(void *ctx)
{
	(void)ctx;
	return now_ns;
}
static int f_poll(void *ctx, uint64_t d)
{
	(void)ctx, (void)d;
	return 0;
}

/* Learn the stack's sequence numbers from its segments. */
static void learn(struct mica_buf *b)
{
	struct eth_hdr eth;
	struct ipv4_hdr ip;
	struct tcp_hdr t;
	if (eth_parse(mica_buf_view(b), &eth) || eth.type != ETH_TYPE_IPV4 || ipv4_parse(eth.payload, &ip) ||
	    ip.proto != IPV4_PROTO_TCP || tcp_parse(ip.payload, ip.src, ip.dst, &t))
		return;
	for (int i = 0; i < NPEER; i++) {
		struct peer *p = &peers[i];
		if (t.dport != p->port)
			continue;
		uint32_t end =
		    t.seq + (uint32_t)t.payload.len + !!(t.flags & TCP_SYN) + !!(t.flags & TCP_FIN);
		if (!p->known || SEQ_GT(end, p->our_nxt))
			p->our_nxt = end;
		p->known = true;
		if (t.flags & TCP_SYN)
			p->our_port = t.sport;
	}
}

static int f_tx(void *ctx, struct mica_buf **bufs, int n)
{
	(void)ctx;
	for (int i = 0; i < n; i++) {
		learn(bufs[i]);
		mica_buf_unref(bufs[i]);
	}
	return n;
}

static struct peer *peer_of(struct mica_tcp *c)
{
	struct mica_endpoint r;
	mica_tcp_endpoints(c, NULL, &r);
	for (int i = 0; i < NPEER; i++)
		if (peers[i].port == r.port)
			return &peers[i];
	return NULL;
}

static size_t a_data(struct mica_tcp *c, struct mica_view d, void *arg)
{
	(void)arg;
	size_t n = app.consume == 0 ? d.len : app.consume == 1 ? d.len / 2 : 0;
	if (n)
		mica_tcp_write(c, d.data, n);
	return n;
}
static void a_writable(struct mica_tcp *c, void *arg)
{
	(void)arg;
	mica_tcp_resume(c);
}
static void a_eof(struct mica_tcp *c, void *arg)
{
	(void)arg;
	mica_tcp_shutdown(c);
}
static void a_connect(struct mica_tcp *c, int err, void *arg)
{
	(void)c, (void)err, (void)arg;
}
static void a_close(struct mica_tcp *c, int err, void *arg)
{
	(void)err, (void)arg;
	for (int i = 0; i < NPEER; i++)
		if (peers[i].c == c)
			peers[i].c = NULL;
}
static const struct mica_tcp_ops ops = {a_data, a_writable, a_eof, a_connect, a_close};

static void a_accept(struct mica_tcp_listener *l, struct mica_tcp *c, void *arg)
{
	(void)l, (void)arg;
	mica_tcp_set_ops(c, &ops, NULL);
	struct peer *p = peer_of(c);
	if (p && !p->c)
		p->c = c;
	else
		mica_tcp_close(c); /* an app that cannot keep a handle must give it back */
}

static void setup(void)
{
	struct mica_loop_ops lo = {f_now, f_poll, NULL};
	mica_loop_init_ops(&loop, &lo);
	mica_log_configure("error");
	mica_buf_pool_init(&pool, 4096, 64);
	struct net_dev dev = {.tx = f_tx, .mtu = 1500};
	memcpy(dev.mac, our_mac, 6);
	struct net_config cfg = {.name = "fuzz", .ip = OUR_IP, .prefix = 24};
	if (net_stack_init(&net, &loop, &dev, &cfg) != MICA_OK)
		__builtin_trap();
	struct mica_tcp_listener *l;
	struct mica_endpoint ep = {0, 7};
	mica_tcp_listen(&net, &ep, 2, a_accept, NULL, &l);
	for (int i = 0; i < NPEER; i++)
		peers[i].port = (uint16_t)(40000 + i);
	/* The peer's MAC, so nothing waits for ARP. */
	struct mica_buf *b = mica_buf_alloc(&pool, 128);
	struct arp_pkt a = {.op = ARP_OP_REQUEST, .spa = PEER_IP, .tpa = OUR_IP};
	memcpy(a.sha, peer_mac, 6);
	arp_encode(b, &a);
	eth_encode(b, our_mac, peer_mac, ETH_TYPE_ARP);
	net_input(&net, b);
	mica_buf_unref(b);
	mica_loop_run_once(&loop, 0);
}

static void run(void)
{
	for (int i = 0; i < 4; i++)
		mica_loop_run_once(&loop, 0);
}

static void send_seg(struct peer *p, uint8_t flags, uint32_t seq, uint32_t ack, uint16_t wnd, size_t len,
                     uint8_t o)
{
	static const uint8_t pattern[1400] = {1, 2, 3};
	struct mica_buf *b = mica_buf_alloc(&pool, 128);
	if (!b)
		return;
	if (len > sizeof(pattern))
		len = sizeof(pattern);
	mica_buf_append(b, pattern, len);
	struct tcp_hdr t = {.sport = p->port,
	                    .dport = p->our_port ? p->our_port : 7,
	                    .seq = seq,
	                    .ack = ack,
	                    .flags = flags,
	                    .wnd = wnd};
	t.has_mss = o & 1;
	t.mss = (uint16_t)(o & 2 ? 64 : 1460);
	t.has_ws = o & 4;
	t.ws = (uint8_t)(o >> 4);
	t.sack_ok = o & 8;
	t.has_ts = o & 0x40;
	t.tsval = (uint32_t)(now_ns / 1000000) + (o & 0x80 ? 0x80000000u : 0);
	if ((o & 0x30) == 0x30 && p->known) {
		t.nsack = 1;
		t.sack[0] = (struct tcp_sack_block){p->our_nxt - 1000, p->our_nxt - 500};
	}
	tcp_encode(b, PEER_IP, OUR_IP, &t);
	struct ipv4_hdr ip = {.ttl = 64, .proto = IPV4_PROTO_TCP, .src = PEER_IP, .dst = OUR_IP};
	ipv4_encode(b, &ip);
	eth_encode(b, our_mac, peer_mac, ETH_TYPE_IPV4);
	struct mica_buf *rx = mica_buf_alloc(&net.rx_pool, NET_HEADROOM);
	if (!rx)
		__builtin_trap(); /* every receive buffer must come back */
	mica_buf_append(rx, mica_buf_data(b), b->len);
	mica_buf_unref(b);
	net_input(&net, rx);
	mica_buf_unref(rx);
	if (flags & TCP_SYN)
		p->seq = seq + 1;
	if (SEQ_GEQ(seq + (uint32_t)len + !!(flags & TCP_FIN), p->seq))
		p->seq = seq + (uint32_t)len + !!(flags & TCP_FIN);
}

static void app_action(struct peer *p, uint8_t a, uint8_t b)
{
	app.consume = b % 3;
	if (!p->c)
		return;
	static const uint8_t data[4096];
	switch (a % 7) {
	case 0: mica_tcp_write(p->c, data, (size_t)b * 16); break;
	case 1: mica_tcp_shutdown(p->c); break;
	case 2:
		mica_tcp_close(p->c);
		p->c = NULL;
		break;
	case 3:
		mica_tcp_abort(p->c);
		p->c = NULL;
		break;
	case 4: mica_tcp_resume(p->c); break;
	case 5: mica_tcp_set_nodelay(p->c, b & 1); break;
	default: (void)mica_tcp_write_room(p->c); break;
	}
}

static void active_open(struct peer *p)
{
	if (p->c)
		return;
	struct mica_endpoint to = {PEER_IP, p->port};
	p->known = false;
	p->our_port = 0;
	if (mica_tcp_connect(&net, &to, &ops, NULL, &p->c) != MICA_OK)
		p->c = NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t size)
{
	static int ready;
	if (!ready) {
		setup();
		ready = 1;
	}
	for (; size >= 8; d += 8, size -= 8) {
		struct peer *p = &peers[d[1] % NPEER];
		int16_t ds = (int16_t)(d[3] << 8 | d[4]), da = (int16_t)(d[4] << 8 | d[5]);
		switch (d[0] % 6) {
		case 0:
			p->our_port = 0;
			p->known = false;
			send_seg(p, TCP_SYN, (uint32_t)d[2] << 24 | d[3], 0, 65535, 0, d[7]);
			break;
		case 1:
			send_seg(p, d[2] & 0x3f, p->seq + (uint32_t)(int32_t)(ds % 4096),
			         p->our_nxt + (uint32_t)(int32_t)(da % 4096), (uint16_t)(d[5] << 8 | d[6]),
			         (size_t)(d[6] % 8) * 200, d[7]);
			break;
		case 2: now_ns += (uint64_t)(d[2] << 8 | d[3]) * MICA_NS_PER_MS * 4; break;
		case 3: app_action(p, d[2], d[3]); break;
		case 4: active_open(p); break;
		default:
			if (p->known)
				send_seg(p, (uint8_t)(TCP_ACK | (d[2] & TCP_SYN)), p->seq, p->our_nxt,
				         (uint16_t)(d[5] << 8 | d[6]), (size_t)(d[6] % 4) * 300, d[7]);
			break;
		}
		run();
	}
	now_ns += 50 * MICA_NS_PER_MS;
	run();
	return 0;
}
