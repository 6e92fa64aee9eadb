# apps/dns: authoritative DNS server for the zones compiled in at build time.
#   ./mica build apps/dns -t unix [ZONE=file.zone ...] [NOMEMO=1]
# Without ZONE= it serves the bundled apps/dns/zones/example.com.zone.
# NOMEMO=1 leaves out the precomputed answers (the engine answers all).
# NOZONEMD=1 builds a zone whose ZONEMD digest does not match (not checked).
# MEMOMAX=BYTES bounds the memo (default 32 MiB; names past it: the engine).
APP_SRCS := apps/dns/main.c apps/dns/tcp.c apps/dns/xfr.c
APP_LIBS := dns
APP_USES_NET := 1
APP_NETIFS := service
APP_KEYS := ZONE NOMEMO NOZONEMD MEMOMAX

ZONE ?= apps/dns/zones/example.com.zone
DNS_ZONEC := build/tools/zonec
DNS_ZONES_C := $(OUT)/gen/zones.c
APP_GEN_SRCS += $(DNS_ZONES_C)

# zonec is a host tool of the top Makefile (tools/zonec/module.mk).
$(DNS_ZONEC): $(wildcard tools/zonec/*.c tools/zonec/*.h lib/dns/*.c lib/dns/*.h) include/mica/dns.h
	@$(MAKE) --no-print-directory -s -f Makefile $(DNS_ZONEC)

$(DNS_ZONES_C): $(ZONE) $(DNS_ZONEC) apps/dns/app.mk
	@mkdir -p $(@D)
	$(DNS_ZONEC) $(if $(filter 1,$(NOMEMO)),--nomemo) $(if $(filter 1,$(NOZONEMD)),--no-zonemd) \
		$(if $(MEMOMAX),--memo-max=$(MEMOMAX)) -o $@ $(ZONE)
