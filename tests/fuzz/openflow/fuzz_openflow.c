/* fuzz_openflow.c - libFuzzer target for lib/openflow's codec: every input
 * is framed and decoded as 1.0 and 1.3 messages; whatever decodes is
 * encoded back (flow mods, packet outs, errors) and decoded again, which
 * must succeed. Bounds errors are caught by ASan. */
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <stdlib.h>
#include <mica/openflow.h>

static uint8_t obuf[70000];

static void reencode(const struct of_msg *m, struct mica_view raw)
{
	struct of_out o = {obuf, 0, sizeof(obuf)};
	int rc = -1;
	if (m->type == OFPT_FLOW_MOD)
		rc = of_encode_flow_mod(&o, m->version, m->xid, &m->u.flow_mod);
	else if (m->type == OFPT_PACKET_OUT)
		rc = of_encode_packet_out(&o, m->version, m->xid, m->u.packet_out.buffer_id,
		                          m->u.packet_out.in_port, &m->u.packet_out.actions,
		                          m->u.packet_out.data);
	else
		rc = of_encode_error(&o, m->version == OF_VERSION_10 ? OF_VERSION_10 : OF_VERSION_13, m->xid,
		                     1, 6, raw);
	if (rc != 0)
		return;
	struct of_msg *again = malloc(sizeof(*again));
	if (of_decode((struct mica_view){obuf, o.len}, again) != 0 &&
	    (m->type == OFPT_FLOW_MOD || m->type == OFPT_PACKET_OUT))
		abort(); /* what we encode must decode */
	free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct of_msg *m = malloc(sizeof(*m));
	size_t off = 0, len;
	while (off < size && of_frame_len((struct mica_view){(uint8_t *)data + off, size - off}, &len) == 0) {
		if (len > size - off)
			len = size - off; /* a short message must be refused, not read past */
		uint8_t *copy = malloc(len);
		memcpy(copy, data + off, len);
		struct mica_view v = {copy, len};
		if (of_decode(v, m) == 0)
			reencode(m, v);
		struct of_key k;
		of_key_from_frame(&k, copy, len, 1);
		free(copy);
		off += len;
	}
	free(m);
	return 0;
}
