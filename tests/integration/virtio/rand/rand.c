/* rand.c - a test guest for mica_plat_random on virtio
 * (tests/integration/virtio/entropy.sh): prints random=HEX (32 bytes) and
 * exits 0, or says why it could not and exits 1. */
#include <mica/app.h>
#include <mica/err.h>
#include <mica/log.h>
#include <mica/loop.h>
#include <mica/platform.h>

static int start(struct mica_loop *loop)
{
	uint8_t r[32];
	int rc = mica_plat_random(r, sizeof(r));
	if (rc != MICA_OK) {
		mica_printf("random: %s\n", mica_strerror(rc));
		mica_loop_stop(loop, 1);
		return MICA_OK;
	}
	char hex[2 * sizeof(r) + 1];
	for (size_t i = 0; i < sizeof(r); i++) {
		hex[2 * i] = "0123456789abcdef"[r[i] >> 4];
		hex[2 * i + 1] = "0123456789abcdef"[r[i] & 15];
	}
	hex[2 * sizeof(r)] = '\0';
	mica_printf("random=%s\n", hex);
	mica_loop_stop(loop, 0);
	return MICA_OK;
}

const struct mica_app mica_app = {.name = "rand", .summary = "print 32 random bytes", .start = start};
