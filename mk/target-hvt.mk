# mk/target-hvt.mk - the `hvt` target: a KVM guest under mica-hvt.
# Freestanding: no host headers or libc; lib/libc provides the C subset and
# platform/hvt the platform. The image is a static ELF linked by
# platform/hvt/guest.ld (text, rodata, data on their own pages) that
# keeps the device manifest section for the monitor. Run it with
# tools/run-hvt.sh (what `./mica run -t hvt` does).
TARGET_CC := $(HOST_CC)
TARGET_CFLAGS := -std=c11 $(WARN) -Iinclude -Os -g -fno-strict-aliasing \
	-ffreestanding -nostdinc -isystem $(shell $(HOST_CC) -print-file-name=include) \
	-fno-pic -fno-pie -mno-red-zone -fno-stack-protector -mcmodel=small \
	-ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables \
	-fno-tree-loop-distribute-patterns -mgeneral-regs-only
TARGET_LDFLAGS := -nostdlib -static -no-pie -Wl,--gc-sections -Wl,-T,platform/hvt/guest.ld \
	-Wl,-n -Wl,--build-id=none -Wl,-z,noexecstack
TARGET_LDLIBS := $(shell $(HOST_CC) -print-libgcc-file-name)
TARGET_PLATFORM_SRCS := $(wildcard platform/hvt/*.c platform/guest/*.c)
TARGET_NET_SRCS := $(wildcard lib/net/*.c)
TARGET_LIBC_SRCS := $(wildcard lib/libc/*.c)
