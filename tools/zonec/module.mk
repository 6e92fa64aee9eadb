# tools/zonec/module.mk - the zone compiler (a host program). It links the
# DNS library's names and answering engine, which also build its memo.
ZONEC := build/tools/zonec
ZONEC_DNS_SRCS := lib/dns/wire.c lib/dns/lookup.c lib/dns/answer.c lib/dns/encode.c lib/dns/denial.c \
	lib/dns/nsec3.c lib/dns/sha1.c lib/dns/compress.c lib/dns/memo.c
ZONEC_SRCS := $(wildcard tools/zonec/*.c) $(ZONEC_DNS_SRCS)
ZONEC_OBJS := $(patsubst %.c,build/tools/zonec-obj/%.o,$(ZONEC_SRCS))
ALL += $(ZONEC)
TEST_DEPS += $(ZONEC)

build/tools/zonec-obj/%.o: %.c
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@

# Stamps of the lists (stamp_rule, mk/config.mk): a source that leaves one relinks.
$(eval $(call stamp_rule,build/tools/zonec-objs,ZONEC_OBJS))
$(eval $(call stamp_rule,build/fuzz/zonec-srcs,ZONEC_FUZZ_SRCS))
$(ZONEC): $(ZONEC_OBJS) build/tools/zonec-objs
	$(HOST_CC) -o $@ $(ZONEC_OBJS)

-include $(ZONEC_OBJS:.o=.d)

# libFuzzer target for the parser, builder, memo and emitter: `make fuzz-zonec`.
ZONEC_FUZZ := build/fuzz/zonec_fuzz
ZONEC_FUZZ_SRCS := tests/fuzz/zonec/fuzz_zonec.c $(filter-out tools/zonec/main.c,$(wildcard tools/zonec/*.c)) \
	$(ZONEC_DNS_SRCS)
$(ZONEC_FUZZ): $(ZONEC_FUZZ_SRCS) $(wildcard tools/zonec/*.h lib/dns/*.h) include/mica/dns.h build/fuzz/zonec-srcs
	@mkdir -p $(@D)
	clang -std=c11 -g -O1 -Iinclude -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -o $@ $(ZONEC_FUZZ_SRCS)
TEST_DEPS += $(ZONEC_FUZZ)
fuzz-zonec: $(ZONEC_FUZZ)
.PHONY: fuzz-zonec
