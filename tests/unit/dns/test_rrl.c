/* test_rrl.c - response-rate limiting (lib/dns/rrl.c) with a made-up clock:
 * the smoothed rate and its limit (twice the qps), slip ratios, /24
 * grouping, whitelisted classes, decay over idle seconds, collisions; and
 * the classification of real responses of a small zone (nxdomain keyed by
 * the apex, referral by the cut, wildcard by the wildcard, ...), and the
 * truncated slip response. */
#include "check.h"
#include <stdlib.h>
#include <mica/dns_rrl.h>
#include "../../../tools/zonec/zonec.h"

#define SEC 1000000000ull

static const uint8_t NAME[] = {3, 'w', 'w', 'w', 0};

static void config(struct mica_rrl *r, uint32_t rate, uint16_t slip)
{
	struct mica_rrl_config c;
	mica_rrl_defaults(&c);
	c.rate = rate;
	c.slip = slip;
	c.size = 1024;
	CHECK_EQ(mica_rrl_init(r, &c), 0);
}

/* Send n responses at time t; count the verdicts. */
static void burst(struct mica_rrl *r, uint32_t src, unsigned n, uint64_t t, unsigned v[3])
{
	v[0] = v[1] = v[2] = 0;
	for (unsigned i = 0; i < n; i++)
		v[mica_rrl_check(r, src, MICA_RRL_POSITIVE, NAME, sizeof(NAME), t)]++;
}

TEST(defaults_are_nsds)
{
	struct mica_rrl_config c;
	mica_rrl_defaults(&c);
	CHECK_EQ(c.rate, 200);
	CHECK_EQ(c.slip, 2);
	CHECK_EQ(c.ipv4_prefix, 24);
	CHECK_EQ(c.whitelist_rate, 2000);
	CHECK_EQ(c.whitelist, 0);
}

TEST(first_second_allows_twice_the_rate_then_limits)
{
	struct mica_rrl r;
	unsigned v[3];
	config(&r, 200, 0);
	/* In a fresh second the counter alone is judged: 399 pass (< 400). */
	burst(&r, 0x0a000001, 1000, 5 * SEC, v);
	CHECK_EQ(v[MICA_RRL_SEND], 399);
	CHECK_EQ(v[MICA_RRL_DROP], 601);
	CHECK_EQ(v[MICA_RRL_SLIP], 0);
	/* Next second: rate = 0/2 + 1000, far over 400: everything limited. */
	burst(&r, 0x0a000001, 100, 6 * SEC, v);
	CHECK_EQ(v[MICA_RRL_SEND], 0);
	CHECK_EQ(r.st.limited, 701);
	CHECK_EQ(r.st.blocks, 1);
	mica_rrl_free(&r);
}

TEST(steady_rate_under_the_limit_passes)
{
	struct mica_rrl r;
	unsigned v[3], sent = 0;
	config(&r, 200, 2);
	for (uint64_t s = 0; s < 30; s++) {
		burst(&r, 0x0a000001, 199, (100 + s) * SEC, v);
		sent += v[MICA_RRL_SEND];
	}
	CHECK_EQ(sent, 30 * 199); /* the rate converges to 398 < 400 */
	/* 300 qps converges over the limit: limited within a few seconds. */
	for (uint64_t s = 0; s < 5; s++)
		burst(&r, 0x0a000001, 300, (130 + s) * SEC, v);
	CHECK(v[MICA_RRL_SEND] < 300);
	CHECK(v[MICA_RRL_SLIP] > 0 && v[MICA_RRL_DROP] > 0);
	mica_rrl_free(&r);
}

TEST(slip_sends_every_nth_limited_response_truncated)
{
	struct mica_rrl r;
	unsigned v[3];
	for (uint16_t slip = 0; slip <= 3; slip++) {
		config(&r, 10, slip);
		burst(&r, 0x0a000001, 19 + 600, 7 * SEC, v); /* 19 pass, 600 limited */
		CHECK_EQ(v[MICA_RRL_SEND], 19);
		CHECK_EQ(v[MICA_RRL_SLIP], slip ? 600 / slip : 0);
		CHECK_EQ(v[MICA_RRL_DROP], 600 - (slip ? 600 / slip : 0));
		CHECK_EQ(r.st.slipped + r.st.dropped, 600);
		mica_rrl_free(&r);
	}
}

TEST(sources_are_grouped_by_prefix)
{
	struct mica_rrl r;
	unsigned v[3];
	config(&r, 10, 0);
	burst(&r, 0x0a000001, 19, 9 * SEC, v);
	CHECK_EQ(v[MICA_RRL_SEND], 19);
	burst(&r, 0x0a0000fe, 5, 9 * SEC, v); /* same /24: already at its limit */
	CHECK_EQ(v[MICA_RRL_SEND], 0);
	burst(&r, 0x0a000101, 5, 9 * SEC, v); /* another /24: its own bucket */
	CHECK_EQ(v[MICA_RRL_SEND], 5);
	/* Other classes and names of the same source are counted apart. */
	CHECK_EQ(mica_rrl_check(&r, 0x0a000001, MICA_RRL_NXDOMAIN, NAME, sizeof(NAME), 9 * SEC),
	         MICA_RRL_SEND);
	static const uint8_t other[] = {3, 'f', 't', 'p', 0};
	CHECK_EQ(mica_rrl_check(&r, 0x0a000001, MICA_RRL_POSITIVE, other, sizeof(other), 9 * SEC),
	         MICA_RRL_SEND);
	mica_rrl_free(&r);
	/* A /32 prefix separates every address. */
	struct mica_rrl_config c;
	mica_rrl_defaults(&c);
	c.rate = 10;
	c.ipv4_prefix = 32;
	c.size = 64;
	CHECK_EQ(mica_rrl_init(&r, &c), 0);
	burst(&r, 0x0a000001, 19, 9 * SEC, v);
	burst(&r, 0x0a000002, 19, 9 * SEC, v);
	CHECK_EQ(v[MICA_RRL_SEND], 19);
	mica_rrl_free(&r);
}

TEST(idle_seconds_decay_the_rate)
{
	struct mica_rrl r;
	unsigned v[3];
	config(&r, 10, 0);
	burst(&r, 0x0a000001, 100, 20 * SEC, v);
	burst(&r, 0x0a000001, 1, 21 * SEC, v); /* rate 100: limited */
	CHECK_EQ(v[MICA_RRL_SEND], 0);
	/* 3 s later: rate = 100/8 + 1/4 = 12 < 20, so sending resumes; only
	 * the projected rate (counter + 6) reaching 20 limits again. */
	burst(&r, 0x0a000001, 20, 24 * SEC, v);
	CHECK_EQ(v[MICA_RRL_SEND], 13);
	/* After more than 16 idle seconds the rate is forgotten. */
	burst(&r, 0x0a000001, 19, 60 * SEC, v);
	CHECK_EQ(v[MICA_RRL_SEND], 19);
	/* A clock that goes back starts the bucket over. */
	burst(&r, 0x0a000001, 19, 50 * SEC, v);
	CHECK_EQ(v[MICA_RRL_SEND], 19);
	mica_rrl_free(&r);
}

TEST(whitelisted_classes_get_their_own_rate)
{
	struct mica_rrl r;
	struct mica_rrl_config c;
	mica_rrl_defaults(&c);
	c.rate = 10;
	c.whitelist_rate = 100;
	c.slip = 0;
	c.size = 64;
	CHECK_EQ(mica_rrl_kinds_parse("nxdomain,referral", &c.whitelist), 0);
	CHECK_EQ(c.whitelist, MICA_RRL_NXDOMAIN | MICA_RRL_REFERRAL);
	CHECK_EQ(mica_rrl_init(&r, &c), 0);
	unsigned sent = 0;
	for (int i = 0; i < 300; i++)
		sent += mica_rrl_check(&r, 1, MICA_RRL_NXDOMAIN, NAME, sizeof(NAME), SEC) == MICA_RRL_SEND;
	CHECK_EQ(sent, 199);
	mica_rrl_free(&r);
	/* Rate 0 is unlimited. */
	c.whitelist_rate = 0;
	CHECK_EQ(mica_rrl_init(&r, &c), 0);
	sent = 0;
	for (int i = 0; i < 300; i++)
		sent += mica_rrl_check(&r, 1, MICA_RRL_NXDOMAIN, NAME, sizeof(NAME), SEC) == MICA_RRL_SEND;
	CHECK_EQ(sent, 300);
	mica_rrl_free(&r);
}

TEST(kind_names_and_bad_configs)
{
	uint16_t k;
	CHECK_EQ(mica_rrl_kinds_parse("all", &k), 0);
	CHECK_EQ(k, MICA_RRL_ALL);
	CHECK_EQ(mica_rrl_kinds_parse("", &k), 0);
	CHECK_EQ(k, 0);
	CHECK_EQ(mica_rrl_kinds_parse("positive,nodata,rrsig", &k), 0);
	CHECK_EQ(k, MICA_RRL_POSITIVE | MICA_RRL_NODATA | MICA_RRL_RRSIG);
	CHECK_EQ(mica_rrl_kinds_parse("positive,bogus", &k), MICA_EINVAL);
	CHECK_EQ(mica_rrl_kinds_parse("positiv", &k), MICA_EINVAL);
	CHECK_STR(mica_rrl_kind_name(MICA_RRL_WILDCARD), "wildcard");
	struct mica_rrl r;
	struct mica_rrl_config c;
	mica_rrl_defaults(&c);
	c.size = 0;
	CHECK_EQ(mica_rrl_init(&r, &c), MICA_EINVAL);
	mica_rrl_defaults(&c);
	c.ipv4_prefix = 33;
	CHECK_EQ(mica_rrl_init(&r, &c), MICA_EINVAL);
	/* A caller's zeroed table: as big as mica_rrl_table_bytes says. */
	mica_rrl_defaults(&c);
	c.size = 100;
	CHECK(mica_rrl_table_bytes(&c) >= 100 * 20);
	void *t = calloc(1, mica_rrl_table_bytes(&c));
	CHECK_EQ(mica_rrl_init_table(&r, &c, t), 0);
	CHECK_EQ(mica_rrl_check(&r, 1, MICA_RRL_POSITIVE, NAME, sizeof(NAME), SEC), MICA_RRL_SEND);
	mica_rrl_free(&r); /* not ours: left alone */
	free(t);
	CHECK_EQ(mica_rrl_init_table(&r, &c, NULL), MICA_EINVAL);
}

TEST(a_colliding_key_takes_the_bucket_over)
{
	struct mica_rrl r;
	struct mica_rrl_config c;
	mica_rrl_defaults(&c);
	c.rate = 10;
	c.slip = 0;
	c.size = 1; /* every key in one bucket */
	CHECK_EQ(mica_rrl_init(&r, &c), 0);
	unsigned v[3];
	burst(&r, 0x0a000001, 30, SEC, v);
	CHECK_EQ(v[MICA_RRL_SEND], 19);
	CHECK_EQ(mica_rrl_check(&r, 0x0b000001, MICA_RRL_POSITIVE, NAME, sizeof(NAME), SEC), MICA_RRL_SEND);
	burst(&r, 0x0a000001, 5, SEC, v); /* restarted from zero */
	CHECK_EQ(v[MICA_RRL_SEND], 5);
	mica_rrl_free(&r);
}

/* ---- classification of real responses ---- */

static const char ZONE[] = "$ORIGIN example.com.\n$TTL 3600\n"
                           "@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
                           "@ NS ns1\nns1 A 192.0.2.53\nwww A 192.0.2.80\n"
                           "*.w TXT \"wild\"\n"
                           "deleg NS ns.deleg\nns.deleg A 192.0.2.200\n";

static struct zfile zf;
static struct zbuilt zb;
static const struct mica_dns_zone *zones[1];
static struct mica_dns_server srv;

static void setup(void)
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
	mica_dns_server_init(&srv, zones, 1, true);
}

/* Answer NAME TYPE (with an EDNS OPT) into out; returns the length. */
static size_t respond(const char *name, uint16_t type, uint8_t *out)
{
	uint8_t q[300] = {0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1};
	uint8_t root = 0;
	CHECK_EQ(zname_from_text(name, strlen(name), &root, q + 12), 0);
	size_t n = 12 + (size_t)mica_dns_name_len(q + 12, 255);
	const uint8_t tail[15] = {
	    (uint8_t)(type >> 8), (uint8_t)type, 0, 1, 0, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 0};
	memcpy(q + n, tail, sizeof(tail));
	return mica_dns_respond(&srv, q, n + sizeof(tail), out, 4096, false);
}

/* The class of NAME TYPE's response and the name it is keyed by. */
static uint16_t class_of(const char *name, uint16_t type, char *keyname)
{
	uint8_t out[4096], lbuf[MICA_DNS_NAME_MAX];
	const uint8_t *key;
	size_t klen;
	size_t n = respond(name, type, out);
	uint16_t kind = mica_rrl_classify(&srv.zs, out, n, lbuf, &key, &klen);
	if (key)
		mica_dns_name_str(key, keyname, 1024);
	else
		strcpy(keyname, "-");
	return kind;
}

TEST(responses_are_classed_and_keyed_as_nsd_does)
{
	char k[1024];
	setup();
	CHECK_EQ(class_of("WWW.example.com.", MICA_DNS_A, k), MICA_RRL_POSITIVE);
	CHECK_STR(k, "www.example.com."); /* lower case: 0x20 games share a key */
	CHECK_EQ(class_of("nope.example.com.", MICA_DNS_A, k), MICA_RRL_NXDOMAIN);
	CHECK_STR(k, "example.com.");
	CHECK_EQ(class_of("www.example.com.", MICA_DNS_MX, k), MICA_RRL_NODATA);
	CHECK_STR(k, "example.com.");
	CHECK_EQ(class_of("x.y.deleg.example.com.", MICA_DNS_A, k), MICA_RRL_REFERRAL);
	CHECK_STR(k, "deleg.example.com.");
	CHECK_EQ(class_of("random1.w.example.com.", MICA_DNS_TXT, k), MICA_RRL_WILDCARD);
	CHECK_STR(k, "*.w.example.com.");
	CHECK_EQ(class_of("example.com.", MICA_DNS_ANY, k), MICA_RRL_ANY);
	CHECK_STR(k, "example.com.");
	CHECK_EQ(class_of("example.com.", MICA_DNS_RRSIG, k), MICA_RRL_RRSIG);
	CHECK_EQ(class_of("example.org.", MICA_DNS_A, k), MICA_RRL_ERROR); /* REFUSED */
	CHECK_STR(k, "-");
	CHECK_EQ(class_of("example.com.", MICA_DNS_AXFR, k), MICA_RRL_ERROR);
	CHECK_STR(k, "example.com.");
}

TEST(slip_response_is_header_and_question_with_tc)
{
	struct mica_rrl r;
	uint8_t out[4096];
	setup();
	config(&r, 1, 1); /* limit 2 per second, every limited one slips */
	size_t n = respond("www.example.com.", MICA_DNS_A, out);
	CHECK_EQ(mica_rrl_apply(&r, &srv.zs, 0x0a000001, out, n, SEC), n);
	n = respond("www.example.com.", MICA_DNS_A, out);
	size_t m = mica_rrl_apply(&r, &srv.zs, 0x0a000001, out, n, SEC);
	CHECK_EQ(m, 12 + 17 + 4); /* header, "www.example.com.", type, class */
	CHECK(out[2] & 0x02);     /* TC */
	CHECK(out[2] & 0x80);     /* still a response */
	CHECK(out[4] == 0 && out[5] == 1);
	for (int i = 6; i < 12; i++)
		CHECK_EQ(out[i], 0);
	CHECK(out[0] == 0x12 && out[1] == 0x34);
	mica_rrl_free(&r);
	/* slip 0: limited responses are not sent at all */
	config(&r, 1, 0);
	n = respond("www.example.com.", MICA_DNS_A, out);
	CHECK_EQ(mica_rrl_apply(&r, &srv.zs, 0x0a000001, out, n, SEC), n);
	n = respond("www.example.com.", MICA_DNS_A, out);
	CHECK_EQ(mica_rrl_apply(&r, &srv.zs, 0x0a000001, out, n, SEC), 0);
	mica_rrl_free(&r);
}

int main(void)
{
	return RUN_TESTS();
}
