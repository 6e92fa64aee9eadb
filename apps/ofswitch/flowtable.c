/* flowtable.c - the switch's one flow table: flows kept in priority order
 * (highest first, older first among equals) with masked matches, per-flow
 * counters, idle and hard timeouts; FLOW_MOD add / modify / delete and
 * their strict variants. In front of the table sits an exact-match cache
 * (packet key -> flow) that every table change invalidates at once by
 * bumping a generation number, so the common packet costs one hash probe. */
#include <mica/libc.h>
#include <mica/log.h>
#include "ofswitch.h"

int ft_init(struct flow_table *t)
{
	memset(t, 0, sizeof(*t));
	t->cache = calloc(CACHE_SIZE, sizeof(*t->cache));
	t->gen = 1;
	return t->cache ? MICA_OK : MICA_ENOMEM;
}

static uint32_t key_hash(const struct of_key *k)
{
	const uint64_t *w = (const uint64_t *)(const void *)k;
	uint64_t h = 0x9e3779b97f4a7c15ull;
	for (size_t i = 0; i < OF_KEY_WORDS; i++)
		h = (h ^ w[i]) * 0xff51afd7ed558ccdull;
	return (uint32_t)(h ^ (h >> 29));
}

struct flow *ft_lookup(struct flow_table *t, const struct of_key *k)
{
	t->lookups++;
	struct cache_entry *c = &t->cache[key_hash(k) & (CACHE_SIZE - 1)];
	if (c->gen == t->gen && memcmp(&c->key, k, sizeof(*k)) == 0) {
		t->cache_hits++;
		if (c->flow)
			t->matched++;
		return c->flow;
	}
	struct flow *found = NULL;
	for (unsigned i = 0; i < t->n; i++) {
		if (of_key_matches(k, &t->f[i]->match)) {
			found = t->f[i];
			break;
		}
	}
	c->key = *k;
	c->flow = found;
	c->gen = t->gen;
	if (found)
		t->matched++;
	return found;
}

static bool same_match(const struct of_match *a, const struct of_match *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

/* Request match m covers flow match f: every field m constrains, f
 * constrains at least as tightly and to a value m allows. */
static bool covers(const struct of_match *m, const struct of_match *f)
{
	const uint64_t *mk = (const uint64_t *)(const void *)&m->key,
	               *mw = (const uint64_t *)(const void *)&m->mask;
	const uint64_t *fk = (const uint64_t *)(const void *)&f->key,
	               *fw = (const uint64_t *)(const void *)&f->mask;
	for (size_t i = 0; i < OF_KEY_WORDS; i++)
		if ((mw[i] & ~fw[i]) || (fk[i] & mw[i]) != mk[i])
			return false;
	return true;
}

static bool outputs_to(const struct flow *f, uint32_t port)
{
	if (port == OFPP_ANY)
		return true;
	for (unsigned i = 0; i < f->actions.n; i++)
		if (f->actions.a[i].type == OF_ACT_OUTPUT && f->actions.a[i].port == port)
			return true;
	return false;
}

bool ft_selected(const struct flow *f, const struct of_match *m, uint32_t out_port, uint64_t cookie,
                 uint64_t cookie_mask)
{
	return covers(m, &f->match) && outputs_to(f, out_port) && ((f->cookie ^ cookie) & cookie_mask) == 0;
}

static bool strictly(const struct flow *f, const struct of_flow_mod *fm)
{
	return f->priority == fm->priority && same_match(&f->match, &fm->match);
}

static void remove_at(struct ofsw *sw, unsigned i, uint8_t reason, bool notify)
{
	struct flow_table *t = &sw->table;
	struct flow *f = t->f[i];
	if (notify && (f->flags & OFPFF_SEND_FLOW_REM))
		ctl_flow_removed(sw, f, reason);
	memmove(&t->f[i], &t->f[i + 1], (t->n - i - 1) * sizeof(t->f[0]));
	t->n--;
	t->gen++;
	free(f);
}

static uint32_t add_flow(struct ofsw *sw, const struct of_flow_mod *fm)
{
	struct flow_table *t = &sw->table;
	uint64_t now = mica_loop_now(sw->loop);
	for (unsigned i = 0; i < t->n; i++) {
		if (strictly(t->f[i], fm)) { /* replaces the identical flow */
			struct flow *f = t->f[i];
			f->actions = fm->actions;
			f->idle_timeout = fm->idle_timeout, f->hard_timeout = fm->hard_timeout;
			f->flags = fm->flags, f->cookie = fm->cookie;
			f->created = f->used = now;
			f->packets = f->bytes = 0;
			t->gen++;
			return 0;
		}
	}
	if (t->n == FLOW_MAX)
		return (uint32_t)OFPET_FLOW_MOD_FAILED << 16 | OFPFMFC_TABLE_FULL;
	struct flow *f = calloc(1, sizeof(*f));
	if (!f)
		return (uint32_t)OFPET_FLOW_MOD_FAILED << 16 | OFPFMFC_TABLE_FULL;
	f->match = fm->match;
	f->actions = fm->actions;
	f->priority = fm->priority;
	f->idle_timeout = fm->idle_timeout, f->hard_timeout = fm->hard_timeout;
	f->flags = fm->flags, f->cookie = fm->cookie;
	f->created = f->used = now;
	unsigned pos = 0;
	while (pos < t->n && t->f[pos]->priority >= f->priority)
		pos++;
	memmove(&t->f[pos + 1], &t->f[pos], (t->n - pos) * sizeof(t->f[0]));
	t->f[pos] = f;
	t->n++;
	t->gen++;
	return 0;
}

uint32_t ft_flow_mod(struct ofsw *sw, const struct of_flow_mod *fm)
{
	struct flow_table *t = &sw->table;
	if (fm->table_id != 0 && !(fm->table_id == 0xff && fm->command >= OFPFC_DELETE))
		return (uint32_t)OFPET_FLOW_MOD_FAILED << 16 | OFPFMFC_BAD_TABLE_ID;
	bool strict = fm->command == OFPFC_MODIFY_STRICT || fm->command == OFPFC_DELETE_STRICT;
	uint64_t cmask = fm->cookie_mask;
	switch (fm->command) {
	case OFPFC_ADD: return add_flow(sw, fm);
	case OFPFC_MODIFY:
	case OFPFC_MODIFY_STRICT:
		for (unsigned i = 0; i < t->n; i++) {
			struct flow *f = t->f[i];
			if (strict ? strictly(f, fm)
			           : ft_selected(f, &fm->match, OFPP_ANY, fm->cookie, cmask))
				f->actions = fm->actions;
		}
		t->gen++;
		return 0;
	case OFPFC_DELETE:
	case OFPFC_DELETE_STRICT:
		for (unsigned i = t->n; i-- > 0;) {
			const struct flow *f = t->f[i];
			bool sel = strict ? strictly(f, fm) && outputs_to(f, fm->out_port)
			                  : ft_selected(f, &fm->match, fm->out_port, fm->cookie, cmask);
			if (sel)
				remove_at(sw, i, OFPRR_DELETE, true);
		}
		return 0;
	default: return (uint32_t)OFPET_FLOW_MOD_FAILED << 16 | OFPFMFC_BAD_COMMAND;
	}
}

void ft_expire(struct ofsw *sw, uint64_t now)
{
	struct flow_table *t = &sw->table;
	for (unsigned i = t->n; i-- > 0;) {
		const struct flow *f = t->f[i];
		if (f->hard_timeout && now - f->created >= f->hard_timeout * MICA_NS_PER_S)
			remove_at(sw, i, OFPRR_HARD_TIMEOUT, true);
		else if (f->idle_timeout && now - f->used >= f->idle_timeout * MICA_NS_PER_S)
			remove_at(sw, i, OFPRR_IDLE_TIMEOUT, true);
	}
}

void ft_stats_of(const struct ofsw *sw, const struct flow *f, struct of_flow_stats *fs)
{
	uint64_t age = mica_loop_now(sw->loop) - f->created;
	*fs = (struct of_flow_stats){
	    .table_id = 0,
	    .duration_sec = (uint32_t)(age / MICA_NS_PER_S),
	    .duration_nsec = (uint32_t)(age % MICA_NS_PER_S),
	    .priority = f->priority,
	    .idle_timeout = f->idle_timeout,
	    .hard_timeout = f->hard_timeout,
	    .flags = f->flags,
	    .cookie = f->cookie,
	    .packet_count = f->packets,
	    .byte_count = f->bytes,
	    .match = &f->match,
	    .actions = &f->actions,
	};
}
