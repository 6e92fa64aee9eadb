/* ofbench.c - a cbench-style load generator for OpenFlow controllers (the
 * original cbench is not packaged). It emulates N switches, each with M
 * hosts behind it: every switch connects, answers the handshake (HELLO,
 * FEATURES, ECHO, BARRIER), teaches the controller its hosts' MACs, then
 * sends PACKET_INs (with buffer ids) between them and counts the
 * FLOW_MODs and PACKET_OUTs that come back per second. Nothing it means to
 * send is dropped: the hosts' first PACKET_INs are queued as the socket
 * takes them (a full socket waits, the controller's replies are read
 * meanwhile), and a reply that finds no room is counted and reported.
 *   throughput mode: each switch keeps its socket full;
 *   latency mode: one PACKET_IN outstanding per switch.
 *
 *   ofbench [-c HOST] [-p PORT] [-s SWITCHES] [-M MACS] [-l SECONDS]
 *           [-w WARMUP] [-m throughput|latency] [-O 10|13]
 * Prints one line per second and a summary "RESULT ... avg N/s". */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <mica/openflow.h>

#define BUF 262144
#define PI_LEN 64 /* bytes of frame in each PACKET_IN */

struct sw {
	int fd;
	int idx;
	uint8_t version;
	bool ready;    /* features sent */
	uint32_t sent; /* PACKET_INs sent */
	uint32_t outstanding;
	int learnt;             /* hosts announced so far (one PACKET_IN each) */
	uint32_t learn_replies; /* replies still owed for those */
	uint8_t in[BUF];
	size_t inlen;
	uint8_t out[BUF];
	size_t outlen;
};

static struct {
	const char *host;
	int port, nsw, nmacs, secs, warmup;
	bool latency;
	uint8_t version;
	uint64_t replies; /* FLOW_MOD + PACKET_OUT in the measured phase */
	bool measuring;
	uint64_t lost; /* messages we had to drop for want of room (should stay 0) */
} cfg = {"127.0.0.1", 6653, 16, 1000, 10, 2, false, OF_VERSION_13, 0, false, 0};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void mac_of(int sw, int host, uint8_t mac[6])
{
	mac[0] = 0x02, mac[1] = (uint8_t)(sw >> 8), mac[2] = (uint8_t)sw;
	mac[3] = 0, mac[4] = (uint8_t)(host >> 8), mac[5] = (uint8_t)host;
}

static struct of_out out_of(struct sw *s)
{
	return (struct of_out){s->out, s->outlen, sizeof(s->out)};
}

/* A PACKET_IN from host src to host dst (ports by host: 1 + host % 4). */
static bool packet_in(struct sw *s, int src, int dst)
{
	uint8_t f[PI_LEN] = {0};
	mac_of(s->idx, dst, f);
	mac_of(s->idx, src, f + 6);
	f[12] = 0x08, f[13] = 0x00; /* IPv4 */
	f[14] = 0x45, f[16] = 0, f[17] = 46, f[22] = 64, f[23] = 17;
	f[26] = 10, f[27] = (uint8_t)s->idx, f[28] = (uint8_t)(src >> 8), f[29] = (uint8_t)src;
	f[30] = 10, f[31] = (uint8_t)s->idx, f[32] = (uint8_t)(dst >> 8), f[33] = (uint8_t)dst;
	struct of_out o = out_of(s);
	int rc = of_encode_packet_in(&o, s->version, 0, s->sent & 0xff, PI_LEN, OFPR_NO_MATCH, 0, 0,
	                             1 + (uint32_t)(src % 4), (struct mica_view){f, sizeof(f)});
	if (rc)
		return false;
	s->outlen = o.len;
	s->sent++;
	s->outstanding++;
	return true;
}

static void flush_out(struct sw *s)
{
	while (s->outlen) {
		ssize_t w = write(s->fd, s->out, s->outlen);
		if (w <= 0)
			return;
		memmove(s->out, s->out + w, s->outlen - (size_t)w);
		s->outlen -= (size_t)w;
	}
}

/* Teach the controller every host: one broadcast PACKET_IN from each,
 * as many as the output buffer takes now (room is kept for replies);
 * true when all are queued. */
static bool announce_hosts(struct sw *s)
{
	while (s->learnt < cfg.nmacs && s->outlen < sizeof(s->out) - 4096) {
		int h = s->learnt;
		uint8_t f[PI_LEN] = {0};
		memset(f, 0xff, 6);
		mac_of(s->idx, h, f + 6);
		f[12] = 0x08, f[13] = 0x06;
		struct of_out o = out_of(s);
		if (of_encode_packet_in(&o, s->version, 0, OF_NO_BUFFER, PI_LEN, OFPR_NO_MATCH, 0, 0,
		                        1 + (uint32_t)(h % 4), (struct mica_view){f, sizeof(f)}) != 0)
			break;
		s->outlen = o.len;
		s->learnt++;
		s->learn_replies++;
	}
	return s->learnt == cfg.nmacs;
}

/* Keep the pipe full (throughput) or one outstanding (latency). */
static void pump(struct sw *s)
{
	if (!s->ready)
		return;
	if (!announce_hosts(s)) {
		flush_out(s);
		return;
	}
	int m = cfg.nmacs;
	while (cfg.latency ? s->outstanding == 0 : s->outlen < sizeof(s->out) - 256) {
		int src = (int)(s->sent % (uint32_t)m);
		if (!packet_in(s, src, (src + 1) % m))
			break;
		if (!cfg.latency && s->outlen > 65536)
			break;
	}
	flush_out(s);
}

static void handshake_reply(struct sw *s, const struct of_msg *m)
{
	struct of_out o = out_of(s);
	switch (m->type) {
	case OFPT_HELLO: s->version = of_pick_version(1u << cfg.version, m->u.hello.bitmap); break;
	case OFPT_FEATURES_REQUEST: {
		struct of_port ports[4];
		memset(ports, 0, sizeof(ports));
		for (int i = 0; i < 4; i++) {
			ports[i].port_no = (uint32_t)i + 1;
			snprintf(ports[i].name, sizeof(ports[i].name), "p%d", i + 1);
		}
		if (of_encode_features_reply(&o, s->version, m->xid, (uint64_t)s->idx + 1, 256, 1, 7, ports,
		                             4))
			cfg.lost++;
		s->outlen = o.len;
		s->ready = true; /* the hosts are announced by pump() */
		break;
	}
	case OFPT_ECHO_REQUEST:
		cfg.lost += of_encode_echo(&o, s->version, OFPT_ECHO_REPLY, m->xid, m->u.echo) != 0;
		s->outlen = o.len;
		break;
	case OFPT_BARRIER_REQUEST:
		cfg.lost += of_encode_empty(&o, s->version, OFPT_BARRIER_REPLY, m->xid) != 0;
		s->outlen = o.len;
		break;
	case OFPT_GET_CONFIG_REQUEST:
		cfg.lost += of_encode_config(&o, s->version, OFPT_GET_CONFIG_REPLY, m->xid, 0, 128) != 0;
		s->outlen = o.len;
		break;
	case OFPT_MULTIPART_REQUEST: {
		size_t st;
		if (of_mp_reply_begin(&o, s->version, m->xid, m->u.multipart.mp_type, &st) == 0) {
			if (m->u.multipart.mp_type == OFPMP_DESC)
				of_mp_add_desc(&o, st, "ofbench", "ofbench", "ofbench", "0", "ofbench");
			of_mp_reply_end(&o, st, 0);
			s->outlen = o.len;
		} else {
			cfg.lost++;
		}
		break;
	}
	default: break;
	}
}

static void on_readable(struct sw *s)
{
	for (;;) {
		ssize_t r = read(s->fd, s->in + s->inlen, sizeof(s->in) - s->inlen);
		if (r <= 0) {
			if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
				fprintf(stderr, "ofbench: switch %d: connection closed by the controller\n",
				        s->idx);
				exit(1);
			}
			break;
		}
		s->inlen += (size_t)r;
		size_t off = 0, len;
		while (of_frame_len((struct mica_view){s->in + off, s->inlen - off}, &len) == 0 &&
		       len <= s->inlen - off) {
			uint8_t type = s->in[off + 1];
			if ((type == OFPT_FLOW_MOD || type == OFPT_PACKET_OUT) && s->learn_replies) {
				s->learn_replies--; /* the flood of a host's first packet */
			} else if (type == OFPT_FLOW_MOD || type == OFPT_PACKET_OUT) {
				if (s->outstanding)
					s->outstanding--;
				if (cfg.measuring)
					cfg.replies++;
			} else {
				struct of_msg m;
				if (of_decode((struct mica_view){s->in + off, len}, &m) == 0)
					handshake_reply(s, &m);
			}
			off += len;
		}
		memmove(s->in, s->in + off, s->inlen - off);
		s->inlen -= off;
	}
	pump(s);
}

static int connect_one(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)cfg.port)};
	inet_pton(AF_INET, cfg.host, &a.sin_addr);
	int fd = -1;
	/* some controllers accept slowly: retry a refused connect for 5 s */
	for (int tries = 0; tries < 250; tries++) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0)
			break;
		if (fd >= 0)
			close(fd);
		fd = -1;
		usleep(20000);
	}
	if (fd < 0) {
		perror("ofbench: connect");
		exit(1);
	}
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	fcntl(fd, F_SETFL, O_NONBLOCK);
	return fd;
}

static void usage(void)
{
	fprintf(stderr, "usage: ofbench [-c HOST] [-p PORT] [-s SWITCHES] [-M MACS] [-l SECONDS] [-w WARMUP] "
	                "[-m throughput|latency] [-O 10|13]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int c;
	while ((c = getopt(argc, argv, "c:p:s:M:l:w:m:O:")) != -1) {
		switch (c) {
		case 'c': cfg.host = optarg; break;
		case 'p': cfg.port = atoi(optarg); break;
		case 's': cfg.nsw = atoi(optarg); break;
		case 'M': cfg.nmacs = atoi(optarg); break;
		case 'l': cfg.secs = atoi(optarg); break;
		case 'w': cfg.warmup = atoi(optarg); break;
		case 'm': cfg.latency = strcmp(optarg, "latency") == 0; break;
		case 'O': cfg.version = strcmp(optarg, "10") == 0 ? OF_VERSION_10 : OF_VERSION_13; break;
		default: usage();
		}
	}
	if (cfg.nsw < 1 || cfg.nsw > 1024 || cfg.nmacs < 2 || cfg.nmacs > 65535 || cfg.secs < 1)
		usage();
	int ep = epoll_create1(0);
	struct sw *sws = calloc((size_t)cfg.nsw, sizeof(*sws));
	for (int i = 0; i < cfg.nsw; i++) {
		struct sw *s = &sws[i];
		s->idx = i;
		s->fd = connect_one();
		s->version = cfg.version;
		struct of_out o = out_of(s);
		of_encode_hello(&o, cfg.version, 1, 1u << cfg.version);
		s->outlen = o.len;
		flush_out(s);
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = s};
		epoll_ctl(ep, EPOLL_CTL_ADD, s->fd, &ev);
	}
	uint64_t start = now_ns(), tick = start + (uint64_t)cfg.warmup * 1000000000ull;
	double sum = 0, best = 0, worst = 1e18;
	int rounds = 0;
	while (rounds < cfg.secs) {
		struct epoll_event evs[64];
		int n = epoll_wait(ep, evs, 64, 10);
		for (int i = 0; i < n; i++)
			on_readable(evs[i].data.ptr);
		for (int i = 0; i < cfg.nsw; i++)
			pump(&sws[i]); /* also what a full socket held back */
		uint64_t t = now_ns();
		if (t < tick)
			continue;
		if (!cfg.measuring) {
			cfg.measuring = true;
			cfg.replies = 0;
			tick = t + 1000000000ull;
			continue;
		}
		double rate = (double)cfg.replies * 1e9 / (double)(t - tick + 1000000000ull);
		printf("ofbench: %d switches, %s: %.0f responses/s\n", cfg.nsw,
		       cfg.latency ? "latency" : "throughput", rate);
		fflush(stdout);
		sum += rate, best = rate > best ? rate : best, worst = rate < worst ? rate : worst;
		rounds++;
		cfg.replies = 0;
		tick = t + 1000000000ull;
	}
	uint64_t announced = 0;
	for (int i = 0; i < cfg.nsw; i++)
		announced += (uint64_t)sws[i].learnt;
	printf("RESULT %d switches %d MACs %s mode: min/max/avg = %.0f/%.0f/%.0f responses/s "
	       "(hosts announced %llu of %llu, messages lost %llu)\n",
	       cfg.nsw, cfg.nmacs, cfg.latency ? "latency" : "throughput", worst, best, sum / rounds,
	       (unsigned long long)announced, (unsigned long long)cfg.nsw * (unsigned long long)cfg.nmacs,
	       (unsigned long long)cfg.lost);
	return 0;
}
