/* vnet_hdr.h - the virtio-net header (virtio spec 5.1.6, the ten bytes
 * before num_buffers) of a frame the stack built, shared by the two
 * targets whose devices speak it: tap (IFF_VNET_HDR) and virtio. The
 * buffer's offload fields (csum, gso_size; include/mica/buf.h) map to it. */
#ifndef MICA_PLATFORM_VNET_HDR_H
#define MICA_PLATFORM_VNET_HDR_H

#include <stdint.h>
#include <mica/buf.h>

#define VNET_HDR_F_NEEDS_CSUM 1
#define VNET_HDR_F_DATA_VALID 2
#define VNET_HDR_GSO_TCPV4 1

struct vnet_hdr {
	uint8_t flags, gso_type;
	uint16_t hdr_len, gso_size, csum_start, csum_offset;
};

/* The header for frame b (Ethernet + IPv4 + TCP or UDP when the stack
 * asks for offload; all zero otherwise). */
static inline struct vnet_hdr vnet_hdr_for_tx(const struct mica_buf *b)
{
	struct vnet_hdr h = {0};
	if (b->csum != MICA_CSUM_PARTIAL || b->len < 14 + 20)
		return h;
	const uint8_t *p = mica_buf_data(b);
	uint16_t l4 = (uint16_t)(14 + (p[14] & 15) * 4);
	uint8_t proto = p[14 + 9];
	h.flags = VNET_HDR_F_NEEDS_CSUM;
	h.csum_start = l4;
	h.csum_offset = proto == 6 ? 16 : 6; /* TCP : UDP */
	if (b->gso_size && proto == 6 && b->len >= l4 + 20u) {
		h.gso_type = VNET_HDR_GSO_TCPV4;
		h.gso_size = b->gso_size;
		h.hdr_len = (uint16_t)(l4 + (p[l4 + 12] >> 4) * 4);
	}
	return h;
}

#endif
