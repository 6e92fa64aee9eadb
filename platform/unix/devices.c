/* devices.c - device boot arguments of the unix target and its (absent)
 * network interfaces: on `unix`, apps reach the network through kernel
 * sockets (net_sockets.c), so there are no netifs. The tap target replaces
 * this file with its own. */
#include <mica/args.h>
#include <mica/app.h>
#include <mica/platform.h>
#include <mica/err.h>

static const struct mica_arg_spec unix_specs[] = {
    {"block:", MICA_ARG_STR, NULL, "attach the block device NAME to a host file (TEXT = path)", 0, 0},
};
const struct mica_arg_table mica_platform_args = {"platform (unix)", unix_specs, MICA_ARRAY_LEN(unix_specs)};

int mica_netif_open(const char *name, struct mica_netif **out)
{
	(void)name;
	(void)out;
	return MICA_ENOTSUP;
}

int mica_netif_info(struct mica_netif *nif, struct mica_netif_info *info)
{
	(void)nif;
	(void)info;
	return MICA_ENOTSUP;
}

void mica_netif_set_ready(struct mica_netif *nif, mica_netif_ready_fn fn, void *arg)
{
	(void)nif;
	(void)fn;
	(void)arg;
}

int mica_netif_rx(struct mica_netif *nif, struct mica_buf_pool *pool, size_t headroom, struct mica_buf **bufs,
                  int max)
{
	(void)nif, (void)pool, (void)headroom, (void)bufs, (void)max;
	return MICA_ENOTSUP;
}

int mica_netif_tx(struct mica_netif *nif, struct mica_buf **bufs, int n)
{
	(void)nif, (void)bufs, (void)n;
	return MICA_ENOTSUP;
}

int mica_netif_set_offload(struct mica_netif *nif, bool on)
{
	(void)nif, (void)on;
	return MICA_ENOTSUP;
}
