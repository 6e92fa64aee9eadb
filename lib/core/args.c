/* args.c - checking `--key=value` boot arguments against declared tables.
 * A spec whose name ends in ':' (e.g. "net:") is a family: it accepts any
 * key with that prefix ("--net:service=tap0"), looked up by the full key. */
#include <mica/args.h>
#include <mica/err.h>
#include <mica/log.h>
#include <mica/libc.h>

static const struct mica_args *current_args;

void mica_args_init(struct mica_args *a)
{
	memset(a, 0, sizeof(*a));
}

int mica_args_add_table(struct mica_args *a, const struct mica_arg_table *t)
{
	if (a->ntables == MICA_ARGS_MAX_TABLES)
		return MICA_ENOSPC;
	a->tables[a->ntables++] = t;
	return MICA_OK;
}

int mica_parse_u64(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	if (len == 0)
		return MICA_EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return MICA_EINVAL;
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return MICA_ERANGE;
		v = v * 10 + d;
	}
	*out = v;
	return MICA_OK;
}

int mica_parse_ipv4(const char *s, size_t len, uint32_t *out)
{
	uint32_t ip = 0;
	size_t start = 0;
	for (int part = 0; part < 4; part++) {
		size_t end = start;
		while (end < len && s[end] != '.')
			end++;
		uint64_t v;
		if (end - start > 3 || mica_parse_u64(s + start, end - start, &v) || v > 255)
			return MICA_EINVAL;
		ip = (ip << 8) | (uint32_t)v;
		if (part < 3 && end == len)
			return MICA_EINVAL;
		start = end + 1;
	}
	if (start != len + 1)
		return MICA_EINVAL;
	*out = ip;
	return MICA_OK;
}

/* Split "a.b.c.d<sep>N" and check N <= max. */
static int parse_ipv4_suffix(const char *s, char sep, uint64_t max, uint32_t *ip, unsigned *num)
{
	const char *p = strchr(s, sep);
	uint64_t v;
	if (!p || mica_parse_ipv4(s, (size_t)(p - s), ip) || mica_parse_u64(p + 1, strlen(p + 1), &v) ||
	    v > max)
		return MICA_EINVAL;
	*num = (unsigned)v;
	return MICA_OK;
}

int mica_parse_listen(const char *s, struct mica_listen_spec *out)
{
	uint64_t port;
	*out = (struct mica_listen_spec){.auto_ip = true, .auto_port = true};
	if (strcmp(s, "auto") == 0)
		return MICA_OK;
	if (s[0] == ':') {
		if (mica_parse_u64(s + 1, strlen(s + 1), &port) || port > 65535)
			return MICA_EINVAL;
		out->port = (uint16_t)port;
		out->auto_port = false;
		return MICA_OK;
	}
	unsigned n;
	if (parse_ipv4_suffix(s, ':', 65535, &out->ip, &n))
		return MICA_EINVAL;
	out->port = (uint16_t)n;
	out->auto_ip = out->auto_port = false;
	return MICA_OK;
}

static int parse_flag(const char *v, bool *out)
{
	static const char *const yes[] = {"1", "yes", "true", "on"};
	static const char *const no[] = {"0", "no", "false", "off"};
	for (size_t i = 0; i < 4; i++) {
		if (strcmp(v, yes[i]) == 0)
			return *out = true, MICA_OK;
		if (strcmp(v, no[i]) == 0)
			return *out = false, MICA_OK;
	}
	return MICA_EINVAL;
}

static int parse_int(const char *v, int64_t *out)
{
	bool neg = v[0] == '-';
	uint64_t u;
	if (mica_parse_u64(v + neg, strlen(v + neg), &u) || u > (uint64_t)INT64_MAX)
		return MICA_EINVAL;
	*out = neg ? -(int64_t)u : (int64_t)u;
	return MICA_OK;
}

/* Check a value against its spec; on error, a reason for the message. */
static const char *check_value(const struct mica_arg_spec *s, const char *v)
{
	uint32_t ip;
	unsigned n;
	int64_t i;
	bool b;
	switch (s->type) {
	case MICA_ARG_STR: return NULL;
	case MICA_ARG_FLAG: return parse_flag(v, &b) ? "expected a flag (1/0, yes/no, true/false)" : NULL;
	case MICA_ARG_INT:
		if (parse_int(v, &i))
			return "expected an integer";
		if ((s->min || s->max) && (i < s->min || i > s->max))
			return "out of range";
		return NULL;
	case MICA_ARG_IPV4:
		return mica_parse_ipv4(v, strlen(v), &ip) ? "expected an IPv4 address a.b.c.d" : NULL;
	case MICA_ARG_IPV4_PREFIX:
		return parse_ipv4_suffix(v, '/', 32, &ip, &n) ? "expected a.b.c.d/prefix-length" : NULL;
	case MICA_ARG_IPV4_PORT:
		return parse_ipv4_suffix(v, ':', 65535, &ip, &n) ? "expected a.b.c.d:port" : NULL;
	case MICA_ARG_LISTEN: {
		struct mica_listen_spec ls;
		return mica_parse_listen(v, &ls) ? "expected auto, :port or a.b.c.d:port" : NULL;
	}
	}
	return "unknown type";
}

/* Does the spec accept this key? One pass, no strlen: a guest pays for
 * every instruction at boot. */
static bool spec_matches(const struct mica_arg_spec *s, const char *key, size_t keylen)
{
	const char *name = s->name;
	size_t i = 0;
	for (; i < keylen && name[i] == key[i]; i++) {
		if (name[i] == ':' && name[i + 1] == '\0')
			return i + 1 < keylen; /* a family: "net:" takes "net:service" */
	}
	return i == keylen && name[i] == '\0';
}

static const struct mica_arg_spec *find_spec(const struct mica_args *a, const char *key, size_t keylen)
{
	for (size_t t = 0; t < a->ntables; t++)
		for (size_t i = 0; i < a->tables[t]->count; i++)
			if (spec_matches(&a->tables[t]->specs[i], key, keylen))
				return &a->tables[t]->specs[i];
	return NULL;
}

static int fail(struct mica_args *a, const char *arg, const char *reason)
{
	snprintf(a->error, sizeof(a->error), "bad boot argument '%s': %s", arg, reason);
	return MICA_EINVAL;
}

/* argv strings are kept, with the '=' replaced by a NUL to split key and value. */
int mica_args_parse(struct mica_args *a, int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		char *arg = argv[i];
		if (arg[0] != '-' || arg[1] != '-' || arg[2] == '\0' || arg[2] == '=') {
			if (strcmp(arg, "-h") == 0) {
				a->help = true;
				continue;
			}
			return fail(a, arg, "expected --key=value");
		}
		if (strcmp(arg + 2, "help") == 0) {
			a->help = true;
			continue;
		}
		char *key = arg + 2, *eq = strchr(key, '=');
		size_t keylen = eq ? (size_t)(eq - key) : strlen(key);
		const struct mica_arg_spec *s = find_spec(a, key, keylen);
		if (!s)
			return fail(a, arg, "unknown argument (see --help)");
		const char *value = eq ? eq + 1 : (s->type == MICA_ARG_FLAG ? "1" : NULL);
		if (!value)
			return fail(a, arg, "needs a value (--key=value)");
		const char *why = check_value(s, value);
		if (why)
			return fail(a, arg, why);
		if (a->ngiven == MICA_ARGS_MAX_VALUES)
			return fail(a, arg, "too many arguments");
		if (eq)
			*eq = '\0';
		a->given[a->ngiven].key = key;
		a->given[a->ngiven].spec = s;
		a->given[a->ngiven].value = value;
		a->ngiven++;
	}
	return MICA_OK;
}

static const char *const type_hint[] = {"TEXT", "N", "", "A.B.C.D", "A.B.C.D/LEN", "A.B.C.D:PORT"};

void mica_args_print_help(const struct mica_args *a, const char *program)
{
	mica_printf("usage: %s [--key=value ...]\n", program);
	for (size_t t = 0; t < a->ntables; t++) {
		mica_printf("%s:\n", a->tables[t]->owner);
		for (size_t i = 0; i < a->tables[t]->count; i++) {
			const struct mica_arg_spec *s = &a->tables[t]->specs[i];
			char left[64];
			bool family = s->name[strlen(s->name) - 1] == ':';
			snprintf(left, sizeof(left), "--%s%s%s%s", s->name, family ? "NAME" : "",
			         s->type == MICA_ARG_FLAG ? "" : "=", type_hint[s->type]);
			mica_printf("  %-28s %s%s%s%s\n", left, s->help, s->def ? " (default: " : "",
			            s->def ? s->def : "", s->def ? ")" : "");
		}
	}
}

void mica_args_set_current(const struct mica_args *a)
{
	current_args = a;
}

const char *mica_args_given_value(const struct mica_args *a, const char *name)
{
	for (size_t i = a->ngiven; i-- > 0;)
		if (strcmp(a->given[i].key, name) == 0)
			return a->given[i].value;
	return NULL;
}

/* The given value of `name`, else its default; panics on an undeclared name.
 * (A given argument was declared: it passed mica_args_parse.) */
static const char *lookup(const char *name, bool *given)
{
	const struct mica_args *a = current_args;
	if (!a)
		mica_panic("boot argument '%s' looked up before boot", name);
	const char *v = mica_args_given_value(a, name);
	*given = v != NULL;
	if (v)
		return v;
	size_t n = 0;
	while (name[n])
		n++;
	const struct mica_arg_spec *s = find_spec(a, name, n);
	if (!s)
		mica_panic("boot argument '%s' was never declared", name);
	return s->def;
}

const char *mica_arg_str(const char *name)
{
	bool given;
	return lookup(name, &given);
}

bool mica_arg_given(const char *name)
{
	bool given;
	(void)lookup(name, &given);
	return given;
}

int64_t mica_arg_int(const char *name)
{
	int64_t v = 0;
	const char *s = mica_arg_str(name);
	if (s && parse_int(s, &v))
		mica_panic("boot argument '%s': default '%s' is not an integer", name, s);
	return v;
}

bool mica_arg_flag(const char *name)
{
	bool v = false;
	const char *s = mica_arg_str(name);
	if (s && parse_flag(s, &v))
		mica_panic("boot argument '%s': default '%s' is not a flag", name, s);
	return v;
}

uint32_t mica_arg_ipv4(const char *name, unsigned *prefix_or_port)
{
	const char *s = mica_arg_str(name);
	uint32_t ip = 0;
	unsigned n = 0;
	if (!s)
		return 0;
	if (mica_parse_ipv4(s, strlen(s), &ip) && parse_ipv4_suffix(s, '/', 32, &ip, &n) &&
	    parse_ipv4_suffix(s, ':', 65535, &ip, &n))
		mica_panic("boot argument '%s': '%s' is not an IPv4 address", name, s);
	if (prefix_or_port)
		*prefix_or_port = n;
	return ip;
}

/* Keys given in a family ("net:"), e.g. for listing attached devices. */
size_t mica_args_family(const char *prefix, const char **keys, const char **values, size_t max)
{
	const struct mica_args *a = current_args;
	size_t n = 0, plen = strlen(prefix);
	for (size_t i = 0; a && i < a->ngiven && n < max; i++) {
		if (strncmp(a->given[i].key, prefix, plen) == 0) {
			keys[n] = a->given[i].key + plen;
			values[n] = a->given[i].value;
			n++;
		}
	}
	return n;
}
