/* tcp_cc.c - the congestion controller interface (tcp_loss.h's struct
 * tcp_cc_ops): a controller says how far to reduce on a congestion event
 * (ssthresh), how cwnd grows outside recovery (cong_avoid) and how to take
 * back a reduction found spurious (undo); the recovery code does the rest
 * (PRR, RTO, cwnd = 1 MSS after a timeout). The stack's controller is
 * chosen by name (--tcp-cc); each connection keeps the one it started
 * with. To add one: a tcp_cc_NAME with these hooks, listed below. */
#include "tcp.h"
#include <mica/libc.h>
#include <mica/log.h>

static const struct tcp_cc_ops *const controllers[] = {&tcp_cc_cubic, &tcp_cc_newreno};

#define TCP_CWND_MAX 0x3fffffffu

const struct tcp_cc_ops *tcp_cc_find(const char *name)
{
	for (size_t i = 0; i < sizeof(controllers) / sizeof(controllers[0]); i++)
		if (strcmp(controllers[i]->name, name) == 0)
			return controllers[i];
	return NULL;
}

int net_tcp_set_cc(struct mica_net *net, const char *name)
{
	const struct tcp_cc_ops *cc = tcp_cc_find(name);
	if (!cc) {
		mica_error("tcp", "--tcp-cc=%s: unknown congestion control (cubic, newreno)", name);
		return MICA_EINVAL;
	}
	if (net->tcp)
		net->tcp->cc = cc;
	return MICA_OK;
}

void tcp_init_cc(struct mica_tcp *c)
{
	c->cwnd = 10u * c->mss; /* RFC 6928 initial window */
	c->ssthresh = 0x7fffffffu;
	c->recover = c->iss;
	c->ca_state = TCP_CA_OPEN;
	c->sb.fack = c->iss + 1;
	c->cc = c->net->tcp->cc ? c->net->tcp->cc : &tcp_cc_cubic;
	memset(c->cc_priv, 0, sizeof(c->cc_priv));
	tcp_rack_init(c);
	c->cc->init(c);
}

uint32_t tcp_slow_start(struct mica_tcp *c, uint32_t acked)
{
	uint32_t inc = acked < 2u * c->mss ? acked : 2u * c->mss; /* RFC 3465, L = 2 */
	uint32_t room = c->ssthresh > c->cwnd ? c->ssthresh - c->cwnd : 0;
	if (inc < room) {
		c->cwnd += inc;
		if (c->cwnd > TCP_CWND_MAX)
			c->cwnd = TCP_CWND_MAX;
		return 0;
	}
	c->cwnd += room;
	return acked - room;
}

bool tcp_cwnd_limited(const struct mica_tcp *c)
{
	return c->cwnd_limited;
}
