/* site_compiled.c - the site tools/sitec compiled into the image (the
 * build without SITE=block): its table is the generated mica_site. */
#include <mica/err.h>
#include "www.h"

extern const struct mica_http_site mica_site;

int www_site_start(struct www *w)
{
	w->site = &mica_site;
	return MICA_OK;
}
