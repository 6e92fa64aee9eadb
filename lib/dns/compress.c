/* compress.c - writing names into a response with RFC 1035 4.1.4
 * compression: each suffix written is remembered with its offset, and a
 * later name whose suffix matches (case-insensitively) ends in a pointer. */
#include "dns_impl.h"
#include <mica/libc.h>

static void dict_add(struct dns_dict *d, size_t off, const uint8_t *lsuffix, size_t len)
{
	if (off > DNS_PTR_MAX || d->n >= DNS_DICT_MAX)
		return;
	d->e[d->n].off = (uint16_t)off;
	d->e[d->n].len = (uint8_t)len;
	d->e[d->n].hash = mica_dns_name_hash(lsuffix, len);
	d->n++;
}

void dns_dict_init(struct dns_dict *d, const uint8_t *lname, size_t len, size_t stable)
{
	d->n = 0;
	for (size_t o = 0; lname[o] != 0; o += (size_t)lname[o] + 1)
		if (o >= stable)
			dict_add(d, MICA_DNS_HDR_LEN + o, lname + o, len - o);
}

void dns_dict_rollback(struct dns_dict *d, size_t mark)
{
	while (d->n > 0 && d->e[d->n - 1].off >= mark)
		d->n--;
}

/* Offset of an earlier copy of the lower-case suffix, or -1. */
static int dict_find(const struct mica_dns_msg *m, const struct dns_dict *d, const uint8_t *lsuffix,
                     size_t len)
{
	uint32_t h = mica_dns_name_hash(lsuffix, len);
	for (int i = 0; i < d->n; i++) {
		if (d->e[i].hash != h || d->e[i].len != len)
			continue;
		uint8_t tmp[MICA_DNS_NAME_MAX];
		size_t off = d->e[i].off;
		int n = mica_dns_name_read(mica_view_make(m->buf, m->len), &off, tmp);
		if (n == (int)len && mica_dns_name_equal(tmp, lsuffix))
			return d->e[i].off;
	}
	return -1;
}

int dns_put_bytes(struct mica_dns_msg *m, const void *p, size_t n)
{
	if (m->len + n > m->limit)
		return MICA_ENOSPC;
	memcpy(m->buf + m->len, p, n);
	m->len += n;
	return 0;
}

int dns_put_ptr(struct mica_dns_msg *m, uint16_t target)
{
	if (m->len + 2 > m->limit)
		return MICA_ENOSPC;
	if (m->fix) {
		if (m->nfix >= m->capfix) {
			m->err = MICA_ENOSPC;
		} else {
			m->fix[m->nfix++] = (uint16_t)m->len;
		}
	}
	dns_set16(m->buf + m->len, (uint16_t)(0xc000 | target));
	m->len += 2;
	return 0;
}

int dns_put_name(struct mica_dns_msg *m, struct dns_dict *d, const uint8_t *name, bool compress)
{
	int len = mica_dns_name_len(name, MICA_DNS_NAME_MAX);
	if (len < 0)
		return MICA_EBADMSG;
	if (!compress)
		return dns_put_bytes(m, name, (size_t)len);
	uint8_t lname[MICA_DNS_NAME_MAX];
	mica_dns_name_lower(lname, name, (size_t)len);
	size_t o = 0;
	while (name[o] != 0) {
		int at = dict_find(m, d, lname + o, (size_t)len - o);
		if (at >= 0)
			return dns_put_ptr(m, (uint16_t)at);
		size_t start = m->len;
		if (dns_put_bytes(m, name + o, (size_t)name[o] + 1) < 0)
			return MICA_ENOSPC;
		dict_add(d, start, lname + o, (size_t)len - o);
		o += (size_t)name[o] + 1;
	}
	return dns_put_bytes(m, "", 1);
}
