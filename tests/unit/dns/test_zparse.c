/* test_zparse.c - zonec's master-file parser and zone checks: what is
 * accepted and how, and that every error names its file and line. */
#include "check.h"
#include <stdlib.h>
#include "../../../tools/zonec/zonec.h"
#include "../../../tools/zonec/zonemd.h"

static char errs[8192];
static struct zfile zf;

#define HEAD "$TTL 300\n@ IN SOA ns hm 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n"

/* Parse (and build when the parse is clean); returns the error count. */
static int compile(const char *text)
{
	static struct zbuilt b;
	char *buf = NULL;
	size_t n = 0;
	zfile_free(&zf);
	memset(&zf, 0, sizeof(zf));
	zf.path = "t.zone";
	zf.err = open_memstream(&buf, &n);
	uint8_t root = 0;
	zname_from_text("example.com.", 12, &root, zf.origin);
	zparse(&zf, text, strlen(text));
	if (!zf.nerrors) {
		if (zbuild(&b, &zf) == 0)
			zbuilt_free(&b);
	}
	fclose(zf.err);
	snprintf(errs, sizeof(errs), "%s", buf ? buf : "");
	free(buf);
	return zf.nerrors;
}

/* Expect exactly the error text (which starts with file:line). */
#define ERR(text, want)                                              \
	do {                                                         \
		int n_ = compile(text);                              \
		CHECK(n_ >= 1);                                      \
		if (!strstr(errs, want)) {                           \
			printf("  got: %s  want: %s\n", errs, want); \
			CHECK(strstr(errs, want) != NULL);           \
		}                                                    \
	} while (0)

static const struct zrr *find(uint16_t type, int nth)
{
	for (size_t i = 0; i < zf.nrrs; i++)
		if (zf.rrs[i].type == type && nth-- == 0)
			return &zf.rrs[i];
	return NULL;
}

TEST(parses_features)
{
	const char *z = "$ORIGIN example.com.\n"
	                "$TTL 1h\n"
	                "@ IN SOA ns1 hostmaster.example.com. ( 1 ; serial\n"
	                "   2h 1h 2w\n"
	                "   300 )\n"
	                "\tIN NS ns1\n"
	                "ns1 60 IN A 192.0.2.1\n"
	                "txt TXT \"a \\\"q\\\"\" \\065\\066C plain ; comment\n"
	                "mx MX 10 @\n"
	                "srv IN 7200 SRV 1 2 53 ns1.example.com.\n"
	                "c1 CLASS1 A 192.0.2.9\n"
	                "c CAA 0 issue \"ca.example\"\n"
	                "u TYPE65280 \\# 3 0a0B ff\n"
	                "$ORIGIN sub.example.com.\n"
	                "www AAAA 2001:db8::1\n"
	                "p PTR www\n";
	CHECK_EQ(compile(z), 0);
	printf("%s", errs);
	const struct zrr *soa = find(MICA_DNS_SOA, 0);
	CHECK(soa && soa->ttl == 3600 && soa->rdlen == 17 + 24 + 20);
	CHECK(soa && soa->line == 3);
	const struct zrr *a = find(MICA_DNS_A, 0);
	CHECK(a && a->ttl == 60 && memcmp(a->rdata, "\xc0\x00\x02\x01", 4) == 0);
	const struct zrr *txt = find(MICA_DNS_TXT, 0);
	CHECK(txt && txt->rdlen == 6 + 4 + 6);
	CHECK(txt && memcmp(txt->rdata, "\5a \"q\"\3ABC\5plain", 16) == 0);
	const struct zrr *mx = find(MICA_DNS_MX, 0);
	CHECK(mx && memcmp(mx->rdata, "\0\12\7example\3com\0", 15) == 0);
	const struct zrr *c1 = find(MICA_DNS_A, 1);
	CHECK(c1 && memcmp(c1->rdata, "\xc0\x00\x02\x09", 4) == 0);
	const struct zrr *srv = find(MICA_DNS_SRV, 0);
	CHECK(srv && srv->ttl == 7200 && srv->rdlen == 6 + 17);
	const struct zrr *caa = find(MICA_DNS_CAA, 0);
	CHECK(caa && caa->rdlen == 2 + 5 + 10 && memcmp(caa->rdata, "\0\5issueca.example", 17) == 0);
	const struct zrr *u = find(65280, 0);
	CHECK(u && u->rdlen == 3 && memcmp(u->rdata, "\x0a\x0b\xff", 3) == 0);
	const struct zrr *aaaa = find(MICA_DNS_AAAA, 0);
	CHECK(aaaa && memcmp(aaaa->owner, "\3www\3sub\7example\3com", 21) == 0);
	const struct zrr *ptr = find(MICA_DNS_PTR, 0);
	CHECK(ptr && memcmp(ptr->rdata, "\3www\3sub\7example\3com\0", 22) == 0);
}

TEST(zone_errors_name_the_line)
{
	ERR("$TTL 1\nwww A 192.0.2.1\n", "t.zone:2: missing SOA record");
	ERR(HEAD "www.example.org. A 192.0.2.1\n",
	    "t.zone:5: www.example.org. is outside the zone example.com.");
	ERR(HEAD "www CNAME x\nwww A 192.0.2.2\n", "t.zone:6: CNAME beside other data at www.example.com.");
	ERR(HEAD "www A 192.0.2.2\nwww CNAME x\n", "t.zone:6: CNAME beside other data at www.example.com.");
	ERR(HEAD "www CNAME x\nwww CNAME y\n", "t.zone:6: more than one CNAME at www.example.com.");
	ERR(HEAD "sub SOA a b 1 2 3 4 5\n", "t.zone:5: second SOA record");
}

TEST(syntax_errors_name_the_line)
{
	ERR(HEAD "www FOO 1\n", "t.zone:5: unknown record type 'FOO'");
	ERR(HEAD "www A 192.0.2\n", "t.zone:5: bad IPv4 address '192.0.2'");
	ERR(HEAD "www AAAA 2001:db8::g\n", "t.zone:5: bad IPv6 address");
	ERR(HEAD "www 1x A 192.0.2.1\n", "t.zone:5: bad TTL '1x'");
	ERR(HEAD "www TXT \"open\n", "t.zone:5: unterminated quoted string");
	ERR(HEAD "www A 192.0.2.1 )\n", "t.zone:5: ')' without a matching '('");
	ERR(HEAD "\n\nwww TXT ( \"a\"\n\"b\"\n", "t.zone:7: '(' without a matching ')'");
	ERR(HEAD "www CNAME aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
	    "t.zone:5: label longer than 63 bytes in domain name");
	ERR(HEAD "www MX 10\n", "t.zone:5: missing domain name in MX RDATA");
	ERR(HEAD "www MX 0x10 mail\n", "t.zone:5: bad number '0x10' in MX RDATA");
	ERR(HEAD "www A 192.0.2.1 extra\n", "t.zone:5: trailing data 'extra'");
	ERR(HEAD "$INCLUDE other.zone\n", "t.zone:5: cannot open $INCLUDE file 'other.zone'");
	ERR(HEAD "$GENERATE 1-2 a$ A 192.0.2.1\n", "t.zone:5: $GENERATE is not supported");
	ERR(HEAD "$FOO 1\n", "t.zone:5: warning: unknown directive '$FOO' ignored");
	ERR(HEAD "www CH A 192.0.2.1\n", "t.zone:5: class CH is not supported (only IN)");

	ERR(HEAD "www TYPE99 \\# 3 0a0b\n", "t.zone:5: \\# RDATA length does not match its data");
	ERR(HEAD "www TYPE99 \\# 2 0a0\n", "t.zone:5: odd number of hex digits");
	ERR(HEAD "www TYPE99 \\# 1 zz\n", "t.zone:5: bad hex digit");
	ERR(HEAD "www TYPE999 1 2\n", "t.zone:5: type TYPE999 needs RFC 3597 \\# RDATA");
	ERR(HEAD "www A \\# 3 010203\n", "t.zone:5: \\# RDATA is not valid for type A");
	ERR(HEAD "www DNAME \\# 2 0100\n", "t.zone:5: \\# RDATA is not valid for type DNAME");
	ERR(HEAD "www TXT \"\\300\"\n", "t.zone:5: bad escape in character string in TXT RDATA");
	ERR("   A 192.0.2.1\n", "t.zone:1: record without an owner name");
	ERR(HEAD "www\n", "t.zone:5: missing record type");
	ERR(HEAD "www CAA 0 is-sue \"x\"\n", "t.zone:5: bad CAA tag 'is-sue' in CAA RDATA");
	ERR(HEAD "a..b A 192.0.2.1\n", "t.zone:5: bad name in owner 'a..b'");
	ERR(HEAD "$ORIGIN\n", "t.zone:5: $ORIGIN needs one name");
	ERR(HEAD "$TTL x\n", "t.zone:5: $TTL needs one TTL value");
	/* a long TXT string and a name over 255 bytes */
	char big[1200];
	snprintf(big, sizeof(big), HEAD "www TXT \"%0300d\"\n", 0);
	ERR(big, "t.zone:5: character string longer than 255 bytes in TXT RDATA");
	char longname[600] = HEAD "www CNAME ";
	for (int i = 0; i < 5; i++)
		strcat(longname, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.");
	strcat(longname, "\n");
	ERR(longname, "t.zone:5: name longer than 255 bytes in domain name");
}

/* TTLs as NSD gives them: $TTL, else 3600 (with one warning), never the
 * last TTL seen. */
TEST(default_ttl_as_nsd)
{
	CHECK_EQ(compile("@ SOA ns hm 1 2 3 4 5\n@ 100 NS ns\nns A 192.0.2.1\nx 200 A 192.0.2.2\n"
	                 "y A 192.0.2.3\n$TTL 50\nz A 192.0.2.4\n"),
	         0);
	CHECK(strstr(errs, "t.zone:1: warning: no TTL and no $TTL") != NULL);
	CHECK_EQ(zf.nwarnings, 1);
	CHECK(find(MICA_DNS_SOA, 0)->ttl == 3600);
	CHECK(find(MICA_DNS_NS, 0)->ttl == 100);
	CHECK(find(MICA_DNS_A, 0)->ttl == 3600);
	CHECK(find(MICA_DNS_A, 1)->ttl == 200);
	CHECK(find(MICA_DNS_A, 2)->ttl == 3600);
	CHECK(find(MICA_DNS_A, 3)->ttl == 50);
}

/* A known type in RFC 3597 form is that type (same wire form as its
 * presentation form); numbers wrap to their width as in NSD. */
TEST(generic_form_means_the_type)
{
	CHECK_EQ(compile(HEAD "d DNAME \\# 16 06746172676574 076578616d706c6500\n"
	                      "e DNAME target.example.\nm MX 65546 mail\n"),
	         0);
	const struct zrr *d0 = find(MICA_DNS_DNAME, 0), *d1 = find(MICA_DNS_DNAME, 1);
	CHECK(d0 && d1 && d0->rdlen == d1->rdlen && memcmp(d0->rdata, d1->rdata, d0->rdlen) == 0);
	const struct zrr *mx = find(MICA_DNS_MX, 0);
	CHECK(mx && mx->rdata[0] == 0 && mx->rdata[1] == 10);
}

/* DNAME rules (RFC 6672): no data below it, not beside a CNAME, one. */
TEST(dname_checks)
{
	ERR(HEAD "x DNAME a\ny.x A 192.0.2.1\n",
	    "t.zone:6: y.x.example.com. is below the DNAME at x.example.com.");
	ERR(HEAD "x DNAME a\nx CNAME b\n", "t.zone:6: DNAME and CNAME at x.example.com.");
	ERR(HEAD "x DNAME a\nx DNAME b\n", "t.zone:6: more than one DNAME at x.example.com.");
	CHECK_EQ(compile(HEAD "x DNAME a\nx A 192.0.2.1\nx NS b\n"), 0);
}

/* FIPS 180-4 test vectors ("abc", and a message over two blocks). */
TEST(sha384_sha512_vectors)
{
	static const char abc384[] = "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
	                             "8086072ba1e7cc2358baeca134c825a7";
	static const char abc512[] = "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
	                             "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";
	static const char two512[] = "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018"
	                             "501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909";
	const char *two =
	    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqr"
	    "lmnopqrsmnopqrstnopqrstu";
	struct {
		const char *msg, *hex;
		bool sha384;
	} v[] = {{"abc", abc384, true}, {"abc", abc512, false}, {two, two512, false}};
	for (size_t i = 0; i < 3; i++) {
		struct sha512 s;
		uint8_t d[64];
		char hex[129];
		sha512_init(&s, v[i].sha384);
		sha512_update(&s, v[i].msg, strlen(v[i].msg));
		size_t n = sha512_final(&s, d);
		for (size_t k = 0; k < n; k++)
			snprintf(hex + 2 * k, 3, "%02x", d[k]);
		CHECK(strcmp(hex, v[i].hex) == 0);
	}
}

TEST(errors_do_not_stop_at_the_first)
{
	CHECK_EQ(compile(HEAD "a A 1.2.3\nb A 4.5.6\n"), 2);
	CHECK(strstr(errs, "t.zone:5:") && strstr(errs, "t.zone:6:"));
}

int main(void)
{
	return RUN_TESTS();
}
