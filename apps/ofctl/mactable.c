/* mactable.c - the learning switch's MAC table of one datapath: MAC ->
 * port, open addressing with linear probing, growing by doubling up to a
 * maximum; a full table starts over (counted), so memory stays bounded
 * whatever source addresses a host invents. */
#include <mica/libc.h>
#include <mica/err.h>
#include "ofctl.h"

#define MAC_INITIAL 256

static uint32_t mac_hash(const uint8_t m[6])
{
	uint32_t h = 2166136261u;
	for (int i = 0; i < 6; i++)
		h = (h ^ m[i]) * 16777619u;
	return h ^ (h >> 15);
}

int mac_table_init(struct mac_table *t, uint32_t max)
{
	memset(t, 0, sizeof(*t));
	t->e = calloc(MAC_INITIAL, sizeof(*t->e));
	if (!t->e)
		return MICA_ENOMEM;
	t->cap = MAC_INITIAL;
	t->max = max < MAC_INITIAL / 2 ? MAC_INITIAL / 2 : max;
	return MICA_OK;
}

void mac_table_fini(struct mac_table *t)
{
	free(t->e);
	t->e = NULL;
}

static struct mac_entry *slot_for(const struct mac_table *t, const uint8_t mac[6])
{
	uint32_t i = mac_hash(mac) & (t->cap - 1);
	while (t->e[i].used && memcmp(t->e[i].mac, mac, 6) != 0)
		i = (i + 1) & (t->cap - 1);
	return &t->e[i];
}

/* Double the table (or, at the maximum, empty it). */
static void grow(struct mac_table *t)
{
	uint32_t ncap = t->cap * 2;
	struct mac_entry *ne = t->n < t->max ? calloc(ncap, sizeof(*ne)) : NULL;
	if (!ne) {
		memset(t->e, 0, t->cap * sizeof(*t->e));
		t->n = 0;
		t->resets++;
		return;
	}
	struct mac_table old = *t;
	t->e = ne;
	t->cap = ncap;
	for (uint32_t i = 0; i < old.cap; i++)
		if (old.e[i].used)
			*slot_for(t, old.e[i].mac) = old.e[i];
	free(old.e);
}

void mac_learn(struct mac_table *t, const uint8_t mac[6], uint32_t port)
{
	struct mac_entry *e = slot_for(t, mac);
	if (e->used) {
		e->port = port;
		return;
	}
	if ((t->n + 1) * 2 > t->cap) {
		grow(t);
		e = slot_for(t, mac);
	}
	memcpy(e->mac, mac, 6);
	e->used = 1;
	e->port = port;
	t->n++;
}

uint32_t mac_lookup(const struct mac_table *t, const uint8_t mac[6])
{
	const struct mac_entry *e = slot_for(t, mac);
	return e->used ? e->port : 0;
}

uint32_t mac_forget_port(struct mac_table *t, uint32_t port)
{
	struct mac_table old = *t;
	t->e = calloc(old.cap, sizeof(*t->e));
	if (!t->e) {
		t->e = old.e; /* keep the table; the entries age out with the flows */
		return 0;
	}
	t->n = 0;
	uint32_t gone = 0;
	for (uint32_t i = 0; i < old.cap; i++) {
		if (!old.e[i].used)
			continue;
		if (old.e[i].port == port) {
			gone++;
			continue;
		}
		*slot_for(t, old.e[i].mac) = old.e[i];
		t->n++;
	}
	free(old.e);
	return gone;
}
