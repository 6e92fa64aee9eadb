/* server.c - one query in, one response out: the checks a query passes
 * (as NSD makes them), the response limits (512 bytes, the EDNS size up to
 * ours, 64 KiB on TCP), the memo or engine answer, the OPT record, and
 * the counters. Shared by the UDP and TCP front ends. */
#include "dns_impl.h"
#include <mica/libc.h>
#include <mica/log.h>

#define OPT_LEN 11
#define EDE_OTHER 0
#define EDE_PROHIBITED 18
#define EDE_NOT_AUTHORITATIVE 20
#define EDE_NOT_SUPPORTED 21

void mica_dns_server_init(struct mica_dns_server *s, const struct mica_dns_zone *const *zones, size_t nzones,
                          bool use_memo)
{
	memset(s, 0, sizeof(*s));
	s->zs.zones = zones;
	s->zs.nzones = nzones;
	s->use_memo = use_memo;
}

static void set_header(uint8_t *out, uint16_t id, uint16_t flags, uint16_t qd, uint16_t an, uint16_t ns,
                       uint16_t ar)
{
	struct mica_dns_header h = {id, flags, qd, an, ns, ar};
	mica_dns_header_write(out, &h);
}

/* Append our OPT record (with an Extended DNS Error when ede >= 0). */
static size_t put_opt_text(uint8_t *p, uint8_t ext_rcode, bool dnssec_ok, int ede, const char *text);

static size_t put_opt(uint8_t *p, uint8_t ext_rcode, bool dnssec_ok, int ede)
{
	return put_opt_text(p, ext_rcode, dnssec_ok, ede, "");
}

/* Our OPT record with an Extended DNS Error (RFC 8914) and its text. */
static size_t put_opt_text(uint8_t *p, uint8_t ext_rcode, bool dnssec_ok, int ede, const char *text)
{
	static const uint8_t base[OPT_LEN] = {
	    0, 0, MICA_DNS_OPT, MICA_DNS_UDP_EDNS >> 8, MICA_DNS_UDP_EDNS & 0xff, 0, 0, 0, 0, 0, 0};
	memcpy(p, base, OPT_LEN);
	p[5] = ext_rcode;
	p[7] = dnssec_ok ? 0x80 : 0;
	if (ede < 0)
		return OPT_LEN;
	size_t tl = strlen(text);
	static const uint8_t opt[6] = {0, 15, 0, 2, 0, 0};
	dns_set16(p + 9, (uint16_t)(6 + tl));
	memcpy(p + OPT_LEN, opt, 6);
	dns_set16(p + OPT_LEN + 2, (uint16_t)(2 + tl));
	p[OPT_LEN + 5] = (uint8_t)ede;
	memcpy(p + OPT_LEN + 6, text, tl);
	return OPT_LEN + 6 + tl;
}

static size_t done(struct mica_dns_server *s, const uint8_t *out, size_t len)
{
	unsigned rcode = out[3] & 0xf;
	s->st.rcode[rcode]++;
	if (out[2] & (MICA_DNS_F_TC >> 8))
		s->st.truncated++;
	return len;
}

/* A header-only error response, the query's flags kept (NSD's query_error). */
static size_t header_error(struct mica_dns_server *s, const struct mica_dns_header *h, uint16_t flags,
                           int rcode, uint8_t *out)
{
	flags = (uint16_t)((flags | MICA_DNS_F_QR) & ~(MICA_DNS_F_AD | 0xfu)) | (uint16_t)rcode;
	set_header(out, h->id, flags, 0, 0, 0, 0);
	return done(s, out, MICA_DNS_HDR_LEN);
}

static size_t formerr(struct mica_dns_server *s, const struct mica_dns_query *q, int why, uint8_t *out)
{
	uint16_t f = q->hdr.flags;
	if (why == MICA_DNS_PARSE_FORMERR_EDNS) {
		/* No question, only an OPT (a cookie-style probe): NSD answers
		 * it with its OPT and RCODE 0. */
		uint16_t flags = (uint16_t)((f & (MICA_DNS_F_RD | 0x7800u)) | MICA_DNS_F_QR);
		set_header(out, q->hdr.id, flags, 0, 0, 0, 1);
		size_t n = MICA_DNS_HDR_LEN + put_opt(out + MICA_DNS_HDR_LEN, 0, q->edns_do, -1);
		return done(s, out, n);
	}
	uint16_t keep = why == MICA_DNS_PARSE_FORMERR ? (uint16_t)(f & (MICA_DNS_F_RD | 0x7800u)) : 0;
	return header_error(s, &q->hdr, keep, MICA_DNS_FORMERR, out);
}

/* NOTIFY: we take no zone transfers; answer as NSD does without an ACL. */
static size_t notify(struct mica_dns_server *s, const struct mica_dns_query *q, uint8_t *out)
{
	const struct mica_dns_zone *z = mica_dns_find_zone(&s->zs, q->lname, q->qname_len);
	bool apex = z && z->nodes[z->apex].name_len == q->qname_len;
	return header_error(s, &q->hdr, q->hdr.flags, apex ? MICA_DNS_REFUSED : MICA_DNS_NXDOMAIN, out);
}

static size_t badvers(struct mica_dns_server *s, const struct mica_dns_query *q, const uint8_t *query,
                      uint8_t *out)
{
	uint16_t flags = (uint16_t)((q->hdr.flags | MICA_DNS_F_QR) & ~(MICA_DNS_F_AD | 0xfu));
	set_header(out, q->hdr.id, flags, 1, 0, 0, 1);
	size_t n = q->question_end;
	memmove(out + MICA_DNS_HDR_LEN, query + MICA_DNS_HDR_LEN, n - MICA_DNS_HDR_LEN);
	n += put_opt(out + n, 1, false, -1);
	s->st.rcode[MICA_DNS_BADVERS]++;
	return n;
}

static size_t udp_limit(const struct mica_dns_query *q)
{
	if (!q->edns || q->edns_size <= MICA_DNS_UDP_PLAIN)
		return MICA_DNS_UDP_PLAIN;
	return q->edns_size < MICA_DNS_UDP_EDNS ? q->edns_size : MICA_DNS_UDP_EDNS;
}

/* Classes other than IN and ANY are refused (CH keeps its question). */
static size_t other_class(struct mica_dns_server *s, const struct mica_dns_query *q, uint8_t *out,
                          uint16_t flags)
{
	size_t n = MICA_DNS_HDR_LEN;
	uint16_t qd = 0;
	if (q->qclass == MICA_DNS_CLASS_CH) {
		n = q->question_end;
		qd = 1;
	}
	set_header(out, q->hdr.id, flags | MICA_DNS_REFUSED, qd, 0, 0, q->edns ? 1 : 0);
	if (q->edns)
		n += put_opt(out + n, 0, q->edns_do, EDE_NOT_SUPPORTED);
	return done(s, out, n);
}

/* Zone transfers are not offered: AXFR over UDP is not implemented; for
 * a zone we serve a transfer is refused (prohibited), for any other name
 * we are not authoritative. The question is kept. */
static size_t no_transfer(struct mica_dns_server *s, const struct mica_dns_query *q, uint8_t *out,
                          uint16_t flags, bool tcp)
{
	int rcode = MICA_DNS_NOTIMP, ede = -1;
	if (q->qtype != MICA_DNS_AXFR || tcp) {
		const struct mica_dns_zone *z = mica_dns_find_zone(&s->zs, q->lname, q->qname_len);
		bool apex = z && z->nodes[z->apex].name_len == q->qname_len;
		rcode = apex ? MICA_DNS_REFUSED : MICA_DNS_NOTAUTH;
		ede = apex ? EDE_PROHIBITED : -1;
	}
	size_t n = q->question_end;
	set_header(out, q->hdr.id, flags | (uint16_t)rcode, 1, 0, 0, q->edns ? 1 : 0);
	if (q->edns)
		n += put_opt(out + n, 0, q->edns_do, ede);
	return done(s, out, n);
}

static size_t answer(struct mica_dns_server *s, const struct mica_dns_query *q, uint8_t *out, size_t outcap,
                     bool tcp, uint16_t flags)
{
	size_t limit = tcp ? MICA_DNS_TCP_MAX : udp_limit(q);
	if (limit > outcap)
		limit = outcap;
	struct mica_dns_msg m = {.buf = out, .len = q->question_end, .tcp = tcp};
	m.limit = limit - (q->edns ? OPT_LEN : 0);
	if (!(s->use_memo && dns_memo_answer(&s->zs, q, &m)))
		mica_dns_answer(&s->zs, q, NULL, &m);
	else
		s->st.memo_hits++;
	int ede = (m.flags & 0xf) == MICA_DNS_REFUSED ? EDE_NOT_AUTHORITATIVE : -1;
	/* a name made by a DNAME grew too long: EDE "Other" with NSD's text */
	const char *text = (m.flags & 0xf) == MICA_DNS_YXDOMAIN ? "DNAME expansion became too large" : "";
	if (*text)
		ede = EDE_OTHER;
	set_header(out, q->hdr.id, flags | m.flags, 1, m.an, m.ns, (uint16_t)(m.ar + (q->edns ? 1 : 0)));
	size_t n = m.len;
	if (q->edns)
		n += put_opt_text(out + n, 0, q->edns_do, ede, text);
	return done(s, out, n);
}

size_t mica_dns_respond(struct mica_dns_server *s, const uint8_t *query, size_t qlen, uint8_t *out,
                        size_t outcap, bool tcp)
{
	struct mica_dns_query q;
	struct mica_dns_header h;
	s->st.queries++;
	if (tcp)
		s->st.tcp++;
	else
		s->st.udp++;
	if (outcap < MICA_DNS_UDP_PLAIN + OPT_LEN + 6 ||
	    mica_dns_header_parse(mica_view_make((void *)query, qlen), &h) < 0 || (h.flags & MICA_DNS_F_QR)) {
		s->st.dropped++;
		return 0;
	}
	unsigned opcode = MICA_DNS_OPCODE(h.flags);
	if (opcode != 0 && opcode != 4)
		return header_error(s, &h, h.flags, MICA_DNS_NOTIMP, out);
	int r = mica_dns_query_parse(mica_view_make((void *)query, qlen), &q);
	if (r > 0 && !(opcode == 4 && r == MICA_DNS_PARSE_FORMERR_BARE && q.qname_len))
		return formerr(s, &q, r, out);
	if (r < 0) {
		s->st.dropped++;
		return 0;
	}
	if (opcode == 4)
		return notify(s, &q, out);
	if (q.edns_badvers)
		return badvers(s, &q, query, out);
	uint16_t flags = (uint16_t)((q.hdr.flags & MICA_DNS_F_RD) | MICA_DNS_F_QR);
	/* The response starts as a copy of the header and question. */
	memmove(out, query, q.question_end);
	if (q.qclass != MICA_DNS_CLASS_IN && q.qclass != MICA_DNS_CLASS_ANY)
		return other_class(s, &q, out, flags);
	if (q.qtype == MICA_DNS_AXFR || q.qtype == MICA_DNS_IXFR)
		return no_transfer(s, &q, out, flags, tcp);
	return answer(s, &q, out, outcap, tcp, flags);
}

void mica_dns_print_stats(const struct mica_dns_stats *st)
{
	static const char *const names[17] = {
	    "noerror",  "formerr", "servfail", "nxdomain", "notimp",  "refused",
	    "yxdomain", "rcode7",  "rcode8",   "rcode9",   "rcode10", "rcode11",
	    "rcode12",  "rcode13", "rcode14",  "rcode15",  "badvers",
	};
	mica_printf("dns: queries %llu (udp %llu, tcp %llu), dropped %llu, truncated %llu, memo hits %llu\n",
	            (unsigned long long)st->queries, (unsigned long long)st->udp, (unsigned long long)st->tcp,
	            (unsigned long long)st->dropped, (unsigned long long)st->truncated,
	            (unsigned long long)st->memo_hits);
	for (int i = 0; i < 17; i++)
		if (st->rcode[i])
			mica_printf("dns: answers %s %llu\n", names[i], (unsigned long long)st->rcode[i]);
}
