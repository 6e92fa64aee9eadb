/* blk.c - the platform's block devices behind struct mica_blk (blk.h). */
#include <mica/blk.h>
#include <mica/err.h>

static int plat_submit(struct mica_blk *b, struct mica_blk_req *r)
{
	return mica_blkif_submit(b->plat, r);
}

int mica_blk_from_blkif(struct mica_blk *b, struct mica_blkif *plat)
{
	*b = (struct mica_blk){.submit = plat_submit, .plat = plat};
	return mica_blkif_info(plat, &b->info);
}

int mica_blk_open(struct mica_blk *b, const char *name)
{
	struct mica_blkif *plat;
	int rc = mica_blkif_open(name, &plat);
	return rc < 0 ? rc : mica_blk_from_blkif(b, plat);
}
