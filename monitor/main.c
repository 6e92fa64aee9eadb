/* main.c - mica-hvt: run a Mica unikernel image as a KVM guest.
 *
 *   mica-hvt [--mem=MiB] [--stats] [--require-seal] [--no-seccomp] [--trace=FILE]
 *            [--net:NAME=TAPIF [--net-mac:NAME=MAC] ...] [--block:NAME=FILE ...]
 *            IMAGE [BOOT-ARGS...]
 *
 * Exit status: the guest's own exit code (HALT), 255 when the guest
 * crashed, aborted or broke the ABI, 2 for errors before the guest ran,
 * 128 + signal number (130 SIGINT, 143 SIGTERM) when a stop signal had to
 * end a guest that did not stop by itself within 500 ms, or on a second
 * stop signal (see stop.c). See docs/hvt.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "hvt.h"

#define MEM_DEFAULT_MIB 32
#define MEM_MIN_MIB 2
#define MEM_MAX_MIB 3072

static _Noreturn void usage(void)
{
	fprintf(stderr,
	        "usage: mica-hvt [--mem=MiB] [--stats] [--require-seal] [--no-seccomp]\n"
	        "                [--net:NAME=TAPIF [--net-mac:NAME=MAC] ...] [--block:NAME=FILE ...]\n"
	        "                IMAGE [BOOT-ARGS...]\n"
	        "  --mem=MiB      guest memory (default %d, %d..%d)\n"
	        "  --net-mac:NAME=MAC  MAC of net device NAME (default: derived from NAME and\n"
	        "                 TAPIF, the same on every run)\n"
	        "  --stats        print setup/guest time and exit counts on exit\n"
	        "  --require-seal refuse to run when this KVM cannot make text, read-only\n"
	        "                 data and page tables read-only (no KVM_CAP_READONLY_MEM)\n"
	        "  --no-seccomp   do not install the seccomp filter (debugging)\n"
	        "  --trace=FILE   single-step the guest: count instructions, write each\n"
	        "                 instruction's address to FILE (slow; profiling)\n",
	        MEM_DEFAULT_MIB, MEM_MIN_MIB, MEM_MAX_MIB);
	exit(HVT_EXIT_SETUP);
}

static void parse_mem(struct hvt *h, const char *v)
{
	char *end;
	unsigned long mib = strtoul(v, &end, 10);
	if (*v == '\0' || *end != '\0' || mib < MEM_MIN_MIB || mib > MEM_MAX_MIB)
		hvt_die(HVT_EXIT_SETUP, "--mem=%s: expected MiB between %d and %d", v, MEM_MIN_MIB,
		        MEM_MAX_MIB);
	h->mem_size = (uint64_t)mib << 20;
}

/* argv[0] = the image's file name without ".hvt", then the boot args. */
static void build_args(struct hvt *h, int argc, char **argv)
{
	const char *base = strrchr(h->image_path, '/');
	base = base ? base + 1 : h->image_path;
	size_t blen = strlen(base);
	if (blen > 4 && strcmp(base + blen - 4, ".hvt") == 0)
		blen -= 4;
	size_t n = 0, cap = sizeof(h->args);
	h->argc = 0;
	for (int i = -1; i < argc; i++) {
		const char *s = i < 0 ? base : argv[i];
		size_t len = i < 0 ? blen : strlen(s);
		if (len + 1 > cap - n || h->argc == MICA_HVT_ARGC_MAX)
			hvt_die(HVT_EXIT_SETUP, "boot arguments too long (at most %d arguments, %d bytes)",
			        MICA_HVT_ARGC_MAX, MICA_HVT_ARGS_MAX);
		h->argoff[h->argc++] = (uint32_t)n;
		memcpy(h->args + n, s, len);
		h->args[n + len] = '\0';
		n += len + 1;
	}
	h->args_len = n;
}

static int parse_args(struct hvt *h, int argc, char **argv)
{
	int i = 1;
	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		const char *a = argv[i];
		if (strncmp(a, "--mem=", 6) == 0)
			parse_mem(h, a + 6);
		else if (strcmp(a, "--stats") == 0)
			h->stats_on = true;
		else if (strcmp(a, "--require-seal") == 0)
			h->require_seal = true;
		else if (strcmp(a, "--no-seccomp") == 0)
			h->no_seccomp = true;
		else if (strncmp(a, "--trace=", 8) == 0) {
			h->trace = fopen(a + 8, "w");
			h->no_seccomp = true; /* fprintf to a file */
			if (!h->trace)
				hvt_die(HVT_EXIT_SETUP, "%s: cannot create trace file", a + 8);
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
			usage();
		else if (hvt_dev_mac(h, a) < 0 && hvt_dev_add(h, a) < 0) {
			hvt_err("unknown option '%s'", a);
			usage();
		}
	}
	if (i >= argc)
		usage();
	h->image_path = argv[i++];
	build_args(h, argc - i, argv + i);
	return 0;
}

static void setup(struct hvt *h)
{
	h->mem = mmap(NULL, h->mem_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
	              -1, 0);
	if (h->mem == MAP_FAILED)
		hvt_die(HVT_EXIT_SETUP, "cannot allocate %llu MiB of guest memory",
		        (unsigned long long)(h->mem_size >> 20));
	hvt_layout(h);
	if (hvt_elf_load(h) < 0)
		exit(HVT_EXIT_SETUP);
	h->heap_start = h->img.end;
	if (hvt_dev_check_manifest(h) < 0 || hvt_dev_open_all(h) < 0)
		exit(HVT_EXIT_SETUP);
	if (hvt_link_start(h) < 0)
		hvt_err("cannot watch the net devices' links: link changes will not be seen");
	if (hvt_vm_create(h) < 0)
		exit(HVT_EXIT_SETUP);
	hvt_build_page_tables(h);
	if (hvt_vcpu_setup(h) < 0)
		exit(HVT_EXIT_SETUP);
	hvt_boot_info(h);
	hvt_signals_setup(h);
	if (!h->no_seccomp && hvt_seccomp_install(h) < 0)
		exit(HVT_EXIT_SETUP);
}

int main(int argc, char **argv)
{
	static struct hvt h = {
	    .mem_size = (uint64_t)MEM_DEFAULT_MIB << 20, .kvm_fd = -1, .vm_fd = -1, .vcpu_fd = -1};
	h.st.t_start = hvt_now_ns();
	parse_args(&h, argc, argv);
	setup(&h);
	hvt_run(&h);
}
