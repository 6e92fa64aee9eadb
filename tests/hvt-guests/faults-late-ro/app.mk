# tests/hvt-guests/faults-late-ro: the faults guest linked with its
# read-only data after its writable data (late-ro.ld), so the seal test
# (tests/integration/hvt/seal.sh) sees a non-writable segment above a
# writable one.
APP_SRCS := tests/hvt-guests/faults/faults.c
TARGET_LDFLAGS := $(subst platform/hvt/guest.ld,tests/hvt-guests/faults-late-ro/late-ro.ld,$(TARGET_LDFLAGS))
