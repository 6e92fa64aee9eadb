# bench/blkbench: the block layer's microbenchmark (bench/storage.sh):
# sequential or random reads or writes of one block size through the
# asynchronous block layer, several in flight, timed.
#   ./mica build bench/blkbench -t unix
#   build/unix/blkbench/blkbench.unix --block:disk=FILE --rw=randread --bs=4 --depth=16 --mib=256
APP_SRCS := bench/blkbench/blkbench.c
APP_BLKIFS := disk
