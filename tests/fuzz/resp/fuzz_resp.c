/* fuzz_resp.c - libFuzzer target for lib/resp's request parser. The input
 * is a stream of requests, parsed twice: whole, and as a client's bytes
 * arrive in pieces (the buffer growing by a few bytes at a time, parsing
 * again from the same place each time, as apps/kv does). Both must see
 * the same requests and errors; every argument must lie inside the
 * buffer; nothing is read past it (ASan); replies of every kind are
 * written for the arguments. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <mica/err.h>
#include <mica/resp.h>

#define MAX_ARGS 64
#define MAX_REQS 4096

struct seen {
	ptrdiff_t rc;
	size_t argc;
	uint32_t sum;
};

static uint32_t digest(const struct mica_resp_arg *argv, size_t argc)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < argc && i < MAX_ARGS; i++)
		for (size_t j = 0; j < argv[i].len; j++)
			h = (h ^ argv[i].p[j]) * 16777619u ^ (uint32_t)i;
	return h;
}

/* Parse data[0..len) request by request; step 0: all at once, else the
 * visible part grows by step bytes whenever a parse needs more. */
static size_t run(const uint8_t *data, size_t len, size_t step, struct seen *out)
{
	struct mica_resp_parser p = {.bulk_max = 4096};
	struct mica_resp_arg argv[MAX_ARGS];
	size_t pos = 0, visible = step ? (step < len ? step : len) : len, n = 0;
	while (n < MAX_REQS && pos < len) {
		size_t argc;
		uint8_t *copy = malloc(visible - pos + 1); /* exact size: ASan sees overreads */
		memcpy(copy, data + pos, visible - pos);
		ptrdiff_t rc = mica_resp_parse(&p, copy, visible - pos, argv, MAX_ARGS, &argc);
		if (rc > 0) {
			if ((size_t)rc > visible - pos)
				abort();
			for (size_t i = 0; i < argc && i < MAX_ARGS; i++)
				if (argv[i].p < copy || argv[i].p + argv[i].len > copy + rc)
					abort();
		}
		uint32_t sum = rc > 0 ? digest(argv, argc) : 0;
		if (rc > 0) {
			struct mica_resp_out o = {0};
			for (size_t i = 0; i < argc && i < MAX_ARGS; i++)
				mica_resp_bulk(&o, argv[i].p, argv[i].len);
			mica_resp_error(&o, "ERR %zu %.*s", argc, argc ? (int)(argv[0].len & 63) : 0,
			                argc ? (const char *)argv[0].p : "");
			mica_resp_int(&o, (int64_t)argc);
			mica_resp_out_free(&o);
		}
		free(copy);
		if (rc == 0 && visible < len) {
			visible = visible + step < len ? visible + step : len;
			continue;
		}
		out[n++] = (struct seen){rc, rc > 0 || rc == MICA_EMSGSIZE ? argc : 0, sum};
		if (rc <= 0)
			break;
		pos += (size_t)rc;
		if (step && visible < pos + 1 && visible < len)
			visible = pos + step < len ? pos + step : len;
	}
	return n;
}

static struct seen a[MAX_REQS], b[MAX_REQS];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t na = run(data, size, 0, a);
	size_t step = size ? 1 + data[0] % 7 : 1;
	size_t nb = run(data, size, step, b);
	if (na != nb)
		abort();
	for (size_t i = 0; i < na; i++)
		if (a[i].rc != b[i].rc || a[i].argc != b[i].argc || a[i].sum != b[i].sum)
			abort();
	return 0;
}
