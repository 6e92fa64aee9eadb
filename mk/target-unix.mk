# mk/target-unix.mk - the `unix` target: a Linux process, kernel sockets.
# A target file defines:
#   TARGET_CC, TARGET_CFLAGS, TARGET_LDFLAGS, TARGET_LDLIBS
#   TARGET_PLATFORM_SRCS  the platform (implements include/mica/platform.h)
#   TARGET_NET_SRCS       what implements include/mica/net.h
#   TARGET_LIBC_SRCS      the C library subset for guests (empty on Linux)
TARGET_CC := $(HOST_CC)
TARGET_CFLAGS := $(HOST_CFLAGS)
TARGET_LDFLAGS :=
TARGET_LDLIBS :=
# image_file.c finds the image's bytes in its file for the sockets' sendfile.
TARGET_PLATFORM_SRCS := $(filter-out platform/unix/net_sockets.c platform/unix/image_file.c,$(wildcard platform/unix/*.c))
TARGET_NET_SRCS := platform/unix/net_sockets.c platform/unix/image_file.c
TARGET_LIBC_SRCS :=
