/* fuzz_dns.c - libFuzzer target for the DNS decoder and the server's
 * query path. Each input is a query message (the first byte also picks
 * UDP or TCP and the output size); it goes through name decoding at every
 * offset, the query parser, and two servers - memoised and engine-only -
 * whose responses must be byte-identical and must parse back; UDP ones
 * then go through response-rate limiting (a tiny limit, so most come out
 * in their truncated slip form), which must leave a response that parses. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <mica/dns.h>
#include <mica/dns_rrl.h>
#include <mica/log.h>

/* lib/dns prints its counters and logs with lib/core; not needed here. */
void mica_printf(const char *fmt, ...)
{
	(void)fmt;
}
bool mica_log_enabled(enum mica_log_level level, const char *tag)
{
	(void)level;
	(void)tag;
	return false;
}
void mica_log(enum mica_log_level level, const char *tag, const char *fmt, ...)
{
	(void)level;
	(void)tag;
	(void)fmt;
}

static struct mica_dns_server memo_srv, plain_srv;
static struct mica_rrl rrl;
static struct mica_dns_zone plain[16];
static const struct mica_dns_zone *plain_ptrs[16];

static void setup(void)
{
	size_t n = mica_dns_nzones < 16 ? mica_dns_nzones : 16;
	for (size_t i = 0; i < n; i++) {
		plain[i] = *mica_dns_zones[i];
		plain[i].memo = NULL;
		plain[i].nmemo = 0;
		plain_ptrs[i] = &plain[i];
	}
	mica_dns_server_init(&memo_srv, mica_dns_zones, n, true);
	mica_dns_server_init(&plain_srv, plain_ptrs, n, false);
	struct mica_rrl_config c;
	mica_rrl_defaults(&c);
	c.rate = 1; /* two whole responses per key and second, then slip 1 in 2 */
	c.size = 64;
	if (mica_rrl_init(&rrl, &c) != 0)
		abort();
}

/* Walk a response: every name must decode and the counts must match. */
static void check_response(const uint8_t *r, size_t len)
{
	struct mica_dns_header h;
	struct mica_view v = mica_view_make((void *)r, len);
	if (mica_dns_header_parse(v, &h) < 0)
		abort();
	size_t off = MICA_DNS_HDR_LEN;
	uint8_t name[MICA_DNS_NAME_MAX];
	for (unsigned i = 0; i < h.qdcount; i++) {
		if (mica_dns_name_read(v, &off, name) < 0 || off + 4 > len)
			abort();
		off += 4;
	}
	unsigned rrs = (unsigned)h.ancount + h.nscount + h.arcount;
	for (unsigned i = 0; i < rrs; i++) {
		if (mica_dns_name_read(v, &off, name) < 0 || off + 10 > len)
			abort();
		size_t rdlen = (size_t)(r[off + 8] << 8 | r[off + 9]);
		off += 10 + rdlen;
		if (off > len)
			abort();
	}
	if (off != len)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t a[65536 + 2], b[65536 + 2];
	static int ready;
	if (!ready) {
		setup();
		ready = 1;
	}
	if (size < 1)
		return 0;
	bool tcp = data[0] & 1;
	size_t cap = (data[0] & 2) ? 600 : sizeof(a);
	data++, size--;
	/* the decoder alone, at every offset */
	uint8_t name[MICA_DNS_NAME_MAX];
	for (size_t o = 0; o < size && o < 64; o++) {
		size_t off = o;
		int n = mica_dns_name_read(mica_view_make((void *)data, size), &off, name);
		if (n > 0 && (n > MICA_DNS_NAME_MAX || off > size || mica_dns_name_len(name, (size_t)n) != n))
			abort();
	}
	struct mica_dns_query q;
	(void)mica_dns_query_parse(mica_view_make((void *)data, size), &q);
	/* the whole query path, two ways */
	uint8_t *in = malloc(size ? size : 1);
	memcpy(in, data, size);
	size_t la = mica_dns_respond(&memo_srv, in, size, a, cap, tcp);
	size_t lb = mica_dns_respond(&plain_srv, in, size, b, cap, tcp);
	free(in);
	if (la != lb || memcmp(a, b, la) != 0)
		abort();
	if (la > cap || (!tcp && la > MICA_DNS_UDP_EDNS + 17))
		abort();
	if (la)
		check_response(a, la);
	if (la && !tcp) {
		size_t lr = mica_rrl_apply(&rrl, &memo_srv.zs, 0x0a000001, a, la, 0);
		if (lr > la || (lr && lr < MICA_DNS_HDR_LEN))
			abort();
		if (lr)
			check_response(a, lr);
	}
	/* the transfer path: any query may start one; every message parses
	 * back and the transfer ends */
	struct mica_dns_xfr x;
	if (mica_dns_xfr_start(&memo_srv, data, size, tcp, &x)) {
		size_t n;
		unsigned msgs = 0;
		while ((n = mica_dns_xfr_next(&x, a, cap)) > 0) {
			if (n > cap || ++msgs > 10000)
				abort();
			check_response(a, n);
		}
	}
	return 0;
}
