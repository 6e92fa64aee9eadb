/* raw.c - raw frames on a device the app owns (net.h's mica_raw_*), for
 * apps such as a switch whose ports carry other hosts' frames.
 *
 * It lives in core, not lib/net, because it needs nothing of the IP stack:
 * only the platform's netif (platform.h), so every target links the same
 * code; on unix, which has no netifs, mica_raw_open says MICA_ENOTSUP.
 *
 * A raw device is a platform netif with offload turned off (plain frames
 * only), a receive callback fed in batches straight from the netif's ready
 * callback, and a transmit queue flushed once per loop turn by a deferred
 * task. All raw devices share one buffer pool, so a frame received on one
 * can be queued on another (or several, by reference) without a copy: the
 * device that sends it drops the reference. The netif's ready callback
 * also says when the link went up or down: each one compares the link
 * state with the last and tells the app of a change. */
#include <mica/net.h>
#include <mica/platform.h>
#include <mica/err.h>
#include <mica/libc.h>
#include <mica/log.h>

#define RAW_SLOT 2048 /* headroom + a 1518-byte frame + a VLAN tag, rounded up */
#define RAW_BUFS 4096 /* shared by every raw device (8 MiB at most) */
#define RAW_BATCH 32
#define RAW_BATCHES 8 /* receive batches per ready callback before yielding */
#define RAW_TXQ 128

struct mica_raw {
	struct mica_loop *loop;
	struct mica_netif *nif;
	struct mica_raw_info info;
	mica_raw_recv_fn fn;
	void *arg;
	mica_raw_link_fn link_fn;
	void *link_arg;
	struct mica_buf *txq[RAW_TXQ];
	int ntx;
	struct mica_task flush_task;
	struct mica_raw_stats st;
};

static struct mica_buf_pool raw_pool;
static bool raw_pool_ready;

/* Hand what the device takes; keep the rest for the next turn. */
static void raw_flush(void *arg)
{
	struct mica_raw *r = arg;
	if (r->ntx == 0)
		return;
	int sent = mica_netif_tx(r->nif, r->txq, r->ntx);
	if (sent < 0) {
		for (int i = 0; i < r->ntx; i++)
			mica_buf_unref(r->txq[i]);
		r->st.tx_dropped += (uint64_t)r->ntx;
		r->ntx = 0;
		return;
	}
	memmove(r->txq, r->txq + sent, (size_t)(r->ntx - sent) * sizeof(r->txq[0]));
	r->ntx -= sent;
	if (r->ntx)
		mica_loop_defer(r->loop, &r->flush_task);
}

static void check_link(struct mica_raw *r)
{
	struct mica_netif_info ni;
	if (mica_netif_info(r->nif, &ni) != MICA_OK || ni.link_up == r->info.link_up)
		return;
	r->info.link_up = ni.link_up;
	if (r->link_fn)
		r->link_fn(r, ni.link_up, r->link_arg);
}

static void raw_ready(struct mica_netif *nif, void *arg)
{
	struct mica_raw *r = arg;
	struct mica_buf *bufs[RAW_BATCH];
	check_link(r);
	for (int round = 0; round < RAW_BATCHES; round++) {
		int n = mica_netif_rx(nif, &raw_pool, MICA_RAW_HEADROOM, bufs, RAW_BATCH);
		if (n <= 0) {
			if (n == MICA_ENOMEM)
				r->st.rx_nobuf++;
			break;
		}
		r->st.rx_frames += (uint64_t)n;
		for (int i = 0; i < n; i++)
			r->st.rx_bytes += bufs[i]->len;
		r->fn(r, bufs, n, r->arg);
		if (n < RAW_BATCH)
			break;
	}
}

int mica_raw_open(struct mica_loop *loop, const char *netif, mica_raw_recv_fn fn, void *arg,
                  struct mica_raw **out)
{
	if (!raw_pool_ready) {
		int rc = mica_buf_pool_init(&raw_pool, RAW_SLOT, RAW_BUFS);
		if (rc != MICA_OK)
			return rc;
		raw_pool_ready = true;
	}
	struct mica_netif *nif;
	int rc = mica_netif_open(netif, &nif);
	if (rc != MICA_OK)
		return rc;
	rc = mica_netif_set_offload(nif, false);
	struct mica_netif_info ni = {0};
	if (rc == MICA_OK)
		rc = mica_netif_info(nif, &ni);
	if (rc != MICA_OK)
		return rc;
	struct mica_raw *r = calloc(1, sizeof(*r));
	if (!r)
		return MICA_ENOMEM;
	r->loop = loop;
	r->nif = nif;
	r->fn = fn;
	r->arg = arg;
	memcpy(r->info.mac, ni.mac, 6);
	r->info.mtu = ni.mtu;
	r->info.link_up = ni.link_up;
	mica_task_init(&r->flush_task, raw_flush, r);
	mica_netif_set_ready(nif, raw_ready, r);
	*out = r;
	return MICA_OK;
}

int mica_raw_info(struct mica_raw *r, struct mica_raw_info *info)
{
	*info = r->info;
	return MICA_OK;
}

void mica_raw_set_link_fn(struct mica_raw *r, mica_raw_link_fn fn, void *arg)
{
	r->link_fn = fn;
	r->link_arg = arg;
}

struct mica_buf *mica_raw_alloc(struct mica_raw *r, size_t len)
{
	(void)r;
	if (!raw_pool_ready || len > RAW_SLOT - MICA_RAW_HEADROOM)
		return NULL;
	return mica_buf_alloc(&raw_pool, MICA_RAW_HEADROOM);
}

int mica_raw_send(struct mica_raw *r, struct mica_buf *b)
{
	if (r->ntx == RAW_TXQ)
		raw_flush(r);
	if (r->ntx == RAW_TXQ) {
		r->st.tx_dropped++;
		mica_buf_unref(b);
		return MICA_EAGAIN;
	}
	r->st.tx_frames++;
	r->st.tx_bytes += b->len;
	r->txq[r->ntx++] = b;
	if (r->ntx == 1)
		mica_loop_defer(r->loop, &r->flush_task);
	return MICA_OK;
}

void mica_raw_stats(struct mica_raw *r, struct mica_raw_stats *st)
{
	*st = r->st;
}
