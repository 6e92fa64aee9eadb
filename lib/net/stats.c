/* stats.c - the stack's counters: names, the console dump of
 * mica_net_print_stats (apps call it at exit) and the periodic log line. */
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

/* "name=value" for every non-zero counter, wrapped into lines of `width`. */
static void emit(struct mica_net *net, void (*line)(const char *text, void *arg), void *arg)
{
	char buf[512];
	size_t len = 0;
	for (int i = 0; i < NET_NCOUNTERS; i++) {
		if (!net->stats[i])
			continue;
		char item[64];
		int n = snprintf(item, sizeof(item), " %s=%llu", counter_names[i],
		                 (unsigned long long)net->stats[i]);
		if (n < 0)
			continue;
		if (len + (size_t)n >= 100 && len) {
			line(buf, arg);
			len = 0;
		}
		memcpy(buf + len, item, (size_t)n + 1);
		len += (size_t)n;
	}
	if (len)
		line(buf, arg);
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
