/* main.c - sitec, the site compiler:
 *   sitec -o site.c -b site.bin DIR
 * turns the tree under DIR into a compiled site for apps/www: site.bin
 * holds every header block and body, site.c the entry table that points
 * into it (see include/mica/http_site.h). Any problem with the site is an
 * error naming the file, and exit code 1. */
#include "sitec.h"
#include <mica/http_site.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Noreturn void sitec_fail(const char *path, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "sitec: %s: ", path);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

void *sitec_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		sitec_fail("-", "out of memory");
	return p;
}

static _Noreturn void usage(void)
{
	fprintf(stderr, "usage: sitec -o OUT.c -b OUT.bin DIR\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *c_path = NULL, *blob_path = NULL, *dir = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-o") && i + 1 < argc)
			c_path = argv[++i];
		else if (!strcmp(argv[i], "-b") && i + 1 < argc)
			blob_path = argv[++i];
		else if (argv[i][0] != '-' && !dir)
			dir = argv[i];
		else
			usage();
	}
	if (!c_path || !blob_path || !dir)
		usage();
	struct sitec_site site = {0};
	sitec_walk(dir, &site);
	for (size_t i = 0; i < site.n; i++) {
		struct sitec_file *f = &site.files[i];
		if (f->dir)
			continue;
		bool compressible;
		f->type = mica_http_media_type(f->url, strlen(f->url), &compressible);
		if (compressible)
			sitec_compress(f);
	}
	sitec_index(&site);
	sitec_emit(&site, c_path, blob_path);
	return 0;
}
