/* args.h - boot arguments.
 *
 * Boot arguments are `--key=value` (or `--key` for a flag). Apps and
 * libraries declare the ones they accept in tables; mica_boot checks the
 * command line against every table before the app starts: an unknown key or
 * a malformed value ends the program with "NAME: reason" and exit code 64,
 * and --help lists every declared argument.
 * A spec whose name ends in ':' declares a family of keys, e.g. "net:"
 * accepts --net:service=tap0. */
#ifndef MICA_ARGS_H
#define MICA_ARGS_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "err.h"

enum mica_arg_type {
	MICA_ARG_STR,         /* any text */
	MICA_ARG_INT,         /* decimal integer within [min, max] */
	MICA_ARG_FLAG,        /* --key, --key=1/0/yes/no/true/false */
	MICA_ARG_IPV4,        /* a.b.c.d */
	MICA_ARG_IPV4_PREFIX, /* a.b.c.d/len */
	MICA_ARG_IPV4_PORT,   /* a.b.c.d:port */
	MICA_ARG_LISTEN,      /* where a service listens: auto, :port or a.b.c.d:port
	                       * (resolved by mica_net_listen_addr, net.h) */
};

struct mica_arg_spec {
	const char *name; /* without the leading "--" */
	enum mica_arg_type type;
	const char *def; /* default value as text, or NULL */
	const char *help;
	int64_t min, max; /* for MICA_ARG_INT; both 0 means no limit */
};

struct mica_arg_table {
	const char *owner; /* who declares them: the app name, "net", ... */
	const struct mica_arg_spec *specs;
	size_t count;
};

#define MICA_ARGS_MAX_TABLES 8
#define MICA_ARGS_MAX_VALUES 64

struct mica_args {
	const struct mica_arg_table *tables[MICA_ARGS_MAX_TABLES];
	size_t ntables;
	struct {
		const char *key;
		const struct mica_arg_spec *spec;
		const char *value;
	} given[MICA_ARGS_MAX_VALUES];
	size_t ngiven;
	bool help;       /* --help was given */
	char error[160]; /* set when parsing fails */
};

void mica_args_init(struct mica_args *a);
int mica_args_add_table(struct mica_args *a, const struct mica_arg_table *t);
/* Check argv (without the program name) against the tables. On failure,
 * returns MICA_EINVAL with a message in a->error naming the argument. */
int mica_args_parse(struct mica_args *a, int argc, char **argv);
/* Print every declared argument, its default and help text. */
void mica_args_print_help(const struct mica_args *a, const char *program);

/* Lookups against the arguments of the running program (set by mica_boot).
 * Values were validated at start, so typed getters do not fail for a
 * declared name; an undeclared name panics (a programming error). */
const char *mica_arg_str(const char *name); /* value, default, or NULL */
int64_t mica_arg_int(const char *name);
bool mica_arg_flag(const char *name);
bool mica_arg_given(const char *name);
/* IPv4 address in host byte order; prefix length and port where they apply. */
uint32_t mica_arg_ipv4(const char *name, unsigned *prefix_or_port);

/* Parse helpers shared by the argument checker and the network code. */
int mica_parse_ipv4(const char *s, size_t len, uint32_t *out);
int mica_parse_u64(const char *s, size_t len, uint64_t *out);

/* A MICA_ARG_LISTEN value: "auto" (the target's address, the app's port),
 * ":port" (the target's address, this port) or "a.b.c.d:port". */
struct mica_listen_spec {
	uint32_t ip;   /* when !auto_ip */
	uint16_t port; /* when !auto_port */
	bool auto_ip, auto_port;
};
int mica_parse_listen(const char *s, struct mica_listen_spec *out);

void mica_args_set_current(const struct mica_args *a);
/* The value given on the command line for `name`, or NULL (no default). */
const char *mica_args_given_value(const struct mica_args *a, const char *name);
/* For a family spec such as "net:": the names after the prefix and their
 * values, in command-line order (e.g. --net:service=tap0 gives "service",
 * "tap0"). Returns how many were stored (at most max). */
size_t mica_args_family(const char *prefix, const char **keys, const char **values, size_t max);

#endif
