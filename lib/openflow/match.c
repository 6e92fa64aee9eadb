/* match.c - matches on the wire: OpenFlow 1.3 OXM TLVs (with masks and
 * prerequisite checks) and the fixed 40-byte 1.0 match, both to and from
 * struct of_match; flow keys from Ethernet frames. */
#include "of_impl.h"

#define OXM_CLASS_BASIC 0x8000
enum oxm_field {
	OXM_IN_PORT = 0,
	OXM_ETH_DST = 3,
	OXM_ETH_SRC = 4,
	OXM_ETH_TYPE = 5,
	OXM_VLAN_VID = 6,
	OXM_VLAN_PCP = 7,
	OXM_IP_DSCP = 8,
	OXM_IP_PROTO = 10,
	OXM_IPV4_SRC = 11,
	OXM_IPV4_DST = 12,
	OXM_TCP_SRC = 13,
	OXM_TCP_DST = 14,
	OXM_UDP_SRC = 15,
	OXM_UDP_DST = 16,
	OXM_ICMP_TYPE = 19,
	OXM_ICMP_CODE = 20,
	OXM_ARP_OP = 21,
	OXM_ARP_SPA = 22,
	OXM_ARP_TPA = 23,
	OXM_ARP_SHA = 24,
	OXM_ARP_THA = 25,
};

#define ETH_IP 0x0800
#define ETH_ARP 0x0806

/* Value bytes of each field we know (0: unknown). */
static uint8_t oxm_size(unsigned field)
{
	static const uint8_t size[26] = {
	    [OXM_IN_PORT] = 4,  [OXM_ETH_DST] = 6,  [OXM_ETH_SRC] = 6,   [OXM_ETH_TYPE] = 2,
	    [OXM_VLAN_VID] = 2, [OXM_VLAN_PCP] = 1, [OXM_IP_DSCP] = 1,   [OXM_IP_PROTO] = 1,
	    [OXM_IPV4_SRC] = 4, [OXM_IPV4_DST] = 4, [OXM_TCP_SRC] = 2,   [OXM_TCP_DST] = 2,
	    [OXM_UDP_SRC] = 2,  [OXM_UDP_DST] = 2,  [OXM_ICMP_TYPE] = 1, [OXM_ICMP_CODE] = 1,
	    [OXM_ARP_OP] = 2,   [OXM_ARP_SPA] = 4,  [OXM_ARP_TPA] = 4,   [OXM_ARP_SHA] = 6,
	    [OXM_ARP_THA] = 6,
	};
	return field < 26 ? size[field] : 0;
}

static bool oxm_maskable(unsigned field)
{
	return field == OXM_ETH_DST || field == OXM_ETH_SRC || field == OXM_VLAN_VID ||
	       field == OXM_IPV4_SRC || field == OXM_IPV4_DST || field == OXM_ARP_SPA ||
	       field == OXM_ARP_TPA || field == OXM_ARP_SHA || field == OXM_ARP_THA;
}

/* Load n big-endian bytes (n <= 4). */
static uint32_t rdn(const uint8_t *p, unsigned n)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* Store one field's value and mask (both n bytes at v, w) into mt. */
static void oxm_store(struct of_match *mt, unsigned field, const uint8_t *v, const uint8_t *w, unsigned n)
{
	struct of_key *k = &mt->key, *mk = &mt->mask;
	uint32_t val = n <= 4 ? rdn(v, n) : 0, msk = n <= 4 ? rdn(w, n) : 0;
	switch (field) {
	case OXM_IN_PORT: k->in_port = val, mk->in_port = msk; break;
	case OXM_ETH_DST: memcpy(k->eth_dst, v, 6), memcpy(mk->eth_dst, w, 6); break;
	case OXM_ETH_SRC: memcpy(k->eth_src, v, 6), memcpy(mk->eth_src, w, 6); break;
	case OXM_ARP_SHA: memcpy(k->arp_sha, v, 6), memcpy(mk->arp_sha, w, 6); break;
	case OXM_ARP_THA: memcpy(k->arp_tha, v, 6), memcpy(mk->arp_tha, w, 6); break;
	case OXM_ETH_TYPE: k->eth_type = (uint16_t)val, mk->eth_type = (uint16_t)msk; break;
	case OXM_VLAN_VID: k->vlan = (uint16_t)(val & 0x1fff), mk->vlan = (uint16_t)(msk & 0x1fff); break;
	case OXM_VLAN_PCP: k->vlan_pcp = (uint8_t)(val & 7), mk->vlan_pcp = (uint8_t)(msk & 7); break;
	case OXM_IP_DSCP: k->ip_dscp = (uint8_t)(val & 63), mk->ip_dscp = (uint8_t)(msk & 63); break;
	case OXM_IP_PROTO:
	case OXM_ARP_OP: k->nw_proto = (uint16_t)val, mk->nw_proto = (uint16_t)msk; break;
	case OXM_IPV4_SRC:
	case OXM_ARP_SPA: k->nw_src = val, mk->nw_src = msk; break;
	case OXM_IPV4_DST:
	case OXM_ARP_TPA: k->nw_dst = val, mk->nw_dst = msk; break;
	case OXM_TCP_SRC:
	case OXM_UDP_SRC:
	case OXM_ICMP_TYPE: k->tp_src = (uint16_t)val, mk->tp_src = (uint16_t)msk; break;
	default: k->tp_dst = (uint16_t)val, mk->tp_dst = (uint16_t)msk; break;
	}
}

/* Keep key bits only where the mask has them (OXM allows 1-bits outside). */
static void match_normalise(struct of_match *mt)
{
	uint64_t *k = (uint64_t *)(void *)&mt->key;
	const uint64_t *w = (const uint64_t *)(const void *)&mt->mask;
	for (size_t i = 0; i < OF_KEY_WORDS; i++)
		k[i] &= w[i];
}

/* Prerequisites (OpenFlow 1.3 section 7.2.3.6): the fields a present field
 * depends on must be matched exactly to the right value. */
static bool prereqs_ok(const struct of_match *mt, uint32_t present)
{
	const struct of_key *k = &mt->key, *w = &mt->mask;
	bool ip = w->eth_type == 0xffff && k->eth_type == ETH_IP;
	bool arp = w->eth_type == 0xffff && k->eth_type == ETH_ARP;
	uint32_t ipf = 1u << OXM_IP_DSCP | 1u << OXM_IP_PROTO | 1u << OXM_IPV4_SRC | 1u << OXM_IPV4_DST;
	uint32_t arpf =
	    1u << OXM_ARP_OP | 1u << OXM_ARP_SPA | 1u << OXM_ARP_TPA | 1u << OXM_ARP_SHA | 1u << OXM_ARP_THA;
	if ((present & ipf) && !ip)
		return false;
	if ((present & arpf) && !arp)
		return false;
	bool proto_exact = (present & 1u << OXM_IP_PROTO) && w->nw_proto == 0xff;
	uint32_t tcp = 1u << OXM_TCP_SRC | 1u << OXM_TCP_DST, udp = 1u << OXM_UDP_SRC | 1u << OXM_UDP_DST;
	uint32_t icmp = 1u << OXM_ICMP_TYPE | 1u << OXM_ICMP_CODE;
	if ((present & tcp) && !(proto_exact && k->nw_proto == 6))
		return false;
	if ((present & udp) && !(proto_exact && k->nw_proto == 17))
		return false;
	if ((present & icmp) && !(proto_exact && k->nw_proto == 1))
		return false;
	if ((present & 1u << OXM_VLAN_PCP) && !(w->vlan & OFPVID_PRESENT && k->vlan & OFPVID_PRESENT))
		return false;
	return true;
}

/* One OXM TLV at p (at least 4 bytes); *tlv_len = its length. */
static int oxm_decode_one(const uint8_t *p, size_t avail, struct of_match *mt, uint32_t *present,
                          size_t *tlv_len, struct of_msg *m)
{
	uint16_t cls = rd16(p);
	unsigned field = p[2] >> 1, hasmask = p[2] & 1, len = p[3];
	if (4u + len > avail)
		return of_fail(m, OFPET_BAD_MATCH, OFPBMC_BAD_LEN);
	*tlv_len = 4u + len;
	unsigned n = oxm_size(field);
	if (cls != OXM_CLASS_BASIC || n == 0)
		return of_fail(m, OFPET_BAD_MATCH, OFPBMC_BAD_FIELD);
	if (len != n * (hasmask ? 2 : 1))
		return of_fail(m, OFPET_BAD_MATCH, OFPBMC_BAD_LEN);
	if (hasmask && !oxm_maskable(field))
		return of_fail(m, OFPET_BAD_MATCH, OFPBMC_BAD_FIELD);
	if (*present & (1u << field))
		return of_fail(m, OFPET_BAD_MATCH, OFPBMC_DUP_FIELD);
	*present |= 1u << field;
	static const uint8_t ones[8] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	oxm_store(mt, field, p + 4, hasmask ? p + 4 + n : ones, n);
	return MICA_OK;
}

int of_match13_decode(const uint8_t *p, size_t avail, struct of_match *mt, size_t *used, struct of_msg *m)
{
	memset(mt, 0, sizeof(*mt));
	if (avail < 4)
		return of_fail(m, OFPET_BAD_MATCH, OFPBMC_BAD_LEN);
	uint16_t type = rd16(p), len = rd16(p + 2);
	if (type != 1)
		return of_fail(m, OFPET_BAD_MATCH, OFPBMC_BAD_TYPE);
	size_t padded = ((size_t)len + 7) & ~(size_t)7;
	if (len < 4 || padded > avail)
		return of_fail(m, OFPET_BAD_MATCH, OFPBMC_BAD_LEN);
	uint32_t present = 0;
	for (size_t off = 4; off < len;) {
		size_t tlv;
		if (len - off < 4)
			return of_fail(m, OFPET_BAD_MATCH, OFPBMC_BAD_LEN);
		int rc = oxm_decode_one(p + off, len - off, mt, &present, &tlv, m);
		if (rc)
			return rc;
		off += tlv;
	}
	if (!prereqs_ok(mt, present))
		return of_fail(m, OFPET_BAD_MATCH, OFPBMC_BAD_PREREQ);
	match_normalise(mt);
	*used = padded;
	return MICA_OK;
}

/* ---- 1.3 encoding ---- */

static bool all_ones(const uint8_t *w, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (w[i] != 0xff)
			return false;
	return true;
}

static bool any_set(const uint8_t *w, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (w[i])
			return true;
	return false;
}

/* The fields of a match in canonical order, each with its value and mask
 * as big-endian bytes; calls emit for each present one. */
struct oxm_item {
	unsigned field, n;
	uint8_t v[6], w[6];
};

static unsigned match_items(const struct of_match *mt, struct oxm_item *it)
{
	const struct of_key *k = &mt->key, *w = &mt->mask;
	unsigned n = 0;
#define ITEM_NUM(f, nb, kv, wv)                                                               \
	do {                                                                                  \
		if (wv) {                                                                     \
			it[n] = (struct oxm_item){.field = (f), .n = (nb)};                   \
			for (unsigned i = 0; i < (nb); i++) {                                 \
				it[n].v[i] = (uint8_t)((uint32_t)(kv) >> (8 * ((nb)-1 - i))); \
				it[n].w[i] = (uint8_t)((uint32_t)(wv) >> (8 * ((nb)-1 - i))); \
			}                                                                     \
			n++;                                                                  \
		}                                                                             \
	} while (0)
#define ITEM_MAC(f, kv, wv)                                              \
	do {                                                             \
		if (any_set(wv, 6)) {                                    \
			it[n] = (struct oxm_item){.field = (f), .n = 6}; \
			memcpy(it[n].v, kv, 6), memcpy(it[n].w, wv, 6);  \
			n++;                                             \
		}                                                        \
	} while (0)
	bool arp = k->eth_type == ETH_ARP && w->eth_type;
	bool icmp = k->nw_proto == 1 && !arp, udp = k->nw_proto == 17 && !arp;
	ITEM_NUM(OXM_IN_PORT, 4, k->in_port, w->in_port);
	ITEM_MAC(OXM_ETH_DST, k->eth_dst, w->eth_dst);
	ITEM_MAC(OXM_ETH_SRC, k->eth_src, w->eth_src);
	ITEM_NUM(OXM_ETH_TYPE, 2, k->eth_type, w->eth_type);
	ITEM_NUM(OXM_VLAN_VID, 2, k->vlan, w->vlan);
	ITEM_NUM(OXM_VLAN_PCP, 1, k->vlan_pcp, w->vlan_pcp);
	ITEM_NUM(OXM_IP_DSCP, 1, k->ip_dscp, w->ip_dscp);
	ITEM_NUM(arp ? OXM_ARP_OP : OXM_IP_PROTO, arp ? 2 : 1, k->nw_proto, w->nw_proto);
	ITEM_NUM(arp ? OXM_ARP_SPA : OXM_IPV4_SRC, 4, k->nw_src, w->nw_src);
	ITEM_NUM(arp ? OXM_ARP_TPA : OXM_IPV4_DST, 4, k->nw_dst, w->nw_dst);
	ITEM_NUM(icmp ? OXM_ICMP_TYPE : udp ? OXM_UDP_SRC : OXM_TCP_SRC, icmp ? 1 : 2, k->tp_src, w->tp_src);
	ITEM_NUM(icmp ? OXM_ICMP_CODE : udp ? OXM_UDP_DST : OXM_TCP_DST, icmp ? 1 : 2, k->tp_dst, w->tp_dst);
	ITEM_MAC(OXM_ARP_SHA, k->arp_sha, w->arp_sha);
	ITEM_MAC(OXM_ARP_THA, k->arp_tha, w->arp_tha);
#undef ITEM_NUM
#undef ITEM_MAC
	return n;
}

static bool item_masked(const struct oxm_item *it)
{
	if (it->field == OXM_VLAN_VID)
		return !(it->w[0] == 0x1f && it->w[1] == 0xff);
	return oxm_maskable(it->field) && !all_ones(it->w, it->n);
}

size_t of_match13_len(const struct of_match *mt)
{
	struct oxm_item it[20];
	unsigned n = match_items(mt, it);
	size_t len = 4;
	for (unsigned i = 0; i < n; i++)
		len += 4 + it[i].n * (item_masked(&it[i]) ? 2u : 1u);
	return (len + 7) & ~(size_t)7;
}

void of_match13_encode(uint8_t *p, const struct of_match *mt)
{
	struct oxm_item it[20];
	unsigned n = match_items(mt, it);
	size_t off = 4;
	for (unsigned i = 0; i < n; i++) {
		bool masked = item_masked(&it[i]);
		wr16(p + off, OXM_CLASS_BASIC);
		p[off + 2] = (uint8_t)(it[i].field << 1 | masked);
		p[off + 3] = (uint8_t)(it[i].n * (masked ? 2 : 1));
		memcpy(p + off + 4, it[i].v, it[i].n);
		if (masked)
			memcpy(p + off + 4 + it[i].n, it[i].w, it[i].n);
		off += 4 + it[i].n * (masked ? 2u : 1u);
	}
	wr16(p, 1); /* OFPMT_OXM */
	wr16(p + 2, (uint16_t)off);
}

/* ---- set-field (1.3) ---- */

int of_oxm_set_field(const uint8_t *p, size_t len, struct of_action *act, struct of_msg *m)
{
	if (len < 4 || rd16(p) != OXM_CLASS_BASIC || (p[2] & 1))
		return of_fail(m, OFPET_BAD_ACTION, OFPBAC_BAD_SET_TYPE);
	unsigned field = p[2] >> 1, n = p[3];
	if (n != oxm_size(field) || 4u + n > len)
		return of_fail(m, OFPET_BAD_ACTION, OFPBAC_BAD_SET_LEN);
	switch (field) {
	case OXM_ETH_SRC:
	case OXM_ETH_DST:
		act->type = field == OXM_ETH_SRC ? OF_ACT_SET_ETH_SRC : OF_ACT_SET_ETH_DST;
		memcpy(act->mac, p + 4, 6);
		return MICA_OK;
	case OXM_VLAN_VID:
		act->type = OF_ACT_SET_VLAN_VID;
		act->value = rd16(p + 4) & 0xfff;
		return MICA_OK;
	case OXM_VLAN_PCP:
		act->type = OF_ACT_SET_VLAN_PCP;
		act->value = p[4] & 7;
		return MICA_OK;
	default: return of_fail(m, OFPET_BAD_ACTION, OFPBAC_BAD_SET_TYPE);
	}
}

size_t of_set_field_len(const struct of_action *a)
{
	unsigned n = a->type == OF_ACT_SET_VLAN_VID ? 2 : a->type == OF_ACT_SET_VLAN_PCP ? 1 : 6;
	return (4 + 4 + n + 7) & ~(size_t)7;
}

void of_set_field_encode(uint8_t *p, const struct of_action *a)
{
	wr16(p, OXM_CLASS_BASIC);
	if (a->type == OF_ACT_SET_VLAN_VID) {
		p[2] = OXM_VLAN_VID << 1, p[3] = 2;
		wr16(p + 4, (uint16_t)(a->value | OFPVID_PRESENT));
	} else if (a->type == OF_ACT_SET_VLAN_PCP) {
		p[2] = OXM_VLAN_PCP << 1, p[3] = 1;
		p[4] = (uint8_t)a->value;
	} else {
		p[2] = (uint8_t)((a->type == OF_ACT_SET_ETH_SRC ? OXM_ETH_SRC : OXM_ETH_DST) << 1), p[3] = 6;
		memcpy(p + 4, a->mac, 6);
	}
}

/* ---- 1.0 match ---- */
enum {
	W10_IN_PORT = 1 << 0,
	W10_DL_VLAN = 1 << 1,
	W10_DL_SRC = 1 << 2,
	W10_DL_DST = 1 << 3,
	W10_DL_TYPE = 1 << 4,
	W10_NW_PROTO = 1 << 5,
	W10_TP_SRC = 1 << 6,
	W10_TP_DST = 1 << 7,
	W10_NW_SRC_SHIFT = 8,
	W10_NW_DST_SHIFT = 14,
	W10_DL_VLAN_PCP = 1 << 20,
	W10_NW_TOS = 1 << 21,
};

static uint32_t prefix_mask(unsigned wild_bits)
{
	return wild_bits >= 32 ? 0 : ~0u << wild_bits;
}

int of_match10_decode(const uint8_t *p, struct of_match *mt, struct of_msg *m)
{
	(void)m;
	memset(mt, 0, sizeof(*mt));
	struct of_key *k = &mt->key, *w = &mt->mask;
	uint32_t wc = rd32(p);
	if (!(wc & W10_IN_PORT))
		k->in_port = of_port_from10(rd16(p + 4)), w->in_port = 0xffffffffu;
	if (!(wc & W10_DL_SRC))
		memcpy(k->eth_src, p + 6, 6), memset(w->eth_src, 0xff, 6);
	if (!(wc & W10_DL_DST))
		memcpy(k->eth_dst, p + 12, 6), memset(w->eth_dst, 0xff, 6);
	if (!(wc & W10_DL_VLAN)) {
		uint16_t vid = rd16(p + 18);
		k->vlan = vid == 0xffff ? 0 : (uint16_t)(OFPVID_PRESENT | (vid & 0xfff));
		w->vlan = 0x1fff;
	}
	if (!(wc & W10_DL_VLAN_PCP))
		k->vlan_pcp = p[20] & 7, w->vlan_pcp = 7;
	if (!(wc & W10_DL_TYPE))
		k->eth_type = rd16(p + 22), w->eth_type = 0xffff;
	if (!(wc & W10_NW_TOS))
		k->ip_dscp = p[24] >> 2, w->ip_dscp = 63;
	if (!(wc & W10_NW_PROTO))
		k->nw_proto = p[25], w->nw_proto = 0xff;
	w->nw_src = prefix_mask((wc >> W10_NW_SRC_SHIFT) & 63);
	w->nw_dst = prefix_mask((wc >> W10_NW_DST_SHIFT) & 63);
	k->nw_src = rd32(p + 28), k->nw_dst = rd32(p + 32);
	if (!(wc & W10_TP_SRC))
		k->tp_src = rd16(p + 36), w->tp_src = 0xffff;
	if (!(wc & W10_TP_DST))
		k->tp_dst = rd16(p + 38), w->tp_dst = 0xffff;
	match_normalise(mt);
	return MICA_OK;
}

/* Wildcarded low bits of a prefix mask (no popcount: guests lack it). */
static unsigned wild_bits(uint32_t mask)
{
	unsigned n = 0;
	while (n < 32 && !(mask & (1u << n)))
		n++;
	return n;
}

void of_match10_encode(uint8_t *p, const struct of_match *mt)
{
	const struct of_key *k = &mt->key, *w = &mt->mask;
	uint32_t wc = 0;
	wc |= w->in_port ? 0 : W10_IN_PORT;
	wc |= any_set(w->eth_src, 6) ? 0 : W10_DL_SRC;
	wc |= any_set(w->eth_dst, 6) ? 0 : W10_DL_DST;
	wc |= w->vlan ? 0 : W10_DL_VLAN;
	wc |= w->vlan_pcp ? 0 : W10_DL_VLAN_PCP;
	wc |= w->eth_type ? 0 : W10_DL_TYPE;
	wc |= w->ip_dscp ? 0 : W10_NW_TOS;
	wc |= w->nw_proto ? 0 : W10_NW_PROTO;
	wc |= w->tp_src ? 0 : W10_TP_SRC;
	wc |= w->tp_dst ? 0 : W10_TP_DST;
	wc |= wild_bits(w->nw_src) << W10_NW_SRC_SHIFT | wild_bits(w->nw_dst) << W10_NW_DST_SHIFT;
	wr32(p, wc);
	wr16(p + 4, of_port_to10(k->in_port));
	memcpy(p + 6, k->eth_src, 6);
	memcpy(p + 12, k->eth_dst, 6);
	wr16(p + 18, (k->vlan & OFPVID_PRESENT) ? (uint16_t)(k->vlan & 0xfff) : 0xffff);
	p[20] = k->vlan_pcp;
	wr16(p + 22, k->eth_type);
	p[24] = (uint8_t)(k->ip_dscp << 2);
	p[25] = (uint8_t)k->nw_proto;
	wr32(p + 28, k->nw_src);
	wr32(p + 32, k->nw_dst);
	wr16(p + 36, k->tp_src);
	wr16(p + 38, k->tp_dst);
}

/* ---- keys from frames, common matches ---- */

static void key_ipv4(struct of_key *k, const uint8_t *ip, size_t len)
{
	if (len < 20 || (ip[0] >> 4) != 4 || (ip[0] & 15) < 5)
		return;
	size_t hl = (size_t)(ip[0] & 15) * 4;
	k->ip_dscp = ip[1] >> 2;
	k->nw_proto = ip[9];
	k->nw_src = rd32(ip + 12);
	k->nw_dst = rd32(ip + 16);
	if ((rd16(ip + 6) & 0x1fff) != 0 || len < hl + 4)
		return; /* a later fragment has no layer-4 header */
	const uint8_t *l4 = ip + hl;
	if (k->nw_proto == 6 || k->nw_proto == 17)
		k->tp_src = rd16(l4), k->tp_dst = rd16(l4 + 2);
	else if (k->nw_proto == 1)
		k->tp_src = l4[0], k->tp_dst = l4[1];
}

static void key_arp(struct of_key *k, const uint8_t *a, size_t len)
{
	if (len < 28 || rd16(a) != 1 || rd16(a + 2) != ETH_IP || a[4] != 6 || a[5] != 4)
		return;
	k->nw_proto = rd16(a + 6);
	memcpy(k->arp_sha, a + 8, 6);
	k->nw_src = rd32(a + 14);
	memcpy(k->arp_tha, a + 18, 6);
	k->nw_dst = rd32(a + 24);
}

void of_key_from_frame(struct of_key *k, const uint8_t *f, size_t len, uint32_t in_port)
{
	memset(k, 0, sizeof(*k));
	k->in_port = in_port;
	if (len < 14)
		return;
	memcpy(k->eth_dst, f, 6);
	memcpy(k->eth_src, f + 6, 6);
	size_t off = 12;
	uint16_t type = rd16(f + off);
	if ((type == 0x8100 || type == 0x88a8) && len >= 18) {
		uint16_t tci = rd16(f + 14);
		k->vlan = (uint16_t)(OFPVID_PRESENT | (tci & 0xfff));
		k->vlan_pcp = (uint8_t)(tci >> 13);
		off += 4;
		type = rd16(f + off);
	}
	k->eth_type = type;
	off += 2;
	if (type == ETH_IP)
		key_ipv4(k, f + off, len - off);
	else if (type == ETH_ARP)
		key_arp(k, f + off, len - off);
}

void of_match_all(struct of_match *m)
{
	memset(m, 0, sizeof(*m));
}

void of_match_l2(struct of_match *m, uint32_t in_port, const uint8_t src[6], const uint8_t dst[6])
{
	memset(m, 0, sizeof(*m));
	m->key.in_port = in_port, m->mask.in_port = 0xffffffffu;
	memcpy(m->key.eth_src, src, 6), memset(m->mask.eth_src, 0xff, 6);
	memcpy(m->key.eth_dst, dst, 6), memset(m->mask.eth_dst, 0xff, 6);
}
