# lib/dns/module.mk - the DNS fuzzer (libFuzzer, clang): `make fuzz-dns`
# builds build/fuzz/dns_fuzz against the test zones (memo and engine).
FUZZ_DNS := build/fuzz/dns_fuzz
FUZZ_DNS_ZONES := $(wildcard tests/integration/dns/zones/*.zone)
DNS_FUZZ_CC := clang
DNS_FUZZ_FLAGS := -std=c11 -g -O1 -Iinclude -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
CLEAN += build/fuzz

build/fuzz/zones.c: $(FUZZ_DNS_ZONES) $(ZONEC)
	@mkdir -p $(@D)
	$(ZONEC) -o $@ $(FUZZ_DNS_ZONES)

DNS_FUZZ_SRCS := $(wildcard lib/dns/*.c)
$(eval $(call stamp_rule,build/fuzz/dns-srcs,DNS_FUZZ_SRCS))
$(FUZZ_DNS): tests/fuzz/dns/fuzz_dns.c build/fuzz/zones.c $(DNS_FUZZ_SRCS) $(wildcard lib/dns/*.h) include/mica/dns.h \
	build/fuzz/dns-srcs
	$(DNS_FUZZ_CC) $(DNS_FUZZ_FLAGS) -o $@ tests/fuzz/dns/fuzz_dns.c build/fuzz/zones.c $(DNS_FUZZ_SRCS)

TEST_DEPS += $(FUZZ_DNS)
fuzz-dns: $(FUZZ_DNS)
.PHONY: fuzz-dns
