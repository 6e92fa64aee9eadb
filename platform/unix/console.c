/* console.c - the console is the process's standard output; exit ends the process. */
#include <errno.h>
#include <unistd.h>
#include <mica/platform.h>

void mica_plat_console_write(const char *s, size_t len)
{
	while (len > 0) {
		ssize_t n = write(STDOUT_FILENO, s, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

_Noreturn void mica_plat_exit(int code)
{
	_exit(code & 0xff);
}
