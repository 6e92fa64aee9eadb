/* ofctl.h - the controller's state: one struct ofc_switch per connected
 * switch (its channel, datapath id and MAC table), shared by main.c (the
 * listener, arguments, counters) and learn.c (the learning switch). */
#ifndef OFCTL_H
#define OFCTL_H

#include <mica/ofchan.h>

/* MAC -> port, per datapath (mactable.c): open addressing, grows to max. */
struct mac_entry {
	uint8_t mac[6];
	uint16_t used; /* 0: free */
	uint32_t port;
};
struct mac_table {
	struct mac_entry *e;
	uint32_t cap, n, max;
	uint64_t resets; /* times the table was full and started over */
};
int mac_table_init(struct mac_table *t, uint32_t max);
void mac_table_fini(struct mac_table *t);
void mac_learn(struct mac_table *t, const uint8_t mac[6], uint32_t port);
/* The port for mac, or 0 when unknown. */
uint32_t mac_lookup(const struct mac_table *t, const uint8_t mac[6]);
/* Forget every MAC on port; returns how many. */
uint32_t mac_forget_port(struct mac_table *t, uint32_t port);

struct ofc_stats {
	uint64_t switches, packet_ins, flow_mods, packet_outs, floods, errors_rx, port_downs,
	    dropped_out_full;
};

struct ofc_switch {
	struct of_chan ch;
	struct ofc *app;
	uint64_t dpid;
	bool features;
	struct mac_table macs;
	struct mica_task free_task;
	struct ofc_switch *next;
};

struct ofc {
	struct mica_loop *loop;
	struct mica_net *net;
	struct mica_tcp_listener *listener;
	uint16_t idle_timeout, hard_timeout;
	uint32_t max_switches, mac_max;
	uint32_t nswitches;
	struct ofc_switch *switches;
	struct ofc_stats st;
};

/* learn.c */
extern const struct of_chan_ops ofc_chan_ops;

#endif
