/* query.c - parse and check a query message: the question, the sections
 * that must be empty, and the EDNS(0) OPT record (RFC 6891). What is
 * malformed, and which FORMERR flavour it gets, follows NSD. */
#include <mica/dns.h>
#include <mica/libc.h>

#define OPT_FIXED 11 /* root owner, type, class, ttl, rdlength */

/* The question name may not be compressed (it is the first name). */
static int read_question(struct mica_view m, size_t *off, struct mica_dns_query *q)
{
	size_t pos = *off, n = 0;
	for (;;) {
		if (pos >= m.len)
			return MICA_EBADMSG;
		uint8_t c = m.data[pos];
		if (c & 0xc0)
			return MICA_EBADMSG;
		if (n + 1 + c > MICA_DNS_NAME_MAX || pos + 1 + c > m.len)
			return MICA_EBADMSG;
		memcpy(q->qname + n, m.data + pos, (size_t)c + 1);
		n += (size_t)c + 1;
		pos += (size_t)c + 1;
		if (c == 0)
			break;
	}
	if (pos + 4 > m.len)
		return MICA_EBADMSG;
	q->qname_len = (uint8_t)n;
	mica_dns_name_lower(q->lname, q->qname, n);
	q->qtype = (uint16_t)(m.data[pos] << 8 | m.data[pos + 1]);
	q->qclass = (uint16_t)(m.data[pos + 2] << 8 | m.data[pos + 3]);
	*off = pos + 4;
	return 0;
}

/* Skip one resource record (compressed owner allowed). */
static int skip_rr(struct mica_view m, size_t *off)
{
	uint8_t name[MICA_DNS_NAME_MAX];
	if (mica_dns_name_read(m, off, name) < 0 || *off + 10 > m.len)
		return MICA_EBADMSG;
	size_t rdlen = (size_t)(m.data[*off + 8] << 8 | m.data[*off + 9]);
	if (*off + 10 + rdlen > m.len)
		return MICA_EBADMSG;
	*off += 10 + rdlen;
	return 0;
}

/* Returns 1 if an OPT record was consumed at *off, 0 if the record there
 * is not OPT, MICA_EBADMSG if it is a malformed OPT. */
static int read_opt(struct mica_view m, size_t *off, struct mica_dns_query *q)
{
	size_t p = *off;
	if (p + OPT_FIXED > m.len || m.data[p] != 0 || (m.data[p + 1] << 8 | m.data[p + 2]) != MICA_DNS_OPT)
		return 0;
	q->edns = true;
	q->edns_size = (uint16_t)(m.data[p + 3] << 8 | m.data[p + 4]);
	if (m.data[p + 6] != 0) { /* version */
		q->edns_badvers = true;
		*off = p + OPT_FIXED;
		return 1;
	}
	uint16_t flags = (uint16_t)(m.data[p + 7] << 8 | m.data[p + 8]);
	size_t rdlen = (size_t)(m.data[p + 9] << 8 | m.data[p + 10]);
	p += OPT_FIXED;
	if (p + rdlen > m.len) {
		q->edns = false;
		return MICA_EBADMSG;
	}
	for (size_t end = p + rdlen; p < end;) { /* options: code, len, data */
		if (p + 4 > end) {
			q->edns = false;
			return MICA_EBADMSG;
		}
		size_t olen = (size_t)(m.data[p + 2] << 8 | m.data[p + 3]);
		if (p + 4 + olen > end) {
			q->edns = false;
			return MICA_EBADMSG;
		}
		p += 4 + olen;
	}
	q->edns_do = (flags & MICA_DNS_EDNS_DO) != 0;
	*off = p;
	return 1;
}

/* QDCOUNT != 1: FORMERR, with an OPT record when the message is only one. */
static int bad_qdcount(struct mica_view m, struct mica_dns_query *q)
{
	const struct mica_dns_header *h = &q->hdr;
	if (h->qdcount == 0 && h->ancount == 0 && h->nscount == 0 && h->arcount == 1 &&
	    m.len >= MICA_DNS_HDR_LEN + OPT_FIXED) {
		size_t off = MICA_DNS_HDR_LEN;
		if (read_opt(m, &off, q) == 1 && !q->edns_badvers)
			return MICA_DNS_PARSE_FORMERR_EDNS;
	}
	q->edns = q->edns_do = q->edns_badvers = false;
	return MICA_DNS_PARSE_FORMERR_BARE;
}

int mica_dns_query_parse(struct mica_view m, struct mica_dns_query *q)
{
	memset(q, 0, offsetof(struct mica_dns_query, qname));
	q->edns = q->edns_do = q->edns_badvers = false;
	q->edns_size = 0;
	if (mica_dns_header_parse(m, &q->hdr) < 0)
		return MICA_EBADMSG;
	size_t off = MICA_DNS_HDR_LEN;
	if ((q->hdr.flags & 0xf) != 0 || read_question(m, &off, q) < 0)
		return MICA_DNS_PARSE_FORMERR;
	q->question_end = off;
	if (q->hdr.qdcount != 1)
		return bad_qdcount(m, q);
	if (q->hdr.ancount != 0)
		return MICA_DNS_PARSE_FORMERR;
	if (q->hdr.nscount != 0) {
		/* Only IXFR carries records (the client's SOA) in authority. */
		if (q->qtype != MICA_DNS_IXFR || q->hdr.nscount > 64)
			return MICA_DNS_PARSE_FORMERR;
		for (unsigned i = 0; i < q->hdr.nscount; i++)
			if (skip_rr(m, &off) < 0)
				return MICA_DNS_PARSE_FORMERR;
	}
	unsigned ar = q->hdr.arcount;
	if (ar > 0 && read_opt(m, &off, q) == 1)
		ar--;
	/* Anything else in the additional section (TSIG is not supported)
	 * is an error. Trailing bytes after the records are ignored. */
	if (ar > 0)
		return MICA_DNS_PARSE_FORMERR;
	return 0;
}
