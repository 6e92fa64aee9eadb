/* zonec.h - the zone compiler's parts: master-file parser (parse.c),
 * zone builder (build.c), memo builder (memo.c) and C emitter (emit.c).
 * Host code; it links lib/dns for names and the answering engine. */
#ifndef ZONEC_H
#define ZONEC_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <mica/dns.h>

/* One resource record as read from a master file. */
struct zrr {
	uint8_t owner[MICA_DNS_NAME_MAX];
	uint8_t owner_len;
	uint16_t type;
	uint32_t ttl;
	uint16_t rdlen;
	uint8_t *rdata;   /* wire form, names uncompressed */
	const char *file; /* the file it came from (zfile owns the string) */
	int line;
};

struct zfile {
	const char *path;
	uint8_t origin[MICA_DNS_NAME_MAX]; /* initial $ORIGIN */
	struct zrr *rrs;
	size_t nrrs, caprrs;
	int nerrors, nwarnings;
	FILE *err; /* where "file:line: reason" goes */
	int last_line;
	char **files; /* paths of the file and what it includes */
	size_t nfiles;
	bool no_zonemd; /* do not check ZONEMD digests (zonec --no-zonemd) */
};

/* TTL of records written without one in a file without $TTL: NSD's
 * default (BIND would take the last TTL given). */
#define ZONEC_DEFAULT_TTL 3600u

/* Parse a master file (text of len bytes). Errors are printed as
 * "path:line: reason" and counted in zf->nerrors. */
void zparse(struct zfile *zf, const char *text, size_t len);
/* Read and parse a file; origin from the file name (x.zone -> x.). */
int zparse_file(struct zfile *zf, const char *path, FILE *err);
void zfile_free(struct zfile *zf);
/* Text name (relative names end up under origin) to wire form. */
int zname_from_text(const char *s, size_t n, const uint8_t *origin, uint8_t out[MICA_DNS_NAME_MAX]);
/* The reason for a negative zname_from_text result. */
const char *zname_error(int r);
/* A TTL-style period: seconds or units (1h30m, 2w), at most max. */
bool zparse_period(const char *s, size_t n, uint64_t max, uint32_t *out);

struct bnode; /* build.c's name being built */

/* A zone built in memory, laid out exactly as the generated C data. */
struct zbuilt {
	struct mica_dns_zone z;
	uint8_t *names, *rdata, *memo_data;
	struct mica_dns_node *nodes;
	struct mica_dns_rrset *rrsets;
	struct mica_dns_nsec3 *nsec3; /* the NSEC3 chain (z.nnsec3 entries) */
	struct bnode **n3;            /* while building: the NSEC3 owners */
	size_t nn3;
	uint32_t *hash;
	struct mica_dns_memo *memo;
	uint16_t *memo_fix;
	size_t names_len, rdata_len, memo_data_len, nfix, hash_size;
	uint32_t memo_no_do,
	    memo_none; /* names over the memo budget: DO answers, all answers by the engine */
};

/* Check and build a zone; 0, or -1 after printing errors. */
int zbuild(struct zbuilt *b, struct zfile *zf);
/* The default memo budget (zonec --memo-max, build key MEMOMAX): bytes of
 * memo entries, answer data and pointer fixups of all zones together. */
#define ZMEMO_BUDGET ((size_t)32 << 20)
/* Compute the memo of every zone (they see each other for CNAME chains),
 * within budget bytes: a name whose answers with DO (then without) would
 * go past it is left to the engine. */
int zmemo(struct zbuilt *zones, size_t n, size_t budget);
/* Bytes a zone's memo takes in the image. */
size_t zmemo_size(const struct zbuilt *zb);
/* Write the C file of all zones. */
int zemit(FILE *out, struct zbuilt *zones, size_t n, bool memo, const char *what);
void zbuilt_free(struct zbuilt *b);

#endif
