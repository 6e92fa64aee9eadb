# lib/http/module.mk - libFuzzer target for lib/http (parser, field
# values, site decisions, response heads), tests/fuzz/http: `make fuzz-http`.
FUZZ_HTTP := build/fuzz/http
$(FUZZ_HTTP): tests/fuzz/http/fuzz_http.c $(wildcard lib/http/*.c lib/http/*.h) include/mica/http.h include/mica/http_site.h
	@mkdir -p $(@D)
	clang -std=c11 -g -O1 -Iinclude -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-Wall -Wextra -Werror -Wno-unused-parameter -o $@ tests/fuzz/http/fuzz_http.c $(wildcard lib/http/*.c)
fuzz-http: $(FUZZ_HTTP)
TEST_DEPS += $(FUZZ_HTTP)
.PHONY: fuzz-http
