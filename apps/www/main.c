/* main.c - the web appliance: serves the site tools/sitec compiled into
 * the image (or, built with SITE=block, the FAT volume on the block
 * device `site`) over HTTP/1.1 (GET and HEAD) on --listen=IP:PORT, prints one
 * line per request with --log-access and its counters on exit. Only
 * the headers under include/mica are used, so every target runs it
 * unchanged. */
#include <mica/app.h>
#include <mica/log.h>
#include <mica/platform.h>
#include "www.h"

struct www www;

static const struct mica_arg_spec www_args[] = {
    {"listen", MICA_ARG_IPV4_PORT, NULL,
     "address to serve (default 127.0.0.1:8080 on unix, the interface address port 80 on direct targets)", 0,
     0},
    {"log-access", MICA_ARG_FLAG, "0", "print one line per request", 0, 0},
    {"idle", MICA_ARG_INT, "15", "seconds before an idle keep-alive connection is closed", 1, 3600},
    {"max-conns", MICA_ARG_INT, "512", "most connections at once; more are refused with 503", 1, 65535},
    {"site-poll", MICA_ARG_INT, "2",
     "SITE=block: seconds between looks at the volume for changes (0: read it only at start)", 0, 3600},
};

void www_update_date(struct www *w)
{
	int64_t s = (int64_t)(mica_plat_wall_ns() / MICA_NS_PER_S);
	if (s != w->date_sec) {
		w->date_sec = s;
		mica_http_format_date(s, w->date);
	}
}

static int www_start(struct mica_loop *loop)
{
	struct www *w = &www;
	w->loop = loop;
	w->idle_ns = (uint64_t)mica_arg_int("idle") * MICA_NS_PER_S;
	w->max_conns = (unsigned)mica_arg_int("max-conns");
	w->log_access = mica_arg_flag("log-access");
	w->date_sec = -1;
	www_update_date(w);
	struct mica_endpoint local = {0, 0};
	int rc = www_site_start(w);
	if (rc != MICA_OK)
		return rc;
	rc = mica_net_open(loop, "service", &w->net);
	if (rc == MICA_OK)
		rc = mica_net_listen_addr(w->net, mica_arg_str("listen"), 80, 8080, &local);
	if (rc == MICA_OK)
		rc = mica_tcp_listen(w->net, &local, 1024, www_accept, w, &w->listener);
	if (rc != MICA_OK) {
		mica_error("www", "cannot listen on %u.%u.%u.%u:%u: %s", local.ip >> 24,
		           (local.ip >> 16) & 255, (local.ip >> 8) & 255, local.ip & 255, local.port,
		           mica_strerror(rc));
		return rc;
	}
	uint32_t shown = local.ip ? local.ip : mica_net_ipv4(w->net);
	mica_info("www", "serving %u entries on http://%u.%u.%u.%u:%u/", w->site->nentries, shown >> 24,
	          (shown >> 16) & 255, (shown >> 8) & 255, shown & 255, local.port);
	return MICA_OK;
}

static void www_stop(struct mica_loop *loop)
{
	(void)loop;
	const struct www_stats *s = &www.st;
	mica_printf("www: requests %llu (2xx %llu, 3xx %llu, 4xx %llu, 5xx %llu), bad requests %llu, "
	            "bytes %llu\n",
	            (unsigned long long)s->requests, (unsigned long long)s->status[2],
	            (unsigned long long)s->status[3], (unsigned long long)s->status[4],
	            (unsigned long long)s->status[5], (unsigned long long)s->bad_requests,
	            (unsigned long long)s->bytes);
	mica_printf("www: connections %llu, refused %llu, idle timeouts %llu, write errors %llu, open %u\n",
	            (unsigned long long)s->accepted, (unsigned long long)s->refused,
	            (unsigned long long)s->timeouts, (unsigned long long)s->write_errors, www.conns);
	if (www.net)
		mica_net_print_stats(www.net);
}

const struct mica_app mica_app = {
    .name = "www",
    .summary = "static web server for a site compiled into the image",
    .args = www_args,
    .nargs = MICA_ARRAY_LEN(www_args),
    .start = www_start,
    .stop = www_stop,
};
