/* format.c - the store's on-disk structures (kv_impl.h has the layout):
 * superblocks, batch headers and records, each with a CRC-32C. Batch and
 * record checksums are seeded with the store's random salt, so bytes a
 * client wrote as a value can never pass for a header of this store. */
#include <mica/crc32c.h>
#include "kv_impl.h"

uint32_t kv_get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint64_t kv_get_le64(const uint8_t *p)
{
	return (uint64_t)kv_get_le32(p) | (uint64_t)kv_get_le32(p + 4) << 32;
}

void kv_put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

void kv_put_le64(uint8_t *p, uint64_t v)
{
	kv_put_le32(p, (uint32_t)v);
	kv_put_le32(p + 4, (uint32_t)(v >> 32));
}

static uint32_t salt_seed(uint64_t salt)
{
	return (uint32_t)salt ^ (uint32_t)(salt >> 32);
}

/* Superblock: magic, version, geometry, generation, salt, regions, the
 * active one and its first batch number; CRC of bytes 0..508 at 508. */
void kv_sb_encode(const struct kv_sb *sb, uint8_t *out)
{
	memset(out, 0, KV_SB_BYTES);
	memcpy(out, KV_SB_MAGIC, 8);
	kv_put_le32(out + 8, KV_VERSION);
	kv_put_le32(out + 12, sb->sector_size);
	kv_put_le64(out + 16, sb->device_sectors);
	kv_put_le64(out + 24, sb->generation);
	kv_put_le64(out + 32, sb->salt);
	kv_put_le64(out + 40, sb->region_sectors);
	kv_put_le64(out + 48, sb->region_start[0]);
	kv_put_le64(out + 56, sb->region_start[1]);
	kv_put_le32(out + 64, sb->active);
	kv_put_le64(out + 72, sb->first_bseq);
	kv_put_le64(out + 80, sb->epoch);
	kv_put_le32(out + 508, mica_crc32c(0, out, 508));
}

int kv_sb_decode(const uint8_t *in, struct kv_sb *sb)
{
	if (memcmp(in, KV_SB_MAGIC, 8) != 0 || kv_get_le32(in + 508) != mica_crc32c(0, in, 508) ||
	    kv_get_le32(in + 8) != KV_VERSION)
		return MICA_EBADMSG;
	sb->sector_size = kv_get_le32(in + 12);
	sb->device_sectors = kv_get_le64(in + 16);
	sb->generation = kv_get_le64(in + 24);
	sb->salt = kv_get_le64(in + 32);
	sb->region_sectors = kv_get_le64(in + 40);
	sb->region_start[0] = kv_get_le64(in + 48);
	sb->region_start[1] = kv_get_le64(in + 56);
	sb->active = kv_get_le32(in + 64);
	sb->first_bseq = kv_get_le64(in + 72);
	sb->epoch = kv_get_le64(in + 80);
	if (sb->active > 1)
		return MICA_EBADMSG;
	return MICA_OK;
}

void kv_batch_encode(const struct kv_batch_hdr *h, uint64_t salt, uint8_t *out)
{
	memset(out, 0, KV_BATCH_HDR);
	kv_put_le32(out, KV_BATCH_MAGIC);
	kv_put_le64(out + 8, h->bseq);
	kv_put_le32(out + 16, h->epoch);
	kv_put_le32(out + 20, h->nrec);
	kv_put_le64(out + 24, h->len);
	kv_put_le64(out + 32, h->payload_len);
	kv_put_le32(out + 40, h->flags);
	kv_put_le32(out + 4, mica_crc32c(salt_seed(salt), out + 8, KV_BATCH_HDR - 8));
}

int kv_batch_decode(const uint8_t *in, uint64_t salt, struct kv_batch_hdr *h)
{
	if (kv_get_le32(in) != KV_BATCH_MAGIC ||
	    kv_get_le32(in + 4) != mica_crc32c(salt_seed(salt), in + 8, KV_BATCH_HDR - 8))
		return MICA_EBADMSG;
	h->bseq = kv_get_le64(in + 8);
	h->epoch = kv_get_le32(in + 16);
	h->nrec = kv_get_le32(in + 20);
	h->len = kv_get_le64(in + 24);
	h->payload_len = kv_get_le64(in + 32);
	h->flags = kv_get_le32(in + 40);
	if (h->len < KV_BATCH_HDR || h->payload_len > h->len - KV_BATCH_HDR || h->len > KV_BATCH_MAX + 65536)
		return MICA_EBADMSG;
	return MICA_OK;
}

static uint32_t rec_crc(const uint8_t *p, uint32_t klen, uint32_t vlen, uint64_t salt)
{
	return mica_crc32c(salt_seed(salt), p + 8, KV_REC_HDR - 8 + (size_t)klen + vlen);
}

void kv_rec_encode(const struct kv_rec *r, uint64_t salt, uint8_t *out)
{
	uint32_t size = kv_rec_size(r->klen, r->vlen);
	memset(out, 0, KV_REC_HDR);
	kv_put_le32(out, KV_REC_MAGIC);
	kv_put_le64(out + 8, r->seq);
	kv_put_le64(out + 16, (uint64_t)r->expire_ms);
	kv_put_le32(out + 24, r->klen);
	kv_put_le32(out + 28, r->vlen);
	out[32] = r->type;
	if (r->klen)
		memcpy(out + KV_REC_HDR, r->key, r->klen);
	if (r->vlen)
		memcpy(out + KV_REC_HDR + r->klen, r->val, r->vlen);
	memset(out + KV_REC_HDR + r->klen + r->vlen, 0, size - (KV_REC_HDR + r->klen + r->vlen));
	kv_put_le32(out + 4, rec_crc(out, r->klen, r->vlen, salt));
}

int kv_rec_decode(const uint8_t *in, size_t avail, uint64_t salt, struct kv_rec *r)
{
	if (avail < KV_REC_HDR || kv_get_le32(in) != KV_REC_MAGIC)
		return MICA_EBADMSG;
	r->seq = kv_get_le64(in + 8);
	r->expire_ms = (int64_t)kv_get_le64(in + 16);
	r->klen = kv_get_le32(in + 24);
	r->vlen = kv_get_le32(in + 28);
	r->type = in[32];
	if (r->klen > MICA_KV_KEY_MAX || r->vlen > MICA_KV_VALUE_MAX)
		return MICA_EBADMSG;
	r->size = kv_rec_size(r->klen, r->vlen);
	if (r->size > avail || kv_get_le32(in + 4) != rec_crc(in, r->klen, r->vlen, salt))
		return MICA_EBADMSG;
	if (r->type < KV_REC_SET || r->type > KV_REC_FLUSH)
		return MICA_EBADMSG;
	r->key = in + KV_REC_HDR;
	r->val = in + KV_REC_HDR + r->klen;
	return MICA_OK;
}
