/* test_wire.c - the DNS wire codec: names with every decompression bound,
 * headers, and query checks (question, counts, EDNS). */
#include "check.h"
#include <mica/dns.h>

static int read_name(const uint8_t *msg, size_t len, size_t off, uint8_t *out, size_t *end)
{
	size_t o = off;
	int r = mica_dns_name_read(mica_view_make((void *)msg, len), &o, out);
	if (end)
		*end = o;
	return r;
}

TEST(name_plain_and_compressed)
{
	/* 12 bytes of header, then www.example.com at 12, mail+ptr at 29 */
	uint8_t m[64] = {0};
	const uint8_t name[] = "\3www\7example\3com";
	memcpy(m + 12, name, 17);
	m[29] = 4;
	memcpy(m + 30, "mail", 4);
	m[34] = 0xc0;
	m[35] = 16; /* mail.example.com */
	uint8_t out[255];
	size_t end;
	CHECK_EQ(read_name(m, 36, 12, out, &end), 17);
	CHECK_EQ(end, 29);
	CHECK(memcmp(out, name, 17) == 0);
	CHECK_EQ(read_name(m, 36, 29, out, &end), 18);
	CHECK_EQ(end, 36);
	char s[300];
	CHECK_STR(mica_dns_name_str(out, s, sizeof(s)), "mail.example.com.");
}

TEST(name_pointer_loop_and_forward)
{
	uint8_t m[32] = {0};
	uint8_t out[255];
	m[12] = 0xc0;
	m[13] = 12; /* points to itself */
	CHECK_EQ(read_name(m, 14, 12, out, NULL), MICA_EBADMSG);
	m[12] = 0xc0;
	m[13] = 14; /* forward */
	m[14] = 0;
	CHECK_EQ(read_name(m, 15, 12, out, NULL), MICA_EBADMSG);
	m[12] = 1;
	m[13] = 'a';
	m[14] = 0xc0;
	m[15] = 12; /* a.(loop back to a) */
	CHECK_EQ(read_name(m, 16, 12, out, NULL), MICA_EBADMSG);
	m[12] = 0xc0;
	m[13] = 200; /* out of the packet */
	CHECK_EQ(read_name(m, 14, 12, out, NULL), MICA_EBADMSG);
	m[12] = 0xc0; /* pointer cut short */
	CHECK_EQ(read_name(m, 13, 12, out, NULL), MICA_EBADMSG);
}

TEST(name_label_and_length_limits)
{
	uint8_t m[600] = {0};
	uint8_t out[255];
	m[12] = 0x40; /* label type 01: reserved */
	CHECK_EQ(read_name(m, 100, 12, out, NULL), MICA_EBADMSG);
	m[12] = 0x80;
	CHECK_EQ(read_name(m, 100, 12, out, NULL), MICA_EBADMSG);
	/* 63-byte labels: 4 of them make 256 bytes with the root: too long */
	size_t o = 12;
	for (int i = 0; i < 4; i++) {
		m[o] = 63;
		memset(m + o + 1, 'x', 63);
		o += 64;
	}
	m[o] = 0;
	CHECK_EQ(read_name(m, o + 1, 12, out, NULL), MICA_EBADMSG);
	/* 3 x 63 + a 61-byte label + root = 255: the longest legal name */
	m[12 + 192] = 61;
	m[12 + 192 + 62] = 0;
	CHECK_EQ(read_name(m, 12 + 255, 12, out, NULL), 255);
	/* label running past the end */
	CHECK_EQ(read_name(m, 12 + 100, 12, out, NULL), MICA_EBADMSG);
	/* compression cannot make it longer than 255 either */
	uint8_t p[600] = {0};
	o = 12;
	for (int i = 0; i < 3; i++) {
		p[o] = 63;
		memset(p + o + 1, 'y', 63);
		o += 64;
	}
	p[o++] = 0; /* 193-byte name at 12 */
	size_t second = o;
	p[o] = 63;
	memset(p + o + 1, 'z', 63);
	o += 64;
	p[o++] = 0xc0;
	p[o++] = 12; /* 64 + 193 = 257 */
	CHECK_EQ(read_name(p, o, second, out, NULL), MICA_EBADMSG);
}

TEST(name_helpers)
{
	const uint8_t a[] = "\3WwW\7Example\3COM", b[] = "\3www\7example\3com";
	uint8_t l[20];
	CHECK(mica_dns_name_equal(a, b));
	CHECK(!mica_dns_name_equal(a, (const uint8_t *)"\3www\7example\3org"));
	mica_dns_name_lower(l, a, 17);
	CHECK(memcmp(l, b, 17) == 0);
	CHECK_EQ(mica_dns_name_hash(l, 17), mica_dns_name_hash(b, 17));
	CHECK_EQ(mica_dns_name_labels(a), 3);
	CHECK_EQ(mica_dns_name_len(a, 17), 17);
	CHECK_EQ(mica_dns_name_len(a, 16), MICA_EBADMSG);
	char s[64];
	CHECK_STR(mica_dns_name_str((const uint8_t *)"\3a.b\0", s, sizeof(s)), "a\\.b.");
	CHECK_STR(mica_dns_name_str((const uint8_t *)"", s, sizeof(s)), ".");
}

TEST(header)
{
	uint8_t m[12] = {0x12, 0x34, 0x81, 0x80, 0, 1, 0, 2, 0, 3, 0, 4};
	struct mica_dns_header h;
	CHECK_EQ(mica_dns_header_parse(mica_view_make(m, 11), &h), MICA_EBADMSG);
	CHECK_EQ(mica_dns_header_parse(mica_view_make(m, 12), &h), 0);
	CHECK_EQ(h.id, 0x1234);
	CHECK_EQ(h.flags, 0x8180);
	CHECK_EQ(h.arcount, 4);
	uint8_t w[12];
	mica_dns_header_write(w, &h);
	CHECK(memcmp(w, m, 12) == 0);
}

/* Build a query: name, type, then optional extra bytes; counts given. */
static size_t mkq(uint8_t *m, uint16_t qd, uint16_t an, uint16_t ns, uint16_t ar, const void *extra,
                  size_t nextra)
{
	const uint8_t hdr[12] = {0xab, 0xcd,        0x01, 0x00,        0, (uint8_t)qd,
	                         0,    (uint8_t)an, 0,    (uint8_t)ns, 0, (uint8_t)ar};
	memcpy(m, hdr, 12);
	memcpy(m + 12, "\3www\7example\3com\0\0\1\0\1", 21);
	memcpy(m + 33, extra, nextra);
	return 33 + nextra;
}

TEST(query_ok_and_edns)
{
	uint8_t m[128];
	struct mica_dns_query q;
	size_t n = mkq(m, 1, 0, 0, 0, "", 0);
	CHECK_EQ(mica_dns_query_parse(mica_view_make(m, n), &q), 0);
	CHECK_EQ(q.qtype, 1);
	CHECK_EQ(q.qname_len, 17);
	CHECK_EQ(q.question_end, 33);
	CHECK(!q.edns);
	const uint8_t opt[] = {0, 0, 41, 0x10, 0, 0, 0, 0x80, 0, 0, 4, 0, 3, 0, 0};
	n = mkq(m, 1, 0, 0, 1, opt, sizeof(opt));
	CHECK_EQ(mica_dns_query_parse(mica_view_make(m, n), &q), 0);
	CHECK(q.edns && q.edns_do && !q.edns_badvers);
	CHECK_EQ(q.edns_size, 4096);
	uint8_t v1[sizeof(opt)];
	memcpy(v1, opt, sizeof(opt));
	v1[6] = 1; /* version 1 */
	n = mkq(m, 1, 0, 0, 1, v1, sizeof(v1));
	CHECK_EQ(mica_dns_query_parse(mica_view_make(m, n), &q), 0);
	CHECK(q.edns_badvers);
	v1[6] = 0;
	v1[14] = 9; /* option longer than the RDATA */
	n = mkq(m, 1, 0, 0, 1, v1, sizeof(v1));
	CHECK_EQ(mica_dns_query_parse(mica_view_make(m, n), &q), MICA_DNS_PARSE_FORMERR);
}

TEST(query_formerr_cases)
{
	uint8_t m[128];
	struct mica_dns_query q;
	size_t n = mkq(m, 2, 0, 0, 0, "", 0);
	CHECK_EQ(mica_dns_query_parse(mica_view_make(m, n), &q), MICA_DNS_PARSE_FORMERR_BARE);
	n = mkq(m, 1, 1, 0, 0, "", 0); /* ANCOUNT 1 */
	CHECK_EQ(mica_dns_query_parse(mica_view_make(m, n), &q), MICA_DNS_PARSE_FORMERR);
	n = mkq(m, 1, 0, 0, 1, "", 0); /* ARCOUNT 1, nothing there */
	CHECK_EQ(mica_dns_query_parse(mica_view_make(m, n), &q), MICA_DNS_PARSE_FORMERR);
	n = mkq(m, 1, 0, 0, 0, "", 0);
	CHECK_EQ(mica_dns_query_parse(mica_view_make(m, n - 1), &q), MICA_DNS_PARSE_FORMERR);
	m[12] = 0xc0;
	m[13] = 12; /* compressed question name */
	CHECK_EQ(mica_dns_query_parse(mica_view_make(m, n), &q), MICA_DNS_PARSE_FORMERR);
	n = mkq(m, 1, 0, 0, 0, "", 0);
	m[3] = 1; /* RCODE set in a query */
	CHECK_EQ(mica_dns_query_parse(mica_view_make(m, n), &q), MICA_DNS_PARSE_FORMERR);
	CHECK_EQ(mica_dns_query_parse(mica_view_make(m, 5), &q), MICA_EBADMSG);
	/* QDCOUNT 0 with only an OPT record */
	const uint8_t hdr[12] = {1, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	const uint8_t opt[11] = {0, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 0};
	memcpy(m, hdr, 12);
	memcpy(m + 12, opt, 11);
	CHECK_EQ(mica_dns_query_parse(mica_view_make(m, 23), &q), MICA_DNS_PARSE_FORMERR_EDNS);
}

int main(void)
{
	return RUN_TESTS();
}
