/* app.h - what an application provides, and how a Mica program starts.
 *
 * An app defines one `const struct mica_app mica_app` (use MICA_APP). The
 * platform's entry point calls mica_boot(), which checks the boot arguments
 * against the app's table and the libraries' tables, configures logging,
 * creates the event loop, calls app->start, seals the image, runs the loop,
 * calls app->stop and exits with the loop's exit code.
 *
 * Devices are declared at build time in apps/APP/app.mk (APP_NETIFS,
 * APP_BLKIFS); the build turns them into the image's manifest, which the
 * runtime and the hvt monitor read. */
#ifndef MICA_APP_H
#define MICA_APP_H

#include <stddef.h>
#include "args.h"
#include "loop.h"

struct mica_app {
	const char *name;
	const char *summary; /* one line for --help */
	const struct mica_arg_spec *args;
	size_t nargs;
	/* Set up listeners and timers; return 0, or an error to exit with 1. */
	int (*start)(struct mica_loop *loop);
	/* Optional: called once when the loop has stopped (print counters...). */
	void (*stop)(struct mica_loop *loop);
};

extern const struct mica_app mica_app;

/* Devices the image was built with: NULL-terminated lists of names. */
struct mica_manifest {
	const char *const *netifs;
	const char *const *blkifs;
};
extern const struct mica_manifest mica_manifest;

#define MICA_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Run the app: never returns. argv[0] is the program name. */
_Noreturn void mica_boot(int argc, char **argv);

/* The loop mica_boot created (valid after boot has started the app). */
struct mica_loop *mica_main_loop(void);

#endif
