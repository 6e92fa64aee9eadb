# tools/ofbench/module.mk - the OpenFlow controller benchmark (a host
# program, cbench-style), linking lib/openflow's codec; and the codec's
# libFuzzer target (`make fuzz`, run briefly by tests/integration/openflow).
OFBENCH := build/tools/ofbench
OF_CODEC_SRCS := $(filter-out lib/openflow/chan.c,$(wildcard lib/openflow/*.c))
OFBENCH_SRCS := tools/ofbench/ofbench.c $(OF_CODEC_SRCS)
OFBENCH_OBJS := $(patsubst %.c,build/tools/ofbench-obj/%.o,$(OFBENCH_SRCS))
ALL += $(OFBENCH)
TEST_DEPS += $(OFBENCH)

build/tools/ofbench-obj/%.o: %.c
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@

# Stamps of the lists (stamp_rule, mk/config.mk): a source that leaves one relinks.
$(eval $(call stamp_rule,build/tools/ofbench-objs,OFBENCH_OBJS))
$(eval $(call stamp_rule,build/fuzz/openflow-srcs,OF_CODEC_SRCS))
$(OFBENCH): $(OFBENCH_OBJS) build/tools/ofbench-objs
	$(HOST_CC) -o $@ $(OFBENCH_OBJS)

-include $(OFBENCH_OBJS:.o=.d)

build/fuzz/openflow: tests/fuzz/openflow/fuzz_openflow.c $(OF_CODEC_SRCS) $(wildcard lib/openflow/*.h) include/mica/openflow.h \
	build/fuzz/openflow-srcs
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ tests/fuzz/openflow/fuzz_openflow.c $(OF_CODEC_SRCS)
fuzz: build/fuzz/openflow
TEST_DEPS += build/fuzz/openflow
