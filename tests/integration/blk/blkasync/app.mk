# tests/integration/blk/blkasync: asynchronous block requests on every
# target (tests/integration/blk).
APP_SRCS := tests/integration/blk/blkasync/blkasync.c
APP_BLKIFS := disk
