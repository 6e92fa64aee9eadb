/* random.c - mica_plat_random on Linux processes (unix and tap targets):
 * the kernel's generator through getrandom(2). */
#include <errno.h>
#include <sys/random.h>
#include <mica/err.h>
#include <mica/platform.h>

int mica_plat_random(void *buf, size_t len)
{
	unsigned char *p = buf;
	while (len > 0) {
		ssize_t n = getrandom(p, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return MICA_EIO;
		p += n;
		len -= (size_t)n;
	}
	return MICA_OK;
}
