/* main.c - zonec: compile master files into C data for apps/dns.
 *   zonec [--nomemo] [--memo-max=BYTES] [--no-zonemd] [--stats] -o OUT.c ZONEFILE...
 *                                          compile (one C file)
 *   zonec [--no-zonemd] --check ZONEFILE...               only parse and check
 * A zone's ZONEMD digest (RFC 8976) is checked unless --no-zonemd;
 * --stats prints the size of each zone's data and memo; --memo-max bounds
 * the memo of all zones (default ZMEMO_BUDGET, 32 MiB): names past it are
 * answered by the engine, with a warning.
 * The origin for relative names starts as the file name without .zone or
 * .db (example.com.zone -> example.com.); the zone's apex is its SOA owner.
 * Errors are printed as "file:line: reason"; exit status 1 on any. */
#include "zonec.h"
#include <stdlib.h>
#include <string.h>

static int usage(void)
{
	fprintf(stderr,
	        "usage: zonec [--nomemo] [--memo-max=BYTES] [--no-zonemd] [--stats] -o OUT.c ZONEFILE...\n"
	        "       zonec [--no-zonemd] --check ZONEFILE...\n");
	return 2;
}

/* --stats: what each zone takes in the image, the memo apart. */
static void print_stats(const struct zbuilt *zb, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		const struct zbuilt *b = &zb[k];
		const struct mica_dns_zone *z = &b->z;
		size_t data = b->names_len + b->rdata_len + z->nnodes * sizeof(struct mica_dns_node) +
		              z->nrrsets * sizeof(struct mica_dns_rrset) + b->hash_size * sizeof(uint32_t) +
		              z->nnsec3 * sizeof(struct mica_dns_nsec3);
		size_t memo =
		    b->memo_data_len + z->nmemo * sizeof(struct mica_dns_memo) + b->nfix * sizeof(uint16_t);
		char name[1024];
		fprintf(stderr,
		        "zonec: %s %u names, %u RRsets, %u NSEC3, zone data %zu bytes, memo %u entries %zu "
		        "bytes%s\n",
		        mica_dns_name_str(b->names + b->nodes[0].name, name, sizeof(name)), z->nnodes,
		        z->nrrsets, z->nnsec3, data, z->nmemo, memo,
		        z->secure ? " (signed: entries with and without DO)" : "");
	}
}

/* A byte count: decimal digits only. */
static bool parse_bytes(const char *s, size_t *out)
{
	char *end;
	if (*s < '0' || *s > '9')
		return false;
	unsigned long long v = strtoull(s, &end, 10);
	if (*end || v > SIZE_MAX)
		return false;
	*out = (size_t)v;
	return true;
}

/* Names whose answers the memo budget left to the engine. */
static void warn_budget(const struct zbuilt *zb, size_t n, size_t budget)
{
	for (size_t k = 0; k < n; k++) {
		char name[1024];
		if (!zb[k].memo_no_do && !zb[k].memo_none)
			continue;
		fprintf(
		    stderr,
		    "zonec: warning: %s: the memo budget (%zu bytes, --memo-max=BYTES, build key MEMOMAX) "
		    "leaves the DO answers of %u names and all answers of %u names to the engine\n",
		    mica_dns_name_str(zb[k].names + zb[k].nodes[0].name, name, sizeof(name)), budget,
		    zb[k].memo_no_do, zb[k].memo_none);
	}
}

int main(int argc, char **argv)
{
	const char *out = NULL;
	bool memo = true, check = false, zonemd = true, stats = false;
	size_t budget = ZMEMO_BUDGET;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--nomemo"))
			memo = false;
		else if (!strcmp(argv[i], "--check"))
			check = true;
		else if (!strcmp(argv[i], "--no-zonemd"))
			zonemd = false;
		else if (!strcmp(argv[i], "--stats"))
			stats = true;
		else if (!strncmp(argv[i], "--memo-max=", 11) && parse_bytes(argv[i] + 11, &budget))
			continue;
		else if (!strcmp(argv[i], "-o") && i + 1 < argc)
			out = argv[++i];
		else
			return usage();
	}
	size_t n = (size_t)(argc - i);
	if (n == 0 || n > 64 || (!out && !check))
		return usage();
	struct zfile *zf = calloc(n, sizeof(*zf));
	struct zbuilt *zb = calloc(n, sizeof(*zb));
	int errors = 0;
	for (size_t k = 0; k < n; k++) {
		zparse_file(&zf[k], argv[i + (int)k], stderr);
		zf[k].no_zonemd = !zonemd;
		if (!zf[k].nerrors)
			zbuild(&zb[k], &zf[k]);
		errors += zf[k].nerrors;
	}
	for (size_t a = 0; a < n && !errors; a++)
		for (size_t b = a + 1; b < n; b++)
			if (zb[a].z.nodes[0].name_len == zb[b].z.nodes[0].name_len &&
			    !memcmp(zb[a].names + zb[a].nodes[0].lname, zb[b].names + zb[b].nodes[0].lname,
			            zb[a].z.nodes[0].name_len)) {
				fprintf(stderr, "%s:1: zone already defined by %s\n", zf[b].path, zf[a].path);
				errors++;
			}
	if (errors) {
		fprintf(stderr, "zonec: %d error%s\n", errors, errors == 1 ? "" : "s");
		return 1;
	}
	if (check)
		return 0;
	if (memo && zmemo(zb, n, budget) < 0) {
		fprintf(stderr, "zonec: memo failed\n");
		return 1;
	}
	if (memo)
		warn_budget(zb, n, budget);
	if (stats)
		print_stats(zb, n);
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp", out);
	FILE *f = fopen(tmp, "w");
	if (!f) {
		perror(tmp);
		return 1;
	}
	char what[1024] = "";
	for (size_t k = 0; k < n; k++) {
		const char *b = strrchr(argv[i + (int)k], '/');
		strncat(what, b ? b + 1 : argv[i + (int)k], sizeof(what) - strlen(what) - 2);
		if (k + 1 < n)
			strncat(what, " ", sizeof(what) - strlen(what) - 1);
	}
	if (zemit(f, zb, n, memo, what) < 0 || fclose(f) != 0 || rename(tmp, out) != 0) {
		perror(out);
		remove(tmp);
		return 1;
	}
	for (size_t k = 0; k < n; k++) {
		zfile_free(&zf[k]);
		zbuilt_free(&zb[k]);
	}
	free(zf);
	free(zb);
	return 0;
}
