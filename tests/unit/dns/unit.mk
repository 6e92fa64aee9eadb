# tests/unit/dns/unit.mk - the zone parser and memo tests link zonec's parts.
ZONEC_PARSE_SRCS := tools/zonec/parse.c tools/zonec/rdata.c tools/zonec/rdata_more.c tools/zonec/rrtypes.c \
	tools/zonec/codec.c tools/zonec/build.c tools/zonec/zonemd.c tools/zonec/sha512.c
UNIT_EXTRA_test_zparse := $(ZONEC_PARSE_SRCS)
UNIT_EXTRA_test_memo := $(ZONEC_PARSE_SRCS) tools/zonec/memo.c
UNIT_EXTRA_test_server := $(ZONEC_PARSE_SRCS) tools/zonec/memo.c
UNIT_EXTRA_test_rrl := $(ZONEC_PARSE_SRCS) tools/zonec/memo.c
