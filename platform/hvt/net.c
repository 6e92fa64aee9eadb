/* net.c - network interfaces of the hvt guest over the NET_* hypercalls.
 *
 * Frames move in batches, and mostly on the POLL exit itself, so that a
 * request and its response cost one VM exit:
 *   - mica_netif_tx queues frames (up to a batch); the next POLL sends them
 *     before sleeping (a full queue, or exit, flushes with NET_WRITE);
 *   - once the stack has called mica_netif_rx (which tells the platform its
 *     buffer pool and headroom), receive buffers stay posted to POLL, which
 *     fills them when it wakes; mica_netif_rx then hands those over first,
 *     and makes a NET_READ exit only when more frames may be waiting.
 * The first open netif uses POLL's own I/O fields, every other one an
 * entry of its `io` array, so all devices move on the same exit.
 * Each POLL also brings the devices' link state (link_down); the monitor
 * sets a device's ready bit when its link changed. */
#include <mica/err.h>
#include <mica/libc.h>
#include "hvt.h"

#define TXQ MICA_HVT_NET_BATCH_MAX
#define RXP 32 /* receive buffers posted to POLL */

struct mica_netif {
	uint32_t handle;
	bool open;
	bool drained; /* the last receive left nothing waiting */
	mica_netif_ready_fn ready;
	void *arg;
	/* transmit queue, sent by the next POLL */
	struct mica_buf *txq[TXQ];
	struct mica_hvt_frame txf[TXQ];
	int ntx;
	/* receive buffers posted to POLL; the received prefix is moved to
	 * `got` and refilled before the next POLL */
	struct mica_buf_pool *pool;
	size_t headroom;
	struct mica_buf *posted[RXP];
	struct mica_hvt_frame rxf[RXP];
	struct mica_buf *got[RXP];
	int ngot, next_got;
	uint64_t tx_dropped;
	struct mica_netif_info info; /* from NET_INFO, once; link_up from POLL */
	bool have_info;
};

static struct mica_netif netifs[MICA_HVT_MAX_DEVICES];
static struct mica_hvt_poll_io poll_io[MICA_HVT_MAX_DEVICES]; /* the other netifs' POLL I/O */
static struct mica_netif *poll_io_nif[MICA_HVT_MAX_DEVICES];
static uint32_t open_mask; /* bit i: netifs[i] is open (loops skip the rest) */
static uint32_t link_down; /* bit i: netifs[i]'s link is down (the last POLL) */

static int find_device(const char *name, uint32_t kind)
{
	const struct mica_hvt_boot_info *bi = hvt.bi;
	for (uint32_t i = 0; i < bi->ndevices && i < MICA_HVT_MAX_DEVICES; i++)
		if (bi->devices[i].kind == kind && strncmp(bi->devices[i].name, name, MICA_HVT_NAME_MAX) == 0)
			return (int)i;
	return MICA_ENOENT;
}

int mica_netif_open(const char *name, struct mica_netif **out)
{
	int h = find_device(name, MICA_HVT_DEV_NET);
	if (h < 0)
		return h;
	if (!netifs[h].open)
		netifs[h] = (struct mica_netif){.handle = (uint32_t)h, .open = true};
	open_mask |= 1u << h;
	*out = &netifs[h];
	return MICA_OK;
}

int mica_netif_info(struct mica_netif *nif, struct mica_netif_info *info)
{
	if (!nif->have_info) { /* MAC and MTU do not change: one exit */
		struct mica_hvt_net_info a = {.handle = nif->handle};
		hvt_call(MICA_HVT_CALL_NET_INFO, &a);
		if (a.ret < 0)
			return (int)a.ret;
		memcpy(nif->info.mac, a.mac, 6);
		nif->info.mtu = a.mtu;
		nif->have_info = true;
	}
	*info = nif->info;
	info->link_up = !(link_down & (1u << nif->handle));
	info->tx_errors = nif->tx_dropped;
	return MICA_OK;
}

int mica_netif_set_offload(struct mica_netif *nif, bool on)
{
	(void)nif;
	return on ? MICA_ENOTSUP : MICA_OK; /* frames are always plain here */
}

void mica_netif_set_ready(struct mica_netif *nif, mica_netif_ready_fn fn, void *arg)
{
	nif->ready = fn;
	nif->arg = arg;
}

/* After a send of the queue (by POLL or NET_WRITE): drop every queued
 * frame; those the host could not take are lost, as on a full NIC ring. */
static void tx_done(struct mica_netif *nif, int64_t sent)
{
	if (sent < nif->ntx)
		nif->tx_dropped += (uint64_t)(nif->ntx - (sent > 0 ? sent : 0));
	for (int i = 0; i < nif->ntx; i++)
		mica_buf_unref(nif->txq[i]);
	nif->ntx = 0;
}

static void tx_flush(struct mica_netif *nif)
{
	if (nif->ntx == 0)
		return;
	struct mica_hvt_net_io a = {nif->handle, (uint32_t)nif->ntx, (uintptr_t)nif->txf, 0};
	hvt_call(MICA_HVT_CALL_NET_WRITE, &a);
	tx_done(nif, a.ret);
}

int mica_netif_tx(struct mica_netif *nif, struct mica_buf **bufs, int n)
{
	int taken = 0;
	for (; taken < n; taken++) {
		if (nif->ntx == TXQ)
			tx_flush(nif);
		struct mica_buf *b = bufs[taken];
		nif->txf[nif->ntx] = (struct mica_hvt_frame){(uintptr_t)mica_buf_data(b), b->len, 0};
		nif->txq[nif->ntx++] = b;
	}
	return taken;
}

/* Post receive buffers in the holes the last POLL left (a prefix). */
static int rx_refill(struct mica_netif *nif)
{
	int n = 0;
	for (; n < RXP && nif->pool; n++) {
		if (nif->posted[n])
			continue;
		struct mica_buf *b = mica_buf_alloc(nif->pool, nif->headroom);
		if (!b)
			break;
		nif->posted[n] = b;
		nif->rxf[n] =
		    (struct mica_hvt_frame){(uintptr_t)mica_buf_data(b), (uint32_t)mica_buf_tailroom(b), 0};
	}
	return n;
}

/* Fill a POLL's I/O fields: the first open netif in the inline fields,
 * the others in the io array. */
struct mica_netif *hvt_net_poll_prepare(struct mica_hvt_poll *p)
{
	struct mica_netif *io = NULL;
	p->nio = 0;
	p->io = (uintptr_t)poll_io;
	for (uint32_t m = open_mask; m; m &= m - 1) {
		struct mica_netif *nif = &netifs[__builtin_ctz(m)];
		/* no new receive while frames of the last one wait to be taken */
		uint32_t rx = nif->ngot ? 0 : (uint32_t)rx_refill(nif);
		if (!io) {
			io = nif;
			p->io_handle = nif->handle;
			p->tx_count = (uint32_t)nif->ntx;
			p->tx_frames = (uintptr_t)nif->txf;
			p->rx_count = rx;
			p->rx_frames = (uintptr_t)nif->rxf;
			continue;
		}
		poll_io_nif[p->nio] = nif;
		poll_io[p->nio++] = (struct mica_hvt_poll_io){
		    .handle = nif->handle,
		    .tx_count = (uint32_t)nif->ntx,
		    .tx_frames = (uintptr_t)nif->txf,
		    .rx_count = rx,
		    .rx_frames = (uintptr_t)nif->rxf,
		};
	}
	return io;
}

/* One device's part of a finished POLL: release sent frames, take the
 * received ones. */
static void poll_done_one(struct mica_netif *nif, uint32_t tx_count, int64_t tx_ret, uint32_t rx_count,
                          uint32_t rx_got)
{
	if (tx_count)
		tx_done(nif, tx_ret);
	int got = (int)(rx_got <= rx_count ? rx_got : rx_count);
	for (int i = 0; i < got; i++) {
		nif->posted[i]->len = nif->rxf[i].len;
		nif->got[nif->ngot++] = nif->posted[i];
		nif->posted[i] = NULL;
	}
	if (rx_count)
		nif->drained = got < (int)rx_count;
}

void hvt_net_poll_done(struct mica_netif *io, const struct mica_hvt_poll *p)
{
	if (!io)
		return;
	link_down = p->link_down;
	poll_done_one(io, p->tx_count, p->tx_ret, p->rx_count, p->rx_got);
	for (uint32_t i = 0; i < p->nio; i++) {
		const struct mica_hvt_poll_io *e = &poll_io[i];
		poll_done_one(poll_io_nif[i], e->tx_count, e->tx_ret, e->rx_count, e->rx_got);
	}
}

int hvt_net_notify(uint64_t ready)
{
	int n = 0;
	for (uint64_t m = ready & ((1ull << MICA_HVT_MAX_DEVICES) - 1); m; m &= m - 1) {
		unsigned i = (unsigned)__builtin_ctzll(m);
		n++;
		if (netifs[i].open && netifs[i].ready)
			netifs[i].ready(&netifs[i], netifs[i].arg);
	}
	return n;
}

void hvt_net_flush_all(void)
{
	for (uint32_t m = open_mask; m; m &= m - 1)
		tx_flush(&netifs[__builtin_ctz(m)]);
}

/* Hand over frames POLL already received. */
static int take_got(struct mica_netif *nif, struct mica_buf **bufs, int max)
{
	int n = 0;
	while (n < max && nif->next_got < nif->ngot)
		bufs[n++] = nif->got[nif->next_got++];
	if (nif->next_got == nif->ngot)
		nif->ngot = nif->next_got = 0;
	return n;
}

static int rx_read(struct mica_netif *nif, struct mica_buf_pool *pool, size_t headroom,
                   struct mica_buf **bufs, int max)
{
	struct mica_hvt_frame fr[MICA_HVT_NET_BATCH_MAX];
	int n = 0;
	for (; n < max; n++) {
		bufs[n] = mica_buf_alloc(pool, headroom);
		if (!bufs[n])
			break;
		fr[n] = (struct mica_hvt_frame){(uintptr_t)mica_buf_data(bufs[n]),
		                                (uint32_t)mica_buf_tailroom(bufs[n]), 0};
	}
	if (n == 0)
		return MICA_ENOMEM;
	struct mica_hvt_net_io a = {nif->handle, (uint32_t)n, (uintptr_t)fr, 0};
	hvt_call(MICA_HVT_CALL_NET_READ, &a);
	int got = a.ret < 0 ? 0 : (int)a.ret;
	for (int i = 0; i < n; i++) {
		if (i < got)
			bufs[i]->len = fr[i].len;
		else
			mica_buf_unref(bufs[i]);
	}
	nif->drained = got < n;
	return a.ret < 0 ? (int)a.ret : got;
}

int mica_netif_rx(struct mica_netif *nif, struct mica_buf_pool *pool, size_t headroom, struct mica_buf **bufs,
                  int max)
{
	if (max > MICA_HVT_NET_BATCH_MAX)
		max = MICA_HVT_NET_BATCH_MAX;
	if (max <= 0)
		return 0;
	nif->pool = pool; /* from now on POLL receives into this pool */
	nif->headroom = headroom;
	int n = take_got(nif, bufs, max);
	if (n > 0 || nif->drained)
		return n;
	return rx_read(nif, pool, headroom, bufs, max);
}
