/* kv_app.h - the key-value appliance's state, shared by main.c (start,
 * listener, counters), conn.c (one client connection: buffers, pipelining,
 * replies held until durable) and the command files (cmd.c: dispatch,
 * cmd_keys.c: the data commands, cmd_server.c: the server commands). */
#ifndef KV_APP_H
#define KV_APP_H

#include <mica/blk.h>
#include <mica/kv.h>
#include <mica/loop.h>
#include <mica/net.h>
#include <mica/resp.h>

#define KV_IN_MAX (MICA_KV_VALUE_MAX * 2 + 65536) /* buffered request bytes */
#define KV_OUT_HIGH (1u << 20)                    /* unsent reply bytes above which input waits */
#define KV_HOLDS 64                               /* reply ranges waiting for a commit */

struct kv_conn;

struct kv_stats {
	uint64_t accepted, refused, closed, commands, protocol_errors, held_replies;
	uint64_t write_errors, device_full;
};

struct kv_app {
	struct mica_loop *loop;
	struct mica_net *net;
	struct mica_tcp_listener *listener;
	struct mica_blk blk;
	struct mica_kv *kv;
	struct mica_endpoint local;
	unsigned conns, max_conns;
	struct kv_conn *all; /* every connection */
	uint64_t start_ns;
	struct kv_stats st;
};

extern struct kv_app kvapp;

/* What a command did. */
enum kv_result {
	KV_DONE,  /* its reply is in the output */
	KV_BLOCK, /* it waits (a value from the device, room in the batch):
	           * nothing was changed, it runs again when woken */
	KV_CLOSE, /* reply written; close the connection after it */
	KV_FAIL,  /* an error reply is written: the command is done */
};

struct kv_cmd_ctx {
	struct kv_conn *c;
	struct mica_resp_out *out;
	const struct mica_resp_arg *argv;
	size_t argc;
	uint64_t ticket; /* the largest ticket the reply depends on */
	struct mica_kv_wait *wait;
};

/* conn.c */
void kv_accept(struct mica_tcp_listener *l, struct mica_tcp *t, void *arg);
void kv_conn_commit(uint64_t ticket, int rc); /* on_commit of the store */
/* cmd.c */
enum kv_result kv_dispatch(struct kv_cmd_ctx *x);
void kv_wrong_args(struct kv_cmd_ctx *x, const char *name);
bool kv_arg_is(const struct mica_resp_arg *a, const char *s);
int kv_arg_int(const struct mica_resp_arg *a, int64_t *out);
enum kv_result kv_store_error(struct kv_cmd_ctx *x, int rc);
/* The value of a key (KV_BLOCK when fetching, or an error reply). */
enum kv_result kv_read(struct kv_cmd_ctx *x, const struct mica_resp_arg *key, const uint8_t **val,
                       size_t *len, bool *found);
/* the command tables of cmd_keys.c and cmd_server.c */
struct kv_command {
	const char *name;
	int arity; /* as Redis: n exact, -n at least n (the name counts) */
	bool write;
	enum kv_result (*fn)(struct kv_cmd_ctx *x);
};
extern const struct kv_command kv_key_commands[], kv_server_commands[];
extern const size_t kv_nkey_commands, kv_nserver_commands;
/* The command named so (any case), or NULL. */
const struct kv_command *kv_lookup(const struct mica_resp_arg *name);
/* glob.c: Redis's MATCH patterns (* ? [...] and \ escapes) */
bool kv_glob(const uint8_t *pat, size_t plen, const uint8_t *s, size_t slen);

#endif
