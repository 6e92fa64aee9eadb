/* boot.c - start a Mica program: check boot arguments, configure logging,
 * create the loop, start the app, seal, run, stop, exit. */
#include <mica/app.h>
#include <mica/args.h>
#include <mica/log.h>
#include <mica/loop.h>
#include <mica/platform.h>
#include <mica/err.h>

static const struct mica_arg_spec core_specs[] = {
    {"log", MICA_ARG_STR, "info", "log levels: LEVEL or TAG:LEVEL, comma-separated (error|warn|info|debug)",
     0, 0},
};
static const struct mica_arg_table core_args = {"core", core_specs, MICA_ARRAY_LEN(core_specs)};

/* Tables of libraries that may or may not be linked into this image. */
extern const struct mica_arg_table mica_platform_args __attribute__((weak));
extern const struct mica_arg_table mica_net_args __attribute__((weak));

static struct mica_args boot_args;
static struct mica_loop main_loop;

struct mica_loop *mica_main_loop(void)
{
	return &main_loop;
}

static void collect_tables(struct mica_args *a)
{
	static struct mica_arg_table app_args;
	app_args.owner = mica_app.name;
	app_args.specs = mica_app.args;
	app_args.count = mica_app.nargs;
	mica_args_init(a);
	(void)mica_args_add_table(a, &app_args);
	(void)mica_args_add_table(a, &core_args);
	if (&mica_platform_args)
		(void)mica_args_add_table(a, &mica_platform_args);
	if (&mica_net_args)
		(void)mica_args_add_table(a, &mica_net_args);
}

_Noreturn void mica_boot(int argc, char **argv)
{
	const char *program = argc > 0 && argv[0] ? argv[0] : mica_app.name;
	collect_tables(&boot_args);
	if (mica_args_parse(&boot_args, argc - 1, argv + 1) != MICA_OK) {
		mica_printf("%s: %s\n", mica_app.name, boot_args.error);
		mica_plat_exit(MICA_EXIT_USAGE);
	}
	if (boot_args.help) {
		mica_printf("%s - %s\n", mica_app.name, mica_app.summary ? mica_app.summary : "");
		mica_args_print_help(&boot_args, program);
		mica_plat_exit(0);
	}
	mica_args_set_current(&boot_args);
	const char *log_spec = mica_args_given_value(&boot_args, "log");
	if (log_spec && mica_log_configure(log_spec) != MICA_OK) {
		mica_printf("%s: bad boot argument '--log=%s': expected LEVEL or TAG:LEVEL,... "
		            "with LEVEL one of error, warn, info, debug\n",
		            mica_app.name, log_spec);
		mica_plat_exit(MICA_EXIT_USAGE);
	}
	if (mica_loop_init(&main_loop) != MICA_OK)
		mica_panic("cannot create the event loop");
	int rc = mica_app.start(&main_loop);
	if (rc != MICA_OK) {
		mica_error("core", "%s failed to start: %s", mica_app.name, mica_strerror(rc));
		mica_plat_exit(1);
	}
	rc = mica_plat_seal();
	if (rc != MICA_OK && rc != MICA_ENOTSUP)
		mica_panic("sealing failed: %s", mica_strerror(rc));
	int code = mica_loop_run(&main_loop);
	if (mica_app.stop)
		mica_app.stop(&main_loop);
	mica_plat_exit(code);
}
