/* blk_req.c - the checks every platform makes on a block request before
 * it reaches a device (mica_blk_req_check, include/mica/platform.h). */
#include <mica/err.h>
#include <mica/platform.h>

int mica_blk_req_check(const struct mica_blkif_info *info, const struct mica_blk_req *r)
{
	if (r->op == MICA_BLK_FLUSH)
		return info->read_only ? MICA_EPERM : MICA_OK;
	if ((r->op != MICA_BLK_READ && r->op != MICA_BLK_WRITE) || r->nsectors == 0 || !r->buf)
		return MICA_EINVAL;
	if (r->sector > info->sectors || r->nsectors > info->sectors - r->sector)
		return MICA_ERANGE;
	if (r->op == MICA_BLK_WRITE && info->read_only)
		return MICA_EPERM;
	return MICA_OK;
}
