# mk/app.mk - build one app for one target. Called by ./mica:
#   make -f mk/app.mk APP=apps/NAME TARGET=unix OUT=build/unix/NAME [KEY=VALUE...]
# Reads mk/target-$(TARGET).mk and $(APP)/app.mk, which sets:
#   APP_SRCS, APP_LIBS (besides core), APP_USES_NET (1 to link the
#   network backend), APP_NETIFS, APP_BLKIFS (device names), APP_KEYS
#   (build keys it accepts), and may add rules that generate sources into
#   $(OUT)/gen (append generated .c files to APP_GEN_SRCS).
.DEFAULT_GOAL := all
include mk/config.mk
include mk/target-$(TARGET).mk
APP_LIBS :=
APP_USES_NET := 0
APP_NETIFS :=
APP_BLKIFS :=
APP_GEN_SRCS :=
APP_NAME := $(notdir $(APP))
include $(APP)/app.mk

ifeq ($(SAN),1)
TARGET_CFLAGS += $(SAN_FLAGS)
TARGET_LDFLAGS += $(SAN_FLAGS)
endif
ifeq ($(LTO),1)
TARGET_CFLAGS += -flto
TARGET_LDFLAGS += -flto
endif

LIB_SRCS := $(foreach l,core $(APP_LIBS),$(wildcard lib/$(l)/*.c))
NET_SRCS := $(if $(filter 1,$(APP_USES_NET)),$(TARGET_NET_SRCS))
SRCS := $(APP_SRCS) $(LIB_SRCS) $(NET_SRCS) $(TARGET_PLATFORM_SRCS) $(TARGET_LIBC_SRCS)
MANIFEST := $(OUT)/gen/manifest.c
OBJS := $(patsubst %.c,$(OUT)/obj/%.o,$(SRCS)) \
	$(patsubst %.c,%.o,$(APP_GEN_SRCS) $(MANIFEST))
IMAGE := $(OUT)/$(APP_NAME).$(TARGET)

all: $(IMAGE)

# The flags and keys of this build, in a stamp: a change rebuilds everything.
BUILD_FLAGS = $(TARGET_CC) $(TARGET_CFLAGS) $(TARGET_LDFLAGS) $(APP_NETIFS) $(APP_BLKIFS)
$(eval $(call stamp_rule,$(OUT)/flags,BUILD_FLAGS))

$(MANIFEST): $(OUT)/flags tools/gen-manifest.sh
	@mkdir -p $(@D)
	@tools/gen-manifest.sh "$(APP_NETIFS)" "$(APP_BLKIFS)" > $@

$(OUT)/obj/%.o: %.c $(OUT)/flags
	@mkdir -p $(@D)
	$(TARGET_CC) $(TARGET_CFLAGS) -MMD -MP -c $< -o $@

$(OUT)/gen/%.o: $(OUT)/gen/%.c $(OUT)/flags
	$(TARGET_CC) $(TARGET_CFLAGS) -MMD -MP -c $< -o $@

# The objects linked: the image is relinked when one leaves the list too.
$(eval $(call stamp_rule,$(OUT)/objs,OBJS))

$(IMAGE): $(OBJS) $(OUT)/objs
	$(TARGET_CC) $(TARGET_LDFLAGS) -o $@ $(OBJS) $(TARGET_LDLIBS)

.PHONY: all
-include $(OBJS:.o=.d)
