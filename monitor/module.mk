# monitor/module.mk - build mica-hvt, the host-side KVM monitor.
# build/monitor/mica-hvt is linked statically (faster start-up: no dynamic
# loader); build/monitor-san/mica-hvt is an ASan+UBSan twin for tests that
# feed the monitor hostile input (it runs under the seccomp filter too).
# The page-table builder and the crash report wording are shared with the
# guests (platform/guest).
MONITOR_SRCS := $(wildcard monitor/*.c) platform/guest/pagetable.c platform/guest/trapdesc.c
# lib/core/mac.c: the same derived MAC addresses as the tap target.
MONITOR_SRCS += lib/core/mac.c
# platform/tap/tap_link.c: asks a tap whether its link is up (link.c's watcher).
MONITOR_SRCS += platform/tap/tap_link.c
MONITOR_OBJS := $(patsubst %.c,build/monitor/obj/%.o,$(MONITOR_SRCS))
MONITOR_SAN_OBJS := $(patsubst %.c,build/monitor-san/obj/%.o,$(MONITOR_SRCS))

build/monitor/mica-hvt: $(MONITOR_OBJS)
	$(HOST_CC) -o $@ $^ -static -lseccomp

build/monitor/obj/%.o: %.c
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@

build/monitor-san/mica-hvt: $(MONITOR_SAN_OBJS)
	$(HOST_CC) $(SAN_FLAGS) -o $@ $^ -lseccomp

build/monitor-san/obj/%.o: %.c
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) $(SAN_FLAGS) -MMD -MP -c $< -o $@

# The filter itself, exercised in child processes (tests/integration/hvt/seccomp.sh).
build/monitor/seccomp-probe: tests/monitor/seccomp_probe.c monitor/seccomp.c monitor/hvt.h
	$(HOST_CC) $(HOST_CFLAGS) -o $@ tests/monitor/seccomp_probe.c monitor/seccomp.c -lseccomp

ALL += build/monitor/mica-hvt
TEST_DEPS += build/monitor/mica-hvt build/monitor-san/mica-hvt build/monitor/seccomp-probe
CLEAN += build/monitor build/monitor-san
-include $(MONITOR_OBJS:.o=.d) $(MONITOR_SAN_OBJS:.o=.d)
