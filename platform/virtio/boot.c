/* boot.c - from the PVH entry (pvh.c) to mica_boot(argc, argv).
 *
 * Order matters: the CPU tables first (so a fault is reported, not a
 * triple fault), the clock, the memory map, the command line (copied out
 * of low memory, which the final page tables leave unmapped), the APIC,
 * device discovery (which names the device registers to map), then the
 * final W^X page tables, then matching the app's declared devices. */
#include <mica/app.h>
#include <mica/libc.h>
#include "virtio.h"

int virtio_argc;
char *virtio_argv[VIRTIO_ARGC_MAX + 1];
static char cmdline[VIRTIO_CMDLINE_MAX];

static _Noreturn void bad_cmdline(const char *why)
{
	virtio_say("boot command line: %s", why);
	virtio_exit(VIRTIO_EXIT_USAGE);
}

/* Split the command line into words at spaces; "double quotes" group a
 * word (and are removed). Words for the platform are taken out. */
static void split_cmdline(const char *src)
{
	size_t len = src ? strlen(src) : 0;
	if (len >= sizeof(cmdline))
		bad_cmdline("longer than 2047 bytes");
	memcpy(cmdline, src ? src : "", len + 1);
	virtio_argv[virtio_argc++] = (char *)mica_app.name;
	char *r = cmdline, *w = cmdline;
	while (*r) {
		while (*r == ' ' || *r == '\t' || *r == '\n')
			r++;
		if (!*r)
			break;
		char *word = w;
		bool quoted = false;
		while (*r && (quoted || (*r != ' ' && *r != '\t' && *r != '\n'))) {
			if (*r == '"')
				quoted = !quoted;
			else
				*w++ = *r;
			r++;
		}
		if (*r)
			r++;
		*w++ = '\0';
		if (mmio_cmdline_word(word))
			continue;
		if (virtio_argc == VIRTIO_ARGC_MAX)
			bad_cmdline("more than 63 boot arguments");
		virtio_argv[virtio_argc++] = word;
	}
	virtio_argv[virtio_argc] = NULL;
}

_Noreturn void virtio_main(const struct hvm_start_info *si);

__attribute__((used)) _Noreturn void virtio_main(const struct hvm_start_info *si)
{
	uint64_t tsc0 = guest_rdtsc();
	cpu_init();
	if (si->magic != HVM_START_MAGIC) {
		virtio_say("not started through the PVH boot protocol (bad hvm_start_info magic)");
		virtio_exit(VIRTIO_EXIT_FAULT);
	}
	clock_init(tsc0);
	if (mm_init(si) < 0) {
		virtio_say(
		    "no usable memory map from the hypervisor (PVH start info version %u), or too little RAM",
		    si->version);
		virtio_exit(VIRTIO_EXIT_FAULT);
	}
	split_cmdline((const char *)(uintptr_t)si->cmdline_paddr);
	apic_init();
	mmio_discover();
	/* On a PC (q35, pc) firmware ran before us (SeaBIOS loads PVH kernels
	 * there) and may have used RAM; QEMU microvm's qboot and Firecracker
	 * leave it as the hypervisor made it: zero. */
	mm_finish(pci_discover());
	mmio_probe_listed();
	virtio_devices_match();
	mica_boot(virtio_argc, virtio_argv);
}
