/* open.c - net.h's entry points for the direct stack: open a stack on the
 * platform netif the app declared, feed it received frames in batches from
 * the netif's ready callback, and send its frames through mica_netif_tx. */
#include "stack.h"
#include <mica/args.h>
#include <mica/libc.h>
#include <mica/log.h>

/* The stacks opened so far (one per netif name). */
static struct mica_net *opened;

static int dev_tx(void *ctx, struct mica_buf **bufs, int n)
{
	return mica_netif_tx(ctx, bufs, n);
}

static void rx_ready(struct mica_netif *nif, void *arg)
{
	struct mica_net *net = arg;
	struct mica_buf *bufs[NET_RX_BATCH];
	for (int round = 0; round < NET_RX_BATCHES; round++) {
		int n = mica_netif_rx(nif, &net->rx_pool, NET_HEADROOM, bufs, NET_RX_BATCH);
		if (n <= 0) {
			if (n == MICA_ENOMEM)
				NET_COUNT(net, rx_nobuf);
			break;
		}
		for (int i = 0; i < n; i++) {
			net_input(net, bufs[i]);
			mica_buf_unref(bufs[i]);
		}
		if (n < NET_RX_BATCH)
			break;
	}
	net_tx_flush(net);
}

int mica_net_open(struct mica_loop *loop, const char *netif, struct mica_net **out)
{
	for (struct mica_net *n = opened; n; n = n->next_open) {
		if (strcmp(n->name, netif) == 0) {
			*out = n;
			return MICA_OK;
		}
	}
	struct mica_netif *nif;
	int rc = mica_netif_open(netif, &nif);
	if (rc != MICA_OK)
		return rc;
	struct mica_netif_info info = {0};
	rc = mica_netif_info(nif, &info);
	if (rc != MICA_OK)
		return rc;
	struct mica_net *net = malloc(sizeof(*net));
	if (!net)
		return MICA_ENOMEM;
	struct net_dev dev = {
	    .tx = dev_tx, .ctx = nif, .mtu = info.mtu, .tso_max = info.tso_max, .tx_ext = info.tx_ext};
	memcpy(dev.mac, info.mac, ETH_ALEN);
	struct net_config cfg;
	net_config_from_args(&cfg);
	cfg.name = netif;
	rc = net_stack_init(net, loop, &dev, &cfg);
	net->nif = nif;
	if (rc != MICA_OK) {
		free(net);
		return rc;
	}
	mica_netif_set_ready(nif, rx_ready, net);
	net->next_open = opened;
	opened = net;
	*out = net;
	return MICA_OK;
}

uint32_t mica_net_ipv4(struct mica_net *net)
{
	return net->ip;
}

/* "auto" on the direct stack: every address of this device (static or
 * leased), the app's own port. */
int mica_net_listen_addr(struct mica_net *net, const char *spec, uint16_t port, uint16_t unix_port,
                         struct mica_endpoint *out)
{
	struct mica_listen_spec ls;
	(void)net;
	(void)unix_port;
	int rc = mica_parse_listen(spec ? spec : "auto", &ls);
	if (rc != MICA_OK)
		return rc;
	out->ip = ls.auto_ip ? 0 : ls.ip;
	out->port = ls.auto_port ? port : ls.port;
	return MICA_OK;
}
