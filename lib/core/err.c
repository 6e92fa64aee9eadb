/* err.c - names of Mica error codes. */
#include <mica/err.h>

const char *mica_strerror(int err)
{
	switch (err) {
	case MICA_OK: return "success";
	case MICA_EINVAL: return "invalid argument";
	case MICA_ENOMEM: return "out of memory";
	case MICA_ERANGE: return "out of bounds";
	case MICA_EAGAIN: return "try again";
	case MICA_EIO: return "I/O error";
	case MICA_ENOENT: return "not found";
	case MICA_EEXIST: return "already exists";
	case MICA_ENOSPC: return "no space left";
	case MICA_ECLOSED: return "closed";
	case MICA_ETIMEDOUT: return "timed out";
	case MICA_ECONNREFUSED: return "connection refused";
	case MICA_ECONNRESET: return "connection reset";
	case MICA_EADDRINUSE: return "address in use";
	case MICA_ENOTSUP: return "not supported";
	case MICA_EMSGSIZE: return "message too long";
	case MICA_EBADMSG: return "malformed data";
	case MICA_EUNREACH: return "unreachable";
	case MICA_EPERM: return "not permitted";
	case MICA_ESTOP: return "stop requested";
	default: return "unknown error";
	}
}
