# mk/config.mk - compiler and flags shared by every build.
CC ?= cc
HOST_CC := $(CC)
WARN := -Wall -Wextra -Werror -Wno-unused-parameter
COMMON_CFLAGS := -std=c11 $(WARN) -Iinclude -g -O2 -fno-strict-aliasing
HOST_CFLAGS := $(COMMON_CFLAGS) -D_GNU_SOURCE
# Sanitizer build: SAN=1 (AddressSanitizer + UBSan, abort on the first error).
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# Freestanding flags: what every lib/ file must compile with (see
# tools/check-freestanding.sh). Only the compiler's own headers are visible.
FREESTANDING_CFLAGS := -std=c11 $(WARN) -ffreestanding -nostdinc \
	-isystem $(shell $(CC) -print-file-name=include) -Iinclude -O2
# A stamp: `$(eval $(call stamp_rule,FILE,VAR))` keeps FILE holding the
# words of variable VAR, rewritten only when they differ from the last
# make's. A link depending on FILE is redone when VAR loses a member (a
# source removed from a list, which file times alone do not show), and
# only then.
define stamp_rule
$(1): FORCE
	@mkdir -p $$(@D)
	@echo '$$($(2))' > $$@.new
	@cmp -s $$@.new $$@ && rm $$@.new || mv $$@.new $$@
endef
# A target that is always out of date: what depends on it is redone each
# make (a stamp's recipe, which then leaves the file alone if it agrees).
FORCE:
.PHONY: FORCE
