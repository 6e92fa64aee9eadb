/* cmd_keys.c - the data commands of the key-value appliance, with Redis's
 * replies and errors: GET, SET (EX PX EXAT PXAT NX XX KEEPTTL GET),
 * GETSET, MGET, MSET, DEL, EXISTS, INCR, INCRBY, DECR, DECRBY, APPEND,
 * STRLEN, EXPIRE, PEXPIRE, TTL, PTTL, PERSIST, SCAN, DBSIZE, FLUSHDB,
 * FLUSHALL. A command first reads everything it needs (and may block on a
 * value from the device: it then runs again from the start), and only
 * then writes, so blocking never leaves it half done. Every reply notes
 * the ticket of the newest write it depends on (x->ticket). */
#include <mica/app.h>
#include <mica/libc.h>
#include <mica/platform.h>
#include "kv_app.h"

static int64_t now_ms(void)
{
	return (int64_t)(mica_plat_wall_ns() / 1000000);
}

static void note(struct kv_cmd_ctx *x, uint64_t ticket)
{
	if (ticket > x->ticket)
		x->ticket = ticket;
}

/* Write one value; KV_DONE when it is in the open batch. */
static enum kv_result put(struct kv_cmd_ctx *x, const struct mica_resp_arg *key, const void *val, size_t len,
                          int64_t expire_ms)
{
	uint64_t ticket;
	int rc = mica_kv_set(kvapp.kv, key->p, key->len, val, len, expire_ms, &ticket);
	if (rc < 0)
		return kv_store_error(x, rc) == KV_BLOCK ? KV_BLOCK : KV_FAIL;
	note(x, ticket);
	return KV_DONE;
}

/* Reply with key's value, or null when it has none (GET, GETSET, SET GET). */
static enum kv_result reply_value(struct kv_cmd_ctx *x, const struct mica_resp_arg *key, bool *found)
{
	const uint8_t *v;
	size_t n;
	enum kv_result r = kv_read(x, key, &v, &n, found);
	if (r != KV_DONE)
		return r;
	if (*found)
		mica_resp_bulk(x->out, v, n);
	else
		mica_resp_null(x->out);
	return KV_DONE;
}

static enum kv_result cmd_get(struct kv_cmd_ctx *x)
{
	bool found;
	return reply_value(x, &x->argv[1], &found);
}

/* SET's options. */
struct set_opts {
	bool nx, xx, keepttl, get;
	int64_t expire_ms; /* 0: none */
};

static enum kv_result parse_set_opts(struct kv_cmd_ctx *x, struct set_opts *o)
{
	bool have_expire = false;
	for (size_t i = 3; i < x->argc; i++) {
		const struct mica_resp_arg *a = &x->argv[i];
		int64_t v, unit = 0;
		bool abs = false;
		if (kv_arg_is(a, "nx") && !o->xx)
			o->nx = true;
		else if (kv_arg_is(a, "xx") && !o->nx)
			o->xx = true;
		else if (kv_arg_is(a, "get"))
			o->get = true;
		else if (kv_arg_is(a, "keepttl") && !have_expire)
			o->keepttl = true;
		else if (kv_arg_is(a, "ex"))
			unit = 1000;
		else if (kv_arg_is(a, "px"))
			unit = 1;
		else if (kv_arg_is(a, "exat"))
			unit = 1000, abs = true;
		else if (kv_arg_is(a, "pxat"))
			unit = 1, abs = true;
		else
			goto syntax;
		if (!unit)
			continue;
		if (have_expire || o->keepttl || i + 1 >= x->argc)
			goto syntax;
		have_expire = true;
		if (kv_arg_int(&x->argv[++i], &v) < 0) {
			mica_resp_error(x->out, "ERR value is not an integer or out of range");
			return KV_FAIL;
		}
		if (v <= 0 || v > INT64_MAX / 1000 - now_ms()) {
			mica_resp_error(x->out, "ERR invalid expire time in 'set' command");
			return KV_FAIL;
		}
		o->expire_ms = abs ? v * unit : now_ms() + v * unit;
	}
	return KV_DONE;
syntax:
	mica_resp_error(x->out, "ERR syntax error");
	return KV_FAIL;
}

static enum kv_result cmd_set(struct kv_cmd_ctx *x)
{
	struct set_opts o = {0};
	enum kv_result r = parse_set_opts(x, &o);
	if (r != KV_DONE)
		return r;
	/* Only the options look at the old record (a plain SET's own ticket,
	 * noted by put, is newer than the old one's) */
	bool needs_old = o.nx || o.xx || o.get || o.keepttl;
	struct mica_kv_meta m = {0};
	bool found = needs_old && mica_kv_meta(kvapp.kv, x->argv[1].p, x->argv[1].len, &m) == MICA_OK;
	note(x, m.ticket);
	if (o.get) { /* the old value goes out first: the write may replace it in memory */
		r = reply_value(x, &x->argv[1], &found);
		if (r != KV_DONE)
			return r;
	}
	if ((o.nx && found) || (o.xx && !found)) {
		if (!o.get)
			mica_resp_null(x->out);
		return KV_DONE;
	}
	r = put(x, &x->argv[1], x->argv[2].p, x->argv[2].len, o.keepttl && found ? m.expire_ms : o.expire_ms);
	if (r == KV_DONE && !o.get)
		mica_resp_simple(x->out, "OK");
	return r;
}

static enum kv_result cmd_getset(struct kv_cmd_ctx *x)
{
	bool found;
	enum kv_result r = reply_value(x, &x->argv[1], &found);
	if (r != KV_DONE)
		return r;
	return put(x, &x->argv[1], x->argv[2].p, x->argv[2].len, 0);
}

static enum kv_result cmd_mget(struct kv_cmd_ctx *x)
{
	/* every value must be in memory before the reply starts */
	for (size_t i = 1; i < x->argc; i++) {
		const uint8_t *v;
		size_t n;
		bool found;
		enum kv_result r = kv_read(x, &x->argv[i], &v, &n, &found);
		if (r != KV_DONE)
			return r;
	}
	mica_resp_array(x->out, (int64_t)x->argc - 1);
	for (size_t i = 1; i < x->argc; i++) {
		const uint8_t *v;
		size_t n;
		bool found;
		if (kv_read(x, &x->argv[i], &v, &n, &found) != KV_DONE || !found)
			mica_resp_null(x->out);
		else
			mica_resp_bulk(x->out, v, n);
	}
	return KV_DONE;
}

/* Do `bytes` of records fit in the open batch now? KV_BLOCK if they will
 * after a commit, an error if they never will. */
static enum kv_result room_for(struct kv_cmd_ctx *x, size_t bytes)
{
	if (bytes <= mica_kv_write_room(kvapp.kv))
		return KV_DONE;
	struct mica_kv_stats s;
	mica_kv_stats(kvapp.kv, &s);
	if (bytes > s.value_max) {
		mica_resp_error(x->out, "ERR the command's writes are too large for one commit (%zu bytes)",
		                bytes);
		return KV_FAIL;
	}
	return KV_BLOCK;
}

static enum kv_result cmd_mset(struct kv_cmd_ctx *x)
{
	if (x->argc % 2 == 0) {
		kv_wrong_args(x, "mset");
		return KV_FAIL;
	}
	size_t bytes = 0;
	for (size_t i = 1; i < x->argc; i += 2)
		bytes += mica_kv_record_bytes(x->argv[i].len, x->argv[i + 1].len);
	enum kv_result r = room_for(x, bytes);
	for (size_t i = 1; r == KV_DONE && i < x->argc; i += 2)
		r = put(x, &x->argv[i], x->argv[i + 1].p, x->argv[i + 1].len, 0);
	if (r == KV_DONE)
		mica_resp_simple(x->out, "OK");
	return r;
}

static enum kv_result cmd_del(struct kv_cmd_ctx *x)
{
	size_t bytes = 0;
	for (size_t i = 1; i < x->argc; i++)
		bytes += mica_kv_record_bytes(x->argv[i].len, 0);
	enum kv_result r = room_for(x, bytes);
	if (r != KV_DONE)
		return r;
	int64_t n = 0;
	for (size_t i = 1; i < x->argc; i++) {
		uint64_t ticket;
		int rc = mica_kv_del(kvapp.kv, x->argv[i].p, x->argv[i].len, &ticket);
		note(x, ticket);
		if (rc == MICA_OK)
			n++;
		else if (rc != MICA_ENOENT)
			return kv_store_error(x, rc) == KV_BLOCK ? KV_BLOCK : KV_FAIL;
	}
	mica_resp_int(x->out, n);
	return KV_DONE;
}

static enum kv_result cmd_exists(struct kv_cmd_ctx *x)
{
	int64_t n = 0;
	for (size_t i = 1; i < x->argc; i++) {
		struct mica_kv_meta m;
		n += mica_kv_meta(kvapp.kv, x->argv[i].p, x->argv[i].len, &m) == MICA_OK;
		note(x, m.ticket);
	}
	mica_resp_int(x->out, n);
	return KV_DONE;
}

/* INCR and friends: the value as a 64-bit integer, plus delta. */
static enum kv_result incr_by(struct kv_cmd_ctx *x, int64_t delta)
{
	const uint8_t *v;
	size_t n;
	bool found;
	enum kv_result r = kv_read(x, &x->argv[1], &v, &n, &found);
	if (r != KV_DONE)
		return r;
	int64_t cur = 0;
	struct mica_resp_arg a = {v, n};
	if (found && kv_arg_int(&a, &cur) < 0) {
		mica_resp_error(x->out, "ERR value is not an integer or out of range");
		return KV_FAIL;
	}
	if ((delta > 0 && cur > INT64_MAX - delta) || (delta < 0 && cur < INT64_MIN - delta)) {
		mica_resp_error(x->out, "ERR increment or decrement would overflow");
		return KV_FAIL;
	}
	struct mica_kv_meta m = {0};
	if (found)
		mica_kv_meta(kvapp.kv, x->argv[1].p, x->argv[1].len, &m);
	char buf[24];
	int len = snprintf(buf, sizeof(buf), "%lld", (long long)(cur + delta));
	r = put(x, &x->argv[1], buf, (size_t)len, m.expire_ms);
	if (r == KV_DONE)
		mica_resp_int(x->out, cur + delta);
	return r;
}

static enum kv_result cmd_incr(struct kv_cmd_ctx *x)
{
	return incr_by(x, 1);
}

static enum kv_result cmd_decr(struct kv_cmd_ctx *x)
{
	return incr_by(x, -1);
}

static enum kv_result delta_arg(struct kv_cmd_ctx *x, bool negate)
{
	int64_t d;
	if (kv_arg_int(&x->argv[2], &d) < 0 || (negate && d == INT64_MIN)) {
		mica_resp_error(x->out, "ERR value is not an integer or out of range");
		return KV_FAIL;
	}
	return incr_by(x, negate ? -d : d);
}

static enum kv_result cmd_incrby(struct kv_cmd_ctx *x)
{
	return delta_arg(x, false);
}

static enum kv_result cmd_decrby(struct kv_cmd_ctx *x)
{
	return delta_arg(x, true);
}

static enum kv_result cmd_append(struct kv_cmd_ctx *x)
{
	const uint8_t *v;
	size_t n;
	bool found;
	enum kv_result r = kv_read(x, &x->argv[1], &v, &n, &found);
	if (r != KV_DONE)
		return r;
	if (!found)
		n = 0;
	size_t total = n + x->argv[2].len;
	if (total > MICA_KV_VALUE_MAX) {
		mica_resp_error(x->out, "ERR string exceeds maximum allowed size (%u bytes)",
		                MICA_KV_VALUE_MAX);
		return KV_FAIL;
	}
	uint8_t *joined = malloc(total ? total : 1);
	if (!joined) {
		mica_resp_error(x->out, "ERR out of memory");
		return KV_FAIL;
	}
	if (n)
		memcpy(joined, v, n);
	memcpy(joined + n, x->argv[2].p, x->argv[2].len);
	struct mica_kv_meta m = {0};
	if (found)
		mica_kv_meta(kvapp.kv, x->argv[1].p, x->argv[1].len, &m);
	r = put(x, &x->argv[1], joined, total, m.expire_ms);
	free(joined);
	if (r == KV_DONE)
		mica_resp_int(x->out, (int64_t)total);
	return r;
}

static enum kv_result cmd_strlen(struct kv_cmd_ctx *x)
{
	struct mica_kv_meta m;
	int rc = mica_kv_meta(kvapp.kv, x->argv[1].p, x->argv[1].len, &m);
	note(x, m.ticket);
	mica_resp_int(x->out, rc == MICA_OK ? m.vlen : 0);
	return KV_DONE;
}

/* Rewrite a key's value with another expiry (0: none); ENOENT if absent. */
static enum kv_result set_expiry(struct kv_cmd_ctx *x, int64_t expire_ms, bool *found)
{
	const uint8_t *v;
	size_t n;
	enum kv_result r = kv_read(x, &x->argv[1], &v, &n, found);
	if (r != KV_DONE || !*found)
		return r;
	if (expire_ms && expire_ms <= now_ms()) { /* in the past: the key goes */
		uint64_t ticket;
		int rc = mica_kv_del(kvapp.kv, x->argv[1].p, x->argv[1].len, &ticket);
		note(x, ticket);
		return rc == MICA_OK || rc == MICA_ENOENT
		           ? KV_DONE
		           : (kv_store_error(x, rc) == KV_BLOCK ? KV_BLOCK : KV_FAIL);
	}
	return put(x, &x->argv[1], v, n, expire_ms);
}

static enum kv_result expire_in(struct kv_cmd_ctx *x, int64_t unit)
{
	int64_t t;
	if (kv_arg_int(&x->argv[2], &t) < 0 || t > INT64_MAX / 1000 - now_ms() || t < -(INT64_MAX / 1000)) {
		mica_resp_error(x->out, "ERR value is not an integer or out of range");
		return KV_FAIL;
	}
	struct mica_kv_meta m = {0};
	bool exists = mica_kv_meta(kvapp.kv, x->argv[1].p, x->argv[1].len, &m) == MICA_OK;
	int64_t when = now_ms() + t * unit, cur = m.expire_ms;
	bool ok = exists;
	for (size_t i = 3; i < x->argc; i++) {
		if (kv_arg_is(&x->argv[i], "nx"))
			ok = ok && !cur;
		else if (kv_arg_is(&x->argv[i], "xx"))
			ok = ok && cur;
		else if (kv_arg_is(&x->argv[i], "gt"))
			ok = ok && cur && when > cur;
		else if (kv_arg_is(&x->argv[i], "lt"))
			ok = ok && (!cur || when < cur);
		else {
			mica_resp_error(x->out, "ERR Unsupported option %.*s", (int)x->argv[i].len,
			                (const char *)x->argv[i].p);
			return KV_FAIL;
		}
	}
	bool found = false;
	enum kv_result r = ok ? set_expiry(x, when, &found) : KV_DONE;
	if (r == KV_DONE)
		mica_resp_int(x->out, found);
	return r;
}

static enum kv_result cmd_expire(struct kv_cmd_ctx *x)
{
	return expire_in(x, 1000);
}

static enum kv_result cmd_pexpire(struct kv_cmd_ctx *x)
{
	return expire_in(x, 1);
}

static enum kv_result ttl(struct kv_cmd_ctx *x, bool ms)
{
	struct mica_kv_meta m;
	int rc = mica_kv_meta(kvapp.kv, x->argv[1].p, x->argv[1].len, &m);
	note(x, m.ticket);
	if (rc != MICA_OK)
		mica_resp_int(x->out, -2);
	else if (!m.expire_ms)
		mica_resp_int(x->out, -1);
	else {
		int64_t left = m.expire_ms - now_ms();
		left = left < 0 ? 0 : left;
		mica_resp_int(x->out, ms ? left : (left + 500) / 1000);
	}
	return KV_DONE;
}

static enum kv_result cmd_ttl(struct kv_cmd_ctx *x)
{
	return ttl(x, false);
}

static enum kv_result cmd_pttl(struct kv_cmd_ctx *x)
{
	return ttl(x, true);
}

static enum kv_result cmd_persist(struct kv_cmd_ctx *x)
{
	struct mica_kv_meta m;
	int rc = mica_kv_meta(kvapp.kv, x->argv[1].p, x->argv[1].len, &m);
	note(x, m.ticket);
	if (rc != MICA_OK || !m.expire_ms) {
		mica_resp_int(x->out, 0);
		return KV_DONE;
	}
	bool found;
	enum kv_result r = set_expiry(x, 0, &found);
	if (r == KV_DONE)
		mica_resp_int(x->out, found);
	return r;
}

static enum kv_result cmd_dbsize(struct kv_cmd_ctx *x)
{
	mica_resp_int(x->out, (int64_t)mica_kv_count(kvapp.kv));
	return KV_DONE;
}

static enum kv_result cmd_flushdb(struct kv_cmd_ctx *x)
{
	if (x->argc > 2 ||
	    (x->argc == 2 && !kv_arg_is(&x->argv[1], "async") && !kv_arg_is(&x->argv[1], "sync"))) {
		mica_resp_error(x->out, "ERR syntax error");
		return KV_FAIL;
	}
	uint64_t ticket;
	int rc = mica_kv_flush_all(kvapp.kv, &ticket);
	if (rc < 0)
		return kv_store_error(x, rc) == KV_BLOCK ? KV_BLOCK : KV_FAIL;
	note(x, ticket);
	mica_resp_simple(x->out, "OK");
	return KV_DONE;
}

/* SCAN cursor [MATCH pattern] [COUNT n] [TYPE type] */
struct scan_out {
	struct mica_resp_out keys;
	int64_t n;
	const struct mica_resp_arg *match;
	bool none; /* TYPE other than string: nothing matches */
};

static void scan_key(void *arg, const uint8_t *key, size_t klen)
{
	struct scan_out *s = arg;
	if (s->none || (s->match && !kv_glob(s->match->p, s->match->len, key, klen)))
		return;
	mica_resp_bulk(&s->keys, key, klen);
	s->n++;
}

static enum kv_result cmd_scan(struct kv_cmd_ctx *x)
{
	uint64_t cursor = 0;
	const struct mica_resp_arg *c = &x->argv[1];
	for (size_t i = 0; i < c->len; i++) {
		if (c->p[i] < '0' || c->p[i] > '9' || c->len > 20 || cursor > (UINT64_MAX - 9) / 10) {
			mica_resp_error(x->out, "ERR invalid cursor");
			return KV_FAIL;
		}
		cursor = cursor * 10 + (uint64_t)(c->p[i] - '0');
	}
	struct scan_out s = {0};
	int64_t count = 10;
	for (size_t i = 2; i < x->argc; i += 2) {
		if (i + 1 >= x->argc)
			goto syntax;
		if (kv_arg_is(&x->argv[i], "match"))
			s.match = &x->argv[i + 1];
		else if (kv_arg_is(&x->argv[i], "count")) {
			if (kv_arg_int(&x->argv[i + 1], &count) < 0) {
				mica_resp_error(x->out, "ERR value is not an integer or out of range");
				return KV_FAIL;
			}
			if (count < 1)
				goto syntax;
		} else if (kv_arg_is(&x->argv[i], "type"))
			s.none = !kv_arg_is(&x->argv[i + 1], "string");
		else
			goto syntax;
	}
	uint64_t next = mica_kv_scan(kvapp.kv, cursor, (size_t)count, scan_key, &s);
	char cur[24];
	int len = snprintf(cur, sizeof(cur), "%llu", (unsigned long long)next);
	mica_resp_array(x->out, 2);
	mica_resp_bulk(x->out, cur, (size_t)len);
	mica_resp_array(x->out, s.n);
	mica_resp_raw(x->out, s.keys.buf, s.keys.len);
	if (s.keys.failed)
		x->out->failed = true;
	mica_resp_out_free(&s.keys);
	return KV_DONE;
syntax:
	mica_resp_error(x->out, "ERR syntax error");
	return KV_FAIL;
}

const struct kv_command kv_key_commands[] = {
    {"get", 2, false, cmd_get},         {"set", -3, true, cmd_set},
    {"getset", 3, true, cmd_getset},    {"mget", -2, false, cmd_mget},
    {"mset", -3, true, cmd_mset},       {"del", -2, true, cmd_del},
    {"unlink", -2, true, cmd_del},      {"exists", -2, false, cmd_exists},
    {"incr", 2, true, cmd_incr},        {"decr", 2, true, cmd_decr},
    {"incrby", 3, true, cmd_incrby},    {"decrby", 3, true, cmd_decrby},
    {"append", 3, true, cmd_append},    {"strlen", 2, false, cmd_strlen},
    {"expire", -3, true, cmd_expire},   {"pexpire", -3, true, cmd_pexpire},
    {"ttl", 2, false, cmd_ttl},         {"pttl", 2, false, cmd_pttl},
    {"persist", 2, true, cmd_persist},  {"dbsize", 1, false, cmd_dbsize},
    {"flushdb", -1, true, cmd_flushdb}, {"flushall", -1, true, cmd_flushdb},
    {"scan", -2, false, cmd_scan},
};
const size_t kv_nkey_commands = MICA_ARRAY_LEN(kv_key_commands);
