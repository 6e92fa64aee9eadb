/* args.c - the direct stack's boot arguments (found by mica_boot through the
 * weak symbol mica_net_args) and their conversion to a struct net_config. */
#include "stack.h"
#include <mica/args.h>
#include <mica/app.h>

static const struct mica_arg_spec net_specs[] = {
    {"ipv4", MICA_ARG_IPV4_PREFIX, NULL,
     "static address ADDR/PREFIX of the network device (default: ask DHCP)", 0, 0},
    {"ipv4-gateway", MICA_ARG_IPV4, NULL, "default gateway (with --ipv4)", 0, 0},
    {"net-stats-every", MICA_ARG_INT, "0", "log the network counters every N seconds (0: only at exit)", 0,
     86400},
    {"tcp-cc", MICA_ARG_STR, "cubic", "TCP congestion control: cubic or newreno", 0, 0},
};

const struct mica_arg_table mica_net_args = {"net", net_specs, MICA_ARRAY_LEN(net_specs)};

void net_config_from_args(struct net_config *cfg)
{
	*cfg = (struct net_config){0};
	if (mica_arg_given("ipv4"))
		cfg->ip = mica_arg_ipv4("ipv4", &cfg->prefix);
	if (mica_arg_given("ipv4-gateway"))
		cfg->gateway = mica_arg_ipv4("ipv4-gateway", NULL);
	cfg->stats_every_ns = (uint64_t)mica_arg_int("net-stats-every") * MICA_NS_PER_S;
	cfg->tcp_cc = mica_arg_str("tcp-cc");
}
