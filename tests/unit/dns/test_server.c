/* test_server.c - the server core answers as the RFCs (and NSD) say, on a
 * small zone compiled in the test: AA, negative answers with the SOA and
 * its RFC 2308 TTL, wildcards, empty non-terminals, referrals, CNAME
 * chains, truncation, EDNS, and the error RCODEs. Runs with and without
 * the memo. (The differential test compares with NSD itself.) */
#include "check.h"
#include <stdlib.h>
#include "../../../tools/zonec/zonec.h"

static const char ZONE[] = "$ORIGIN example.com.\n$TTL 3600\n"
                           "@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
                           "@ NS ns1\nns1 A 192.0.2.53\n"
                           "www CNAME web\nweb 300 A 192.0.2.80\n"
                           "*.w TXT \"wild\"\na.b.c A 192.0.2.3\n"
                           "deleg NS ns.deleg\nns.deleg A 192.0.2.200\n";

static struct zfile zf;
static struct zbuilt zb;
static const struct mica_dns_zone *zones[1];
static struct mica_dns_server srv;
static uint8_t out[65536];

static void setup(bool memo)
{
	static bool built;
	if (!built) {
		zf.path = "t.zone";
		zf.err = stdout;
		uint8_t root = 0;
		zname_from_text("example.com.", 12, &root, zf.origin);
		zparse(&zf, ZONE, strlen(ZONE));
		CHECK_EQ(zbuild(&zb, &zf), 0);
		CHECK_EQ(zmemo(&zb, 1, ZMEMO_BUDGET), 0);
		zones[0] = &zb.z;
		built = true;
	}
	mica_dns_server_init(&srv, zones, 1, memo);
}

/* Query NAME (dotted) TYPE; edns: 0 none, else the UDP size (DO set). */
static size_t ask(const char *name, uint16_t type, uint16_t flags, unsigned edns, bool tcp)
{
	uint8_t q[300];
	memset(q, 0, 12);
	q[0] = 0xbe;
	q[1] = 0xef;
	q[2] = (uint8_t)(flags >> 8);
	q[3] = (uint8_t)flags;
	q[5] = 1;
	uint8_t root = 0;
	CHECK_EQ(zname_from_text(name, strlen(name), &root, q + 12), 0);
	size_t n = 12 + (size_t)mica_dns_name_len(q + 12, 255);
	q[n++] = (uint8_t)(type >> 8);
	q[n++] = (uint8_t)type;
	q[n++] = 0;
	q[n++] = 1;
	if (edns) {
		const uint8_t opt[11] = {0, 0, 41, (uint8_t)(edns >> 8), (uint8_t)edns, 0, 0, 0x80, 0, 0, 0};
		q[11] = 1;
		memcpy(q + n, opt, 11);
		n += 11;
	}
	return mica_dns_respond(&srv, q, n, out, sizeof(out), tcp);
}

static unsigned rcode(void)
{
	return out[3] & 0xf;
}
static bool flag(uint16_t f)
{
	return ((out[2] << 8 | out[3]) & f) != 0;
}
static unsigned count(int i)
{
	return (unsigned)(out[4 + 2 * i] << 8 | out[5 + 2 * i]);
}

static void behaviours(bool memo)
{
	setup(memo);
	/* positive, via a CNAME; AA; RD copied; NS in authority, glue */
	CHECK(ask("www.example.com.", 1, MICA_DNS_F_RD, 0, false) > 0);
	CHECK(out[0] == 0xbe && out[1] == 0xef);
	CHECK(flag(MICA_DNS_F_QR) && flag(MICA_DNS_F_AA) && flag(MICA_DNS_F_RD) && !flag(MICA_DNS_F_TC));
	CHECK_EQ(rcode(), 0);
	CHECK_EQ(count(1), 2); /* CNAME + A */
	CHECK_EQ(count(2), 1); /* apex NS */
	CHECK_EQ(count(3), 1); /* ns1 A */
	/* question case is preserved */
	CHECK(ask("WwW.Example.COM.", 1, 0, 0, false) > 0);
	CHECK(memcmp(out + 12, "\3WwW\7Example\3COM", 17) == 0);
	/* NXDOMAIN: SOA in authority with TTL min(3600, 300) */
	size_t n = ask("nope.example.com.", 1, 0, 0, false);
	CHECK_EQ(rcode(), MICA_DNS_NXDOMAIN);
	CHECK(flag(MICA_DNS_F_AA));
	CHECK_EQ(count(1), 0);
	CHECK_EQ(count(2), 1);
	CHECK(n > 40 && memcmp(out + 12 + 18 + 4 + 2, "\0\6\0\1\0\0\1\54", 8) == 0); /* SOA, IN, TTL 300 */
	/* empty non-terminal: NODATA, not NXDOMAIN */
	ask("b.c.example.com.", 1, 0, 0, false);
	CHECK_EQ(rcode(), 0);
	CHECK_EQ(count(1), 0);
	CHECK_EQ(count(2), 1);
	/* wildcard: owner is the query name (pointer to 12) */
	ask("x.y.w.example.com.", MICA_DNS_TXT, 0, 0, false);
	CHECK_EQ(rcode(), 0);
	CHECK_EQ(count(1), 1);
	CHECK(out[12 + 19 + 4] == 0xc0 && out[12 + 19 + 5] == 12);
	/* referral: no AA, NS in authority, glue */
	ask("host.deleg.example.com.", 1, 0, 0, false);
	CHECK(!flag(MICA_DNS_F_AA));
	CHECK_EQ(count(1), 0);
	CHECK_EQ(count(2), 1);
	CHECK_EQ(count(3), 1);
	/* out of zone: REFUSED */
	ask("example.org.", 1, 0, 0, false);
	CHECK_EQ(rcode(), MICA_DNS_REFUSED);
	/* EDNS: OPT with our size and DO echoed */
	n = ask("web.example.com.", 1, 0, 4096, false);
	CHECK_EQ(count(3), 2);
	CHECK(memcmp(out + n - 11, "\0\0\51\4\320\0\0\200\0\0\0", 11) == 0);
}

TEST(answers_with_memo)
{
	behaviours(true);
}
TEST(answers_without_memo)
{
	behaviours(false);
}

TEST(errors_and_drops)
{
	setup(true);
	uint8_t q[64] = {1, 2, 0x81, 0, 0, 1, 0, 0, 0, 0, 0, 0};
	memcpy(q + 12, "\3www\7example\3com\0\0\1\0\1", 21);
	/* opcode 1 (IQUERY): NOTIMP, header only */
	q[2] = 0x08;
	CHECK_EQ(mica_dns_respond(&srv, q, 33, out, sizeof(out), false), 12);
	CHECK_EQ(rcode(), MICA_DNS_NOTIMP);
	/* QR set: dropped and counted */
	uint64_t dropped = srv.st.dropped;
	q[2] = 0x80;
	CHECK_EQ(mica_dns_respond(&srv, q, 33, out, sizeof(out), false), 0);
	CHECK_EQ(srv.st.dropped, dropped + 1);
	CHECK_EQ(mica_dns_respond(&srv, q, 11, out, sizeof(out), false), 0);
	/* two questions: FORMERR, header only */
	q[2] = 0x01;
	q[5] = 2;
	CHECK_EQ(mica_dns_respond(&srv, q, 33, out, sizeof(out), false), 12);
	CHECK_EQ(rcode(), MICA_DNS_FORMERR);
	q[5] = 1;
	/* EDNS version 1: BADVERS (extended RCODE 1 in the OPT TTL) */
	const uint8_t opt[11] = {0, 0, 41, 4, 0xd0, 0, 1, 0, 0, 0, 0};
	q[11] = 1;
	memcpy(q + 33, opt, 11);
	size_t n = mica_dns_respond(&srv, q, 44, out, sizeof(out), false);
	CHECK_EQ(n, 33 + 11);
	CHECK_EQ(rcode(), 0);
	CHECK_EQ(out[n - 6], 1);
	CHECK_EQ(srv.st.rcode[MICA_DNS_BADVERS], 1);
}

TEST(truncation_without_edns)
{
	/* a zone with 40 A records at one name */
	static char text[4096];
	int o = snprintf(text, sizeof(text), "$TTL 60\n@ SOA a b 1 2 3 4 5\n@ NS a\n");
	for (int i = 1; i <= 40; i++)
		o += snprintf(text + o, sizeof(text) - (size_t)o, "big A 10.0.0.%d\n", i);
	struct zfile f = {.path = "big.zone", .err = stdout};
	uint8_t root = 0;
	zname_from_text("big.test.", 9, &root, f.origin);
	zparse(&f, text, strlen(text));
	struct zbuilt b;
	CHECK_EQ(zbuild(&b, &f), 0);
	CHECK_EQ(zmemo(&b, 1, ZMEMO_BUDGET), 0);
	const struct mica_dns_zone *z[1] = {&b.z};
	mica_dns_server_init(&srv, z, 1, true);
	size_t n = ask("big.big.test.", 1, 0, 0, false);
	CHECK(n <= 512 && flag(MICA_DNS_F_TC));
	CHECK_EQ(count(1), 0);
	n = ask("big.big.test.", 1, 0, 1232, false);
	CHECK(n > 512 && n <= 1232 && !flag(MICA_DNS_F_TC));
	CHECK_EQ(count(1), 40);
	n = ask("big.big.test.", 1, 0, 0, true);
	CHECK(n > 512 && !flag(MICA_DNS_F_TC));
	zbuilt_free(&b);
	zfile_free(&f);
}

int main(void)
{
	return RUN_TESTS();
}
