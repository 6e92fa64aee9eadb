# mk/target-virtio.mk - the `virtio` target: a KVM guest that standard
# hypervisors boot (QEMU microvm and q35, Firecracker's device model)
# through the PVH entry, with virtio-net, virtio-blk and virtio-rng over
# virtio-mmio or virtio-pci. Compiled exactly like hvt (the same guest
# flags and libc, from mk/target-hvt.mk); only the platform and the linker
# script differ: platform/virtio with the shared guest core platform/guest,
# linked by platform/virtio/virtio.ld. Run it with tools/run-virtio.sh (what
# `./mica run -t virtio` does). See docs/virtio.md.
include mk/target-hvt.mk
TARGET_LDFLAGS := $(subst platform/hvt/guest.ld,platform/virtio/virtio.ld,$(TARGET_LDFLAGS))
TARGET_PLATFORM_SRCS := $(wildcard platform/virtio/*.c platform/guest/*.c)
