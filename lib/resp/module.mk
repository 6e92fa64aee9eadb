# lib/resp/module.mk - libFuzzer target for the RESP2 request parser,
# tests/fuzz/resp: `make fuzz-resp` (run by tests/integration/kv/fuzz-resp.sh).
FUZZ_RESP := build/fuzz/resp
$(FUZZ_RESP): tests/fuzz/resp/fuzz_resp.c $(wildcard lib/resp/*.c) include/mica/resp.h
	@mkdir -p $(@D)
	clang -std=c11 -g -O1 -Iinclude -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-Wall -Wextra -Werror -Wno-unused-parameter -o $@ tests/fuzz/resp/fuzz_resp.c $(wildcard lib/resp/*.c)
fuzz-resp: $(FUZZ_RESP)
TEST_DEPS += $(FUZZ_RESP)
.PHONY: fuzz-resp
