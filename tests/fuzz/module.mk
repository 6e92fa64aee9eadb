# tests/fuzz/module.mk - libFuzzer targets (clang -fsanitize=fuzzer with
# ASan+UBSan). `make fuzz` builds them; tests/integration/*/fuzz-*.sh run
# each for a bounded time inside `make test`.
FUZZ_CC ?= clang
FUZZ_FLAGS := -std=c11 -g -O1 -Iinclude -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -Wall -Wextra -Werror -Wno-unused-parameter
# The libraries and the Linux-process platform, without entry point, boot,
# sockets backend and block files (the fuzzers make their own loop).
FUZZ_LIB_SRCS := $(filter-out lib/core/boot.c,$(wildcard lib/core/*.c)) $(wildcard lib/net/*.c) \
	$(filter-out platform/unix/main.c platform/unix/net_sockets.c platform/unix/blkif_file.c platform/unix/blk_uring.c,$(wildcard platform/unix/*.c))

build/fuzz/net_frames: tests/fuzz/net/fuzz_frames.c $(FUZZ_LIB_SRCS) $(wildcard lib/net/*.h include/mica/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ tests/fuzz/net/fuzz_frames.c $(FUZZ_LIB_SRCS)

fuzz: build/fuzz/net_frames
TEST_DEPS += build/fuzz/net_frames
.PHONY: fuzz

# TCP's state machine, driven by a scripted peer (tests/fuzz/tcp/fuzz_tcp.c).
build/fuzz/tcp: tests/fuzz/tcp/fuzz_tcp.c $(FUZZ_LIB_SRCS) $(wildcard lib/net/*.h include/mica/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ tests/fuzz/tcp/fuzz_tcp.c $(FUZZ_LIB_SRCS)
fuzz: build/fuzz/tcp
TEST_DEPS += build/fuzz/tcp
