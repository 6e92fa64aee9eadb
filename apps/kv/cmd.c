/* cmd.c - command dispatch of the key-value appliance: the name looked up
 * (case-insensitively) in the tables of cmd_keys.c and cmd_server.c, the
 * arity checked, and the helpers every command uses, with Redis's error
 * wording: unknown command, wrong number of arguments, not an integer. */
#include <mica/libc.h>
#include <mica/app.h>
#include <mica/log.h>
#include "kv_app.h"

static uint8_t lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

bool kv_arg_is(const struct mica_resp_arg *a, const char *s)
{
	size_t n = strlen(s);
	if (a->len != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (lower(a->p[i]) != (uint8_t)s[i])
			return false;
	return true;
}

int kv_arg_int(const struct mica_resp_arg *a, int64_t *out)
{
	size_t i = 0;
	bool neg = a->len && a->p[0] == '-';
	uint64_t v = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	i = neg;
	if (i == a->len || a->len > 20 || (a->p[i] == '0' && a->len > i + 1))
		return MICA_EINVAL;
	for (; i < a->len; i++) {
		if (a->p[i] < '0' || a->p[i] > '9')
			return MICA_EINVAL;
		uint64_t d = (uint64_t)(a->p[i] - '0');
		if (v > (lim - d) / 10)
			return MICA_EINVAL;
		v = v * 10 + d;
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return MICA_OK;
}

void kv_wrong_args(struct kv_cmd_ctx *x, const char *name)
{
	mica_resp_error(x->out, "ERR wrong number of arguments for '%s' command", name);
}

enum kv_result kv_store_error(struct kv_cmd_ctx *x, int rc)
{
	struct mica_kv_stats s;
	mica_kv_stats(kvapp.kv, &s);
	switch (rc) {
	case MICA_EAGAIN: return KV_BLOCK; /* the open batch is full: after the next commit */
	case MICA_ENOSPC:
		kvapp.st.device_full++;
		mica_resp_error(x->out,
		                "ERR device full: no room for this write (%llu of %llu bytes of log live); "
		                "delete keys or give the store a larger device",
		                (unsigned long long)s.live_bytes, (unsigned long long)s.region_bytes);
		break;
	case MICA_EMSGSIZE:
		mica_resp_error(x->out, "ERR value or key too large (values up to %llu bytes, keys up to %u)",
		                (unsigned long long)s.value_max, MICA_KV_KEY_MAX);
		break;
	case MICA_ENOMEM:
		mica_resp_error(x->out, "ERR too many keys or out of memory (max-keys is %llu)",
		                (unsigned long long)s.max_keys);
		break;
	case MICA_EIO:
		if (!s.loading)
			mica_resp_error(
			    x->out,
			    "ERR device error: a write failed, the store is read-only until restarted");
		else
			mica_resp_error(x->out, "LOADING the store is being read from the device");
		break;
	default: mica_resp_error(x->out, "ERR %s", mica_strerror(rc)); break;
	}
	return KV_DONE;
}

enum kv_result kv_read(struct kv_cmd_ctx *x, const struct mica_resp_arg *key, const uint8_t **val,
                       size_t *len, bool *found)
{
	uint64_t ticket = 0;
	int rc = mica_kv_get(kvapp.kv, key->p, key->len, val, len, &ticket, x->wait);
	if (ticket > x->ticket)
		x->ticket = ticket;
	*found = rc == MICA_OK;
	if (rc == MICA_OK || rc == MICA_ENOENT)
		return KV_DONE;
	if (rc == MICA_EAGAIN)
		return KV_BLOCK;
	struct mica_kv_stats s;
	mica_kv_stats(kvapp.kv, &s);
	if (rc == MICA_EIO && !s.loading)
		mica_resp_error(x->out,
		                "ERR I/O error: the value of this key cannot be read from the device");
	else
		kv_store_error(x, rc);
	return KV_FAIL;
}

const struct kv_command *kv_lookup(const struct mica_resp_arg *name)
{
	for (size_t i = 0; i < kv_nkey_commands; i++)
		if (kv_arg_is(name, kv_key_commands[i].name))
			return &kv_key_commands[i];
	for (size_t i = 0; i < kv_nserver_commands; i++)
		if (kv_arg_is(name, kv_server_commands[i].name))
			return &kv_server_commands[i];
	return NULL;
}

static void unknown_command(struct kv_cmd_ctx *x)
{
	char args[160];
	size_t n = 0;
	args[0] = '\0';
	for (size_t i = 1; i < x->argc && n < sizeof(args) - 40; i++) {
		size_t len = x->argv[i].len < 32 ? x->argv[i].len : 32;
		n += (size_t)snprintf(args + n, sizeof(args) - n, "'%.*s' ", (int)len,
		                      (const char *)x->argv[i].p);
	}
	size_t len = x->argv[0].len < 64 ? x->argv[0].len : 64;
	mica_resp_error(x->out, "ERR unknown command '%.*s', with args beginning with: %s", (int)len,
	                (const char *)x->argv[0].p, args);
}

enum kv_result kv_dispatch(struct kv_cmd_ctx *x)
{
	const struct kv_command *cmd = kv_lookup(&x->argv[0]);
	if (!cmd) {
		unknown_command(x);
		return KV_DONE;
	}
	if ((cmd->arity > 0 && x->argc != (size_t)cmd->arity) ||
	    (cmd->arity < 0 && x->argc < (size_t)-cmd->arity)) {
		kv_wrong_args(x, cmd->name);
		return KV_DONE;
	}
	enum kv_result r = cmd->fn(x);
	return r == KV_FAIL ? KV_DONE : r;
}
