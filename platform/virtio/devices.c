/* devices.c - the virtio devices found at boot, and which of them backs
 * each device the app declared (APP_NETIFS, APP_BLKIFS).
 *
 * Discovery (mmio.c, pci.c) registers devices in the order the hypervisor
 * lists them, which is the order of QEMU's -device options. Declared
 * devices take the devices of their kind in declaration order, unless a
 * boot argument names one: --net:NAME=N or --net:NAME=MAC, --block:NAME=N
 * (N counts devices of that kind from 0 in discovery order). A declared
 * device with no virtio device to back it stops the guest at boot with
 * exit code 2, as mica-hvt refuses to start without it. */
#include <mica/app.h>
#include <mica/args.h>
#include <mica/libc.h>
#include "virtio.h"

#define MAX_DECLARED 16

static struct virtio_dev devs[VIRTIO_MAX_DEVS];
static unsigned ndevs;

struct declared {
	const char *name;
	uint32_t id;
	struct virtio_dev *dev;
};
static struct declared declared[MAX_DECLARED];
static unsigned ndeclared;

static const struct mica_arg_spec virtio_specs[] = {
    {"net:", MICA_ARG_STR, NULL,
     "back network device NAME with virtio-net device N (0, 1, ... in the hypervisor's order) or the one "
     "with MAC aa:bb:cc:dd:ee:ff",
     0, 0},
    {"block:", MICA_ARG_STR, NULL, "back block device NAME with virtio-blk device N (0, 1, ...)", 0, 0},
};
const struct mica_arg_table mica_platform_args = {"platform (virtio)", virtio_specs,
                                                  MICA_ARRAY_LEN(virtio_specs)};

struct virtio_dev *virtio_dev_add(void)
{
	if (ndevs == VIRTIO_MAX_DEVS)
		return NULL;
	struct virtio_dev *d = &devs[ndevs];
	d->index = (uint8_t)ndevs;
	d->vector = (uint8_t)(VEC_DEV_BASE + ndevs);
	ndevs++;
	return d;
}

unsigned virtio_dev_count(void)
{
	return ndevs;
}

struct virtio_dev *virtio_dev_at(unsigned i)
{
	return i < ndevs ? &devs[i] : NULL;
}

struct virtio_dev *virtio_dev_nth(uint32_t id, unsigned n)
{
	for (unsigned i = 0; i < ndevs; i++)
		if (devs[i].device_id == id && n-- == 0)
			return &devs[i];
	return NULL;
}

static const char *kind_name(uint32_t id)
{
	return id == VIRTIO_ID_NET ? "net" : "block";
}

/* "--net:NAME=" or "--block:NAME=" among the boot arguments, or NULL. */
static const char *named_by_arg(const char *name, uint32_t id)
{
	char key[64];
	snprintf(key, sizeof(key), "--%s:%s=", kind_name(id), name);
	size_t klen = strlen(key);
	for (int i = 1; i < virtio_argc; i++)
		if (strncmp(virtio_argv[i], key, klen) == 0)
			return virtio_argv[i] + klen;
	return NULL;
}

static bool parse_mac(const char *s, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++) {
		unsigned v = 0;
		for (int k = 0; k < 2; k++, s++) {
			char c = *s;
			unsigned x = c >= '0' && c <= '9'                 ? (unsigned)(c - '0')
			             : (c | 32) >= 'a' && (c | 32) <= 'f' ? (unsigned)((c | 32) - 'a' + 10)
			                                                  : 16u;
			if (x > 15)
				return false;
			v = v * 16 + x;
		}
		mac[i] = (uint8_t)v;
		if (*s != (i < 5 ? ':' : '\0'))
			return false;
		if (i < 5)
			s++;
	}
	return true;
}

static _Noreturn void bad_arg(const char *name, uint32_t id, const char *value, const char *why)
{
	char msg[160];
	snprintf(msg, sizeof(msg), "%s: bad boot argument '--%s:%s=%s': %s\n", mica_app.name, kind_name(id),
	         name, value, why);
	virtio_console_write(msg, strlen(msg));
	virtio_exit(VIRTIO_EXIT_USAGE);
}

/* The device a boot argument names (NULL: it names none that exists). */
static struct virtio_dev *by_arg(const char *name, uint32_t id, const char *value)
{
	uint8_t mac[6];
	if (id == VIRTIO_ID_NET && parse_mac(value, mac)) {
		struct virtio_dev *d;
		for (unsigned n = 0; (d = virtio_dev_nth(id, n)) != NULL; n++) {
			bool same = true;
			for (unsigned k = 0; k < 6; k++)
				same = same && vdev_cfg8(d, k) == mac[k];
			if (same)
				return d;
		}
		return NULL;
	}
	unsigned n = 0;
	const char *p = value;
	for (; *p >= '0' && *p <= '9' && n < 1000; p++)
		n = n * 10 + (unsigned)(*p - '0');
	if (p == value || *p)
		bad_arg(name, id, value,
		        id == VIRTIO_ID_NET ? "expected a device number or a MAC address"
		                            : "expected a device number");
	return virtio_dev_nth(id, n);
}

static void declare(const char *const *names, uint32_t id)
{
	for (; names && *names && ndeclared < MAX_DECLARED; names++)
		declared[ndeclared++] = (struct declared){*names, id, NULL};
}

static _Noreturn void missing(const char *name, uint32_t id, const char *value)
{
	const char *k = kind_name(id), *qk = id == VIRTIO_ID_NET ? "net" : "blk";
	if (value)
		virtio_say("the image needs device '%s': --%s:%s=%s names no virtio-%s device", name, k, name,
		           value, qk);
	else
		virtio_say("the image needs device '%s': attach a virtio-%s device (QEMU: -device "
		           "virtio-%s-device on microvm, virtio-%s-pci on q35)",
		           name, qk, qk, qk);
	virtio_exit(VIRTIO_EXIT_SETUP);
}

void virtio_devices_match(void)
{
	declare(mica_manifest.netifs, VIRTIO_ID_NET);
	declare(mica_manifest.blkifs, VIRTIO_ID_BLOCK);
	for (unsigned i = 0; i < ndeclared; i++) { /* first those named by an argument */
		const char *value = named_by_arg(declared[i].name, declared[i].id);
		if (!value)
			continue;
		struct virtio_dev *d = by_arg(declared[i].name, declared[i].id, value);
		if (!d || d->claimed)
			missing(declared[i].name, declared[i].id, value);
		d->claimed = true;
		declared[i].dev = d;
	}
	for (unsigned i = 0; i < ndeclared; i++) { /* then the rest, in order */
		for (unsigned n = 0; !declared[i].dev; n++) {
			struct virtio_dev *d = virtio_dev_nth(declared[i].id, n);
			if (!d)
				missing(declared[i].name, declared[i].id, NULL);
			if (!d->claimed) {
				d->claimed = true;
				declared[i].dev = d;
			}
		}
	}
}

struct virtio_dev *virtio_dev_for(const char *name, uint32_t id)
{
	for (unsigned i = 0; i < ndeclared; i++)
		if (declared[i].id == id && strcmp(declared[i].name, name) == 0)
			return declared[i].dev;
	return NULL;
}
