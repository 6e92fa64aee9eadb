/* main.c - the key-value appliance: a server of Redis's protocol (RESP2)
 * on --listen (127.0.0.1:6379 on unix, the interface address port 6379 on
 * direct targets) whose data lives in lib/kv's crash-safe log on the block
 * device `data`: a reply to a write is sent only when the write is
 * durable. An empty (zeroed) device is formatted on the first start; a
 * device holding anything else is refused and left as it is. Prints its
 * counters on exit. Only include/mica headers: every target runs it. */
#include <mica/app.h>
#include <mica/log.h>
#include <mica/platform.h>
#include "kv_app.h"

struct kv_app kvapp;

static const struct mica_arg_spec kv_args[] = {
    {"listen", MICA_ARG_LISTEN, "auto",
     "address to serve (auto: 127.0.0.1:6379 on unix, the interface address port 6379 on direct targets)", 0,
     0},
    {"max-keys", MICA_ARG_INT, "1000000", "most keys the index holds (each costs 80 bytes + its length)", 1,
     1000000000},
    {"cache-mb", MICA_ARG_INT, "64", "MiB of values kept in memory (the rest is read from the device)", 1,
     1 << 20},
    {"max-clients", MICA_ARG_INT, "10000", "most connections at once; more are refused", 1, 1000000},
};

static void commit_done(void *arg, uint64_t ticket, int rc)
{
	(void)arg;
	kv_conn_commit(ticket, rc);
}

static void print_store(void)
{
	struct mica_kv_stats s;
	mica_kv_stats(kvapp.kv, &s);
	mica_info("kv",
	          "%llu keys; log %llu of %llu KiB used (%llu KiB live); index %llu KiB, cache %llu KiB; "
	          "values up to %llu bytes",
	          (unsigned long long)s.keys, (unsigned long long)(s.used_bytes >> 10),
	          (unsigned long long)(s.region_bytes >> 10), (unsigned long long)(s.live_bytes >> 10),
	          (unsigned long long)(s.index_bytes >> 10), (unsigned long long)(s.cache_bytes >> 10),
	          (unsigned long long)s.value_max);
}

/* The store is open (or failed): start serving. Called again when the
 * store has reloaded its index after a failed write: then it serves on. */
static void store_open(void *arg, int rc)
{
	struct kv_app *a = arg;
	if (rc < 0) {
		mica_error("kv", "cannot %s the store on block device 'data': %s",
		           a->listener ? "reload" : "open", mica_strerror(rc));
		mica_loop_stop(a->loop, 1);
		return;
	}
	print_store();
	if (a->listener)
		return;
	rc = mica_tcp_listen(a->net, &a->local, 1024, kv_accept, a, &a->listener);
	if (rc < 0) {
		mica_error("kv", "cannot listen on %u.%u.%u.%u:%u: %s", a->local.ip >> 24,
		           (a->local.ip >> 16) & 255, (a->local.ip >> 8) & 255, a->local.ip & 255,
		           a->local.port, mica_strerror(rc));
		mica_loop_stop(a->loop, 1);
		return;
	}
	uint32_t shown = a->local.ip ? a->local.ip : mica_net_ipv4(a->net);
	mica_info("kv", "serving on %u.%u.%u.%u:%u", shown >> 24, (shown >> 16) & 255, (shown >> 8) & 255,
	          shown & 255, a->local.port);
}

static int kv_start(struct mica_loop *loop)
{
	struct kv_app *a = &kvapp;
	a->loop = loop;
	a->max_conns = (unsigned)mica_arg_int("max-clients");
	a->start_ns = mica_plat_monotonic_ns();
	int rc = mica_blk_open(&a->blk, "data");
	if (rc < 0) {
		mica_error("kv", "block device 'data': %s (attach it with --block:data=FILE)",
		           mica_strerror(rc));
		return rc;
	}
	rc = mica_net_open(loop, "service", &a->net);
	if (rc == MICA_OK)
		rc = mica_net_listen_addr(a->net, mica_arg_str("listen"), 6379, 6379, &a->local);
	if (rc < 0) {
		mica_error("kv", "network: %s", mica_strerror(rc));
		return rc;
	}
	struct mica_kv_config cfg = {
	    .max_keys = (uint64_t)mica_arg_int("max-keys"),
	    .cache_bytes = (uint64_t)mica_arg_int("cache-mb") << 20,
	    .on_commit = commit_done,
	    .arg = a,
	};
	rc = mica_kv_open(loop, &a->blk, &cfg, store_open, a, &a->kv);
	if (rc < 0)
		mica_error("kv", "cannot open the store on block device 'data': %s", mica_strerror(rc));
	return rc;
}

static void kv_stop(struct mica_loop *loop)
{
	(void)loop;
	const struct kv_stats *s = &kvapp.st;
	if (kvapp.kv) {
		struct mica_kv_stats k;
		mica_kv_stats(kvapp.kv, &k);
		mica_printf("kv: %llu keys, %llu commits of %llu records (%llu KiB), %llu compactions, %llu "
		            "values read "
		            "from the device%s\n",
		            (unsigned long long)k.keys, (unsigned long long)k.commits,
		            (unsigned long long)k.commit_records, (unsigned long long)(k.commit_bytes >> 10),
		            (unsigned long long)k.compactions, (unsigned long long)k.gets_from_device,
		            k.read_only ? "; read-only after a device error" : "");
	}
	mica_printf(
	    "kv: commands %llu, connections %llu (refused %llu, open %u), protocol errors %llu, write "
	    "errors %llu, device full %llu\n",
	    (unsigned long long)s->commands, (unsigned long long)s->accepted, (unsigned long long)s->refused,
	    kvapp.conns, (unsigned long long)s->protocol_errors, (unsigned long long)s->write_errors,
	    (unsigned long long)s->device_full);
	if (kvapp.net)
		mica_net_print_stats(kvapp.net);
}

const struct mica_app mica_app = {
    .name = "kv",
    .summary = "key-value store speaking the Redis protocol, data on block device 'data'",
    .args = kv_args,
    .nargs = MICA_ARRAY_LEN(kv_args),
    .start = kv_start,
    .stop = kv_stop,
};
