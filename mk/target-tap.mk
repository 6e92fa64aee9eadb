# mk/target-tap.mk - the `tap` target: a Linux process running Mica's own
# network stack (lib/net) over a tap device (--net:NAME=TAPIF). The unix
# platform (clock, console, poll, memory, block files) without its sockets
# backend and device stubs, plus platform/tap. See docs/net.md.
TARGET_CC := $(HOST_CC)
TARGET_CFLAGS := $(HOST_CFLAGS)
TARGET_LDFLAGS :=
TARGET_LDLIBS :=
TARGET_PLATFORM_SRCS := $(filter-out platform/unix/net_sockets.c platform/unix/image_file.c platform/unix/devices.c,$(wildcard platform/unix/*.c)) \
	$(wildcard platform/tap/*.c)
TARGET_NET_SRCS := $(wildcard lib/net/*.c)
TARGET_LIBC_SRCS :=
