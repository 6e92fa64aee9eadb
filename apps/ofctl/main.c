/* main.c - apps/ofctl, the OpenFlow controller appliance: listens on
 * --listen (by default 127.0.0.1:6653 on unix, port 6653 of the device's
 * address on direct targets), runs a learning switch for every switch
 * that connects (learn.c) and prints its counters at exit. */
#include <mica/app.h>
#include <mica/libc.h>
#include <mica/log.h>
#include "ofctl.h"

#define OFCTL_PORT 6653
#define OF_VERSIONS (1u << OF_VERSION_10 | 1u << OF_VERSION_13)

static struct ofc ofc;

static const struct mica_arg_spec ofctl_args[] = {
    {"listen", MICA_ARG_LISTEN, "auto",
     "where switches connect (auto: 127.0.0.1:6653 on unix, port 6653 here)", 0, 0},
    {"idle-timeout", MICA_ARG_INT, "60", "seconds an installed flow lives unused", 0, 65535},
    {"hard-timeout", MICA_ARG_INT, "0", "seconds an installed flow lives at most (0: no limit)", 0, 65535},
    {"max-switches", MICA_ARG_INT, "1024", "switches connected at once", 1, 65536},
    {"mac-max", MICA_ARG_INT, "65536", "MACs learnt per switch before the table starts over", 128, 1 << 24},
    {"echo", MICA_ARG_INT, "5", "seconds of silence before an ECHO_REQUEST (0: none)", 0, 3600},
};

static void on_accept(struct mica_tcp_listener *l, struct mica_tcp *c, void *arg)
{
	struct ofc *app = arg;
	(void)l;
	struct ofc_switch *sw = app->nswitches < app->max_switches ? calloc(1, sizeof(*sw)) : NULL;
	if (!sw || mac_table_init(&sw->macs, app->mac_max) != MICA_OK) {
		free(sw);
		mica_warn("ofctl", "refusing a switch: %u connected", app->nswitches);
		mica_tcp_abort(c);
		return;
	}
	sw->app = app;
	uint64_t echo = (uint64_t)mica_arg_int("echo") * MICA_NS_PER_S;
	if (of_chan_start(&sw->ch, app->loop, c, OF_VERSIONS, echo, &ofc_chan_ops, sw) != MICA_OK) {
		mac_table_fini(&sw->macs);
		free(sw);
		mica_tcp_abort(c);
		return;
	}
	sw->next = app->switches;
	app->switches = sw;
	app->nswitches++;
	app->st.switches++;
}

static int ofctl_start(struct mica_loop *loop)
{
	struct ofc *app = &ofc;
	app->loop = loop;
	app->idle_timeout = (uint16_t)mica_arg_int("idle-timeout");
	app->hard_timeout = (uint16_t)mica_arg_int("hard-timeout");
	app->max_switches = (uint32_t)mica_arg_int("max-switches");
	app->mac_max = (uint32_t)mica_arg_int("mac-max");
	int rc = mica_net_open(loop, "service", &app->net);
	struct mica_endpoint local;
	if (rc == MICA_OK)
		rc = mica_net_listen_addr(app->net, mica_arg_str("listen"), OFCTL_PORT, OFCTL_PORT, &local);
	if (rc == MICA_OK)
		rc = mica_tcp_listen(app->net, &local, 128, on_accept, app, &app->listener);
	if (rc != MICA_OK) {
		mica_error("ofctl", "cannot listen: %s", mica_strerror(rc));
		return rc;
	}
	mica_info("ofctl", "controller listening on %u.%u.%u.%u:%u", local.ip >> 24, (local.ip >> 16) & 255,
	          (local.ip >> 8) & 255, local.ip & 255, local.port);
	return MICA_OK;
}

static void ofctl_stop(struct mica_loop *loop)
{
	(void)loop;
	const struct ofc_stats *s = &ofc.st;
	mica_printf("ofctl: switches %llu, packet_in %llu, flow_mod %llu, packet_out %llu, flood %llu, "
	            "errors received %llu, port down %llu, output full %llu\n",
	            (unsigned long long)s->switches, (unsigned long long)s->packet_ins,
	            (unsigned long long)s->flow_mods, (unsigned long long)s->packet_outs,
	            (unsigned long long)s->floods, (unsigned long long)s->errors_rx,
	            (unsigned long long)s->port_downs, (unsigned long long)s->dropped_out_full);
	for (struct ofc_switch *sw = ofc.switches; sw; sw = sw->next)
		mica_printf("ofctl: switch %016llx: errors sent %llu, MACs %u (table restarts %llu)\n",
		            (unsigned long long)sw->dpid, (unsigned long long)sw->ch.st.rx_errors_sent,
		            sw->macs.n, (unsigned long long)sw->macs.resets);
	if (ofc.net)
		mica_net_print_stats(ofc.net);
}

const struct mica_app mica_app = {
    .name = "ofctl",
    .summary = "OpenFlow controller: a learning switch for every switch that connects",
    .args = ofctl_args,
    .nargs = MICA_ARRAY_LEN(ofctl_args),
    .start = ofctl_start,
    .stop = ofctl_stop,
};
