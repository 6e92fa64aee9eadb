/* devices.c - the devices given at launch, checked against the image.
 *
 * `--net:NAME=TAPIF` and `--block:NAME=FILE` attach devices;
 * `--net-mac:NAME=MAC` sets a net device's MAC (default: derived from NAME
 * and TAPIF, see mica/mac.h). The image's
 * manifest (section .mica.manifest, "net:NAME\0block:NAME\0") lists what
 * it was built to use; a missing, extra or mistyped device is an error
 * before the guest boots. Devices are then ordered as in the manifest: a
 * device's handle is its index there. */
#include <stdio.h>
#include <string.h>
#include <mica/mac.h>
#include "hvt.h"

static const char *kind_name(uint32_t kind)
{
	return kind == MICA_HVT_DEV_NET ? "net" : "block";
}

int hvt_dev_add(struct hvt *h, const char *opt)
{
	uint32_t kind;
	const char *rest;
	if (strncmp(opt, "--net:", 6) == 0) {
		kind = MICA_HVT_DEV_NET;
		rest = opt + 6;
	} else if (strncmp(opt, "--block:", 8) == 0) {
		kind = MICA_HVT_DEV_BLOCK;
		rest = opt + 8;
	} else {
		return -1;
	}
	const char *eq = strchr(rest, '=');
	size_t nlen = eq ? (size_t)(eq - rest) : 0;
	if (!eq || nlen == 0 || nlen >= MICA_HVT_NAME_MAX || eq[1] == '\0')
		hvt_die(HVT_EXIT_SETUP, "%s: expected --%s:NAME=%s", opt, kind_name(kind),
		        kind == MICA_HVT_DEV_NET ? "TAPIF" : "FILE");
	if (h->ndevs == MICA_HVT_MAX_DEVICES)
		hvt_die(HVT_EXIT_SETUP, "too many devices (at most %d)", MICA_HVT_MAX_DEVICES);
	for (unsigned i = 0; i < h->ndevs; i++)
		if (strlen(h->devs[i].name) == nlen && memcmp(h->devs[i].name, rest, nlen) == 0)
			hvt_die(HVT_EXIT_SETUP, "device '%.*s' given twice", (int)nlen, rest);
	struct hvt_dev *d = &h->devs[h->ndevs++];
	memset(d, 0, sizeof(*d));
	memcpy(d->name, rest, nlen);
	d->kind = kind;
	d->arg = eq + 1;
	d->fd = -1;
	return 0;
}

int hvt_dev_mac(struct hvt *h, const char *opt)
{
	if (strncmp(opt, "--net-mac:", 10) != 0)
		return -1;
	const char *rest = opt + 10, *eq = strchr(rest, '=');
	size_t nlen = eq ? (size_t)(eq - rest) : 0;
	if (!eq || nlen == 0 || nlen >= MICA_HVT_NAME_MAX)
		hvt_die(HVT_EXIT_SETUP, "%s: expected --net-mac:NAME=MAC", opt);
	if (h->nmacs == MICA_HVT_MAX_DEVICES)
		hvt_die(HVT_EXIT_SETUP, "too many --net-mac: options (at most %d)", MICA_HVT_MAX_DEVICES);
	if (mica_mac_parse(eq + 1, h->macs[h->nmacs].mac) != 0)
		hvt_die(HVT_EXIT_SETUP, "%s: expected a unicast MAC address like 02:00:00:00:00:01", opt);
	memset(h->macs[h->nmacs].name, 0, MICA_HVT_NAME_MAX);
	memcpy(h->macs[h->nmacs].name, rest, nlen);
	h->nmacs++;
	return 0;
}

/* Give each --net-mac: to its net device; one for no such device is an error. */
static int apply_macs(struct hvt *h)
{
	int rc = 0;
	for (unsigned m = 0; m < h->nmacs; m++) {
		struct hvt_dev *d = NULL;
		for (unsigned i = 0; i < h->ndevs && !d; i++)
			if (h->devs[i].kind == MICA_HVT_DEV_NET &&
			    strcmp(h->devs[i].name, h->macs[m].name) == 0)
				d = &h->devs[i];
		if (!d) {
			hvt_err("--net-mac:%s=...: no net device '%s' is attached (--net:%s=TAPIF)",
			        h->macs[m].name, h->macs[m].name, h->macs[m].name);
			rc = -1;
			continue;
		}
		memcpy(d->mac, h->macs[m].mac, 6);
		d->mac_given = true;
	}
	return rc;
}

/* Which kind the manifest declares for `name`: 0 if not declared. */
static uint32_t declared(const struct hvt_image *img, const char *name, unsigned *pos)
{
	for (unsigned i = 0; i < img->nmanifest; i++) {
		const char *e = img->manifest[i], *colon = strchr(e, ':');
		if (colon && strcmp(colon + 1, name) == 0) {
			*pos = i;
			if (strncmp(e, "net:", 4) == 0)
				return MICA_HVT_DEV_NET;
			if (strncmp(e, "block:", 6) == 0)
				return MICA_HVT_DEV_BLOCK;
		}
	}
	return 0;
}

int hvt_dev_check_manifest(struct hvt *h)
{
	const struct hvt_image *img = &h->img;
	struct hvt_dev sorted[MICA_HVT_MAX_DEVICES];
	bool placed[MICA_HVT_MAX_DEVICES] = {false};
	char list[MICA_HVT_MAX_DEVICES * (MICA_HVT_NAME_MAX + 8)] = "";
	for (unsigned i = 0; i < img->nmanifest; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? " " : "",
		         img->manifest[i]);
	int rc = 0;
	for (unsigned i = 0; i < h->ndevs; i++) {
		unsigned pos = 0;
		uint32_t k = declared(img, h->devs[i].name, &pos);
		if (k == 0) {
			hvt_err("device '%s' (--%s:) is not declared by the image (it declares: %s)",
			        h->devs[i].name, kind_name(h->devs[i].kind),
			        img->nmanifest ? list : "no devices");
			rc = -1;
		} else if (k != h->devs[i].kind) {
			hvt_err("device '%s' is a %s device in the image but was given as --%s:",
			        h->devs[i].name, kind_name(k), kind_name(h->devs[i].kind));
			rc = -1;
		} else {
			sorted[pos] = h->devs[i];
			placed[pos] = true;
		}
	}
	for (unsigned i = 0; i < img->nmanifest; i++) {
		if (!placed[i]) {
			const char *e = img->manifest[i], *colon = strchr(e, ':');
			hvt_err("the image needs device '%s': attach it with --%.*s:%s=%s",
			        colon ? colon + 1 : e, colon ? (int)(colon - e) : 0, e, colon ? colon + 1 : e,
			        strncmp(e, "net:", 4) == 0 ? "TAPIF" : "FILE");
			rc = -1;
		}
	}
	if (rc == 0) {
		memcpy(h->devs, sorted, img->nmanifest * sizeof(sorted[0]));
		h->ndevs = img->nmanifest;
	}
	return apply_macs(h) < 0 ? -1 : rc;
}

int hvt_dev_open_all(struct hvt *h)
{
	for (unsigned i = 0; i < h->ndevs; i++) {
		struct hvt_dev *d = &h->devs[i];
		int rc = d->kind == MICA_HVT_DEV_NET ? hvt_net_open(d) : hvt_block_open(d);
		if (rc < 0)
			return rc;
	}
	return 0;
}
