# mk/unit.mk - host unit tests.
# Every tests/unit/LIB/test_*.c becomes build/unit/LIB/test_* (and a
# sanitizer twin under build/unit-san/), linked against one archive of all
# libraries (lib/*, except the guests' libc) and the unix platform without
# its entry point and sockets backend. A test that needs more lists extra
# sources in tests/unit/LIB/unit.mk as UNIT_EXTRA_<test_name>.
UNIT_LIB_SRCS := $(filter-out lib/libc/%,$(wildcard lib/*/*.c)) \
	$(filter-out platform/unix/main.c platform/unix/net_sockets.c,$(wildcard platform/unix/*.c))
UNIT_TEST_SRCS := $(wildcard tests/unit/*/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,build/unit/%,$(UNIT_TEST_SRCS))
UNIT_SAN_BINS := $(patsubst tests/unit/%.c,build/unit-san/%,$(UNIT_TEST_SRCS))
-include $(wildcard tests/unit/*/unit.mk)

build/unit/obj/%.o: %.c
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -Itests/unit -MMD -MP -c $< -o $@
build/unit-san/obj/%.o: %.c
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) $(SAN_FLAGS) -Itests/unit -MMD -MP -c $< -o $@

# The archives are rebuilt when a source leaves the list too (stamp_rule).
$(eval $(call stamp_rule,build/unit/lib-srcs,UNIT_LIB_SRCS))
build/unit/libmica.a: $(patsubst %.c,build/unit/obj/%.o,$(UNIT_LIB_SRCS)) build/unit/lib-srcs
	@rm -f $@; ar rcs $@ $(filter %.o,$^)
build/unit-san/libmica.a: $(patsubst %.c,build/unit-san/obj/%.o,$(UNIT_LIB_SRCS)) build/unit/lib-srcs
	@rm -f $@; ar rcs $@ $(filter %.o,$^)

.SECONDEXPANSION:
build/unit/%: build/unit/obj/tests/unit/%.o $$(addsuffix .o,$$(addprefix build/unit/obj/,$$(basename $$(UNIT_EXTRA_$$(notdir $$*))))) build/unit/libmica.a
	@mkdir -p $(@D)
	$(HOST_CC) -o $@ $^ -lm
build/unit-san/%: build/unit-san/obj/tests/unit/%.o $$(addsuffix .o,$$(addprefix build/unit-san/obj/,$$(basename $$(UNIT_EXTRA_$$(notdir $$*))))) build/unit-san/libmica.a
	@mkdir -p $(@D)
	$(HOST_CC) $(SAN_FLAGS) -o $@ $^ -lm

unit: $(UNIT_BINS)
unit-san: $(UNIT_SAN_BINS)
.PHONY: unit unit-san
.SECONDARY:
-include $(wildcard build/unit/obj/*/*/*.d build/unit/obj/*/*/*/*.d build/unit-san/obj/*/*/*.d build/unit-san/obj/*/*/*/*.d)
