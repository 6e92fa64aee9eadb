/* test_memo.c - the memoised answers zonec precomputes are byte for byte
 * the answers the engine computes at run time: every name of the test
 * zones (and names below them: wildcard, referral and NXDOMAIN cases),
 * many types, mixed case, with and without EDNS, UDP and TCP limits. */
#include "check.h"
#include <stdlib.h>
#include "../../../tools/zonec/zonec.h"

#define NZ 4
static const char *files[NZ] = {
    "tests/integration/dns/zones/example.com.zone", "tests/integration/dns/zones/example.org.zone",
    "tests/integration/dns/zones/child.example.com.zone", "tests/integration/dns/zones/signed.example.zone"};
static struct zfile zf[NZ];
static struct zbuilt zb[NZ];
static struct mica_dns_zone plain[NZ];
static const struct mica_dns_zone *with_memo[NZ], *without[NZ];
static struct mica_dns_server srv_memo, srv_plain;

static int load(void)
{
	for (int i = 0; i < NZ; i++) {
		if (zparse_file(&zf[i], files[i], stdout) < 0 || zbuild(&zb[i], &zf[i]) < 0)
			return -1;
	}
	if (zmemo(zb, NZ, ZMEMO_BUDGET) < 0)
		return -1;
	for (int i = 0; i < NZ; i++) {
		with_memo[i] = &zb[i].z;
		plain[i] = zb[i].z;
		plain[i].memo = NULL;
		plain[i].nmemo = 0;
		without[i] = &plain[i];
	}
	mica_dns_server_init(&srv_memo, with_memo, NZ, true);
	mica_dns_server_init(&srv_plain, without, NZ, false);
	return 0;
}

static size_t mkquery(uint8_t *q, const uint8_t *name, size_t len, uint16_t type, int variant)
{
	static const uint8_t hdr[12] = {0x4d, 0x49, 0x01, 0x10, 0, 1, 0, 0, 0, 0, 0, 0};
	memcpy(q, hdr, 12);
	memcpy(q + 12, name, len);
	size_t n = 12 + len;
	q[n++] = (uint8_t)(type >> 8);
	q[n++] = (uint8_t)type;
	q[n++] = 0;
	q[n++] = 1;
	if (variant == 1 || variant == 2) { /* EDNS 1232 + DO, EDNS 512 */
		const uint8_t opt[11] = {
		    0, 0, 41, variant == 1 ? 4 : 2, variant == 1 ? 0xd0 : 0, 0, 0, variant == 1 ? 0x80 : 0,
		    0, 0, 0};
		q[11] = 1;
		memcpy(q + n, opt, 11);
		n += 11;
	}
	return n;
}

static int compared, differing;

static void compare(const uint8_t *name, size_t len, uint16_t type)
{
	uint8_t q[400], a[65536], b[65536];
	for (int v = 0; v < 4; v++) {
		size_t n = mkquery(q, name, len, type, v);
		bool tcp = v == 3;
		size_t la = mica_dns_respond(&srv_memo, q, n, a, sizeof(a), tcp);
		size_t lb = mica_dns_respond(&srv_plain, q, n, b, sizeof(b), tcp);
		compared++;
		if (la != lb || memcmp(a, b, la) != 0) {
			char s[300];
			if (differing++ < 10)
				printf("  differ: %s type %u variant %d (%zu vs %zu bytes)\n",
				       mica_dns_name_str(name, s, sizeof(s)), type, v, la, lb);
		}
	}
}

static void mixed_case(uint8_t *dst, const uint8_t *src, size_t len)
{
	for (size_t i = 0; i < len; i++)
		dst[i] = (i % 3 == 1 && src[i] >= 'a' && src[i] <= 'z') ? (uint8_t)(src[i] - 32) : src[i];
}

/* Every name of the zones, with prefixes (wildcard, referral, NXDOMAIN),
 * many types, some in mixed case: srv_memo against srv_plain. */
static void compare_all(void)
{
	static const uint16_t types[] = {1,   2,   5,   6,  12, 15, 16, 28, 33, 257, 65280,
	                                 731, 999, 255, 43, 48, 46, 47, 50, 51, 0};
	static const char *prefixes[] = {"", "\1x", "\1a\1b", "\1*"};
	for (int z = 0; z < NZ; z++) {
		const struct mica_dns_zone *zz = &zb[z].z;
		for (uint32_t i = 0; i < zz->nnodes; i++) {
			const uint8_t *name = zz->names + zz->nodes[i].name;
			size_t len = zz->nodes[i].name_len;
			for (size_t p = 0; p < sizeof(prefixes) / sizeof(prefixes[0]); p++) {
				uint8_t qn[300], mc[300];
				size_t pl = strlen(prefixes[p]);
				if (pl + len > MICA_DNS_NAME_MAX)
					continue;
				memcpy(qn, prefixes[p], pl);
				memcpy(qn + pl, name, len);
				mixed_case(mc, qn, pl + len);
				for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
					compare(qn, pl + len, types[t]);
					if (t % 4 == 0)
						compare(mc, pl + len, types[t]);
				}
			}
		}
	}
	printf("  %d queries compared, %d differ, %llu answered from the memo\n", compared, differing,
	       (unsigned long long)srv_memo.st.memo_hits);
}

TEST(memo_equals_engine_for_every_name_and_type)
{
	CHECK_EQ(load(), 0);
	compare_all();
	CHECK_EQ(differing, 0);
	CHECK(compared > 5000);
	CHECK(srv_memo.st.memo_hits > (uint64_t)compared / 2);
	CHECK_EQ(srv_plain.st.memo_hits, 0);
}

TEST(memo_covers_wildcard_referral_nxdomain)
{
	/* each of these must come from the memo (relocated pointers) */
	static const char *names[] = {"\3foo\1w\7example\3com", "\1x\5deleg\7example\3com",
	                              "\2nx\1c\7example\3com", "\2nx\3www\7example\3org",
	                              "\3bar\7example\3com"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		uint8_t q[300], a[4096];
		size_t len = strlen(names[i]) + 1;
		size_t n = mkquery(q, (const uint8_t *)names[i], len, 1, 0);
		uint64_t before = srv_memo.st.memo_hits;
		CHECK(mica_dns_respond(&srv_memo, q, n, a, sizeof(a), false) > 0);
		CHECK_EQ(srv_memo.st.memo_hits, before + 1);
	}
}

/* With DO, answers from a signed zone (RRSIGs, NSEC3 NODATA proofs,
 * DS at a referral) come from the memo too; NXDOMAIN and wildcard proofs
 * depend on the name and come from the engine. */
TEST(memo_serves_dnssec_answers)
{
	static const struct {
		const char *name;
		uint16_t type;
		bool memo;
	} cases[] = {
	    {"\3www\6signed\7example", 1, true},       {"\3www\6signed\7example", 15, true},
	    {"\1x\6secure\6signed\7example", 1, true}, {"\2nx\6signed\7example", 1, false},
	    {"\1x\1w\6signed\7example", 1, false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t q[300], a[4096];
		size_t len = strlen(cases[i].name) + 1;
		size_t n = mkquery(q, (const uint8_t *)cases[i].name, len, cases[i].type, 1);
		uint64_t before = srv_memo.st.memo_hits;
		size_t r = mica_dns_respond(&srv_memo, q, n, a, sizeof(a), false);
		CHECK(r > 12 && (a[7] > 0 || a[9] > 0)); /* records in answer or authority */
		CHECK_EQ(srv_memo.st.memo_hits, before + (cases[i].memo ? 1 : 0));
	}
}

/* The zones built again with a memo budget; the names past it go to the
 * engine. Returns the bytes used; counts the names left out. */
static size_t build_with_budget(size_t budget, struct zfile *zf2, struct zbuilt *out, uint32_t *no_do,
                                uint32_t *none)
{
	static const struct mica_dns_zone *ptrs[NZ];
	size_t used = 0;
	*no_do = *none = 0;
	for (int i = 0; i < NZ; i++)
		CHECK(zparse_file(&zf2[i], files[i], stdout) == 0 && zbuild(&out[i], &zf2[i]) == 0);
	CHECK_EQ(zmemo(out, NZ, budget), 0);
	for (int i = 0; i < NZ; i++) {
		used += zmemo_size(&out[i]);
		*no_do += out[i].memo_no_do;
		*none += out[i].memo_none;
		ptrs[i] = &out[i].z;
	}
	printf("  budget %zu bytes: %zu used, %u names without DO entries, %u without any\n", budget, used,
	       *no_do, *none);
	mica_dns_server_init(&srv_memo, ptrs, NZ, true);
	return used;
}

/* Budgets of a third of the full memo (the last zones left out), and of
 * all but half the signed zone's (its DO answers partly left out): the
 * others still come from the memo, and every answer is the engine's. */
TEST(memo_within_a_budget_still_equals_engine)
{
	static struct zfile zf2[NZ];
	static struct zbuilt zb2[NZ];
	size_t full = 0;
	for (int i = 0; i < NZ; i++)
		full += zmemo_size(&zb[i]);
	size_t budgets[2] = {full / 3, full - zmemo_size(&zb[NZ - 1]) / 2};
	for (int b = 0; b < 2; b++) {
		uint32_t no_do, none;
		size_t used = build_with_budget(budgets[b], zf2, zb2, &no_do, &none);
		CHECK(used <= budgets[b] && used > 0);
		CHECK(b == 0 ? none > 0 : no_do > 0);
		compared = differing = 0;
		compare_all();
		CHECK_EQ(differing, 0);
		CHECK(srv_memo.st.memo_hits > 0);
		for (int i = 0; i < NZ; i++) {
			zbuilt_free(&zb2[i]);
			zfile_free(&zf2[i]);
		}
	}
}

int main(void)
{
	return RUN_TESTS();
}
