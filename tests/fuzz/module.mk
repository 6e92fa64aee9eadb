# tests/fuzz/module.mk - libFuzzer targets (clang -fsanitize=fuzzer with
# ASan+UBSan). `make fuzz` builds them; tests/integration/*/fuzz-*.sh run
# each for a bounded time inside `make test`.
FUZZ_CC ?= clang
FUZZ_FLAGS := -std=c11 -g -O1 -Iinclude -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -Wall -Wextra -Werror -Wno-unused-parameter
# The libraries and the Linux-process platform, without entry point, boot,
# sockets backend (and its image_file.c) and block files (the fuzzers make
# their own loop).
FUZZ_LIB_SRCS := $(filter-out lib/core/boot.c,$(wildcard lib/core/*.c)) $(wildcard lib/net/*.c) \
	$(filter-out platform/unix/main.c platform/unix/net_sockets.c platform/unix/image_file.c platform/unix/blkif_file.c \
	platform/unix/blk_uring.c,$(wildcard platform/unix/*.c))

# The list of those sources, kept in a stamp: a fuzzer is rebuilt when one
# leaves the list too (see stamp_rule in mk/config.mk).
$(eval $(call stamp_rule,build/fuzz/lib-srcs,FUZZ_LIB_SRCS))

build/fuzz/net_frames: tests/fuzz/net/fuzz_frames.c $(FUZZ_LIB_SRCS) build/fuzz/lib-srcs $(wildcard lib/net/*.h include/mica/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ tests/fuzz/net/fuzz_frames.c $(FUZZ_LIB_SRCS)

fuzz: build/fuzz/net_frames
TEST_DEPS += build/fuzz/net_frames
.PHONY: fuzz

# TCP's state machine, driven by a scripted peer (tests/fuzz/tcp/fuzz_tcp.c).
build/fuzz/tcp: tests/fuzz/tcp/fuzz_tcp.c $(FUZZ_LIB_SRCS) build/fuzz/lib-srcs $(wildcard lib/net/*.h include/mica/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ tests/fuzz/tcp/fuzz_tcp.c $(FUZZ_LIB_SRCS)
fuzz: build/fuzz/tcp
TEST_DEPS += build/fuzz/tcp

# A library's own fuzzer: build/fuzz/NAME from tests/fuzz/NAME/fuzz_NAME.c,
# the library's sources and lib/core/civil.c; `make fuzz-NAME` builds it.
#   $(call lib_fuzzer,NAME,LIBRARY,HEADERS)
define lib_fuzzer
FUZZ_SRCS_$(1) := $(wildcard lib/$(2)/*.c)
$(call stamp_rule,build/fuzz/$(1)-srcs,FUZZ_SRCS_$(1))
build/fuzz/$(1): tests/fuzz/$(1)/fuzz_$(1).c lib/core/civil.c $$(FUZZ_SRCS_$(1)) build/fuzz/$(1)-srcs $(wildcard lib/$(2)/*.h) $(3)
	@mkdir -p $$(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $$@ tests/fuzz/$(1)/fuzz_$(1).c $$(FUZZ_SRCS_$(1)) lib/core/civil.c
fuzz-$(1): build/fuzz/$(1)
fuzz: build/fuzz/$(1)
TEST_DEPS += build/fuzz/$(1)
.PHONY: fuzz-$(1)
endef
$(eval $(call lib_fuzzer,fat,fat,include/mica/fat.h include/mica/blk.h))   # FAT metadata read from disk, then changed
$(eval $(call lib_fuzzer,http,http,include/mica/http.h include/mica/http_site.h)) # parser, fields, site decisions, heads
$(eval $(call lib_fuzzer,resp,resp,include/mica/resp.h)) # the RESP2 request parser
