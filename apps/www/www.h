/* www.h - the web appliance's state, shared by main.c (start, listener,
 * counters) and conn.c (one HTTP/1.1 connection). */
#ifndef WWW_H
#define WWW_H

#include <mica/http.h>
#include <mica/http_site.h>
#include <mica/loop.h>
#include <mica/net.h>

/* Responses of one on_data batch are gathered here and written at once;
 * pieces larger than WWW_COPY_MAX go to TCP by reference instead. */
#define WWW_BATCH 32768
#define WWW_COPY_MAX 4096
#define WWW_HEAD_MAX 1024 /* room a dynamic head (or small error response) needs */

struct www_stats {
	uint64_t accepted, refused, requests, bad_requests, timeouts, closed, write_errors;
	uint64_t status[6]; /* 1xx..5xx answered (index status/100) */
	uint64_t bytes;     /* response bytes handed to TCP */
};

struct www {
	struct mica_loop *loop;
	struct mica_net *net;
	struct mica_tcp_listener *listener;
	const struct mica_http_site *site;
	/* Bodies are copied to TCP, never referenced: the site's memory may
	 * be replaced between two callbacks (SITE=block). */
	bool copy_bodies;
	uint64_t idle_ns;
	unsigned max_conns, conns;
	bool log_access;
	/* Date header of the current second. */
	int64_t date_sec;
	char date[MICA_HTTP_DATE_LEN + 1];
	struct www_stats st;
	/* The batch being filled for one connection (empty between callbacks). */
	size_t batch_len;
	uint8_t batch[WWW_BATCH];
};

extern struct www www;

/* Set w->site: the compiled site (site_compiled.c) or the FAT volume on
 * the block device `site` (site_block.c). */
int www_site_start(struct www *w);

/* Refresh www.date when the wall-clock second has changed. */
void www_update_date(struct www *w);
/* Take a new connection (or refuse it with 503 at the cap). */
void www_accept(struct mica_tcp_listener *l, struct mica_tcp *t, void *arg);

#endif
