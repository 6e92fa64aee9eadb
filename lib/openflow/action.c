/* action.c - action lists on the wire (1.3 and 1.0) and 1.3 instructions:
 * decoded into struct of_actions with every length and argument checked,
 * and encoded back. One table, so the only instructions are apply- and
 * write-actions (both run at the end of the lookup) and clear-actions. */
#include "of_impl.h"

enum {
	A13_OUTPUT = 0,
	A13_PUSH_VLAN = 17,
	A13_POP_VLAN = 18,
	A13_SET_FIELD = 25,
	A10_OUTPUT = 0,
	A10_SET_VLAN_VID = 1,
	A10_SET_VLAN_PCP = 2,
	A10_STRIP_VLAN = 3,
	A10_SET_DL_SRC = 4,
	A10_SET_DL_DST = 5,
	I13_GOTO_TABLE = 1,
	I13_WRITE_ACTIONS = 3,
	I13_APPLY_ACTIONS = 4,
	I13_CLEAR_ACTIONS = 5,
};

static bool port_ok(uint32_t port)
{
	return port != 0 && port != OFPP_ANY && (port < OFPP_MAX || port >= OFPP_IN_PORT);
}

static int output_action(struct of_action *a, uint32_t port, uint16_t max_len, struct of_msg *m)
{
	if (!port_ok(port))
		return of_fail(m, OFPET_BAD_ACTION, OFPBAC_BAD_OUT_PORT);
	a->type = OF_ACT_OUTPUT;
	a->port = port;
	a->max_len = max_len;
	return MICA_OK;
}

static int action13(const uint8_t *p, uint16_t type, uint16_t len, struct of_action *a, struct of_msg *m)
{
	switch (type) {
	case A13_OUTPUT:
		if (len != 16)
			return of_fail(m, OFPET_BAD_ACTION, OFPBAC_BAD_LEN);
		return output_action(a, rd32(p + 4), rd16(p + 8), m);
	case A13_PUSH_VLAN:
		if (len != 8)
			return of_fail(m, OFPET_BAD_ACTION, OFPBAC_BAD_LEN);
		if (rd16(p + 4) != 0x8100 && rd16(p + 4) != 0x88a8)
			return of_fail(m, OFPET_BAD_ACTION, OFPBAC_BAD_ARGUMENT);
		a->type = OF_ACT_PUSH_VLAN;
		a->value = rd16(p + 4);
		return MICA_OK;
	case A13_POP_VLAN:
		if (len != 8)
			return of_fail(m, OFPET_BAD_ACTION, OFPBAC_BAD_LEN);
		a->type = OF_ACT_POP_VLAN;
		return MICA_OK;
	case A13_SET_FIELD: return of_oxm_set_field(p + 4, len - 4u, a, m);
	default: return of_fail(m, OFPET_BAD_ACTION, OFPBAC_BAD_TYPE);
	}
}

static int action10(const uint8_t *p, uint16_t type, uint16_t len, struct of_action *a, struct of_msg *m)
{
	uint16_t want = (type == A10_SET_DL_SRC || type == A10_SET_DL_DST) ? 16 : 8;
	if (type <= A10_SET_DL_DST && len != want)
		return of_fail(m, OFPET_BAD_ACTION, OFPBAC_BAD_LEN);
	switch (type) {
	case A10_OUTPUT: return output_action(a, of_port_from10(rd16(p + 4)), rd16(p + 6), m);
	case A10_SET_VLAN_VID:
		if (rd16(p + 4) > 0xfff)
			return of_fail(m, OFPET_BAD_ACTION, OFPBAC_BAD_ARGUMENT);
		a->type = OF_ACT_SET_VLAN_VID, a->value = rd16(p + 4);
		return MICA_OK;
	case A10_SET_VLAN_PCP:
		if (p[4] > 7)
			return of_fail(m, OFPET_BAD_ACTION, OFPBAC_BAD_ARGUMENT);
		a->type = OF_ACT_SET_VLAN_PCP, a->value = p[4];
		return MICA_OK;
	case A10_STRIP_VLAN: a->type = OF_ACT_POP_VLAN; return MICA_OK;
	case A10_SET_DL_SRC:
	case A10_SET_DL_DST:
		a->type = type == A10_SET_DL_SRC ? OF_ACT_SET_ETH_SRC : OF_ACT_SET_ETH_DST;
		memcpy(a->mac, p + 4, 6);
		return MICA_OK;
	default: return of_fail(m, OFPET_BAD_ACTION, OFPBAC_BAD_TYPE);
	}
}

typedef int (*action_fn)(const uint8_t *p, uint16_t type, uint16_t len, struct of_action *a,
                         struct of_msg *m);

/* Walk a list of actions (type, len TLVs, each a multiple of 8 long). */
static int actions_decode(const uint8_t *p, size_t len, struct of_actions *acts, struct of_msg *m,
                          action_fn fn)
{
	for (size_t off = 0; off < len;) {
		if (len - off < 8)
			return of_fail(m, OFPET_BAD_ACTION, OFPBAC_BAD_LEN);
		uint16_t type = rd16(p + off), alen = rd16(p + off + 2);
		if (alen < 8 || alen % 8 || alen > len - off)
			return of_fail(m, OFPET_BAD_ACTION, OFPBAC_BAD_LEN);
		if (acts->n == OF_MAX_ACTIONS)
			return of_fail(m, OFPET_BAD_ACTION, OFPBAC_TOO_MANY);
		struct of_action *a = &acts->a[acts->n];
		memset(a, 0, sizeof(*a));
		int rc = fn(p + off, type, alen, a, m);
		if (rc)
			return rc;
		acts->n++;
		off += alen;
	}
	return MICA_OK;
}

int of_actions13_decode(const uint8_t *p, size_t len, struct of_actions *acts, struct of_msg *m)
{
	return actions_decode(p, len, acts, m, action13);
}

int of_actions10_decode(const uint8_t *p, size_t len, struct of_actions *acts, struct of_msg *m)
{
	return actions_decode(p, len, acts, m, action10);
}

int of_instructions_decode(const uint8_t *p, size_t len, struct of_actions *acts, struct of_msg *m)
{
	acts->n = 0;
	for (size_t off = 0; off < len;) {
		if (len - off < 8)
			return of_fail(m, OFPET_BAD_INSTRUCTION, OFPBIC_BAD_LEN);
		uint16_t type = rd16(p + off), ilen = rd16(p + off + 2);
		if (ilen < 8 || ilen % 8 || ilen > len - off)
			return of_fail(m, OFPET_BAD_INSTRUCTION, OFPBIC_BAD_LEN);
		if (type == I13_APPLY_ACTIONS || type == I13_WRITE_ACTIONS) {
			int rc = of_actions13_decode(p + off + 8, ilen - 8u, acts, m);
			if (rc)
				return rc;
		} else if (type == I13_CLEAR_ACTIONS) {
			if (ilen != 8)
				return of_fail(m, OFPET_BAD_INSTRUCTION, OFPBIC_BAD_LEN);
		} else if (type == I13_GOTO_TABLE) {
			return of_fail(m, OFPET_BAD_INSTRUCTION, OFPBIC_UNSUP_INST);
		} else {
			return of_fail(m, OFPET_BAD_INSTRUCTION, OFPBIC_UNKNOWN_INST);
		}
		off += ilen;
	}
	return MICA_OK;
}

static size_t action_len(uint8_t version, const struct of_action *a)
{
	if (version == OF_VERSION_10)
		return (a->type == OF_ACT_SET_ETH_SRC || a->type == OF_ACT_SET_ETH_DST) ? 16 : 8;
	switch (a->type) {
	case OF_ACT_OUTPUT: return 16;
	case OF_ACT_PUSH_VLAN:
	case OF_ACT_POP_VLAN: return 8;
	default: return of_set_field_len(a);
	}
}

size_t of_actions_len(uint8_t version, const struct of_actions *acts)
{
	size_t len = 0;
	for (unsigned i = 0; i < acts->n; i++)
		len += action_len(version, &acts->a[i]);
	return len;
}

static void action10_encode(uint8_t *p, const struct of_action *a)
{
	static const uint8_t type10[] = {
	    [OF_ACT_OUTPUT] = A10_OUTPUT,
	    [OF_ACT_SET_ETH_SRC] = A10_SET_DL_SRC,
	    [OF_ACT_SET_ETH_DST] = A10_SET_DL_DST,
	    [OF_ACT_PUSH_VLAN] = A10_SET_VLAN_VID,
	    [OF_ACT_POP_VLAN] = A10_STRIP_VLAN,
	    [OF_ACT_SET_VLAN_VID] = A10_SET_VLAN_VID,
	    [OF_ACT_SET_VLAN_PCP] = A10_SET_VLAN_PCP,
	};
	wr16(p, type10[a->type]);
	switch (a->type) {
	case OF_ACT_OUTPUT: wr16(p + 4, of_port_to10(a->port)), wr16(p + 6, a->max_len); break;
	case OF_ACT_SET_ETH_SRC:
	case OF_ACT_SET_ETH_DST: memcpy(p + 4, a->mac, 6); break;
	case OF_ACT_SET_VLAN_VID: wr16(p + 4, a->value); break;
	case OF_ACT_SET_VLAN_PCP: p[4] = (uint8_t)a->value; break;
	default: break;
	}
}

static void action13_encode(uint8_t *p, const struct of_action *a)
{
	switch (a->type) {
	case OF_ACT_OUTPUT: wr16(p, A13_OUTPUT), wr32(p + 4, a->port), wr16(p + 8, a->max_len); break;
	case OF_ACT_PUSH_VLAN: wr16(p, A13_PUSH_VLAN), wr16(p + 4, a->value); break;
	case OF_ACT_POP_VLAN: wr16(p, A13_POP_VLAN); break;
	default: wr16(p, A13_SET_FIELD), of_set_field_encode(p + 4, a); break;
	}
}

void of_actions_encode(uint8_t version, uint8_t *p, const struct of_actions *acts)
{
	for (unsigned i = 0; i < acts->n; i++) {
		size_t len = action_len(version, &acts->a[i]);
		if (version == OF_VERSION_10)
			action10_encode(p, &acts->a[i]);
		else
			action13_encode(p, &acts->a[i]);
		wr16(p + 2, (uint16_t)len);
		p += len;
	}
}

size_t of_instructions_len(const struct of_actions *acts)
{
	return acts->n ? 8 + of_actions_len(OF_VERSION_13, acts) : 0;
}

void of_instructions_encode(uint8_t *p, const struct of_actions *acts)
{
	if (!acts->n)
		return;
	wr16(p, I13_APPLY_ACTIONS);
	wr16(p + 2, (uint16_t)of_instructions_len(acts));
	of_actions_encode(OF_VERSION_13, p + 8, acts);
}
