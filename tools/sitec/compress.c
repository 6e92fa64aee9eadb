/* compress.c - the precompressed variants of a file: gzip (zlib, level 9)
 * and br (Debian's libbrotli; quality 11, or 5 for files over 1 MiB to
 * keep builds quick). A variant is kept only when it is smaller than the
 * file itself. */
#include "sitec.h"
#include <brotli/encode.h>
#include <stdlib.h>
#include <zlib.h>

#define BR_BIG (1u << 20)

static void gzip_variant(const struct sitec_file *f, struct sitec_variant *out)
{
	const struct sitec_variant *id = &f->var[0];
	z_stream z = {0};
	/* windowBits 15 + 16: a gzip wrapper rather than zlib's. */
	if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
		sitec_fail(f->src, "zlib: cannot start deflate");
	size_t cap = deflateBound(&z, id->len);
	uint8_t *buf = sitec_xmalloc(cap);
	z.next_in = id->data;
	z.avail_in = (uInt)id->len;
	z.next_out = buf;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		sitec_fail(f->src, "zlib: deflate failed");
	size_t len = cap - z.avail_out;
	deflateEnd(&z);
	if (len >= id->len) {
		free(buf);
		return;
	}
	*out = (struct sitec_variant){.present = true, .data = buf, .len = len};
}

static void br_variant(const struct sitec_file *f, struct sitec_variant *out)
{
	const struct sitec_variant *id = &f->var[0];
	size_t cap = BrotliEncoderMaxCompressedSize(id->len);
	if (cap == 0)
		return;
	uint8_t *buf = sitec_xmalloc(cap);
	size_t len = cap;
	int quality = id->len > BR_BIG ? 5 : BROTLI_MAX_QUALITY;
	if (!BrotliEncoderCompress(quality, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC, id->len, id->data,
	                           &len, buf))
		sitec_fail(f->src, "brotli: compression failed");
	if (len >= id->len) {
		free(buf);
		return;
	}
	*out = (struct sitec_variant){.present = true, .data = buf, .len = len};
}

void sitec_compress(struct sitec_file *f)
{
	if (f->var[0].len < 2 || f->var[0].len > (size_t)UINT32_MAX)
		return;
	gzip_variant(f, &f->var[1]);
	br_variant(f, &f->var[2]);
}
