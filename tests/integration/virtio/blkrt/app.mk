# tests/integration/virtio/blkrt: a virtio-blk round trip (block.sh).
APP_SRCS := tests/integration/virtio/blkrt/blkrt.c
APP_BLKIFS := disk
