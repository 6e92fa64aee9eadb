/* cmd_server.c - the connection and server commands of the key-value
 * appliance: PING, ECHO, QUIT, SELECT (database 0 only), INFO (Redis's
 * sections, plus the store's own figures), COMMAND (the table, COUNT,
 * INFO, DOCS - what redis-cli asks at start), CONFIG GET (what
 * redis-benchmark asks) and CONFIG RESETSTAT. */
#include <stdarg.h>
#include <mica/app.h>
#include <mica/libc.h>
#include <mica/platform.h>
#include "kv_app.h"

static enum kv_result cmd_ping(struct kv_cmd_ctx *x)
{
	if (x->argc > 2) {
		kv_wrong_args(x, "ping");
		return KV_FAIL;
	}
	if (x->argc == 2)
		mica_resp_bulk(x->out, x->argv[1].p, x->argv[1].len);
	else
		mica_resp_simple(x->out, "PONG");
	return KV_DONE;
}

static enum kv_result cmd_echo(struct kv_cmd_ctx *x)
{
	mica_resp_bulk(x->out, x->argv[1].p, x->argv[1].len);
	return KV_DONE;
}

static enum kv_result cmd_quit(struct kv_cmd_ctx *x)
{
	mica_resp_simple(x->out, "OK");
	return KV_CLOSE;
}

static enum kv_result cmd_select(struct kv_cmd_ctx *x)
{
	int64_t db;
	if (kv_arg_int(&x->argv[1], &db) < 0) {
		mica_resp_error(x->out, "ERR value is not an integer or out of range");
		return KV_FAIL;
	}
	if (db != 0) {
		mica_resp_error(x->out, "ERR DB index is out of range");
		return KV_FAIL;
	}
	mica_resp_simple(x->out, "OK");
	return KV_DONE;
}

/* ---- INFO ---- */
static void add(struct mica_resp_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct mica_resp_out *o, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0)
		mica_resp_raw(o, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

static bool want(const struct kv_cmd_ctx *x, const char *section)
{
	if (x->argc < 2)
		return true;
	for (size_t i = 1; i < x->argc; i++)
		if (kv_arg_is(&x->argv[i], section) || kv_arg_is(&x->argv[i], "all") ||
		    kv_arg_is(&x->argv[i], "everything") || kv_arg_is(&x->argv[i], "default"))
			return true;
	return false;
}

static void info_sections(struct kv_cmd_ctx *x, struct mica_resp_out *o, const struct mica_kv_stats *s)
{
	uint64_t up = (mica_plat_monotonic_ns() - kvapp.start_ns) / 1000000000ull;
	if (want(x, "server"))
		add(o,
		    "# Server\r\nredis_version:7.0.0\r\nredis_mode:standalone\r\nmica_app:kv\r\nos:Mica\r\n"
		    "tcp_port:%u\r\nuptime_in_seconds:%llu\r\n\r\n",
		    kvapp.local.port, (unsigned long long)up);
	if (want(x, "clients"))
		add(o, "# Clients\r\nconnected_clients:%u\r\nmaxclients:%u\r\n\r\n", kvapp.conns,
		    kvapp.max_conns);
	if (want(x, "memory"))
		add(o,
		    "# Memory\r\nused_memory:%llu\r\nmica_index_bytes:%llu\r\nmica_cache_bytes:%llu\r\n"
		    "mica_cache_limit:%llu\r\nmica_cached_values:%llu\r\nmica_max_keys:%llu\r\n\r\n",
		    (unsigned long long)(s->index_bytes + s->cache_bytes), (unsigned long long)s->index_bytes,
		    (unsigned long long)s->cache_bytes, (unsigned long long)s->cache_limit,
		    (unsigned long long)s->cached_values, (unsigned long long)s->max_keys);
	if (want(x, "persistence"))
		add(o,
		    "# "
		    "Persistence\r\nloading:%d\r\naof_enabled:1\r\nmica_read_only:%d\r\nmica_log_region_"
		    "bytes:%llu\r\n"
		    "mica_log_used_bytes:%llu\r\nmica_live_bytes:%llu\r\nmica_commits:%llu\r\nmica_commit_"
		    "records:%llu\r\n"
		    "mica_compactions:%llu\r\nmica_value_max:%llu\r\nmica_sector_size:%u\r\n\r\n",
		    s->loading, s->read_only, (unsigned long long)s->region_bytes,
		    (unsigned long long)s->used_bytes, (unsigned long long)s->live_bytes,
		    (unsigned long long)s->commits, (unsigned long long)s->commit_records,
		    (unsigned long long)s->compactions, (unsigned long long)s->value_max, s->sector_size);
	if (want(x, "stats"))
		add(o,
		    "# Stats\r\ntotal_connections_received:%llu\r\ntotal_commands_processed:%llu\r\n"
		    "rejected_connections:%llu\r\nmica_protocol_errors:%llu\r\nmica_values_read_from_device:%"
		    "llu\r\n"
		    "mica_write_errors:%llu\r\nmica_device_full:%llu\r\n\r\n",
		    (unsigned long long)kvapp.st.accepted, (unsigned long long)kvapp.st.commands,
		    (unsigned long long)kvapp.st.refused, (unsigned long long)kvapp.st.protocol_errors,
		    (unsigned long long)s->gets_from_device, (unsigned long long)kvapp.st.write_errors,
		    (unsigned long long)kvapp.st.device_full);
	if (want(x, "keyspace")) {
		add(o, "# Keyspace\r\n");
		if (s->keys)
			add(o, "db0:keys=%llu,expires=0,avg_ttl=0\r\n", (unsigned long long)s->keys);
	}
}

static enum kv_result cmd_info(struct kv_cmd_ctx *x)
{
	struct mica_kv_stats s;
	mica_kv_stats(kvapp.kv, &s);
	struct mica_resp_out o = {0};
	info_sections(x, &o, &s);
	mica_resp_bulk(x->out, o.buf, o.len);
	if (o.failed)
		x->out->failed = true;
	mica_resp_out_free(&o);
	return KV_DONE;
}

/* ---- COMMAND ---- */
static void command_entry(struct mica_resp_out *o, const struct kv_command *c)
{
	bool keys = c->arity != 1 && c->arity != -1 && strcmp(c->name, "ping") && strcmp(c->name, "echo") &&
	            strcmp(c->name, "select") && strcmp(c->name, "quit") && strcmp(c->name, "info") &&
	            strcmp(c->name, "command") && strcmp(c->name, "config") && strcmp(c->name, "scan");
	bool many = !strcmp(c->name, "mget") || !strcmp(c->name, "del") || !strcmp(c->name, "exists") ||
	            !strcmp(c->name, "unlink") || !strcmp(c->name, "mset");
	mica_resp_array(o, 6);
	mica_resp_bulk(o, c->name, strlen(c->name));
	mica_resp_int(o, c->arity);
	mica_resp_array(o, 1);
	mica_resp_simple(o, c->write ? "write" : "readonly");
	mica_resp_int(o, keys ? 1 : 0);
	mica_resp_int(o, keys ? (many ? -1 : 1) : 0);
	mica_resp_int(o, keys ? (!strcmp(c->name, "mset") ? 2 : 1) : 0);
}

static enum kv_result cmd_command(struct kv_cmd_ctx *x)
{
	size_t total = kv_nkey_commands + kv_nserver_commands;
	if (x->argc == 1) {
		mica_resp_array(x->out, (int64_t)total);
		for (size_t i = 0; i < kv_nkey_commands; i++)
			command_entry(x->out, &kv_key_commands[i]);
		for (size_t i = 0; i < kv_nserver_commands; i++)
			command_entry(x->out, &kv_server_commands[i]);
	} else if (kv_arg_is(&x->argv[1], "count")) {
		mica_resp_int(x->out, (int64_t)total);
	} else if (kv_arg_is(&x->argv[1], "info")) {
		mica_resp_array(x->out, (int64_t)x->argc - 2);
		for (size_t i = 2; i < x->argc; i++) {
			const struct kv_command *c = kv_lookup(&x->argv[i]);
			if (c)
				command_entry(x->out, c);
			else
				mica_resp_array(x->out, -1);
		}
	} else if (kv_arg_is(&x->argv[1], "docs")) {
		mica_resp_array(x->out, 0);
	} else {
		mica_resp_error(x->out, "ERR unknown subcommand '%.*s'. Try COMMAND HELP.",
		                (int)x->argv[1].len, (const char *)x->argv[1].p);
		return KV_FAIL;
	}
	return KV_DONE;
}

/* ---- CONFIG ---- */
static enum kv_result cmd_config(struct kv_cmd_ctx *x)
{
	static const char *const params[][2] = {
	    {"save", ""},
	    {"appendonly", "yes"},
	    {"appendfsync", "always"},
	    {"databases", "1"},
	    {"maxmemory", "0"},
	    {"port", "6379"},
	    {"maxclients", "10000"},
	    {"proto-max-bulk-len", "1048576"},
	};
	if (kv_arg_is(&x->argv[1], "resetstat") && x->argc == 2) {
		kvapp.st = (struct kv_stats){0};
		mica_resp_simple(x->out, "OK");
		return KV_DONE;
	}
	if (!kv_arg_is(&x->argv[1], "get") || x->argc < 3) {
		if (kv_arg_is(&x->argv[1], "get") || kv_arg_is(&x->argv[1], "set")) {
			mica_resp_error(x->out,
			                kv_arg_is(&x->argv[1], "set")
			                    ? "ERR CONFIG SET is not supported here"
			                    : "ERR wrong number of arguments for 'config|get' command");
			return KV_FAIL;
		}
		mica_resp_error(x->out, "ERR unknown subcommand '%.*s'. Try CONFIG HELP.",
		                (int)x->argv[1].len, (const char *)x->argv[1].p);
		return KV_FAIL;
	}
	struct mica_resp_out o = {0};
	int64_t n = 0;
	for (size_t k = 0; k < MICA_ARRAY_LEN(params); k++) {
		for (size_t i = 2; i < x->argc; i++) {
			if (kv_glob(x->argv[i].p, x->argv[i].len, (const uint8_t *)params[k][0],
			            strlen(params[k][0]))) {
				mica_resp_bulk(&o, params[k][0], strlen(params[k][0]));
				mica_resp_bulk(&o, params[k][1], strlen(params[k][1]));
				n += 2;
				break;
			}
		}
	}
	mica_resp_array(x->out, n);
	mica_resp_raw(x->out, o.buf, o.len);
	mica_resp_out_free(&o);
	return KV_DONE;
}

const struct kv_command kv_server_commands[] = {
    {"ping", -1, false, cmd_ping},     {"echo", 2, false, cmd_echo},  {"quit", -1, false, cmd_quit},
    {"select", 2, false, cmd_select},  {"info", -1, false, cmd_info}, {"command", -1, false, cmd_command},
    {"config", -2, false, cmd_config},
};
const size_t kv_nserver_commands = MICA_ARRAY_LEN(kv_server_commands);
