/* stats.c - the stack's counters: names, the console dump of
 * mica_net_print_stats (apps call it at exit) and the periodic log line,
 * both with the device's own error counts (mica_netif_info). */
#include "stack.h"
#include <mica/libc.h>
#include <mica/log.h>

static const char *const counter_names[NET_NCOUNTERS] = {
#define NET_X(name) #name,
    NET_COUNTERS(NET_X)
#undef NET_X
};

const char *net_counter_name(enum net_counter c)
{
	return (unsigned)c < NET_NCOUNTERS ? counter_names[c] : "?";
}

/* A line of " name=value" items being filled, handed to `line` when full. */
struct emitter {
	char buf[512];
	size_t len;
	void (*line)(const char *text, void *arg);
	void *arg;
};

static void add(struct emitter *e, const char *name, uint64_t value)
{
	if (!value)
		return;
	char item[64];
	int n = snprintf(item, sizeof(item), " %s=%llu", name, (unsigned long long)value);
	if (n < 0)
		return;
	if (e->len + (size_t)n >= 100 && e->len) {
		e->line(e->buf, e->arg);
		e->len = 0;
	}
	memcpy(e->buf + e->len, item, (size_t)n + 1);
	e->len += (size_t)n;
}

/* Every non-zero counter, the device's own error counts (dev_*) last,
 * wrapped into lines of about 100 characters. */
static void emit(struct mica_net *net, void (*line)(const char *text, void *arg), void *arg)
{
	struct emitter e = {.len = 0, .line = line, .arg = arg};
	for (int i = 0; i < NET_NCOUNTERS; i++)
		add(&e, counter_names[i], net->stats[i]);
	struct mica_netif_info info;
	if (net->nif && mica_netif_info(net->nif, &info) == MICA_OK) {
		add(&e, "dev_rx_errors", info.rx_errors);
		add(&e, "dev_tx_errors", info.tx_errors);
	}
	if (e.len)
		line(e.buf, arg);
}

static void print_line(const char *text, void *arg)
{
	mica_printf("net %s:%s\n", (const char *)arg, text);
}

static void log_line(const char *text, void *arg)
{
	mica_info("net", "%s:%s", (const char *)arg, text);
}

void mica_net_print_stats(struct mica_net *net)
{
	if (!net)
		return;
	emit(net, print_line, (void *)net->name);
}

void net_log_stats(struct mica_net *net)
{
	emit(net, log_line, (void *)net->name);
}
