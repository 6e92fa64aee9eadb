/* main.c - apps/ofswitch, the OpenFlow switch appliance: opens its ports
 * port1..portN as raw devices and the `control` device with Mica's IP
 * stack, then forwards by its flow table (datapath.c, flowtable.c) under a
 * controller (ctl.c). Arguments: --controller=IP:PORT, --dpid=16 hex
 * digits, --fail=secure|standalone. */
#include <mica/app.h>
#include <mica/libc.h>
#include <mica/log.h>
#include "ofswitch.h"

struct ofsw ofsw;

static const struct mica_arg_spec ofsw_args[] = {
    {"controller", MICA_ARG_IPV4_PORT, NULL, "the controller's address (TCP)", 0, 0},
    {"dpid", MICA_ARG_STR, NULL, "datapath id, 16 hex digits (default: from port1's MAC)", 0, 0},
    {"fail", MICA_ARG_STR, "secure", "without a controller: secure (drop table misses) or standalone (learn)",
     0, 0},
};

static int parse_dpid(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;
	for (; s[i]; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9'   ? c - '0'
		        : c >= 'a' && c <= 'f' ? c - 'a' + 10
		        : c >= 'A' && c <= 'F' ? c - 'A' + 10
		                               : -1;
		if (d < 0)
			return MICA_EINVAL;
		v = v << 4 | (uint64_t)d;
	}
	if (i != 16)
		return MICA_EINVAL;
	*out = v;
	return MICA_OK;
}

static int open_ports(struct ofsw *sw)
{
	for (uint32_t no = 1; no <= OFSW_PORTS; no++) {
		struct port *p = &sw->ports[no];
		p->no = no;
		snprintf(p->name, sizeof(p->name), "port%u", no);
		int rc = mica_raw_open(sw->loop, p->name, dp_on_frames, p, &p->raw);
		if (rc != MICA_OK) {
			mica_error("ofswitch", "cannot open %s: %s%s", p->name, mica_strerror(rc),
			           rc == MICA_ENOTSUP ? " (raw devices need the tap or hvt target)" : "");
			return rc;
		}
	}
	return MICA_OK;
}

static int ofsw_start(struct mica_loop *loop)
{
	struct ofsw *sw = &ofsw;
	sw->loop = loop;
	sw->started = mica_loop_now(loop);
	sw->miss_send_len = 128;
	const char *fail = mica_arg_str("fail");
	if (strcmp(fail, "secure") != 0 && strcmp(fail, "standalone") != 0) {
		mica_error("ofswitch", "--fail=%s: give secure or standalone", fail);
		return MICA_EINVAL;
	}
	sw->fail = fail[0] == 's' && fail[1] == 't' ? FAIL_STANDALONE : FAIL_SECURE;
	int rc = ft_init(&sw->table);
	if (rc == MICA_OK)
		rc = open_ports(sw);
	if (rc != MICA_OK)
		return rc;
	dp_start(sw);
	const char *dpid = mica_arg_str("dpid");
	if (dpid && parse_dpid(dpid, &sw->dpid) != MICA_OK) {
		mica_error("ofswitch", "--dpid=%s: give 16 hex digits without 0x", dpid);
		return MICA_EINVAL;
	}
	if (!dpid)
		for (int i = 0; i < 6; i++)
			sw->dpid = sw->dpid << 8 | sw->ports[1].info.mac[i];
	if (mica_arg_given("controller")) {
		unsigned port = 0;
		sw->controller.ip = mica_arg_ipv4("controller", &port);
		sw->controller.port = (uint16_t)port;
		sw->have_controller = true;
		rc = mica_net_open(loop, "control", &sw->net);
		if (rc != MICA_OK) {
			mica_error("ofswitch", "cannot open the control device: %s", mica_strerror(rc));
			return rc;
		}
	}
	ctl_start(sw);
	mica_info("ofswitch", "dpid %016llx, %u ports, fail mode %s", (unsigned long long)sw->dpid,
	          OFSW_PORTS, fail);
	return MICA_OK;
}

static void ofsw_stop(struct mica_loop *loop)
{
	(void)loop;
	struct ofsw *sw = &ofsw;
	mica_printf(
	    "ofswitch: flows %u, lookups %llu, matched %llu, cache hits %llu, packet_in %llu (dropped %llu), "
	    "packet_out %llu, flow_mod %llu, flow_removed %llu, miss drops %llu, buffers evicted %llu, "
	    "connects %llu, errors sent %llu, port status %llu\n",
	    sw->table.n, (unsigned long long)sw->table.lookups, (unsigned long long)sw->table.matched,
	    (unsigned long long)sw->table.cache_hits, (unsigned long long)sw->st.packet_in,
	    (unsigned long long)sw->st.packet_in_dropped, (unsigned long long)sw->st.packet_out,
	    (unsigned long long)sw->st.flow_mods, (unsigned long long)sw->st.flow_removed,
	    (unsigned long long)sw->st.table_miss_drop, (unsigned long long)sw->st.buffers_evicted,
	    (unsigned long long)sw->st.connects, (unsigned long long)sw->st.errors_sent,
	    (unsigned long long)sw->st.port_status);
	for (uint32_t no = 1; no <= OFSW_PORTS && sw->ports[no].raw; no++) {
		const struct port *p = &sw->ports[no];
		mica_printf("ofswitch: %s rx %llu tx %llu tx_dropped %llu\n", p->name,
		            (unsigned long long)p->rx_packets, (unsigned long long)p->tx_packets,
		            (unsigned long long)p->tx_dropped);
	}
	if (sw->net)
		mica_net_print_stats(sw->net);
}

const struct mica_app mica_app = {
    .name = "ofswitch",
    .summary = "OpenFlow switch: ports port1..portN, controller over the control device",
    .args = ofsw_args,
    .nargs = MICA_ARRAY_LEN(ofsw_args),
    .start = ofsw_start,
    .stop = ofsw_stop,
};
