/* fuzz_zonec.c - libFuzzer target for zonec: any text goes through the
 * master-file parser; what parses is built into a zone, memoised with the
 * answering engine and emitted as C. Nothing may crash or leak. */
#include <stdlib.h>
#include <string.h>
#include "../../../tools/zonec/zonec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	if (!null)
		null = fopen("/dev/null", "w");
	if (size > 8192)
		return 0;
	struct zfile zf;
	memset(&zf, 0, sizeof(zf));
	zf.path = "fuzz.zone";
	zf.err = null;
	uint8_t root = 0;
	zname_from_text("example.com.", 12, &root, zf.origin);
	zparse(&zf, (const char *)data, size);
	if (!zf.nerrors) {
		struct zbuilt zb;
		if (zbuild(&zb, &zf) == 0) {
			zmemo(&zb, 1, size % 2 ? ZMEMO_BUDGET : 1024); /* even sizes: a budget that bites */
			zemit(null, &zb, 1, true, "fuzz");
			zbuilt_free(&zb);
		}
	}
	zfile_free(&zf);
	return 0;
}
