/* wire.c - DNS wire format: header, names (with bounded decompression),
 * name helpers shared by the server, zonec and the tests. */
#include <mica/dns.h>
#include <mica/libc.h>

int mica_dns_header_parse(struct mica_view msg, struct mica_dns_header *h)
{
	if (msg.len < MICA_DNS_HDR_LEN)
		return MICA_EBADMSG;
	const uint8_t *p = msg.data;
	h->id = (uint16_t)(p[0] << 8 | p[1]);
	h->flags = (uint16_t)(p[2] << 8 | p[3]);
	h->qdcount = (uint16_t)(p[4] << 8 | p[5]);
	h->ancount = (uint16_t)(p[6] << 8 | p[7]);
	h->nscount = (uint16_t)(p[8] << 8 | p[9]);
	h->arcount = (uint16_t)(p[10] << 8 | p[11]);
	return 0;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void mica_dns_header_write(uint8_t *p, const struct mica_dns_header *h)
{
	put16(p, h->id);
	put16(p + 2, h->flags);
	put16(p + 4, h->qdcount);
	put16(p + 6, h->ancount);
	put16(p + 8, h->nscount);
	put16(p + 10, h->arcount);
}

int mica_dns_name_read(struct mica_view msg, size_t *off, uint8_t out[MICA_DNS_NAME_MAX])
{
	size_t pos = *off, n = 0;
	bool jumped = false;
	for (;;) {
		if (pos >= msg.len)
			return MICA_EBADMSG;
		uint8_t c = msg.data[pos];
		if ((c & 0xc0) == 0xc0) {
			if (pos + 1 >= msg.len)
				return MICA_EBADMSG;
			size_t target = (size_t)(c & 0x3f) << 8 | msg.data[pos + 1];
			/* Only strictly backwards: every jump makes progress, so
			 * loops and forward references are impossible. */
			if (target >= pos)
				return MICA_EBADMSG;
			if (!jumped)
				*off = pos + 2;
			jumped = true;
			pos = target;
			continue;
		}
		if (c & 0xc0)
			return MICA_EBADMSG; /* 0x40/0x80: reserved label types */
		if (n + 1 + c > MICA_DNS_NAME_MAX || pos + 1 + c > msg.len)
			return MICA_EBADMSG;
		memcpy(out + n, msg.data + pos, (size_t)c + 1);
		n += (size_t)c + 1;
		pos += (size_t)c + 1;
		if (c == 0)
			break;
	}
	if (!jumped)
		*off = pos;
	return (int)n;
}

int mica_dns_name_len(const uint8_t *name, size_t max)
{
	size_t n = 0;
	for (;;) {
		if (n >= max || n >= MICA_DNS_NAME_MAX)
			return MICA_EBADMSG;
		uint8_t c = name[n];
		if (c > MICA_DNS_LABEL_MAX)
			return MICA_EBADMSG;
		n += (size_t)c + 1;
		if (c == 0)
			break;
	}
	return n <= max && n <= MICA_DNS_NAME_MAX ? (int)n : MICA_EBADMSG;
}

static inline uint8_t lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

void mica_dns_name_lower(uint8_t *dst, const uint8_t *src, size_t len)
{
	/* Length bytes are < 64 and never in 'A'..'Z' (65..90). */
	for (size_t i = 0; i < len; i++)
		dst[i] = lower(src[i]);
}

bool mica_dns_name_equal(const uint8_t *a, const uint8_t *b)
{
	for (;;) {
		if (*a != *b)
			return false;
		uint8_t n = *a;
		if (n == 0)
			return true;
		for (uint8_t i = 1; i <= n; i++)
			if (lower(a[i]) != lower(b[i]))
				return false;
		a += n + 1;
		b += n + 1;
	}
}

uint32_t mica_dns_name_hash(const uint8_t *lname, size_t len)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (size_t i = 0; i < len; i++) {
		h ^= lname[i];
		h *= 16777619u;
	}
	return h ^ (h >> 15);
}

int mica_dns_name_labels(const uint8_t *name)
{
	int n = 0;
	while (*name) {
		n++;
		name += *name + 1;
	}
	return n;
}

char *mica_dns_name_str(const uint8_t *name, char *buf, size_t size)
{
	size_t o = 0;
	if (size == 0)
		return buf;
	if (*name == 0 && size > 1)
		buf[o++] = '.';
	while (*name && o + 1 < size) {
		for (uint8_t i = 1; i <= *name && o + 5 < size; i++) {
			uint8_t c = name[i];
			if (c == '.' || c == '\\' || c == '"' || c == '(' || c == ')' || c == ';') {
				buf[o++] = '\\';
				buf[o++] = (char)c;
			} else if (c <= ' ' || c >= 127) {
				o += (size_t)snprintf(buf + o, size - o, "\\%03u", c);
			} else {
				buf[o++] = (char)c;
			}
		}
		if (o + 1 < size)
			buf[o++] = '.';
		name += *name + 1;
	}
	buf[o < size ? o : size - 1] = 0;
	return buf;
}
