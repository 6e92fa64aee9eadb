/* err.h - Mica error codes.
 *
 * Every Mica function that can fail returns 0 (MICA_OK) or a negative MICA_E*
 * code; functions that return a size return it as a non-negative value of a
 * signed type and errors as negative codes. mica_strerror names a code. */
#ifndef MICA_ERR_H
#define MICA_ERR_H

enum mica_err {
	MICA_OK = 0,
	MICA_EINVAL = -1,        /* invalid argument */
	MICA_ENOMEM = -2,        /* out of memory or buffers */
	MICA_ERANGE = -3,        /* access outside a view or buffer */
	MICA_EAGAIN = -4,        /* no room or nothing now; try again later */
	MICA_EIO = -5,           /* device or host I/O error */
	MICA_ENOENT = -6,        /* no such name, device or entry */
	MICA_EEXIST = -7,        /* already exists / already in use */
	MICA_ENOSPC = -8,        /* no space left */
	MICA_ECLOSED = -9,       /* endpoint closed */
	MICA_ETIMEDOUT = -10,    /* timed out */
	MICA_ECONNREFUSED = -11, /* connection refused */
	MICA_ECONNRESET = -12,   /* connection reset by peer */
	MICA_EADDRINUSE = -13,   /* address in use */
	MICA_ENOTSUP = -14,      /* not supported on this target */
	MICA_EMSGSIZE = -15,     /* message too long */
	MICA_EBADMSG = -16,      /* malformed data */
	MICA_EUNREACH = -17,     /* destination unreachable */
	MICA_EPERM = -18,        /* not permitted */
	MICA_ESTOP = -19,        /* stop requested (signal, halt) */
};

/* Short English name of an error code, e.g. "out of memory". Never NULL. */
const char *mica_strerror(int err);

#endif
