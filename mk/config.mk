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
