# tests/unit/dns/unit.mk - the zone parser and memo tests link zonec's parts.
UNIT_EXTRA_test_zparse := tools/zonec/parse.c tools/zonec/build.c
UNIT_EXTRA_test_memo := tools/zonec/parse.c tools/zonec/build.c tools/zonec/memo.c
UNIT_EXTRA_test_server := tools/zonec/parse.c tools/zonec/build.c tools/zonec/memo.c
UNIT_EXTRA_test_rrl := tools/zonec/parse.c tools/zonec/build.c tools/zonec/memo.c
