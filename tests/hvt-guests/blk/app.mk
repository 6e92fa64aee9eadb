# tests/hvt-guests/blk: block device checks for the hvt tests.
APP_SRCS := tests/hvt-guests/blk/blk.c
APP_BLKIFS := disk
