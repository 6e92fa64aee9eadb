/* netecho.c - a test guest for the hvt net device hypercalls
 * (tests/integration/hvt/net.sh), without any network stack.
 *
 * Every frame received on net0 is sent back with source and destination
 * MAC swapped and the source set to the device's MAC, in batches (one
 * NET_READ and one NET_WRITE per wakeup). A frame of EtherType 0x88b5
 * whose payload starts with "quit" ends the guest; it prints how many
 * frames it echoed. One starting with "stall" keeps the guest busy for
 * 500 ms without a VM exit (so frames pile up in the tap). */
#include <mica/app.h>
#include <mica/buf.h>
#include <mica/err.h>
#include <mica/libc.h>
#include <mica/log.h>
#include <mica/loop.h>
#include <mica/platform.h>

#define BATCH 32
#define STALL_MS 500

struct echo {
	struct mica_netif *nif;
	struct mica_netif_info info;
	struct mica_buf_pool pool;
	struct mica_loop *loop;
	unsigned long frames, batches;
};

static struct echo echo;

static bool is_quit(const struct mica_buf *b)
{
	const uint8_t *d = mica_buf_data(b);
	return b->len >= 18 && d[12] == 0x88 && d[13] == 0xb5 && memcmp(d + 14, "quit", 4) == 0;
}

static bool is_stall(const struct mica_buf *b)
{
	const uint8_t *d = mica_buf_data(b);
	return b->len >= 19 && d[12] == 0x88 && d[13] == 0xb5 && memcmp(d + 14, "stall", 5) == 0;
}

/* Busy for ms without a VM exit, so frames pile up in the tap. */
static void stall(uint64_t ms)
{
	uint64_t until = mica_plat_monotonic_ns() + ms * MICA_NS_PER_MS;
	while (mica_plat_monotonic_ns() < until)
		;
}

static void on_ready(struct mica_netif *nif, void *arg)
{
	struct echo *e = arg;
	struct mica_buf *bufs[BATCH];
	int n = mica_netif_rx(nif, &e->pool, 0, bufs, BATCH);
	if (n <= 0)
		return;
	e->batches++;
	bool quit = false;
	for (int i = 0; i < n; i++) {
		uint8_t *d = mica_buf_data(bufs[i]);
		quit |= is_quit(bufs[i]);
		if (is_stall(bufs[i]))
			stall(STALL_MS);
		memcpy(d, d + 6, 6);
		memcpy(d + 6, e->info.mac, 6);
	}
	int sent = mica_netif_tx(nif, bufs, n);
	for (int i = sent < 0 ? 0 : sent; i < n; i++)
		mica_buf_unref(bufs[i]);
	e->frames += (unsigned long)(sent < 0 ? 0 : sent);
	if (quit) {
		mica_printf("netecho: echoed %lu frames in %lu batches\n", e->frames, e->batches);
		mica_loop_stop(e->loop, 0);
	}
}

static int start(struct mica_loop *loop)
{
	echo.loop = loop;
	int rc = mica_netif_open("net0", &echo.nif);
	if (rc == 0)
		rc = mica_netif_info(echo.nif, &echo.info);
	if (rc == 0)
		rc = mica_buf_pool_init(&echo.pool, 2048, 128);
	if (rc != 0)
		return rc;
	const uint8_t *m = echo.info.mac;
	mica_printf("netecho: mac %02x:%02x:%02x:%02x:%02x:%02x mtu %u\n", m[0], m[1], m[2], m[3], m[4], m[5],
	            echo.info.mtu);
	mica_netif_set_ready(echo.nif, on_ready, &echo);
	return 0;
}

const struct mica_app mica_app = {
    .name = "netecho",
    .summary = "echo Ethernet frames (hvt net test)",
    .args = NULL,
    .nargs = 0,
    .start = start,
};
