/* xfr.c - zone transfer out (RFC 5936 AXFR; RFC 1995 IXFR answered by a
 * full transfer as its section 4 allows, or by the SOA alone when the
 * client already has our serial) and the NOTIFY message (RFC 1996).
 *
 * A transfer is a series of messages: the SOA, every RRset of every name
 * in canonical order (RRSIGs and the NSEC3 chain included), the SOA again.
 * The question is in the first message only (as NSD sends it); names are
 * compressed; each message holds as many whole RRsets as fit in 16 KiB
 * (one larger RRset goes alone). Whether the client may transfer is the
 * front end's decision (apps/dns: --allow-transfer). */
#include "dns_impl.h"
#include <mica/libc.h>

#define XFR_MSG_MAX 16384

/* RFC 1982 serial comparison: a is at or after b. */
static bool serial_ge(uint32_t a, uint32_t b)
{
	return a == b || (int32_t)(a - b) > 0;
}

static uint32_t zone_serial(const struct mica_dns_zone *z)
{
	const uint8_t *rr = z->rdata + z->rrsets[z->soa].data;
	uint16_t rdlen = dns_get16(rr + 4);
	return dns_get32(rr + 6 + rdlen - 20);
}

/* The serial of the SOA in an IXFR query's authority section, if any. */
static bool client_serial(const uint8_t *query, size_t qlen, const struct mica_dns_query *q, uint32_t *serial)
{
	struct mica_view m = mica_view_make((void *)query, qlen);
	uint8_t name[MICA_DNS_NAME_MAX];
	size_t off = q->question_end;
	if (q->hdr.nscount == 0 || mica_dns_name_read(m, &off, name) < 0 || off + 10 > qlen ||
	    dns_get16(query + off) != MICA_DNS_SOA)
		return false;
	off += 10;
	if (mica_dns_name_read(m, &off, name) < 0 || mica_dns_name_read(m, &off, name) < 0 || off + 4 > qlen)
		return false;
	*serial = dns_get32(query + off);
	return true;
}

int mica_dns_xfr_start(const struct mica_dns_server *s, const uint8_t *query, size_t qlen, bool tcp,
                       struct mica_dns_xfr *x)
{
	struct mica_dns_query q;
	struct mica_dns_header h;
	if (mica_dns_header_parse(mica_view_make((void *)query, qlen), &h) < 0 || (h.flags & MICA_DNS_F_QR) ||
	    MICA_DNS_OPCODE(h.flags) != 0 ||
	    mica_dns_query_parse(mica_view_make((void *)query, qlen), &q) != 0)
		return 0;
	if ((q.qtype != MICA_DNS_AXFR && q.qtype != MICA_DNS_IXFR) || q.qclass != MICA_DNS_CLASS_IN ||
	    (q.qtype == MICA_DNS_AXFR && !tcp))
		return 0;
	const struct mica_dns_zone *z = mica_dns_find_zone(&s->zs, q.lname, q.qname_len);
	if (!z || z->nodes[z->apex].name_len != q.qname_len)
		return 0;
	memset(x, 0, sizeof(*x));
	x->zone = z;
	x->id = q.hdr.id;
	x->rd = (q.hdr.flags & MICA_DNS_F_RD) != 0;
	x->qlen = q.question_end - MICA_DNS_HDR_LEN;
	memcpy(x->question, query + MICA_DNS_HDR_LEN, x->qlen);
	uint32_t serial;
	/* IXFR over UDP, or from a client that is up to date: our SOA alone */
	x->soa_only =
	    q.qtype == MICA_DNS_IXFR &&
	    (!tcp || (client_serial(query, qlen, &q, &serial) && serial_ge(serial, zone_serial(z))));
	return 1;
}

/* Append one RR set of the zone under `owner`; false if it did not fit. */
static bool put_set(struct mica_dns_msg *m, struct dns_dict *d, const struct mica_dns_zone *z, uint32_t rrset,
                    const uint8_t *owner)
{
	const struct mica_dns_rrset *rs = &z->rrsets[rrset];
	const uint8_t *rr = z->rdata + rs->data;
	for (unsigned i = 0; i < rs->count; i++, rr += 6 + dns_get16(rr + 4)) {
		uint8_t fixed[10];
		dns_set16(fixed, rs->type);
		dns_set16(fixed + 2, MICA_DNS_CLASS_IN);
		memcpy(fixed + 4, rr, 4);
		dns_set16(fixed + 8, 0);
		if (dns_put_name(m, d, owner, true) < 0)
			return false;
		size_t at = m->len;
		if (dns_put_bytes(m, fixed, 10) < 0 ||
		    dns_put_rdata(m, d, rs->type, rr + 6, dns_get16(rr + 4)) < 0)
			return false;
		dns_set16(m->buf + at + 8, (uint16_t)(m->len - at - 10));
		m->an++;
	}
	return true;
}

/* The RRset at the cursor and its owner; false at the end. The order:
 * the SOA, the rest by name, the NSEC3 chain, the SOA again. */
static bool cursor(struct mica_dns_xfr *x, uint32_t *rrset, const uint8_t **owner)
{
	const struct mica_dns_zone *z = x->zone;
	for (;;) {
		switch (x->phase) {
		case 0: /* the opening SOA */
			*rrset = z->soa;
			*owner = z->names + z->nodes[z->apex].name;
			return true;
		case 1: /* names */
			if (x->node >= z->nnodes) {
				x->phase = 2;
				x->node = 0;
				x->set = 0;
				continue;
			}
			if (x->set >= z->nodes[x->node].nrrsets) {
				x->node++;
				x->set = 0;
				continue;
			}
			*rrset = z->nodes[x->node].rrsets + x->set;
			*owner = z->names + z->nodes[x->node].name;
			if (*rrset == z->soa) {
				x->set++;
				continue;
			}
			return true;
		case 2: /* the NSEC3 chain: the NSEC3 RRset and its RRSIGs */
			if (x->node >= z->nnsec3) {
				x->phase = 3;
				continue;
			}
			*rrset =
			    x->set == 0 ? z->nsec3[x->node].rrset : z->rrsets[z->nsec3[x->node].rrset].sigs;
			*owner = z->names + z->nsec3[x->node].name;
			if (*rrset == MICA_DNS_NONE || x->set > 1) {
				x->node++;
				x->set = 0;
				continue;
			}
			return true;
		case 3: /* the closing SOA */
			*rrset = z->soa;
			*owner = z->names + z->nodes[z->apex].name;
			return true;
		default: return false;
		}
	}
}

static void advance(struct mica_dns_xfr *x)
{
	if (x->phase == 0 || x->phase == 3)
		x->phase = x->soa_only ? 4 : x->phase + 1;
	else
		x->set++;
}

size_t mica_dns_xfr_next(struct mica_dns_xfr *x, uint8_t *out, size_t cap)
{
	uint32_t rrset;
	const uint8_t *owner;
	if (!cursor(x, &rrset, &owner) || cap < MICA_DNS_HDR_LEN + x->qlen + 64)
		return 0;
	struct mica_dns_msg m = {.buf = out, .len = MICA_DNS_HDR_LEN, .limit = cap};
	struct dns_dict d;
	bool first = !x->sent;
	if (first) {
		uint8_t lq[MICA_DNS_NAME_MAX];
		memcpy(out + MICA_DNS_HDR_LEN, x->question, x->qlen);
		m.len += x->qlen;
		mica_dns_name_lower(lq, x->question, x->qlen - 4);
		dns_dict_init(&d, lq, x->qlen - 4, 0);
	} else {
		d.n = 0;
	}
	size_t soft = cap < XFR_MSG_MAX ? cap : XFR_MSG_MAX;
	do {
		size_t mark = m.len;
		uint16_t an = m.an;
		m.limit = m.an ? soft : cap; /* a large RRset may fill a message alone */
		if (!put_set(&m, &d, x->zone, rrset, owner)) {
			m.len = mark;
			m.an = an;
			dns_dict_rollback(&d, mark);
			if (m.an == 0)
				return 0; /* cannot be sent at all */
			break;
		}
		advance(x);
	} while (cursor(x, &rrset, &owner));
	struct mica_dns_header h = {x->id,
	                            (uint16_t)(MICA_DNS_F_QR | MICA_DNS_F_AA | (x->rd ? MICA_DNS_F_RD : 0)),
	                            first ? 1 : 0,
	                            m.an,
	                            0,
	                            0};
	mica_dns_header_write(out, &h);
	x->sent++;
	return m.len;
}

size_t mica_dns_notify_make(const struct mica_dns_zone *z, uint16_t id, uint8_t *out, size_t cap)
{
	const uint8_t *apex = z->names + z->nodes[z->apex].name;
	size_t al = z->nodes[z->apex].name_len;
	if (cap < MICA_DNS_HDR_LEN + al + 4 + 512)
		return 0;
	struct mica_dns_msg m = {.buf = out, .len = MICA_DNS_HDR_LEN, .limit = cap};
	memcpy(out + m.len, apex, al);
	m.len += al;
	dns_set16(out + m.len, MICA_DNS_SOA);
	dns_set16(out + m.len + 2, MICA_DNS_CLASS_IN);
	m.len += 4;
	struct dns_dict d;
	uint8_t lapex[MICA_DNS_NAME_MAX];
	mica_dns_name_lower(lapex, apex, al);
	dns_dict_init(&d, lapex, al, 0);
	if (!put_set(&m, &d, z, z->soa, apex)) /* the SOA, RFC 1996 3.7 */
		return 0;
	struct mica_dns_header h = {id, (uint16_t)(4u << 11 | MICA_DNS_F_AA), 1, m.an, 0, 0};
	mica_dns_header_write(out, &h);
	return m.len;
}

bool mica_dns_notify_is_ack(const uint8_t *msg, size_t len, uint16_t id)
{
	struct mica_dns_header h;
	return mica_dns_header_parse(mica_view_make((void *)msg, len), &h) == 0 && h.id == id &&
	       (h.flags & MICA_DNS_F_QR) && MICA_DNS_OPCODE(h.flags) == 4;
}
